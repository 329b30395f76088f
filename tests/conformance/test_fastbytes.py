"""The byte-level acceptor (:mod:`conformance.fastbytes`) and the concurrent XML reader.

The acceptor accepts DataContractSerializer's own form and never a parsed body the
precise walker rejects (soundness) - checked on golden bodies, zoo breaks, hand
mutations and Hypothesis edits. The reader gives the same failures and values on a big
body, validated on a worker thread while it is checked, as the plain sequential walk.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import Client

from conformance.fastbytes import canonical_xml_acceptor
from conformance.fastcheck import ROUND_TRIP_PATTERN
from conformance.xml_body import XmlSyntaxError, parse_xml, read_xml_body
from contract.netdatetime import NetDateTime
from tests.conformance.test_fastcheck import (
    ENDPOINT,
    MUTATION,
    PROPERTY,
    SUITE,
    WRITER,
    XML_MUTANTS,
    XML_REPLACEMENTS,
    XML_TEXT_NODE,
    XML_VALUES,
    _break_bodies,
    _mutate,
    _replace_token,
    xml_precise,
)
from tests.conformance.zoo import ROUTE, create_app
from tests.conftest import GoldenCase, golden_cases

SAMPLE = golden_cases()[0].xml_bytes
ITEM = b"<d2p1:InvoiceSendingStatusVo>"


def bytes_fast(body: bytes) -> bool:
    """The acceptor's verdict where the reader asks for it: on bodies that parsed."""
    accept = canonical_xml_acceptor(ENDPOINT)
    assert accept is not None
    try:
        parse_xml(body)
    except XmlSyntaxError:
        return False
    return accept(body)


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_bytes_acceptor_accepts_every_golden_body(case: GoldenCase) -> None:
    assert bytes_fast(case.xml_bytes)


def test_bytes_acceptor_accepts_the_reference_zoo_bodies() -> None:
    client = Client(create_app())
    bodies = [client.post(ROUTE, headers={"Accept": "application/xml"}).data for _ in range(3)]
    assert all(bytes_fast(body) for body in bodies)


def test_bytes_acceptor_rejects_every_zoo_break_body_the_walker_rejects() -> None:
    rejected = 0
    for name, media_type, body in _break_bodies():
        if media_type != "application/xml":
            continue
        failures = xml_precise(body)
        assert not (failures and bytes_fast(body)), f"break {name}: bytes acceptor accepted"
        rejected += bool(failures)
    assert rejected >= 10  # the XML breaks really were exercised


@pytest.mark.parametrize("body", XML_MUTANTS.values(), ids=XML_MUTANTS.keys())
def test_bytes_acceptor_rejects_hand_mutated_bodies(body: bytes) -> None:
    assert not bytes_fast(body)
    assert xml_precise(body)


def _edit(old: bytes, new: bytes) -> bytes:
    assert old in SAMPLE
    return SAMPLE.replace(old, new, 1)


# Documents a reader accepts in full, written in a form DataContractSerializer does not use:
# the bytes acceptor leaves them to the tree checks.
OTHER_SPELLINGS = {
    "other prefix": SAMPLE.replace(b"d2p1", b"b"),
    "comment": _edit(b"<ResponseCode>", b"<!-- c --><ResponseCode>"),
    "indentation": _edit(b"<ResponseCode>", b"\n  <ResponseCode>"),
    "space in an end tag": _edit(b"</Links>", b"</Links >"),
    "spaced number": _edit(b"<ResponseCode>", b"<ResponseCode> "),
    "plus sign": _edit(b"<ResponseCode>", b"<ResponseCode>+"),
}


@pytest.mark.parametrize("body", OTHER_SPELLINGS.values(), ids=OTHER_SPELLINGS.keys())
def test_reader_accepts_other_spellings_through_the_tree_checks(body: bytes) -> None:
    assert not bytes_fast(body)
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
def test_bytes_acceptor_takes_every_int32_and_nothing_beyond(value: str, accepted: bool) -> None:
    body = _response_code(value)
    assert bytes_fast(body) is accepted
    if not accepted:
        assert xml_precise(body)  # the walker rejects it too


def _sending_time(value: str) -> bytes:
    return re.sub(rb"<d2p1:SendingTime>[^<]*<", f"<d2p1:SendingTime>{value}<".encode(), SAMPLE)


@pytest.mark.parametrize(
    ("date", "accepted"),
    [("2024-02-29T00:00:00", True), ("2000-02-29T12:00:00Z", True),
     ("2025-02-29T00:00:00", False), ("1900-02-29T00:00:00", False),
     ("2025-04-31T00:00:00", False), ("0000-01-01T00:00:00", False)],
)  # fmt: skip
def test_bytes_acceptor_takes_29_february_in_leap_years_only(date: str, accepted: bool) -> None:
    body = _sending_time(date)
    assert bytes_fast(body) is accepted
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


@PROPERTY
@given(values=XML_VALUES)
def test_bytes_acceptor_accepts_whatever_the_writer_writes(values: Any) -> None:
    assert bytes_fast(WRITER.xml(values))


