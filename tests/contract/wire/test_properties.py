"""Property tests: any wire value survives both formats as the contract says it should."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from lxml import etree

from contract.clr import ComplexRef
from contract.datacontract import XSI_NS, xml_member_order
from contract.endpoint import EndpointContract
from contract.netdatetime import TICKS_PER_SECOND, DateTimeKind, NetDateTime
from contract.wire import ResponseWriter, XmlNewline, read_json, read_xml
from contract.wire.values import normalize_newlines
from tests.contract.wire.strategies import XML_TEXT, wire_values
from tests.expected_contract import ENVELOPE, ITEM, LINK, expected_retry_contract

CONTRACT = expected_retry_contract()
ENVELOPES = wire_values(ENVELOPE, CONTRACT.catalog).filter(lambda value: value is not None)
PLAIN_ENVELOPES = wire_values(ENVELOPE, CONTRACT.catalog, text=XML_TEXT).filter(
    lambda value: value is not None
)


def _map(value: Any, leaf: Any) -> Any:
    if isinstance(value, dict):
        return {key: _map(item, leaf) for key, item in value.items()}
    if isinstance(value, list):
        return [_map(item, leaf) for item in value]
    return leaf(value)


def _after_xml(value: Any) -> Any:
    """What XML keeps: everything, except XmlWriter's newline normalization in strings."""
    return _map(value, lambda leaf: normalize_newlines(leaf) if isinstance(leaf, str) else leaf)


def _after_json(value: Any) -> Any:
    """What the service's JSON keeps: dates lose fraction and kind."""

    def leaf(item: Any) -> Any:
        if isinstance(item, NetDateTime):
            return NetDateTime(item.ticks - item.ticks % TICKS_PER_SECOND, DateTimeKind.UNSPECIFIED)
        return item

    return _map(value, leaf)


def _plain_json(value: Any) -> Any:
    """The JSON document json.loads should give: GUIDs and dates as their strings."""

    def leaf(item: Any) -> Any:
        if isinstance(item, uuid.UUID):
            return str(item)
        if isinstance(item, NetDateTime):
            return item.wall_clock_z()
        return item

    return _map(value, leaf)


def _order_mismatches(element: etree._Element, ref: ComplexRef) -> list[tuple[str, list[str]]]:
    """Every element (this one and its items, recursively) whose children are not in the
    type's ordinal member order, with the order it has."""
    names = [etree.QName(child).localname for child in element]
    complex_type = CONTRACT.catalog[ref]
    mismatches = []
    if names != [member.name for member in xml_member_order(complex_type)]:
        mismatches.append((ref.name, names))
    nested = {"Data": ITEM, "Links": LINK}
    for child in element:
        item_type = nested.get(etree.QName(child).localname) if ref == ENVELOPE else None
        for item in child if item_type is not None else ():
            if item.get(f"{{{XSI_NS}}}nil") != "true":
                mismatches += _order_mismatches(item, item_type)
    return mismatches


WRITERS = {newline: ResponseWriter(CONTRACT, xml_newline=newline) for newline in XmlNewline}


@settings(max_examples=150, deadline=None)
@given(value=ENVELOPES)
def test_xml_round_trip_is_exact_but_for_newlines(value: dict[str, Any]) -> None:
    for writer in WRITERS.values():
        assert read_xml(writer.xml(value), CONTRACT) == _after_xml(value)


@settings(max_examples=150, deadline=None)
@given(value=ENVELOPES)
def test_json_round_trip_keeps_strings_ints_and_wall_clock(value: dict[str, Any]) -> None:
    written = ResponseWriter(CONTRACT).json(value)
    assert json.loads(written) == _plain_json(value)
    assert read_json(written, CONTRACT) == _after_json(value)


@settings(max_examples=100, deadline=None)
@given(value=PLAIN_ENVELOPES)
def test_xml_is_well_formed_with_ordinal_member_order(value: dict[str, Any]) -> None:
    written = ResponseWriter(CONTRACT).xml(value)
    root = etree.fromstring(written, etree.XMLParser(resolve_entities=False, no_network=True))
    assert _order_mismatches(root, ENVELOPE) == []


@settings(max_examples=100, deadline=None)
@given(value=ENVELOPES)
def test_json_keeps_declaration_order(value: dict[str, Any]) -> None:
    orders: list[list[str]] = []
    json.loads(
        ResponseWriter(CONTRACT).json(value),
        object_pairs_hook=lambda pairs: orders.append([k for k, _ in pairs]) or dict(pairs),
    )
    declared = {tuple(m.name for m in t.members) for t in CONTRACT.catalog}
    assert all(tuple(order) in declared for order in orders)


# Shrunk or hand-found edge cases, pinned so they are always run.
REGRESSIONS = [
    "\r",
    "\r\n\r",
    "\n\r\n",
    "",
    "&#x1;\x01",  # a reference's text next to the character it names
    "\x00",
    "\ufffe",
    "\ue000",  # the reader's private-use marker, literally
    "\ue0001;",  # the marker followed by what looks like its payload
    "&#x1;",  # the text of a character reference is escaped, not decoded
    "]]>",
    "\x85\u2028\u2029",
    "\U0001f600",
]


@pytest.mark.parametrize("newline", list(XmlNewline))
@pytest.mark.parametrize("text", REGRESSIONS)
def test_pinned_strings_round_trip_through_both_formats(
    text: str, newline: XmlNewline, retry_contract: EndpointContract
) -> None:
    value = {
        "Sucess": True,
        "ResponseCode": 0,
        "ResponseMessage": text,
        "Data": None,
        "Links": [{"Rel": text, "HRef": None}],
    }
    writer = ResponseWriter(retry_contract, xml_newline=newline)
    assert read_xml(writer.xml(value), retry_contract)["ResponseMessage"] == normalize_newlines(
        text
    )
    assert read_json(writer.json(value), retry_contract)["Links"][0]["Rel"] == text
