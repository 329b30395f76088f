"""The hook functions of the deliberate breaks: each changes ONE thing about a response.

Body rewrites parse the reference's correct body, change it and write it back, so every
other byte of meaning stays as the contract wants it. Names say what they break.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from lxml import etree

from contract.artifacts import load_contract
from contract.clr import ComplexRef
from contract.datacontract import XSI_NS, clr_namespace_uri, contract_name
from contract.endpoint import JSON_MEDIA_TYPES, XML_MEDIA_TYPES, EndpointContract
from contract.negotiation import content_type_header, parse_accept
from contract.wire import write_http_error
from tests.conformance.zoo.mutation import (
    BodyHook,
    Call,
    JsonPairs,
    Reply,
    dump_json,
    dump_xml,
    load_json,
    load_xml,
)

__all__ = [
    "IIS_404_PAGE",
    "JsonChange",
    "XmlChange",
    "add_total",
    "add_total_element",
    "attempts_as_string",
    "attempts_down",
    "dates_round_trip",
    "dates_with_space",
    "declaration_order",
    "drop_links",
    "drop_links_element",
    "first_accept_entry",
    "guids_upper",
    "html_not_found",
    "items_in_envelope_namespace",
    "json_rewrite",
    "never_failed_listed",
    "nil_attempts",
    "no_allow",
    "no_charset",
    "not_found_ok",
    "raw_ampersand",
    "rename_member",
    "response_code_overflow",
    "retry_accepted",
    "retry_crashes",
    "root_without_digest",
    "sort_members",
    "stray_text",
    "text_json_labelled_application_json",
    "xml_labelled_json",
    "xml_reason_differs",
    "xml_rewrite",
    "xml_without_accept",
]

IIS_404_PAGE = (
    b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>IIS 10.0 Detailed Error - '
    b'404.0 - Not Found</title></head><body><div id="content"><h3>HTTP Error 404.0 - Not '
    b"Found</h3><h4>The resource you are looking for has been removed, had its name changed, "
    b"or is temporarily unavailable.</h4></div></body></html>"
)


@functools.cache
def _contract() -> EndpointContract:
    return load_contract()


def _namespace(type_name: str) -> str:
    """The data-contract namespace of the contract's complex type ``type_name``."""
    for complex_type in _contract().catalog:
        if complex_type.ref.name == type_name:
            return clr_namespace_uri(complex_type.ref.clr_namespace)
    raise LookupError(f"the contract has no type {type_name!r}")


# -- JSON ------------------------------------------------------------------------------


JsonChange = Callable[[Any, dict[str, Any], Call], None]
XmlChange = Callable[[etree._Element], None]


def json_rewrite(change: JsonChange) -> BodyHook:
    """A body hook that applies ``change(document, values, call)`` to the parsed JSON."""

    def hook(body: bytes, values: dict[str, Any], call: Call) -> bytes:
        document = load_json(body)
        change(document, values, call)
        return dump_json(document)

    return hook


def _items(document: JsonPairs) -> list[JsonPairs]:
    data = dict(document).get("Data")
    return [item for item in data or [] if isinstance(item, JsonPairs)]


def _set(pairs: JsonPairs, name: str, value: Any) -> None:
    for index, (key, _) in enumerate(pairs):
        if key == name:
            pairs[index] = (key, value)
            return
    raise KeyError(f"no member {name!r} to rewrite")


def rename_member(old: str, new: str) -> JsonChange:
    """Rename envelope member ``old`` to ``new`` in place (same position)."""

    def change(document: JsonPairs, values: dict[str, Any], call: Call) -> None:
        for index, (key, value) in enumerate(document):
            if key == old:
                document[index] = (new, value)

    return change


def sort_members(document: Any, values: dict[str, Any], call: Call) -> None:
    """Every object's members in alphabetical (ordinal) order: XML's order in JSON."""
    if isinstance(document, JsonPairs):
        document.sort(key=lambda pair: pair[0])
        for _, value in document:
            sort_members(value, values, call)
    elif isinstance(document, list):
        for item in document:
            sort_members(item, values, call)


