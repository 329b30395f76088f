"""The XML reader's fast path (:mod:`contract.wire.xml_canonical`): it reads
DataContractSerializer's own form on its bytes, and whatever it reads, the precise walker
reads to the same values without a failure (soundness) - checked on golden bodies, every
zoo break, hand mutations and Hypothesis-generated bodies with random single edits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from conformance.contract_view import load_suite_contract
from conformance.xml_body import XmlSyntaxError, parse_xml, read_xml_body
from contract.netdatetime import NetDateTime
from contract.wire import ResponseWriter, normalize_newlines
from contract.wire._xml_fastvalues import ROUND_TRIP_PATTERN
from contract.wire.xml_canonical import NotCanonical, canonical_reader
from tests.conformance.zoo import BREAKS, ROUTE, create_app
from tests.conftest import GoldenCase, golden_cases
from tests.contract.wire.strategies import XML_TEXT, single_edits, wire_values, with_one_edit

SUITE = load_suite_contract()
ENDPOINT = SUITE.endpoint
SAMPLE = golden_cases()[0].xml_bytes
XML_OK = SAMPLE.decode()
GUID = "aa122594-478b-4b0a-ab1f-2fdd307930b5"


def xml_precise(body: bytes) -> list[Any]:
    # The walker alone: the XSD runs after either path, so it is not part of the claim.
    return list(read_xml_body(body, ENDPOINT, schema=None, fast=False).failures)


def xml_fast(body: bytes) -> bool:
    """True when the fast path reads ``body`` (one the hardened parser accepts); it then
    asserts the claim: the walker and the XSD find no failure, the walker builds the
    same values."""
    read = canonical_reader(ENDPOINT)
    assert read is not None
    try:
        parse_xml(body)
        values = read(body)
    except (XmlSyntaxError, NotCanonical, ValueError):
        return False  # ValueError: a reference to no character, which the parser refuses
    walked = read_xml_body(body, ENDPOINT, schema=SUITE.xsd, fast=False)
    # The XSD too: a body the fast path reads on its bytes alone is never validated.
    assert (walked.failures, walked.values) == ([], values), "fast path and walker disagree"
    return True


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_fast_path_reads_every_golden_body(case: GoldenCase) -> None:
    assert xml_fast(case.xml_bytes)


def test_fast_path_reads_the_reference_zoo_bodies() -> None:
    client = Client(create_app())
    bodies = [client.post(ROUTE, headers={"Accept": "application/xml"}).data for _ in range(3)]
    assert all(xml_fast(body) for body in bodies)


def _break_bodies() -> Iterator[tuple[str, bytes]]:
    for name in sorted(BREAKS):
        client = Client(create_app(breaks=frozenset({name})))
        for _ in range(2):  # some breaks only show from the second retry on
            yield name, client.post(ROUTE, headers={"Accept": "application/xml"}).data


def test_fast_path_rejects_every_zoo_break_body_the_walker_rejects() -> None:
    rejected = 0
    for name, body in _break_bodies():
        failures = xml_precise(body)
        assert not (failures and xml_fast(body)), f"break {name}: fast path accepted"
        rejected += bool(failures)
    assert rejected >= 10  # the XML breaks really were exercised


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
    "stray text in element-only content": _xml_edit("<Links>", "<Links>stray"),
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
def test_fast_path_rejects_hand_mutated_bodies(body: bytes) -> None:
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
def test_fast_path_reads_forbidden_references_in_text_as_the_walker_does(
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


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("&lt;&amp;&gt;&quot;&apos;&#233;&#x2028;", "<&>\"'\u00e9\u2028"),
        ("cr\r\nlf\rx&#xD;&#13;", "cr\nlf\nx\r\r"),
    ],
    ids=["entities", "newlines"],
)
def test_fast_path_reads_entities_and_newlines_as_the_parser_does(text: str, read: str) -> None:
    body = _xml_edit("sample string 4", text)
    assert xml_fast(body)
    reading = read_xml_body(body, ENDPOINT, schema=SUITE.xsd)
    assert (reading.failures, reading.notes) == ([], [])
    assert reading.values["Data"][0]["Reason"] == read


def test_fast_path_leaves_a_comment_to_the_walker() -> None:
    body = _xml_edit("<ResponseCode>", "<!-- c --><ResponseCode>")
    assert not xml_fast(body)
    assert xml_precise(body) == []


# Documents a reader accepts in full, written in a form DataContractSerializer does not use:
# the fast path leaves them to the walker.
OTHER_SPELLINGS = {
    "other prefix": SAMPLE.replace(b"d2p1", b"b"),
    "comment": SAMPLE.replace(b"<ResponseCode>", b"<!-- c --><ResponseCode>", 1),
    "indentation": SAMPLE.replace(b"<ResponseCode>", b"\n  <ResponseCode>", 1),
    "space in an end tag": SAMPLE.replace(b"</Links>", b"</Links >", 1),
    "spaced number": SAMPLE.replace(b"<ResponseCode>", b"<ResponseCode> ", 1),
    "plus sign": SAMPLE.replace(b"<ResponseCode>", b"<ResponseCode>+", 1),
}


@pytest.mark.parametrize("body", OTHER_SPELLINGS.values(), ids=OTHER_SPELLINGS.keys())
def test_reader_accepts_other_spellings_through_the_walker(body: bytes) -> None:
    assert not xml_fast(body)
    assert xml_precise(body) == []
    reading = read_xml_body(body, ENDPOINT, schema=SUITE.xsd)
    assert reading.failures == []
    assert reading.values == read_xml_body(body, ENDPOINT, fast=False).values


def _response_code(value: str) -> bytes:
    return re.sub(rb"<ResponseCode>[^<]*<", f"<ResponseCode>{value}<".encode(), SAMPLE)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("2147483647", True), ("-2147483648", True), ("0", True), ("1999999999", True),
     ("2147483648", False), ("-2147483649", False), ("9999999999", False), ("", False),
     ("21474836470", False), ("- 1", False)],
)  # fmt: skip
def test_fast_path_takes_every_int32_and_nothing_beyond(value: str, accepted: bool) -> None:
    body = _response_code(value)
    assert xml_fast(body) is accepted
    if not accepted:
        assert xml_precise(body)  # the walker rejects it too


def _sending_time(value: str) -> bytes:
    return re.sub(rb"<d2p1:SendingTime>[^<]*<", f"<d2p1:SendingTime>{value}<".encode(), SAMPLE)


@pytest.mark.parametrize(
    ("date", "accepted"),
    [("2024-02-29T00:00:00", True), ("2000-02-29T12:00:00Z", True),
     ("2025-02-29T00:00:00", False), ("1900-02-29T00:00:00", False),
     ("2025-04-31T00:00:00", False), ("0000-01-01T00:00:00", False),
     ("2025-12-14T19:20:43.5-14:00", True), ("2025-12-14T19:20:43.1234567-03:30", True),
     ("9999-12-31T23:59:59.9999999", True), ("0001-01-01T00:00:00.0000001Z", True)],
)  # fmt: skip
def test_fast_path_takes_29_february_in_leap_years_only(date: str, accepted: bool) -> None:
    body = _sending_time(date)
    assert xml_fast(body) is accepted
    assert (xml_precise(body) == []) is accepted


def test_fast_date_pattern_takes_29_february_exactly_when_net_datetime_does() -> None:
    pattern = re.compile(ROUND_TRIP_PATTERN)
    for year in range(1, 10_000):
        text = f"{year:04d}-02-29T00:00:00"
        try:
            NetDateTime.parse(text)
            valid = True
        except ValueError:
            valid = False
        assert (pattern.fullmatch(text) is not None) is valid, text


WRITER = ResponseWriter(ENDPOINT)
assert ENDPOINT.response_type is not None
# A null envelope is not a body the writer produces.
XML_VALUES = wire_values(ENDPOINT.response_type, ENDPOINT.catalog, text=XML_TEXT).filter(bool)
ANY_XML_VALUES = wire_values(ENDPOINT.response_type, ENDPOINT.catalog).filter(bool)


def _after_xml(value: Any) -> Any:
    """What an XML reading gives back: strings newline-normalized, all else as written."""
    if isinstance(value, dict):
        return {key: _after_xml(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_after_xml(item) for item in value]
    return normalize_newlines(value) if isinstance(value, str) else value


# Edits that keep most bodies well-formed: digits, hex case, signs, quotes, markup.
MUTATION = single_edits('0159aAfFzZ-+:. T"<>/x{}[],n&#;')
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
XML_TEXT_NODE = re.compile(r">([^<]*)<")
XML_REPLACEMENTS = st.sampled_from(
    ["", "x", "0", "+5", " 7 ", "2147483648", "TRUE", "1", GUID, GUID.upper(),
     "2024-02-29T00:00:00", "2025-02-29T00:00:00", "2025-12-14T19:20:43.12345678Z",
     "9999-12-31T23:59:59.9999999+14:00", "2025-12-14T19:20:43-14:01", "<x/>", "&#x1;",
     "a&amp;b", "\r\n", "&#xD800;"]
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
@given(values=XML_VALUES)
def test_fast_path_reads_whatever_the_writer_writes(values: Any) -> None:
    assert xml_fast(WRITER.xml(values))


@PROPERTY
@given(values=XML_VALUES, choice=st.integers(0, 10**6), new=XML_REPLACEMENTS)
def test_fast_path_never_accepts_a_broken_text_swap(values: Any, choice: int, new: str) -> None:
    edited = _replace_token(WRITER.xml(values).decode(), XML_TEXT_NODE, choice, new)
    if xml_fast(edited):  # which asserts that the walker reads it alike, cleanly
        assert xml_precise(edited) == []


@PROPERTY
@given(values=ANY_XML_VALUES, mutation=MUTATION)
def test_fast_path_reads_any_text_and_never_a_broken_edit(
    values: Any, mutation: tuple[int, str, str]
) -> None:
    # Any text: forbidden characters go on the wire as references, which the suite reads.
    body = WRITER.xml(values).decode()
    assert xml_fast(body.encode())
    assert read_xml_body(body.encode(), ENDPOINT).values == _after_xml(values)
    edited = with_one_edit(body, *mutation)
    if xml_fast(edited):
        assert xml_precise(edited) == []


@PROPERTY
@given(values=XML_VALUES, mutation=MUTATION)
def test_fast_path_reads_written_values_and_never_a_broken_edit(
    values: Any, mutation: tuple[int, str, str]
) -> None:
    body = WRITER.xml(values).decode()
    assert xml_fast(body.encode())
    edited = with_one_edit(body, *mutation)
    if xml_fast(edited):
        assert xml_precise(edited) == []


def test_readers_give_the_same_failures_with_and_without_the_fast_path() -> None:
    for body in (*XML_MUTANTS.values(), SAMPLE):
        both = [read_xml_body(body, ENDPOINT, schema=SUITE.xsd, fast=f) for f in (True, False)]
        assert list(map(str, both[0].failures)) == list(map(str, both[1].failures))
        assert both[0].values == both[1].values


@pytest.mark.parametrize(
    "text",
    ["sample\x01string", "sample\x1fstring", "sample\ufffestring", "sample\uffffstring",
     "sample]]>string", "sample&string", "sample&bogus;string"],
    ids=["U+0001", "U+001F", "U+FFFE", "U+FFFF", "]]>", "bare &", "unknown entity"],
)  # fmt: skip
def test_a_body_in_the_exact_form_that_is_not_well_formed_is_xml_syntax(text: str) -> None:
    # The fast path reads such a body on its bytes alone only when its form makes it
    # well-formed: anything a parser must judge goes to the parser.
    body = XML_OK.replace("sample string 4", text, 1).encode()
    assert body != SAMPLE
    reading = read_xml_body(body, ENDPOINT, schema=SUITE.xsd)
    assert [failure.rule for failure in reading.failures] == ["xml.syntax"]
