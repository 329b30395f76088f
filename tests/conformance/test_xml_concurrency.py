"""The XML reader on a big body: validated on a worker thread while it is read, with the
same failures and values as the plain sequential walk; a validator crash is raised in
the caller's thread."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.contract_view import load_suite_contract
from conformance.xml_body import read_xml_body
from tests.conftest import golden_cases

SUITE = load_suite_contract()
ENDPOINT = SUITE.endpoint
SAMPLE = golden_cases()[0].xml_bytes
ITEM = b"<d2p1:InvoiceSendingStatusVo>"


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
# In the serializer's exact form: read on its bytes alone, no tree and no XSD run.
ON_BYTES_ALONE = {"conformant"}


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
    assert started_threads == ([] if name in UNPARSED | ON_BYTES_ALONE else ["xml-body-xsd"])
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


# Valid bodies in another spelling than the serializer's: the XSD runs on their tree.
@pytest.mark.parametrize(
    "body", [SAMPLE.replace(b"d2p1", b"b"), BIG_MUTANTS["other prefix"]],
    ids=["inline", "worker thread"],
)  # fmt: skip
def test_reader_raises_a_validator_crash_in_the_callers_thread(body: bytes) -> None:
    schema: Any = _BrokenSchema()
    with pytest.raises(RuntimeError, match="validator crashed"):
        read_xml_body(body, ENDPOINT, schema=schema)