def attempts_as_string(document: JsonPairs, values: dict[str, Any], call: Call) -> None:
    """``"SendingAttempts":"2"``: an int written as a JSON string."""
    for item in _items(document):
        _set(item, "SendingAttempts", str(dict(item)["SendingAttempts"]))


def guids_upper(document: JsonPairs, values: dict[str, Any], call: Call) -> None:
    """GUIDs in uppercase (``Guid.ToString("D").ToUpper()``), not .NET's lowercase D."""
    for item in _items(document):
        for name in ("PracticeId", "EncounterId", "InvoiceId"):
            _set(item, name, str(dict(item)[name]).upper())


def dates_round_trip(document: JsonPairs, values: dict[str, Any], call: Call) -> None:
    """Json.NET's default dates (``...43.1992775+02:00``) instead of the service's format."""
    for item, value in zip(_items(document), values["Data"], strict=True):
        _set(item, "SendingTime", value["SendingTime"].round_trip())


def response_code_overflow(document: JsonPairs, values: dict[str, Any], call: Call) -> None:
    """``ResponseCode`` one past ``int.MaxValue``."""
    _set(document, "ResponseCode", 2**31)


def drop_links(document: JsonPairs, values: dict[str, Any], call: Call) -> None:
    """No ``Links`` member."""
    document[:] = [(key, value) for key, value in document if key != "Links"]


def add_total(document: JsonPairs, values: dict[str, Any], call: Call) -> None:
    """An extra ``Total`` member at the end of the envelope."""
    document.append(("Total", len(_items(document))))


# -- XML -------------------------------------------------------------------------------


def xml_rewrite(change: XmlChange) -> BodyHook:
    """A body hook that applies ``change(root)`` to the parsed XML."""

    def hook(body: bytes, values: dict[str, Any], call: Call) -> bytes:
        root = load_xml(body)
        change(root)
        return dump_xml(root)

    return hook


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def items_in_envelope_namespace(root: etree._Element) -> None:
    """The items (and their members) in the envelope's namespace, not the billing one."""
    billing = _namespace("InvoiceSendingStatusVo")
    envelope = etree.QName(root).namespace
    for element in root.iter():
        if etree.QName(element).namespace == billing:
            element.tag = f"{{{envelope}}}{_local(element)}"


def root_without_digest(root: etree._Element) -> None:
    """The root named ``RestApiResultOfArrayOfInvoiceSendingStatusVo``: no namespaces digest."""
    response = _contract().response_type
    assert isinstance(response, ComplexRef)
    plain = response.name + "Of" + "".join(contract_name(a).name for a in response.generic_args)
    root.tag = f"{{{etree.QName(root).namespace}}}{plain}"


def declaration_order(root: etree._Element) -> None:
    """Members in declaration (JSON) order instead of DataContractSerializer's ordinal order."""
    orders = {contract_name(t.ref).name: [m.name for m in t.members] for t in _contract().catalog}
    for element in root.iter():
        order = orders.get(_local(element))
        if order is not None:
            element[:] = sorted(element, key=lambda child: order.index(_local(child)))


def _each(root: etree._Element, name: str) -> list[etree._Element]:
    found = [element for element in root.iter() if _local(element) == name]
    if not found:
        raise LookupError(f"no <{name}> element to rewrite")
    return found


def dates_with_space(root: etree._Element) -> None:
    """``2025-12-14 19:21:43.1992775+02:00``: a space where xs:dateTime has ``T``."""
    for element in _each(root, "SendingTime"):
        element.text = (element.text or "").replace("T", " ")


def nil_attempts(root: etree._Element) -> None:
    """``<SendingAttempts i:nil="true" />``: nil on a member whose type is a value type."""
    for element in _each(root, "SendingAttempts"):
        element.text = None
        element.set(f"{{{XSI_NS}}}nil", "true")


def drop_links_element(root: etree._Element) -> None:
    """No ``<Links>`` element."""
    for element in _each(root, "Links"):
        root.remove(element)


def add_total_element(root: etree._Element) -> None:
    """An extra ``<Total>`` element, in the envelope's namespace, after the members."""
    total = etree.SubElement(root, f"{{{etree.QName(root).namespace}}}Total")
    total.text = "0"


def stray_text(root: etree._Element) -> None:
    """Character data inside ``<Data>``, whose content model is element-only."""
    for element in _each(root, "Data"):
        element.text = "stray text"


