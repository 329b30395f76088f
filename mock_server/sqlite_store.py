"""The :class:`~mock_server.store.Store` in one SQLite file shared by all worker processes.

WAL mode lets readers run beside the one writer, a busy timeout makes writers queue instead
of failing, and every step that changes state runs in ``BEGIN IMMEDIATE`` - so two
concurrent retry calls are serialised by the database and cannot retry the same failure
twice. ``SendingTime`` is stored as ticks, kind and offset, which keeps all seven
fractional digits. Each process and thread opens its own connection (connections must not
cross a fork).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from contract.netdatetime import DateTimeKind, NetDateTime
from mock_server.invoices import Invoice
from mock_server.retry import retry_failed
from mock_server.scenarios import Response, Scenario
from mock_server.store import Fault, FaultKind, JournalEntry, RetryCall
from mock_server.vocabulary import FAILED

__all__ = ["JOURNAL_LIMIT", "SqliteStore"]

JOURNAL_LIMIT = 10_000  # oldest entries go first, so a long benchmark cannot fill the disk

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    position INTEGER PRIMARY KEY,
    invoice_id TEXT NOT NULL UNIQUE,
    practice_id TEXT NOT NULL,
    encounter_id TEXT NOT NULL,
    reason TEXT, status TEXT, system TEXT,
    ticks INTEGER NOT NULL, kind TEXT NOT NULL, offset_minutes INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    sending_type TEXT
);
CREATE INDEX IF NOT EXISTS invoices_by_status ON invoices (status, position);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, calls INTEGER, share REAL, latency_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    method TEXT NOT NULL, path TEXT NOT NULL, accept TEXT, media_type TEXT,
    status INTEGER, time TEXT NOT NULL, fault TEXT
);
"""
_COLUMNS = (
    "invoice_id, practice_id, encounter_id, reason, status, system, "
    "ticks, kind, offset_minutes, attempts, sending_type"
)


def _row(invoice: Invoice) -> tuple[Any, ...]:
    time = invoice.sending_time
    return (
        str(invoice.invoice_id), str(invoice.practice_id), str(invoice.encounter_id),
        invoice.reason, invoice.status, invoice.system,
        time.ticks, time.kind.value, time.offset_minutes,
        invoice.sending_attempts, invoice.sending_type,
    )  # fmt: skip


def _invoice(row: sqlite3.Row) -> Invoice:
    return Invoice(
        practice_id=uuid.UUID(row["practice_id"]),
        encounter_id=uuid.UUID(row["encounter_id"]),
        invoice_id=uuid.UUID(row["invoice_id"]),
        reason=row["reason"],
        status=row["status"],
        system=row["system"],
        sending_time=NetDateTime(row["ticks"], DateTimeKind(row["kind"]), row["offset_minutes"]),
        sending_attempts=row["attempts"],
        sending_type=row["sending_type"],
    )


def _fault(row: sqlite3.Row) -> Fault:
    return Fault(row["id"], FaultKind(row["kind"]), row["calls"], row["share"], row["latency_ms"])


