"""The one hardening step before any XML body is read: UTF-8, no DTD, the service's references.

Every reader of an XML body (:func:`contract.wire.read_xml`, the conformance suite's
``read_xml_body`` and its HTTP checks) parses through :func:`parse_xml_document`:

* the body must be UTF-8 (no other encoding declared, checked before and after parsing);
* a DTD or entity declaration is refused before libxml2 sees a byte of the body, and the
  parser never resolves entities, loads a DTD or touches the network; libxml2's default
  limits (no ``huge_tree``) bound the nesting depth and the size of a text node;
* references to characters XML 1.0 forbids (``&#x1;``) are the service's own output
  (Web API's ``XmlWriter`` runs with ``CheckCharacters = false``), so they are read as
  those characters (:mod:`contract.wire.charrefs`: marked before parsing, restored
  through :attr:`ParsedXml.text_of`) and the reading carries a note, never a problem;
  any other malformation is :class:`XmlSyntaxError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from contract.wire.charrefs import MarkedDocument, mark_forbidden_references, unmark
from contract.wire.values import WireFormatError

__all__ = [
    "ParsedXml",
    "XmlSyntaxError",
    "forbidden_references_note",
    "parse_xml",
    "parse_xml_document",
    "refuse_before_parsing",
]

_DECLARED_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class XmlSyntaxError(WireFormatError):
    """The body is not XML any reader will read (``xml.syntax``); ``line`` is 1-based."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, location="/", line=line)

    def __str__(self) -> str:
        """The message alone, as callers quote it (``not XML: {error}``)."""
        return self.reason


@dataclass(frozen=True)
class ParsedXml:
    """A parsed body: its root, how to read its text, and notes on the reading.

    ``text_of`` turns text of the tree into the text the body holds (references to
    forbidden characters were marked before parsing: see :mod:`contract.wire.charrefs`).
    """

    root: etree._Element
    text_of: Callable[[str], str]
    notes: tuple[str, ...] = ()


def parse_xml(body: bytes) -> etree._Element:
    """The root element of ``body``, parsed by :func:`parse_xml_document`.

    Text holding references to forbidden characters is marked: read it through
    :func:`parse_xml_document`'s ``text_of`` when it matters.
    """
    return parse_xml_document(body).root


def parse_xml_document(body: bytes) -> ParsedXml:
    """``body`` parsed without DTD, entities or network; references to characters XML 1.0
    forbids (the service's ``&#x1;``) are read as those characters and noted."""
    refuse_before_parsing(body)
    document = mark_forbidden_references(body)
    root = _parse(document.body)
    if not document.marked:
        return ParsedXml(root, _as_parsed)
    return ParsedXml(root, unmark, (forbidden_references_note(document),))


def forbidden_references_note(document: MarkedDocument) -> str:
    """The note on a body that holds references to characters XML 1.0 forbids."""
    return (
        "the body holds character references to characters XML 1.0 forbids "
        f"({document.first} at line {document.line}): the service's own output "
        "(CheckCharacters = false), but strict XML parsers refuse such bodies"
    )


def _as_parsed(text: str) -> str:
    return text


def refuse_before_parsing(body: bytes) -> None:
    """Raise :class:`XmlSyntaxError` for a body that is not UTF-8 or declares a DTD."""
    if not body.isascii():  # ASCII is UTF-8, and isascii() needs no copy of the body
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise XmlSyntaxError(
                f"the body is not UTF-8 at byte {error.start} ({error.reason})"
            ) from None
    # Without a "!" there is no "<!": one memchr() spares the regex a 50 MB scan.
    declared = _DECLARED_DTD.search(body) if b"!" in body else None
    if declared:
        line = body.count(b"\n", 0, declared.start()) + 1
        raise XmlSyntaxError(
            "a DTD is not allowed (a DTD or entity declaration: DTDs are never processed)",
            line,
        )


def _parse(body: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise XmlSyntaxError(f"not well-formed XML: {error.msg}", error.lineno) from None
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
    if encoding not in {"UTF-8", "UTF8"}:
        raise XmlSyntaxError(f"the document declares encoding {encoding!r}", 1)
    return root