def raw_ampersand(body: bytes, values: dict[str, Any], call: Call) -> bytes:
    """An unescaped ``&`` in ``ResponseMessage``: the document is not well-formed."""
    marker = b"</ResponseMessage>"
    if marker not in body:
        raise LookupError("no </ResponseMessage> to rewrite")
    return body.replace(marker, b" & more" + marker, 1)


# -- values ----------------------------------------------------------------------------


def attempts_down(values: dict[str, Any], call: Call) -> dict[str, Any]:
    """From the second retry after a reset on, each item reports two attempts fewer."""
    if call.number >= 2:
        for item in values["Data"]:
            item["SendingAttempts"] -= 2
    return values


def xml_reason_differs(values: dict[str, Any], call: Call) -> dict[str, Any]:
    """XML answers carry another ``Reason`` text for the failed items than JSON does."""
    if call.is_xml:
        for item in values["Data"]:
            if item["Reason"] is not None:
                item["Reason"] = "External system rejected the invoice"
    return values


def never_failed_listed(values: dict[str, Any], call: Call) -> dict[str, Any]:
    """From the second retry on, the answer also lists an invoice that never failed."""
    if call.number >= 2 and values["Data"]:
        extra = dict(values["Data"][0])
        extra["InvoiceId"] = uuid.UUID("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")
        extra["Status"], extra["Reason"] = "Sent", None
        values["Data"].append(extra)
    return values


# -- negotiation and replies -----------------------------------------------------------


def first_accept_entry(accept: str | None, x_requested_with: str | None) -> str | None:
    """The first Accept entry a formatter can write, whatever its q (even q=0)."""
    for media_range in parse_accept(accept):
        for media_type in JSON_MEDIA_TYPES + XML_MEDIA_TYPES:
            if media_range.matches(media_type):
                return media_type
    return None


def xml_without_accept(accept: str | None, x_requested_with: str | None) -> str | None:
    """XML when the request has no Accept header (Web API answers JSON)."""
    return "application/xml" if accept is None or not accept.strip() else None


def _media_type(reply: Reply) -> str:
    return (reply.header("Content-Type") or "").split(";", 1)[0].strip().lower()


def xml_labelled_json(reply: Reply, call: Call) -> Reply:
    """A retry's XML body sent with ``Content-Type: application/json``."""
    if call.number and call.is_xml and reply.status == 200:
        return reply.with_header("Content-Type", content_type_header("application/json"))
    return reply


def text_json_labelled_application_json(reply: Reply, call: Call) -> Reply:
    """A ``text/json`` answer labelled ``application/json``."""
    if _media_type(reply) == "text/json":
        return reply.with_header("Content-Type", content_type_header("application/json"))
    return reply


def no_charset(reply: Reply, call: Call) -> Reply:
    """``Content-Type`` without its ``charset`` parameter."""
    media_type = _media_type(reply)
    return reply.with_header("Content-Type", media_type) if media_type else reply


def no_allow(reply: Reply, call: Call) -> Reply:
    """A 405 without the ``Allow`` header."""
    return reply.with_header("Allow", None) if reply.status == 405 else reply


def html_not_found(reply: Reply, call: Call) -> Reply:
    """A 404 answered with IIS's HTML error page instead of an ``HttpError``."""
    if reply.status != 404:
        return reply
    return Reply(404, (("Content-Type", "text/html"),), IIS_404_PAGE)


def not_found_ok(reply: Reply, call: Call) -> Reply:
    """An unknown path answered 200 (with the HttpError body) instead of 404."""
    return Reply(200, reply.headers, reply.body) if reply.status == 404 else reply


def retry_accepted(reply: Reply, call: Call) -> Reply:
    """A retry answered 202 Accepted (with the correct body) instead of 200."""
    return Reply(202, reply.headers, reply.body) if call.number and reply.status == 200 else reply


def retry_crashes(reply: Reply, call: Call) -> Reply:
    """A retry answered 500 with Web API's ``{"Message":"An error has occurred."}``."""
    if not call.number:
        return reply
    body = write_http_error("An error has occurred.", call.media_type)
    return Reply(500, (("Content-Type", content_type_header(call.media_type)),), body)
