"""The fast acceptors: they accept conformant bodies, and never a body the precise walker
rejects (soundness) - checked on golden bodies, every zoo break, hand mutations and
Hypothesis-generated bodies with random single edits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from conformance.contract_view import load_suite_contract
from conformance.fastcheck import json_acceptor, xml_acceptor
from conformance.json_body import read_json_body
from conformance.xml_body import XmlSyntaxError, parse_xml, read_xml_body
from contract.wire import ResponseWriter, normalize_newlines
from tests.conformance.zoo import BREAKS, ROUTE, create_app
from tests.conftest import GoldenCase, golden_cases
from tests.contract.wire.strategies import XML_TEXT, wire_values

SUITE = load_suite_contract()
ENDPOINT = SUITE.endpoint
SAMPLE = golden_cases()[0]
JSON_OK = SAMPLE.json_bytes.decode()
XML_OK = SAMPLE.xml_bytes.decode()
GUID = "aa122594-478b-4b0a-ab1f-2fdd307930b5"
DATE = "2025-12-14T19:20:43Z"
XSI = 'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'


def json_fast(body: bytes) -> bool:
    accept = json_acceptor(ENDPOINT, max_depth=64)
    assert accept is not None
    return accept(body)


def json_precise(body: bytes) -> list[Any]:
    return list(read_json_body(body, ENDPOINT, fast=False).failures)


def xml_fast(body: bytes) -> bool:
    accept = xml_acceptor(ENDPOINT)
    assert accept is not None
    try:
        root = parse_xml(body)
    except XmlSyntaxError:
        return False  # the reader never gets to the acceptor
    return accept(root)


def xml_precise(body: bytes) -> list[Any]:
    # The walker alone: the XSD runs after either path, so it is not part of the claim.
    return list(read_xml_body(body, ENDPOINT, schema=None, fast=False).failures)


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_fast_path_accepts_every_golden_body(case: GoldenCase) -> None:
    assert json_fast(case.json_bytes)
    assert xml_fast(case.xml_bytes)


@pytest.mark.parametrize("media_type", ["application/json", "application/xml"])
def test_fast_path_accepts_the_reference_zoo_bodies(media_type: str) -> None:
    client = Client(create_app())
    bodies = [client.post(ROUTE, headers={"Accept": media_type}).data for _ in range(3)]
    fast = json_fast if media_type == "application/json" else xml_fast
    assert all(fast(body) for body in bodies)


def _break_bodies() -> Iterator[tuple[str, str, bytes]]:
    for name in sorted(BREAKS):
        for media_type in ("application/json", "application/xml"):
            client = Client(create_app(breaks=frozenset({name})))
            for _ in range(2):  # some breaks only show from the second retry on
                yield name, media_type, client.post(ROUTE, headers={"Accept": media_type}).data


def test_fast_path_rejects_every_zoo_break_body_the_walker_rejects() -> None:
    rejected = 0
    for name, media_type, body in _break_bodies():
        is_json = media_type == "application/json"
        failures = json_precise(body) if is_json else xml_precise(body)
        fast = json_fast(body) if is_json else xml_fast(body)
        assert not (fast and failures), f"break {name} ({media_type}): fast path accepted"
        rejected += bool(failures)
    assert rejected >= 20  # the body breaks really were exercised


def _json_edit(old: str, new: str) -> bytes:
    assert old in JSON_OK
    return JSON_OK.replace(old, new, 1).encode()


JSON_MUTANTS = {
    "int as string": _json_edit('"ResponseCode":2', '"ResponseCode":"2"'),
    "int as float": _json_edit('"ResponseCode":2', '"ResponseCode":2.0'),
    "int out of range": _json_edit('"ResponseCode":2', '"ResponseCode":2147483648'),
    "bool as int": _json_edit('"Sucess":true', '"Sucess":1'),
    "null bool": _json_edit('"Sucess":true', '"Sucess":null'),
    "null int": _json_edit('"SendingAttempts":8', '"SendingAttempts":null'),
    "missing member": _json_edit('"Sucess":true,', ""),
    "extra member": _json_edit('"Sucess":true,', '"Sucess":true,"Extra":1,'),
    "duplicate member": _json_edit('"Sucess":true,', '"Sucess":true,"Sucess":true,'),
    "member case": _json_edit('"Sucess":true', '"sucess":true'),
    "reordered members": _json_edit(
        '"Sucess":true,"ResponseCode":2', '"ResponseCode":2,"Sucess":true'
    ),
    "uppercase guid": _json_edit(GUID, GUID.upper()),
    "braced guid": _json_edit(GUID, "{" + GUID + "}"),
    "guid with newline": _json_edit(GUID, GUID + "\\n"),
    "date with fraction": _json_edit(DATE, "2025-12-14T19:20:43.5Z"),
    "date 30 February": _json_edit(DATE, "2025-02-30T19:20:43Z"),
    "date 29 February in a common year": _json_edit(DATE, "2025-02-29T19:20:43Z"),
    "date hour 24": _json_edit(DATE, "2025-12-14T24:20:43Z"),
    "date with newline": _json_edit(DATE, DATE + "\\n"),
    "string as number": _json_edit('"sample string 3"', "3"),
    "object for array": _json_edit('"Data":[', '"Data":[[],'),
    "array for object": _json_edit('"Data":[{', '"Data":[[],{'),
    "NaN": _json_edit('"ResponseCode":2', '"ResponseCode":NaN'),
    "utf-16": JSON_OK.encode("utf-16"),
    "bom": b"\xef\xbb\xbf" + JSON_OK.encode(),
    "deep nesting": _json_edit('"sample string 3"', "[" * 100 + "]" * 100),
    "very deep nesting": _json_edit('"sample string 3"', "[" * 100_000 + "]" * 100_000),
}


@pytest.mark.parametrize("body", JSON_MUTANTS.values(), ids=JSON_MUTANTS.keys())
def test_json_fast_path_rejects_hand_mutated_bodies(body: bytes) -> None:
    assert not json_fast(body)
    assert json_precise(body)  # the mutation is a real break, found by the walker


def _xml_edit(old: str, new: str) -> bytes:
    assert old in XML_OK
    return XML_OK.replace(old, new, 1).encode()


XML_MUTANTS = {
    "int out of range": _xml_edit(">8<", ">2147483648<"),
    "int not a number": _xml_edit(">8<", ">eight<"),
    "int of 5,000 digits": _xml_edit(">8<", ">" + "9" * 5000 + "<"),
    "bool word": _xml_edit("<Sucess>true", "<Sucess>yes"),
    "uppercase guid": _xml_edit(GUID, GUID.upper()),
    "bad date": _xml_edit("2025-12-14T19:20:43.1992775", "2025-02-30T19:20:43.1992775"),
    "missing member": _xml_edit("<ResponseCode>2</ResponseCode>", ""),
    "extra member": _xml_edit("<ResponseCode>", "<Extra /><ResponseCode>"),
    "member case": _xml_edit("<ResponseCode>2</ResponseCode>", "<responseCode>2</responseCode>"),
    "wrong member order": _xml_edit(
        "<d2p1:EncounterId>d1d59b72-742f-44fd-818a-1ad4958da0fc</d2p1:EncounterId>"
        "<d2p1:InvoiceId>81409f7b-0b26-4f1b-aaa0-271b171c8c04</d2p1:InvoiceId>",
        "<d2p1:InvoiceId>81409f7b-0b26-4f1b-aaa0-271b171c8c04</d2p1:InvoiceId>"
        "<d2p1:EncounterId>d1d59b72-742f-44fd-818a-1ad4958da0fc</d2p1:EncounterId>",
    ),
    "member in the wrong namespace": _xml_edit(
        "<d2p1:Reason>sample string 4</d2p1:Reason>", "<Reason>sample string 4</Reason>"
    ),
    "wrong root namespace": _xml_edit("Core.CommonDomain", "Core.Other"),
    "nil on a value type": _xml_edit(
        "<ResponseCode>2</ResponseCode>", '<ResponseCode i:nil="true" />'
    ),
    "nil in another namespace": _xml_edit(
        "<d2p1:Reason>sample string 4</d2p1:Reason>",
        '<d2p1:Reason xmlns:j="urn:other" j:nil="true" />',
    ),
    "nil with content": _xml_edit(
        "<d2p1:Reason>sample string 4</d2p1:Reason>",
        '<d2p1:Reason i:nil="true">x</d2p1:Reason>',
    ),
    "nil not a boolean": _xml_edit(
        "<d2p1:Reason>sample string 4</d2p1:Reason>", '<d2p1:Reason i:nil="maybe" />'
    ),
    "element in a scalar": _xml_edit(">8<", "><b>8</b><"),
    "wrong array item": _xml_edit("<d2p1:InvoiceSendingStatusVo>", "<d2p1:Item>"),
    # The service's references to forbidden characters are read, but not in a number,
    # a GUID, a date, a boolean or an i:nil.
    "forbidden reference in an int": _xml_edit(">8<", ">8&#x1;<"),
    "forbidden reference in a guid": _xml_edit(GUID, GUID + "&#x0;"),
    "forbidden reference in a date": _xml_edit("19:20:43.1992775", "19:20:43.1992775&#xB;"),
    "forbidden reference in a bool": _xml_edit("<Sucess>true", "<Sucess>&#x1F;true"),
    "forbidden reference in i:nil": _xml_edit(
        "<d2p1:Reason>sample string 4</d2p1:Reason>", '<d2p1:Reason i:nil="&#x1;true" />'
    ),
}


@pytest.mark.parametrize("body", XML_MUTANTS.values(), ids=XML_MUTANTS.keys())
def test_xml_fast_path_rejects_hand_mutated_bodies(body: bytes) -> None:
    assert not xml_fast(body)
    assert xml_precise(body)  # the mutation is a real break, found by the walker


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("&#x1;", "\x01"),
        ("&#x0;&#xFFFE;&#xffff;", "\x00\ufffe\uffff"),
        ("a&#11;b", "a\x0bb"),
        ("\ue000&#x1;\ue0001;", "\ue000\x01\ue0001;"),
    ],
)
def test_xml_fast_path_accepts_forbidden_references_in_text_as_the_walker_does(
    text: str, read: str
) -> None:
    body = _xml_edit("sample string 4", text)
    assert xml_fast(body)
    assert xml_precise(body) == []
    fast = read_xml_body(body, ENDPOINT, schema=SUITE.xsd)
    precise = read_xml_body(body, ENDPOINT, schema=SUITE.xsd, fast=False)
    assert fast.failures == precise.failures == []
    assert fast.values == precise.values
    assert fast.notes == precise.notes and len(fast.notes) == 1
    assert fast.values["Data"][0]["Reason"] == read


def test_xml_fast_path_leaves_a_comment_to_the_walker() -> None:
    body = _xml_edit("<ResponseCode>", "<!-- c --><ResponseCode>")
    assert not xml_fast(body)
    assert xml_precise(body) == []


WRITER = ResponseWriter(ENDPOINT)
assert ENDPOINT.response_type is not None
# A null envelope is not a body the writer produces.
JSON_VALUES = wire_values(ENDPOINT.response_type, ENDPOINT.catalog).filter(bool)
XML_VALUES = wire_values(ENDPOINT.response_type, ENDPOINT.catalog, text=XML_TEXT).filter(bool)
ANY_XML_VALUES = JSON_VALUES


def _after_xml(value: Any) -> Any:
    """What an XML reading gives back: strings newline-normalized, all else as written."""
    if isinstance(value, dict):
        return {key: _after_xml(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_after_xml(item) for item in value]
    return normalize_newlines(value) if isinstance(value, str) else value


# Edits that keep most bodies well-formed: digits, hex case, signs, quotes, markup.
EDIT_CHARACTERS = st.sampled_from(list('0159aAfFzZ-+:. T"<>/x{}[],n'))


def _mutate(body: str, position: int, character: str, mode: str) -> bytes:
    index = position % (len(body) + 1)
    if mode == "replace":
        body = body[:index] + character + body[index + 1 :]
    elif mode == "insert":
        body = body[:index] + character + body[index:]
    else:
        body = body[:index] + body[index + 1 :]
    return body.encode()


EDIT_MODES = st.sampled_from(["replace", "insert", "delete"])
MUTATION = st.tuples(st.integers(0, 10**6), EDIT_CHARACTERS, EDIT_MODES)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9]+|true|false|null')
XML_TEXT_NODE = re.compile(r">([^<]*)<")
GUID_UPPER = '"' + GUID.upper() + '"'
JSON_REPLACEMENTS = st.sampled_from(
    ['"x"', "0", "-1", "2147483648", "-2147483649", "true", "null", "1.5", "[]", "{}",
     GUID_UPPER, '"' + GUID + '"', '"2024-02-29T00:00:00Z"', '"2025-02-29T00:00:00Z"',
     '"2025-12-14T19:20:43.5Z"', '"2025-12-14T19:20:43"', '"Sucess"', '"sucess"', '"Data"']
)  # fmt: skip
XML_REPLACEMENTS = st.sampled_from(
    ["", "x", "0", "+5", " 7 ", "2147483648", "TRUE", "1", GUID, GUID.upper(),
     "2024-02-29T00:00:00", "2025-02-29T00:00:00", "2025-12-14T19:20:43.12345678Z",
     "9999-12-31T23:59:59.9999999+14:00", "2025-12-14T19:20:43-14:01", "<x/>"]
)  # fmt: skip


def _replace_token(body: str, pattern: re.Pattern[str], choice: int, new: str) -> bytes:
    """``body`` with one match of ``pattern`` (its group 1 when it has one) replaced."""
    matches = list(pattern.finditer(body))
    if not matches:
        return body.encode()
    match = matches[choice % len(matches)]
    start, end = match.span(pattern.groups)
    return (body[:start] + new + body[end:]).encode()


@PROPERTY
@given(values=JSON_VALUES, choice=st.integers(0, 10**6), new=JSON_REPLACEMENTS)
def test_json_fast_path_never_accepts_a_broken_value_swap(
    values: Any, choice: int, new: str
) -> None:
    edited = _replace_token(WRITER.json(values).decode(), JSON_TOKEN, choice, new)
    if json_fast(edited):
        assert json_precise(edited) == []


@PROPERTY
@given(values=XML_VALUES, choice=st.integers(0, 10**6), new=XML_REPLACEMENTS)
def test_xml_fast_path_never_accepts_a_broken_text_swap(values: Any, choice: int, new: str) -> None:
    edited = _replace_token(WRITER.xml(values).decode(), XML_TEXT_NODE, choice, new)
    if xml_fast(edited):
        assert xml_precise(edited) == []


@PROPERTY
@given(values=JSON_VALUES, mutation=MUTATION)
def test_json_fast_path_accepts_written_values_and_never_a_broken_edit(
    values: Any, mutation: tuple[int, str, str]
) -> None:
    body = WRITER.json(values).decode()
    assert json_fast(body.encode())
    edited = _mutate(body, *mutation)
    if json_fast(edited):
        assert json_precise(edited) == []


@PROPERTY
@given(values=ANY_XML_VALUES, mutation=MUTATION)
def test_xml_fast_path_accepts_any_text_and_never_a_broken_edit(
    values: Any, mutation: tuple[int, str, str]
) -> None:
    # Any text: forbidden characters go on the wire as references, which the suite reads.
    body = WRITER.xml(values).decode()
    assert xml_fast(body.encode())
    assert read_xml_body(body.encode(), ENDPOINT, fast=False).values == _after_xml(values)
    edited = _mutate(body, *mutation)
    if xml_fast(edited):
        assert xml_precise(edited) == []


@PROPERTY
@given(values=XML_VALUES, mutation=MUTATION)
def test_xml_fast_path_accepts_written_values_and_never_a_broken_edit(
    values: Any, mutation: tuple[int, str, str]
) -> None:
    body = WRITER.xml(values).decode()
    assert xml_fast(body.encode())
    edited = _mutate(body, *mutation)
    if xml_fast(edited):
        assert xml_precise(edited) == []


def test_readers_give_the_same_failures_with_and_without_the_fast_path() -> None:
    for body in (*JSON_MUTANTS.values(), SAMPLE.json_bytes):
        fast, precise = read_json_body(body, ENDPOINT), read_json_body(body, ENDPOINT, fast=False)
        assert list(map(str, fast.failures)) == list(map(str, precise.failures))
        assert fast.values == precise.values
    for body in (*XML_MUTANTS.values(), SAMPLE.xml_bytes):
        both = [read_xml_body(body, ENDPOINT, schema=SUITE.xsd, fast=f) for f in (True, False)]
        assert list(map(str, both[0].failures)) == list(map(str, both[1].failures))
        assert both[0].values == both[1].values
