"""Valid variations: responses that differ from the service's bytes but not from the contract.

A conformance suite must accept every one of them (no failure at all): XML readers do
not care about prefixes, declarations, indentation or character references; JSON
readers do not care about whitespace or ``\\u`` escapes; HTTP clients must handle extra
headers, quoted or uppercase charset values, chunked transfer and gzip content coding.
"""

from __future__ import annotations

import gzip
from typing import Any

from lxml import etree

from contract.datacontract import XSI_NS
from tests.conformance.zoo.mutation import (
    Call,
    Mutation,
    Reply,
    dump_json,
    dump_xml,
    load_json,
    load_xml,
)

__all__ = ["VALID_VARIATIONS", "VARIATION_MUTATIONS"]

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
ASPNET_HEADERS = (
    ("Cache-Control", "no-cache"),
    ("Pragma", "no-cache"),
    ("Expires", "-1"),
    ("X-AspNet-Version", "4.0.30319"),
    ("X-Powered-By", "ASP.NET"),
    ("X-Zoo-Variation", "extra-headers"),
)


def _prefixed(body: bytes, values: dict[str, Any], call: Call) -> bytes:
    """Rebuild the document with prefix ``x:`` for the envelope namespace and ``a:`` for
    the items' namespace, declared once on the root, instead of default + ``d2p1``."""
    source = load_xml(body)
    envelope = etree.QName(source).namespace
    billing = next(
        (
            uri
            for element in source.iter()
            for uri in element.nsmap.values()
            if uri not in (envelope, XSI_NS)
        ),
        None,
    )
    nsmap = {"x": envelope, "i": XSI_NS} | ({"a": billing} if billing else {})
    root = etree.Element(source.tag, nsmap=nsmap)
    _copy_content(source, root)
    return dump_xml(root)


def _copy_content(source: etree._Element, target: etree._Element) -> None:
    for name, value in source.attrib.items():
        target.set(name, value)
    target.text = source.text
    for child in source:
        if isinstance(child.tag, str):
            copy = etree.SubElement(target, child.tag)
            _copy_content(child, copy)
            copy.tail = child.tail


def _indented_xml(body: bytes, values: dict[str, Any], call: Call) -> bytes:
    root = load_xml(body)
    etree.indent(root, space="  ")
    return dump_xml(root)


def _with_declaration(body: bytes, values: dict[str, Any], call: Call) -> bytes:
    return XML_DECLARATION + body


def _character_references(body: bytes, values: dict[str, Any], call: Call) -> bytes:
    # An ASCII document: every non-ASCII character becomes a numeric reference (&#8211;).
    return etree.tostring(load_xml(body), encoding="us-ascii", xml_declaration=False)


def _indented_json(body: bytes, values: dict[str, Any], call: Call) -> bytes:
    return dump_json(load_json(body), indent=2)


def _ascii_json(body: bytes, values: dict[str, Any], call: Call) -> bytes:
    return dump_json(load_json(body), ascii_only=True)


def _extra_headers(reply: Reply, call: Call) -> Reply:
    for name, value in ASPNET_HEADERS:
        reply = reply.with_header(name, value)
    return reply


def _chunked(reply: Reply, call: Call) -> Reply:
    return Reply(reply.status, reply.headers, reply.body, chunked=bool(reply.body))


def _gzip(reply: Reply, call: Call) -> Reply:
    if not reply.body or "gzip" not in call.accept_encoding.lower():
        return reply
    body = gzip.compress(reply.body, mtime=0)
    compressed = Reply(reply.status, reply.headers, body, chunked=reply.chunked)
    return compressed.with_header("Content-Encoding", "gzip").with_header("Vary", "Accept-Encoding")


def _charset_spelling(reply: Reply, call: Call) -> Reply:
    content_type = reply.header("Content-Type")
    if content_type is None or ";" not in content_type:
        return reply
    media_type = content_type.split(";", 1)[0]
    return reply.with_header("Content-Type", f'{media_type};charset="UTF-8"')


VALID_VARIATIONS: dict[str, str] = {
    "xml-prefixes": (
        "XML with the envelope namespace bound to prefix x: (no default namespace) and the "
        "items' namespace to a:, both declared on the root: prefixes are not significant"
    ),
    "xml-indented": "XML indented with two spaces: whitespace between elements is ignorable",
    "xml-declaration": 'XML preceded by <?xml version="1.0" encoding="utf-8"?>',
    "xml-char-references": (
        "XML written in ASCII with numeric character references (&#8211;) for non-ASCII text"
    ),
    "json-indented": "JSON indented with two spaces",
    "json-ascii-escapes": "JSON with every non-ASCII character written as a \\uXXXX escape",
    "extra-headers": (
        "extra response headers as IIS/ASP.NET sends them (Cache-Control, Pragma, Expires, "
        "X-AspNet-Version, X-Powered-By) plus an unknown X- header"
    ),
    "charset-spelling": 'Content-Type written as application/json;charset="UTF-8" (quoted, '
    "uppercase, no space): charset values are case-insensitive",
    "chunked": "every body sent with Transfer-Encoding: chunked instead of Content-Length",
    "gzip": (
        "bodies gzip-compressed (Content-Encoding: gzip, Vary: Accept-Encoding) when the "
        "request's Accept-Encoding allows it, as IIS dynamic compression does"
    ),
}
"""Name -> description of each valid variation: a correct suite reports NO failure."""

VARIATION_MUTATIONS: dict[str, Mutation] = {
    "xml-prefixes": Mutation(xml_body=_prefixed),
    "xml-indented": Mutation(xml_body=_indented_xml),
    "xml-declaration": Mutation(xml_body=_with_declaration),
    "xml-char-references": Mutation(xml_body=_character_references),
    "json-indented": Mutation(json_body=_indented_json),
    "json-ascii-escapes": Mutation(json_body=_ascii_json),
    "extra-headers": Mutation(reply=_extra_headers),
    "charset-spelling": Mutation(reply=_charset_spelling),
    "chunked": Mutation(reply=_chunked),
    "gzip": Mutation(reply=_gzip),
}
"""The pipeline changes that implement each of :data:`VALID_VARIATIONS`."""