@PROPERTY
@given(values=XML_VALUES, choice=st.integers(0, 10**6), new=XML_REPLACEMENTS)
def test_bytes_acceptor_never_accepts_a_broken_text_swap(
    values: Any, choice: int, new: str
) -> None:
    edited = _replace_token(WRITER.xml(values).decode(), XML_TEXT_NODE, choice, new)
    if bytes_fast(edited):
        assert xml_precise(edited) == []


@PROPERTY
@given(values=XML_VALUES, mutation=MUTATION)
def test_bytes_acceptor_never_accepts_a_broken_edit(
    values: Any, mutation: tuple[int, str, str]
) -> None:
    edited = _mutate(WRITER.xml(values).decode(), *mutation)
    if bytes_fast(edited):
        assert xml_precise(edited) == []


# A body well over the size from which the reader validates on a worker thread.
BIG = SAMPLE[: SAMPLE.index(ITEM)] + SAMPLE[SAMPLE.index(ITEM) : SAMPLE.index(b"</Data>")] * 400
BIG += SAMPLE[SAMPLE.index(b"</Data>") :]


def _big_edit(old: bytes, new: bytes) -> bytes:
    """``BIG`` with the first ``old`` after its middle replaced."""
    at = BIG.index(old, len(BIG) // 2)
    return BIG[:at] + new + BIG[at + len(old) :]


BIG_GUID = re.search(rb"<d2p1:InvoiceId>([^<]*)<", BIG[len(BIG) // 2 :])
assert BIG_GUID is not None
GUID = BIG_GUID[1]
BIG_MUTANTS = {
    "conformant": BIG,
    "uppercase guid": _big_edit(GUID, GUID.upper()),
    "int out of range": _big_edit(b"<d2p1:SendingAttempts>", b"<d2p1:SendingAttempts>9999999999"),
    "missing member": _big_edit(b"<d2p1:InvoiceId>" + GUID + b"</d2p1:InvoiceId>", b""),
    "nil on a value type": _big_edit(
        b"<d2p1:InvoiceId>" + GUID + b"</d2p1:InvoiceId>", b'<d2p1:InvoiceId i:nil="true" />'
    ),
    "comment between items": _big_edit(ITEM, b"<!-- c -->" + ITEM),
    "other prefix": BIG.replace(b"d2p1", b"b"),
    "unknown attribute (XSD only)": _big_edit(ITEM, b'<d2p1:InvoiceSendingStatusVo x="1">'),
    "truncated": BIG[: len(BIG) // 2],
    "not UTF-8": _big_edit(ITEM, b"\xff" + ITEM),
    "DTD": b'<!DOCTYPE x [<!ENTITY e "e">]>' + BIG,
    "declared encoding": b'<?xml version="1.0" encoding="ISO-8859-1"?>' + BIG,
}
UNPARSED = {"truncated", "not UTF-8", "DTD", "declared encoding"}


@pytest.fixture
def started_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the threads started while the test runs."""
    names: list[str] = []
    start = threading.Thread.start

    def recording_start(thread: threading.Thread) -> None:
        names.append(thread.name)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    yield names


@pytest.mark.parametrize("name", BIG_MUTANTS)
def test_concurrent_reader_gives_the_sequential_failures_and_values(
    name: str, started_threads: list[str]
) -> None:
    body = BIG_MUTANTS[name]
    concurrent = read_xml_body(body, ENDPOINT, schema=SUITE.xsd)
    assert started_threads == ([] if name in UNPARSED else ["xml-body-xsd"])
    sequential = read_xml_body(body, ENDPOINT, schema=SUITE.xsd, fast=False)
    assert started_threads.count("xml-body-xsd") <= 1  # fast=False never starts one
    assert list(map(str, concurrent.failures)) == list(map(str, sequential.failures))
    assert concurrent.values == sequential.values
    assert bool(concurrent.failures) is (name not in {"conformant", "comment between items",
                                                      "other prefix"})  # fmt: skip


def test_concurrent_reader_reports_a_schema_only_failure_with_its_line() -> None:
    failures = read_xml_body(
        BIG_MUTANTS["unknown attribute (XSD only)"], ENDPOINT, schema=SUITE.xsd
    )
    assert [f.rule for f in failures.failures] == ["xml.schema"]
    assert failures.failures[0].location == "line 1"


class _BrokenSchema:
    """Stands in for an XMLSchema whose validation fails in libxml2's own code."""

    def validate(self, document: object) -> bool:
        raise RuntimeError("validator crashed")


@pytest.mark.parametrize("body", [SAMPLE, BIG], ids=["inline", "worker thread"])
def test_reader_raises_a_validator_crash_in_the_callers_thread(body: bytes) -> None:
    schema: Any = _BrokenSchema()
    with pytest.raises(RuntimeError, match="validator crashed"):
        read_xml_body(body, ENDPOINT, schema=schema)