class SqliteStore:
    """The mock's state in the SQLite database at ``path``."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._connection().executescript(_SCHEMA)

    # -- connections and transactions ------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        # A connection opened before a fork must not be used after it: key it by process.
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None and self._local.pid == os.getpid():
            db.close()
        self._local.db = None

    # -- state --------------------------------------------------------------------------

    def initialize(
        self, scenario: Scenario, invoices: Callable[[], Sequence[Invoice]], *, force: bool
    ) -> bool:
        """Set the start state unless the database has one (or ``force``)."""
        with self._write() as db:
            if not force and self._meta(db, "scenario") is not None:
                return False
            self._reset(db, scenario, invoices())
            return True

    def reset(self, scenario: Scenario, invoices: Sequence[Invoice]) -> None:
        """Replace invoices and scenario; clear faults, journal and the call count."""
        with self._write() as db:
            self._reset(db, scenario, invoices)

    def _reset(
        self, db: sqlite3.Connection, scenario: Scenario, invoices: Sequence[Invoice]
    ) -> None:
        db.execute("DELETE FROM faults")
        db.execute("DELETE FROM journal")
        # Fault ids feed the seeded share draws: a reset must give the same ids again.
        db.execute("DELETE FROM sqlite_sequence WHERE name IN ('faults', 'journal')")
        self._set_meta(db, "calls", 0)
        self._set_meta(db, "scenario", scenario.to_json())
        self._replace(db, invoices)

    @staticmethod
    def _replace(db: sqlite3.Connection, invoices: Sequence[Invoice]) -> None:
        db.execute("DELETE FROM invoices")
        db.executemany(
            f"INSERT INTO invoices ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            map(_row, invoices),
        )

    def invoices(self) -> list[Invoice]:
        """Every invoice in seeding order."""
        rows = self._connection().execute("SELECT * FROM invoices ORDER BY position")
        return [_invoice(row) for row in rows]

    def replace_invoices(self, invoices: Sequence[Invoice], *, seed: int) -> None:
        """Replace the invoices; the scenario keeps its options but takes ``seed``."""
        with self._write() as db:
            scenario = Scenario.from_json(self._meta(db, "scenario"))
            self._set_meta(db, "scenario", scenario.with_options(seed=seed).to_json())
            self._replace(db, invoices)

    def scenario(self) -> Scenario:
        """The scenario in force."""
        return Scenario.from_json(self._meta(self._connection(), "scenario"))

    def set_scenario(self, scenario: Scenario, invoices: Sequence[Invoice] | None) -> None:
        """Switch scenario, replacing the invoices when ``invoices`` is given."""
        with self._write() as db:
            self._set_meta(db, "scenario", scenario.to_json())
            if invoices is not None:
                self._replace(db, invoices)

    def retry(self, now: NetDateTime) -> RetryCall:
        """Retry every failed invoice in one write transaction."""
        with self._write() as db:
            scenario = Scenario.from_json(self._meta(db, "scenario"))
            if scenario.response is not Response.RETRY:
                return RetryCall(scenario, [])
            rows = db.execute(
                "SELECT * FROM invoices WHERE status = ? ORDER BY position", (FAILED,)
            )
            outcome = retry_failed([_invoice(row) for row in rows], scenario, now=now)
            db.executemany(
                "UPDATE invoices SET reason = ?, status = ?, ticks = ?, kind = ?, "
                "offset_minutes = ?, attempts = ? WHERE invoice_id = ?",
                [_update(invoice) for invoice in outcome.invoices],
            )
            if outcome.scenario != scenario:
                self._set_meta(db, "scenario", outcome.scenario.to_json())
            return RetryCall(scenario, outcome.invoices)

    # -- faults -------------------------------------------------------------------------

    def add_fault(
        self, kind: FaultKind, *, calls: int | None, share: float | None, latency_ms: int
    ) -> Fault:
        """Add a fault after the existing ones."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO faults (kind, calls, share, latency_ms) VALUES (?, ?, ?, ?)",
                (kind.value, calls, share, latency_ms),
            )
            return Fault(int(cursor.lastrowid or 0), kind, calls, share, latency_ms)

    def faults(self) -> list[Fault]:
        """The active faults in the order they were added."""
        return [
            _fault(row) for row in self._connection().execute("SELECT * FROM faults ORDER BY id")
        ]

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._write() as db:
            db.execute("DELETE FROM faults")

    def next_call_faults(self) -> list[Fault]:
        """Count one retry call; return the faults firing for it and use up counted ones.

        Calls are only counted while a fault exists, so a call without faults costs no write.
        """
        if not self._connection().execute("SELECT EXISTS (SELECT 1 FROM faults)").fetchone()[0]:
            return []
        with self._write() as db:
            call = int(self._meta(db, "calls") or 0) + 1
            self._set_meta(db, "calls", call)
            faults = [_fault(row) for row in db.execute("SELECT * FROM faults ORDER BY id")]
            if not faults:
                return []
            seed = Scenario.from_json(self._meta(db, "scenario")).seed
            firing = [fault for fault in faults if fault.fires(call, seed)]
            for fault in firing:
                if fault.calls is not None:
                    db.execute("UPDATE faults SET calls = calls - 1 WHERE id = ?", (fault.id,))
            db.execute("DELETE FROM faults WHERE calls IS NOT NULL AND calls <= 0")
            return firing

    # -- journal ------------------------------------------------------------------------

    def record(self, entry: JournalEntry) -> None:
        """Append to the journal, dropping the oldest entries beyond :data:`JOURNAL_LIMIT`."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO journal (method, path, accept, media_type, status, time, fault) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entry.method, entry.path, entry.accept, entry.media_type, entry.status,
                 entry.time, entry.fault),
            )  # fmt: skip
            db.execute(
                "DELETE FROM journal WHERE id <= ?", ((cursor.lastrowid or 0) - JOURNAL_LIMIT,)
            )

    def journal(self) -> list[JournalEntry]:
        """The journal, oldest first."""
        rows = self._connection().execute(
            "SELECT method, path, accept, media_type, status, time, fault FROM journal ORDER BY id"
        )
        return [JournalEntry(**dict(row)) for row in rows]

    def clear_journal(self) -> None:
        """Empty the journal."""
        with self._write() as db:
            db.execute("DELETE FROM journal")

    # -- meta ---------------------------------------------------------------------------

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> Any:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row["value"])

    @staticmethod
    def _set_meta(db: sqlite3.Connection, key: str, value: Any) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )


def _update(invoice: Invoice) -> tuple[Any, ...]:
    time = invoice.sending_time
    return (
        invoice.reason, invoice.status, time.ticks, time.kind.value, time.offset_minutes,
        invoice.sending_attempts, str(invoice.invoice_id),
    )  # fmt: skip
