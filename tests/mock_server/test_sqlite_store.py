"""The SQLite store as two worker processes see it: two stores on one database file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from contract.netdatetime import NetDateTime
from mock_server import sqlite_journal, sqlite_retry
from mock_server.clock import Clock
from mock_server.invoices import Invoice, seed_invoices
from mock_server.mock import current_mock_of
from mock_server.scenarios import Scenario, builtin_scenario
from mock_server.sqlite_store import SqliteStore
from mock_server.store import FaultKind, JournalEntry, RetriedInvoice
from mock_server.vocabulary import FAILED, SENT
from tests.mock_server.conftest import FROZEN, make_app
from tests.mock_server.retry_model import retry_failed

NOW = NetDateTime.parse(FROZEN)
CLOCK = Clock(120, NOW)


def _ids(retried: Sequence[RetriedInvoice]) -> list[str]:
    return [str(item[2]) for item in retried]


def test_retry_sees_invoices_another_store_replaced(tmp_path: Path) -> None:
    first, second = SqliteStore(tmp_path / "db.sqlite3"), SqliteStore(tmp_path / "db.sqlite3")
    first.reset(builtin_scenario("all-failing"), seed_invoices(5, seed=1, clock=CLOCK))
    assert _ids(second.retry(NOW).invoices) == [str(i.invoice_id) for i in first.invoices()]
    replacement = seed_invoices(3, seed=2, clock=CLOCK)
    first.replace_invoices(replacement, seed=2)
    assert _ids(second.retry(NOW).invoices) == [str(i.invoice_id) for i in replacement]


def test_retry_writes_every_outcome_the_call_returns(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(builtin_scenario("partial"), seed_invoices(40, seed=3, clock=CLOCK))
    before = {str(i.invoice_id): i.sending_attempts for i in store.invoices()}
    call = store.retry(NOW)
    stored = {str(i.invoice_id): i for i in store.invoices()}
    statuses = {item[4] for item in call.invoices}
    assert {FAILED, SENT} <= statuses, "the seeded draws should give both outcomes"
    for item in call.invoices:
        invoice = stored[str(item[2])]
        assert (invoice.reason, invoice.status) == (item[3], item[4])
        assert invoice.sending_time == NOW
        assert invoice.sending_attempts == item[7] == before[str(item[2])] + 1


def _entry() -> JournalEntry:
    return JournalEntry(method="POST", path="/retry", accept=None, media_type="application/json",
                        status=200, time=FROZEN, fault=None)  # fmt: skip


def test_retry_applies_a_fault_another_store_added_in_its_own_step(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(builtin_scenario("all-failing"), seed_invoices(4, seed=3, clock=CLOCK))
    entry = _entry()
    fault = SqliteStore(tmp_path / "db.sqlite3")  # another worker adds the fault
    fault.add_fault(FaultKind.HTTP_500, calls=1, share=None, latency_ms=0)
    before = store.invoices()
    faulted = store.retry(NOW, journal=entry)
    assert (faulted.answer, list(faulted.invoices)) == (FaultKind.HTTP_500, [])
    assert store.invoices() == before
    assert store.journal() == [replace(entry, status=500, fault="http-500", sequence=1)]
    assert store.faults() == [], "the fault was used up in the same step"
    call = store.retry(NOW, journal=entry)
    assert call.answer is None and call.faults == () and len(call.invoices) == 4
    assert store.journal()[-1] == replace(entry, sequence=2)
    attempts = [invoice.sending_attempts for invoice in store.invoices()]
    assert attempts == [invoice.sending_attempts + 1 for invoice in before]


def test_a_latency_fault_returns_the_wait_and_the_call_goes_on_after_it(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(builtin_scenario("all-failing"), seed_invoices(3, seed=3, clock=CLOCK))
    store.add_fault(FaultKind.LATENCY, calls=1, share=None, latency_ms=7)
    store.add_fault(FaultKind.MALFORMED_BODY, calls=1, share=None, latency_ms=0)
    store.add_fault(FaultKind.LATENCY, calls=1, share=None, latency_ms=5)
    before = store.invoices()
    waiting = store.retry(NOW, journal=_entry())
    assert (waiting.wait_ms, list(waiting.invoices), store.journal()) == (12, [], [])
    assert store.invoices() == before and store.faults() == []
    call = store.retry(NOW, journal=_entry(), faults=waiting.faults)
    assert call.wait_ms == 0 and call.answer is None and len(call.invoices) == 3
    [entry] = store.journal()
    assert (entry.status, entry.fault) == (200, "latency,malformed-body,latency")


@pytest.mark.parametrize(
    ("kind", "status", "media_type"),
    [(FaultKind.DROP_CONNECTION, None, None),
     (FaultKind.ENVELOPE_FAILURE, 200, "application/json")],
)  # fmt: skip
def test_a_fault_answering_early_is_journaled_with_its_status(
    tmp_path: Path, kind: FaultKind, status: int | None, media_type: str | None
) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(builtin_scenario("all-failing"), seed_invoices(2, seed=3, clock=CLOCK))
    store.add_fault(kind, calls=1, share=None, latency_ms=0)
    before = store.invoices()
    assert store.retry(NOW, journal=_entry()).answer is kind
    [entry] = store.journal()
    assert (entry.status, entry.media_type, entry.fault) == (status, media_type, kind.value)
    assert store.invoices() == before


def test_journal_keeps_the_newest_entries_and_trims_the_rest_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_journal, "JOURNAL_LIMIT", 5)
    monkeypatch.setattr(sqlite_journal, "JOURNAL_TRIM_EVERY", 4)
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(builtin_scenario("all-failing"), [])
    for number in range(1, 24):
        entry = JournalEntry(method="POST", path=f"/call/{number}", accept=None,
                             media_type=None, status=200, time=FROZEN, fault=None)  # fmt: skip
        store.record(entry)
        shown = [e.path for e in store.journal()]
        assert shown == [f"/call/{n}" for n in range(max(1, number - 4), number + 1)]
    rows = store._connection().execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    assert 5 <= rows < 5 + 4


def _states_after_retries(
    invoices: list[Invoice], scenario: Scenario, *, calls: int
) -> list[list[dict[str, object]]]:
    """Every invoice after each of ``calls`` retries, by the object-level retry model."""
    states = []
    for _ in range(calls):
        failed = [invoice for invoice in invoices if invoice.status == FAILED]
        retried = {i.invoice_id: i for i in retry_failed(failed, scenario, now=NOW).invoices}
        invoices = [retried.get(invoice.invoice_id, invoice) for invoice in invoices]
        states.append([invoice.to_json() for invoice in invoices])
    return states


@pytest.mark.parametrize(
    ("grouped_from", "update_from", "rows_per_statement"),
    [
        pytest.param(1, True, 1024, id="grouped"),
        pytest.param(10**9, True, 1024, id="values"),
        pytest.param(10**9, True, 7, id="values-in-batches"),
        pytest.param(10**9, False, 1024, id="per-row"),
    ],
)
def test_every_way_of_writing_outcomes_writes_the_same_state(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    grouped_from: int,
    update_from: bool,
    rows_per_statement: int,
) -> None:
    scenario = builtin_scenario("partial").with_options(seed=5, max_attempts=3)
    expected = _states_after_retries(seed_invoices(60, seed=5, clock=CLOCK), scenario, calls=3)
    monkeypatch.setattr(sqlite_retry, "GROUPED_FROM", grouped_from)
    monkeypatch.setattr(sqlite_retry, "_HAS_UPDATE_FROM", update_from)
    monkeypatch.setattr(sqlite_retry, "ROWS_PER_STATEMENT", rows_per_statement)
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(scenario, seed_invoices(60, seed=5, clock=CLOCK))
    for want in expected:
        store.retry(NOW)
        assert [invoice.to_json() for invoice in store.invoices()] == want
    seen = {invoice["Status"] for state in expected for invoice in state}
    assert seen == {FAILED, SENT, "Abandoned"}, "the calls wrote every outcome kind"


def test_a_closed_store_reopens_its_connection_when_used_again(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(builtin_scenario("all-failing"), seed_invoices(3, seed=1, clock=CLOCK))
    store.close()
    assert len(store.retry(NOW).invoices) == 3
    assert all(invoice.sending_time == NOW for invoice in store.invoices())


@pytest.mark.parametrize(("database", "synchronous"), [("named", 1), (None, 0)])
def test_only_a_named_database_waits_for_the_disk(
    tmp_path: Path, database: str | None, synchronous: int
) -> None:
    app = make_app(tmp_path, DATABASE=None if database is None else tmp_path / "named.sqlite3")
    store = current_mock_of(app).store
    assert isinstance(store, SqliteStore)
    # 1 = NORMAL (WAL syncs at checkpoints), 0 = OFF (a temporary file outlives no crash)
    assert store._connection().execute("PRAGMA synchronous").fetchone()[0] == synchronous
