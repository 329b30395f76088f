"""A retry call's statements inside :class:`~mock_server.postgres_store.PostgresStore`'s
pipelined write transaction (the steps: :func:`mock_server.retry_call.run_retry`).

Round trips are what a call costs here: the transaction holds the writer lock for as long
as they take. So the statements go out pipelined and are read only where a result is
needed: ``BEGIN``, the lock, the call's state (scenario, generation, whether a fault
exists, the newest journal number) and - when this process's last call retried - the
failed rows go out together; then the journal entry (its number known from the state),
the outcomes' one ``UPDATE`` and ``COMMIT``. Two round trips per call without faults.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg

from contract.netdatetime import NetDateTime
from mock_server.postgres_journal import append_entry
from mock_server.retry import Attempts
from mock_server.retry_call import FixedColumns, Outcomes, RetryCaches, firing, outcomes_of
from mock_server.scenarios import Scenario
from mock_server.store import Fault, FaultKind, JournalEntry, StoreUnavailable
from mock_server.vocabulary import FAILED

__all__ = ["SELECT_FAULTS", "SET_META", "PostgresRetry", "fault_of", "meta", "set_meta"]

SELECT_FAULTS = "SELECT id, kind, calls, share, latency_ms FROM faults ORDER BY id"
SET_META = (
    "INSERT INTO meta (key, value) VALUES (%s, %s) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_SELECT_STATE = (
    "SELECT (SELECT value FROM meta WHERE key = 'scenario'),"
    " (SELECT value FROM meta WHERE key = 'generation'), EXISTS (SELECT 1 FROM faults),"
    " (SELECT COALESCE(MAX(id), 0) FROM journal)"
)
_SELECT_FAILED = "SELECT position, attempts FROM invoices WHERE status = %s ORDER BY position"
_SELECT_FIXED = (
    "SELECT position, practice_id, encounter_id, invoice_id, system, sending_type FROM invoices"
)
# Every outcome of a call in one statement, whatever the number of rows: the positions and
# their new reason and status as three arrays.
_WRITE_OUTCOMES = (
    "UPDATE invoices SET reason = outcome.reason, status = outcome.status,"
    " ticks = %s, kind = %s, offset_minutes = %s, attempts = invoices.attempts + 1"
    " FROM unnest(%s::integer[], %s::text[], %s::text[]) AS outcome (position, reason, status)"
    " WHERE invoices.position = outcome.position"
)


def fault_of(row: tuple[Any, ...]) -> Fault:
    """The fault of a row of :data:`SELECT_FAULTS`."""
    fault_id, kind, calls, share, latency_ms = row
    return Fault(int(fault_id), FaultKind(kind), calls, share, latency_ms)


def meta(db: psycopg.Connection, key: str) -> Any:
    """The JSON value stored in ``meta`` under ``key`` (None without one)."""
    row = db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
    return None if row is None else json.loads(row[0])


def set_meta(db: psycopg.Connection, key: str, value: Any) -> None:
    """Store ``value`` as JSON in ``meta`` under ``key``."""
    db.execute(SET_META, (key, json.dumps(value)))


class PostgresRetry:
    """One call's statements in ``db``'s open transaction; ``speculate``: read the failed
    rows with the state (a call that then does not retry drops them)."""

    def __init__(self, db: psycopg.Connection, caches: RetryCaches, *, speculate: bool) -> None:
        self._db, self._caches = db, caches
        self._state = db.execute(_SELECT_STATE)
        self._failed = db.execute(_SELECT_FAILED, (FAILED,)) if speculate else None
        self._journal_newest = 0
        self.read_rows = False
        """Whether the call retried (read the failed rows)."""

    def state(self) -> tuple[str, str | None, bool]:
        row = self._state.fetchone()
        if row is None or row[0] is None:
            raise StoreUnavailable("the PostgreSQL database holds no scenario")
        scenario, generation, faulted, self._journal_newest = row
        return scenario, generation, bool(faulted)

    def fire_faults(self, seed: int) -> tuple[Fault, ...]:
        """Count one call (only while a fault exists); the faults firing for it."""
        db = self._db
        call = int(meta(db, "calls") or 0) + 1
        set_meta(db, "calls", call)
        fired = firing([fault_of(row) for row in db.execute(SELECT_FAULTS)], call, seed)
        counted = [fault.id for fault in fired if fault.calls is not None]
        if counted:
            db.execute("UPDATE faults SET calls = calls - 1 WHERE id = ANY(%s)", (counted,))
            db.execute("DELETE FROM faults WHERE calls IS NOT NULL AND calls <= 0")
        return fired

    def append(self, entry: JournalEntry) -> None:
        self._journal_newest += 1
        append_entry(self._db, entry, sequence=self._journal_newest)

    def fixed(self, generation: str | None) -> FixedColumns:
        return self._caches.fixed_columns(generation, self._load_fixed)

    def _load_fixed(self, generation: str | None) -> FixedColumns:
        return FixedColumns.from_columns(generation, self._db.execute(_SELECT_FIXED))

    def outcomes(self, attempts: Attempts, fixed: FixedColumns, now: NetDateTime) -> Outcomes:
        failed = self._failed
        if failed is None:
            failed = self._db.execute(_SELECT_FAILED, (FAILED,))
        self.read_rows = True
        return outcomes_of(failed.fetchall(), attempts, fixed, now)

    def write(self, outcomes: Outcomes, now: NetDateTime) -> None:
        if not outcomes.retried:
            return
        positions: list[int] = []
        reasons: list[str | None] = []
        statuses: list[str] = []
        groups = [((reason, FAILED), group) for reason, group in outcomes.kept.items()]
        for (reason, status), group in [*groups, *outcomes.changed.items()]:
            positions += group
            reasons += [reason] * len(group)
            statuses += [status] * len(group)
        stamp = (int(now.ticks), now.kind.value, int(now.offset_minutes))
        self._db.execute(_WRITE_OUTCOMES, (*stamp, positions, reasons, statuses))

    def keep_scenario(self, scenario: Scenario) -> None:
        set_meta(self._db, "scenario", scenario.to_json())
