"""The :class:`~mock_server.store.Store` in one SQLite file shared by all worker processes.

WAL mode lets readers run beside the one writer, a busy timeout makes writers queue instead
of failing, and every step that changes state runs in ``BEGIN IMMEDIATE`` - so two
concurrent retry calls are serialised by the database and cannot retry the same failure
twice. Writers first queue on a file lock next to the database (``<db>-lock``, POSIX;
:mod:`mock_server.writer_lock`), each for at most 5 s, then get ``WriterBusy``. A retry
call reads scenario, generation and whether a fault is configured in one statement,
decides its faults and writes its journal entry in its own transaction, and decodes the
scenario only when its stored text differs from the last one this process decoded (so a
change through any worker applies to the next call).
``SendingTime`` is stored as ticks, kind and offset, which keeps all seven fractional
digits. Each process and thread opens its own connection (connections must not cross a
fork).
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
from mock_server.retry import Attempts
from mock_server.retry_call import (
    FixedColumns,
    Outcomes,
    RetryCaches,
    firing,
    new_generation,
    run_retry,
)
from mock_server.scenarios import Scenario
from mock_server.sqlite_journal import (
    append_entry,
    clear_entries,
    create_journal,
    read_entries,
)
from mock_server.sqlite_retry import draw_outcomes, load_fixed, write_outcomes
from mock_server.store import Fault, FaultKind, JournalEntry, RetryCall
from mock_server.writer_lock import WriterLock

__all__ = ["SqliteStore"]

CACHE_KIB = 64 * 1024

# The columns a retry writes have no NOT NULL: SQLite checks a constraint of an updated
# column row by row, which made a retry's UPDATE of 100,000 rows 2.2 times as slow. Only
# this store writes them, always with a value.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    position INTEGER PRIMARY KEY,
    invoice_id TEXT NOT NULL UNIQUE,
    practice_id TEXT NOT NULL,
    encounter_id TEXT NOT NULL,
    reason TEXT, status TEXT, system TEXT,
    ticks INTEGER, kind TEXT, offset_minutes INTEGER,
    attempts INTEGER,
    sending_type TEXT
);
CREATE INDEX IF NOT EXISTS invoices_by_status ON invoices (status, position);
CREATE TABLE IF NOT EXISTS start_invoices AS SELECT * FROM invoices WHERE 0;
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, calls INTEGER, share REAL, latency_ms INTEGER NOT NULL
);
"""
# What a retry reads first, in one statement: the stored texts of scenario and generation,
# and whether any fault is configured.
_SELECT_RETRY_STATE = (
    "SELECT (SELECT value FROM meta WHERE key = 'scenario'),"
    " (SELECT value FROM meta WHERE key = 'generation'), EXISTS (SELECT 1 FROM faults)"
)
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
    """The mock's state in the SQLite database at ``path``.

    A ``durable`` database (one the user named) survives a power loss or an OS crash: its
    checkpoints wait for the disk. A temporary one, gone with the process anyway, never
    waits for the disk: a checkpoint's two fsyncs took up to 8 ms inside the write lock,
    every few hundred calls, and a call's commit 36 us on average instead of 21.
    """

    def __init__(
        self, path: str | Path, *, busy_timeout_ms: int = 5_000, durable: bool = True
    ) -> None:
        self.path = Path(path)
        self._writer_lock = WriterLock(self.path)
        self._busy_timeout_ms = busy_timeout_ms
        # WAL with NORMAL syncs at checkpoints only; OFF leaves writing to the OS.
        self._synchronous = "NORMAL" if durable else "OFF"
        self._local = threading.local()
        self._caches = RetryCaches()
        self._connection().executescript(_SCHEMA)
        with self._write() as db:
            create_journal(db)

    # -- connections and transactions ------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        # A connection opened before a fork must not be used after it: key it by process.
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(f"PRAGMA synchronous = {self._synchronous}")
            # Up to 64 MiB of pages per connection (SQLite's default is 2 MiB): 100,000
            # invoices take 27 MB with their indexes, and a retry that rereads evicted
            # pages took 0.82 s instead of 0.54 s. Memory is used only as pages are read.
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        with self._writer_lock.held():
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection and lock file (others close when their thread ends)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None and self._local.pid == os.getpid():
            db.close()
        self._writer_lock.close()
        self._local.db = None

    # -- state --------------------------------------------------------------------------

    def initialize(
        self,
        scenario: Scenario,
        invoices: Callable[[], Sequence[Invoice]],
        *,
        force: bool,
        start_key: str | None = None,
    ) -> bool:
        """Set the start state unless the database has one (or ``force``)."""
        with self._write() as db:
            if not force and self._meta(db, "scenario") is not None:
                return False
            self._reset(db, scenario, invoices(), start_key)
            return True

    def reset(
        self, scenario: Scenario, invoices: Sequence[Invoice], *, start_key: str | None = None
    ) -> None:
        """Replace invoices and scenario; clear faults, journal and the call count."""
        with self._write() as db:
            self._reset(db, scenario, invoices, start_key)

    def restore_start(self, scenario: Scenario, start_key: str) -> bool:
        """Reset to the invoices kept under ``start_key``, if those are the ones kept.

        A copy inside the database: 100,000 invoices in a fifth of a second, where seeding
        them again took seconds.
        """
        with self._write() as db:
            if self._meta_text(db, "start_key") != start_key:
                return False
            self._clear(db, scenario)
            db.execute("DELETE FROM invoices")
            db.execute("INSERT INTO invoices SELECT * FROM start_invoices ORDER BY position")
            # The rows kept with that generation: a process holding its fixed columns
            # keeps them.
            self._set_meta_text(db, "generation", self._meta_text(db, "start_generation") or "")
            return True

    def _reset(
        self,
        db: sqlite3.Connection,
        scenario: Scenario,
        invoices: Sequence[Invoice],
        start_key: str | None,
    ) -> None:
        self._clear(db, scenario)
        self._replace(db, invoices)
        if start_key is not None:
            db.execute("DELETE FROM start_invoices")
            db.execute("INSERT INTO start_invoices SELECT * FROM invoices ORDER BY position")
            self._set_meta_text(db, "start_key", start_key)
            self._set_meta_text(db, "start_generation", self._meta_text(db, "generation") or "")

    def _clear(self, db: sqlite3.Connection, scenario: Scenario) -> None:
        db.execute("DELETE FROM faults")
        clear_entries(db)
        # Fault ids feed the seeded share draws: a reset must give the same ids again.
        db.execute("DELETE FROM sqlite_sequence WHERE name IN ('faults', 'journal')")
        self._set_meta(db, "calls", 0)
        self._set_meta(db, "scenario", scenario.to_json())

    def _replace(self, db: sqlite3.Connection, invoices: Sequence[Invoice]) -> None:
        db.execute("DELETE FROM invoices")
        rows = [(position, *_row(invoice)) for position, invoice in enumerate(invoices, 1)]
        db.executemany(
            f"INSERT INTO invoices (position, {_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # A new generation: every process's copy of the fixed columns is stale now, but
        # this one's can be built from the rows at hand (workers forked from the master
        # start with it), their id texts as stored. Retries compare the stored text.
        generation = json.dumps(new_generation())
        self._set_meta_text(db, "generation", generation)
        self._caches.fixed = FixedColumns.from_columns(generation, (
            (position, practice, encounter, invoice, system, sending_type)
            for position, invoice, practice, encounter, _, _, system, *_, sending_type in rows
        ))  # fmt: skip

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

    def retry(
        self,
        now: NetDateTime,
        *,
        journal: JournalEntry | None = None,
        before_writing: Callable[[RetryCall], None] | None = None,
        faults: Sequence[Fault] | None = None,
    ) -> RetryCall:
        """Retry every failed invoice in one write transaction, deciding the call's faults
        and appending ``journal`` in it (see :meth:`mock_server.store.Store.retry`).

        Rows are read as tuples and written back many to a statement:
        no invoice object is built, no GUID parsed (a call may cover 100,000 invoices).
        """
        with self._write() as db:
            return run_retry(_SqliteRetry(self, db), self._caches, now, journal=journal,
                             before_writing=before_writing, faults=faults)  # fmt: skip

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

    def remove_fault(self, fault_id: int) -> bool:
        """Remove the fault ``fault_id``; False when there is none of that id."""
        with self._write() as db:
            return db.execute("DELETE FROM faults WHERE id = ?", (fault_id,)).rowcount > 0

    def _fire_faults(self, db: sqlite3.Connection, seed: int) -> tuple[Fault, ...]:
        """Count one call; the faults firing for it, counted ones used up.

        Calls are only counted while a fault exists, so a call without faults costs no
        extra statement.
        """
        call = int(self._meta(db, "calls") or 0) + 1
        self._set_meta(db, "calls", call)
        faults = [_fault(row) for row in db.execute("SELECT * FROM faults ORDER BY id")]
        fired = firing(faults, call, seed)
        for fault in fired:
            if fault.calls is not None:
                db.execute("UPDATE faults SET calls = calls - 1 WHERE id = ?", (fault.id,))
        db.execute("DELETE FROM faults WHERE calls IS NOT NULL AND calls <= 0")
        return fired

    # -- journal ------------------------------------------------------------------------

    def record(self, entry: JournalEntry) -> None:
        """Append to the journal (bounded: :mod:`mock_server.journal_rules`)."""
        with self._write() as db:
            append_entry(db, entry)

    def journal(self, *, after: int = 0, limit: int | None = None) -> list[JournalEntry]:
        """The journal, oldest first: the newest ``limit`` entries after sequence ``after``."""
        return read_entries(self._connection(), after=after, limit=limit)

    def clear_journal(self) -> None:
        """Empty the journal; sequence numbers start at 1 again."""
        with self._write() as db:
            clear_entries(db)

    # -- meta ---------------------------------------------------------------------------

    @classmethod
    def _meta(cls, db: sqlite3.Connection, key: str) -> Any:
        text = cls._meta_text(db, key)
        return None if text is None else json.loads(text)

    @staticmethod
    def _meta_text(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    @classmethod
    def _set_meta(cls, db: sqlite3.Connection, key: str, value: Any) -> None:
        cls._set_meta_text(db, key, json.dumps(value))

    @staticmethod
    def _set_meta_text(db: sqlite3.Connection, key: str, text: str) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, text),
        )


class _SqliteRetry:
    """A retry call's statements in ``db``'s open write transaction (see run_retry)."""

    def __init__(self, store: SqliteStore, db: sqlite3.Connection) -> None:
        self._store, self._db = store, db

    def state(self) -> tuple[str, str | None, bool]:
        scenario, generation, faulted = self._db.execute(_SELECT_RETRY_STATE).fetchone()
        return scenario, generation, bool(faulted)

    def fire_faults(self, seed: int) -> tuple[Fault, ...]:
        return self._store._fire_faults(self._db, seed)

    def append(self, entry: JournalEntry) -> None:
        append_entry(self._db, entry)

    def fixed(self, generation: str | None) -> FixedColumns:
        return self._store._caches.fixed_columns(generation, lambda g: load_fixed(self._db, g))

    def outcomes(self, attempts: Attempts, fixed: FixedColumns, now: NetDateTime) -> Outcomes:
        return draw_outcomes(self._db, attempts, fixed, now)

    def write(self, outcomes: Outcomes, now: NetDateTime) -> None:
        write_outcomes(self._db, outcomes, now)

    def keep_scenario(self, scenario: Scenario) -> None:
        self._store._set_meta(self._db, "scenario", scenario.to_json())
