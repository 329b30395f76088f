"""The :class:`~mock_server.store.Store` in one PostgreSQL database, shared by any number of
instances of the mock and their workers (a team's mock behind a load balancer).

The same rows and the same steps as :class:`~mock_server.sqlite_store.SqliteStore`: the
retry call's steps are :func:`mock_server.retry_call.run_retry` (its statements here:
:mod:`mock_server.postgres_retry`), the journal's bounds :mod:`mock_server.journal_rules`'.
Every step that changes state is one transaction that first takes the tables' writer lock
(a transaction-scoped advisory lock, :func:`~mock_server.postgres_schema.prepare_schema`):
writers of every instance queue there, as SQLite's ``BEGIN IMMEDIATE`` queues them on one
machine, so two concurrent retry calls - on any instances and workers - never retry one
failure twice, and a fault's counter is used up in the call's own transaction. Under READ
COMMITTED each statement after the lock sees every write committed before it, so a fault
or scenario set through any instance applies to the next call everywhere. Threads of one
process queue on a thread lock first (one waiter per process at the server). A writer
waits at most 5 s (``lock_timeout``, as the SQLite writer lock), then gets
:class:`~mock_server.writer_lock.WriterBusy` (the HTTP layer answers 503); readers never
wait for writers. A retry's statements go out pipelined: two round trips per call.

Each process has its own connection pool (psycopg_pool), opened when first used: one
made before a fork is never used after it. The tables: :mod:`mock_server.postgres_schema`.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from contract.netdatetime import DateTimeKind, NetDateTime
from mock_server.invoices import Invoice
from mock_server.postgres_journal import append_entry, clear_entries, read_entries
from mock_server.postgres_retry import (
    SELECT_FAULTS,
    SET_META,
    PostgresRetry,
    fault_of,
    meta,
    set_meta,
)
from mock_server.postgres_schema import prepare_schema
from mock_server.postgres_url import PostgresUrl
from mock_server.retry_call import FixedColumns, RetryCaches, new_generation, run_retry
from mock_server.scenarios import Scenario
from mock_server.store import Fault, FaultKind, JournalEntry, RetryCall, StoreUnavailable
from mock_server.writer_lock import WRITER_TIMEOUT_S, WriterBusy

__all__ = ["CONNECT_TIMEOUT_S", "POOL_SIZE", "PostgresStore"]

POOL_SIZE = 8
"""Connections per process at most: one per granian thread (``--threads``, 8)."""
CONNECT_TIMEOUT_S = 10
_COLUMNS = (
    "invoice_id, practice_id, encounter_id, reason, status, system, "
    "ticks, kind, offset_minutes, attempts, sending_type"
)
_LOCK = "SELECT pg_advisory_xact_lock(%s)"
_COPY_META = (
    "INSERT INTO meta (key, value) SELECT %s, value FROM meta WHERE key = %s "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def _left(deadline: float) -> float:
    """Seconds until ``deadline`` (a monotonic time), at least a millisecond."""
    return max(0.001, deadline - time.monotonic())


def _invoice(row: tuple[Any, ...]) -> Invoice:
    invoice, practice, encounter, reason, status, system, ticks, kind, offset, tries, typ = row
    return Invoice(
        practice_id=uuid.UUID(practice), encounter_id=uuid.UUID(encounter),
        invoice_id=uuid.UUID(invoice), reason=reason, status=status, system=system,
        sending_time=NetDateTime(ticks, DateTimeKind(kind), offset),
        sending_attempts=tries, sending_type=typ,
    )  # fmt: skip


def _row(position: int, invoice: Invoice) -> tuple[Any, ...]:
    time = invoice.sending_time
    return (
        position, str(invoice.invoice_id), str(invoice.practice_id), str(invoice.encounter_id),
        invoice.reason, invoice.status, invoice.system,
        time.ticks, time.kind.value, time.offset_minutes,
        invoice.sending_attempts, invoice.sending_type,
    )  # fmt: skip


class PostgresStore:
    """The mock's state in the PostgreSQL database at ``url`` (see the module).

    Creating the store connects once and creates or migrates the tables; a database that
    cannot be reached or used raises :class:`~mock_server.store.StoreUnavailable`.
    """

    def __init__(
        self, url: PostgresUrl, *, pool_size: int = POOL_SIZE,
        writer_timeout_s: float = WRITER_TIMEOUT_S,
    ) -> None:  # fmt: skip
        self.url = url
        self._pool_size = pool_size
        self._timeout_s = writer_timeout_s
        self._pool: ConnectionPool | None = None
        self._pid: int | None = None
        self._opening = threading.Lock()
        self._threads = threading.Lock()
        self._caches = RetryCaches()
        self.speculate = False
        """Whether a retry reads the failed rows before it knows it retries (the last did)."""
        try:
            with psycopg.connect(
                url.text, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            ) as db:
                self.writer_key = prepare_schema(db, str(url))
        except psycopg.Error as error:
            raise StoreUnavailable(url.scrub(str(error).strip())) from None

    # -- connections and transactions ------------------------------------------------------

    def _configure(self, db: psycopg.Connection) -> None:
        # A writer waits this long for the writer lock; a transaction left idle (a stopped
        # worker) is ended by the server after a minute, releasing the lock.
        db.execute(f"SET lock_timeout = {int(self._timeout_s * 1000)}")
        db.execute("SET idle_in_transaction_session_timeout = 60000")
        # The writer lock serialises writers only if each statement after it sees the
        # commits made before it was granted: a database or role defaulting to REPEATABLE
        # READ would take the snapshot at the lock statement, before the wait.
        db.execute("SET default_transaction_isolation = 'read committed'")

    def _connections(self) -> ConnectionPool:
        pool = self._pool
        if pool is not None and self._pid == os.getpid():
            return pool
        with self._opening:
            if self._pool is None or self._pid != os.getpid():
                pool = ConnectionPool(
                    self.url.text, min_size=1, max_size=self._pool_size, open=False,
                    kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
                    configure=self._configure, timeout=self._timeout_s, name="retry-mock",
                )  # fmt: skip
                pool.open()
                self._pool, self._pid = pool, os.getpid()
            return self._pool

    @contextlib.contextmanager
    def _connection(self, timeout_s: float | None = None) -> Iterator[psycopg.Connection]:
        try:
            with self._connections().connection(timeout=timeout_s) as db:
                yield db
        except PoolTimeout:
            raise WriterBusy(f"no connection to {self.url} within {self._timeout_s:g} s") from None

    @contextlib.contextmanager
    def _write(self, *, pipelined: bool = False) -> Iterator[psycopg.Connection]:
        """A transaction holding the writer lock; ``pipelined``: statements whose results
        are not read yet go out together (no COPY then)."""
        busy = f"another writer held {self.url}'s writer lock over {self._timeout_s:g} s"
        # One deadline for the whole wait: this process's writers, a pooled connection,
        # then the database's lock (not one timeout for each).
        deadline = time.monotonic() + self._timeout_s
        if not self._threads.acquire(timeout=self._timeout_s):
            raise WriterBusy(busy)
        try:
            with self._connection(_left(deadline)) as db:
                try:
                    pipeline = db.pipeline() if pipelined else contextlib.nullcontext()
                    with pipeline, db.transaction():
                        left_ms = max(1, int(_left(deadline) * 1000))
                        db.execute(f"SET LOCAL lock_timeout = {left_ms}")
                        db.execute(_LOCK, (self.writer_key,))
                        yield db
                except psycopg.errors.LockNotAvailable:
                    raise WriterBusy(busy) from None
        finally:
            self._threads.release()

    def close(self) -> None:
        """Close this process's connections (the next use opens them again)."""
        pool, self._pool = self._pool, None
        if pool is not None and self._pid == os.getpid():
            pool.close()

    # -- state --------------------------------------------------------------------------

    def initialize(
        self,
        scenario: Scenario,
        invoices: Callable[[], Sequence[Invoice]],
        *,
        force: bool,
        start_key: str | None = None,
    ) -> bool:
        """Set the start state unless the database has one (or ``force``): the first
        instance on a database seeds it, the later ones serve what it holds."""
        try:
            with self._write() as db:
                if not force and meta(db, "scenario") is not None:
                    return False
                self._reset(db, scenario, invoices(), start_key)
                return True
        except (psycopg.Error, WriterBusy) as error:  # the start's error: one line, no secret
            raise StoreUnavailable(self.url.scrub(str(error).strip())) from None

    def reset(
        self, scenario: Scenario, invoices: Sequence[Invoice], *, start_key: str | None = None
    ) -> None:
        """Replace invoices and scenario; clear faults, journal and the call count."""
        with self._write() as db:
            self._reset(db, scenario, invoices, start_key)

    def restore_start(self, scenario: Scenario, start_key: str) -> bool:
        """Reset to the invoices kept under ``start_key``, if those are the ones kept (a
        copy inside the database, with the generation they were kept with)."""
        with self._write() as db:
            if meta(db, "start_key") != start_key:
                return False
            self._clear(db, scenario)
            db.execute("DELETE FROM invoices")
            db.execute("INSERT INTO invoices SELECT * FROM start_invoices")
            db.execute(_COPY_META, ("generation", "start_generation"))
            return True

    def _reset(
        self,
        db: psycopg.Connection,
        scenario: Scenario,
        invoices: Sequence[Invoice],
        start_key: str | None,
    ) -> None:
        self._clear(db, scenario)
        self._replace(db, invoices)
        if start_key is not None:
            db.execute("DELETE FROM start_invoices")
            db.execute("INSERT INTO start_invoices SELECT * FROM invoices")
            set_meta(db, "start_key", start_key)
            db.execute(_COPY_META, ("start_generation", "generation"))

    def _clear(self, db: psycopg.Connection, scenario: Scenario) -> None:
        db.execute("DELETE FROM faults")
        clear_entries(db)
        # Fault ids feed the seeded share draws: a reset must give the same ids again.
        set_meta(db, "fault_ids", 0)
        set_meta(db, "calls", 0)
        set_meta(db, "scenario", scenario.to_json())

    def _replace(self, db: psycopg.Connection, invoices: Sequence[Invoice]) -> None:
        db.execute("DELETE FROM invoices")
        rows = [_row(position, invoice) for position, invoice in enumerate(invoices, 1)]
        with db.cursor().copy(f"COPY invoices (position, {_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # A new generation: every process's copy of the fixed columns is stale now, but
        # this one's can be built from the rows at hand.
        generation = json.dumps(new_generation())
        db.execute(SET_META, ("generation", generation))
        self._caches.fixed = FixedColumns.from_columns(generation, (
            (position, practice, encounter, invoice, system, sending_type)
            for position, invoice, practice, encounter, _, _, system, *_, sending_type in rows
        ))  # fmt: skip

    def invoices(self) -> list[Invoice]:
        """Every invoice in seeding order."""
        with self._connection() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM invoices ORDER BY position").fetchall()
        return [_invoice(row) for row in rows]

    def replace_invoices(self, invoices: Sequence[Invoice], *, seed: int) -> None:
        """Replace the invoices; the scenario keeps its options but takes ``seed``."""
        with self._write() as db:
            scenario = Scenario.from_json(meta(db, "scenario"))
            set_meta(db, "scenario", scenario.with_options(seed=seed).to_json())
            self._replace(db, invoices)

    def scenario(self) -> Scenario:
        """The scenario in force."""
        with self._connection() as db:
            return Scenario.from_json(meta(db, "scenario"))

    def set_scenario(self, scenario: Scenario, invoices: Sequence[Invoice] | None) -> None:
        """Switch scenario, replacing the invoices when ``invoices`` is given."""
        with self._write() as db:
            set_meta(db, "scenario", scenario.to_json())
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
        """Retry every failed invoice in one transaction holding the writer lock, deciding
        the call's faults and appending ``journal`` in it (see
        :meth:`mock_server.store.Store.retry`)."""
        with self._write(pipelined=True) as db:
            statements = PostgresRetry(db, self._caches, speculate=self.speculate)
            call = run_retry(statements, self._caches, now, journal=journal,
                             before_writing=before_writing, faults=faults)  # fmt: skip
            self.speculate = statements.read_rows
            return call

    # -- faults -------------------------------------------------------------------------

    def add_fault(
        self, kind: FaultKind, *, calls: int | None, share: float | None, latency_ms: int
    ) -> Fault:
        """Add a fault after the existing ones (ids are never reused until a reset)."""
        with self._write() as db:
            fault_id = int(meta(db, "fault_ids") or 0) + 1
            set_meta(db, "fault_ids", fault_id)
            db.execute(
                "INSERT INTO faults (id, kind, calls, share, latency_ms)"
                " VALUES (%s, %s, %s, %s, %s)",
                (fault_id, kind.value, calls, share, latency_ms),
            )
            return Fault(fault_id, kind, calls, share, latency_ms)

    def faults(self) -> list[Fault]:
        """The active faults in the order they were added."""
        with self._connection() as db:
            return [fault_of(row) for row in db.execute(SELECT_FAULTS)]

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._write() as db:
            db.execute("DELETE FROM faults")

    def remove_fault(self, fault_id: int) -> bool:
        """Remove the fault ``fault_id``; False when there is none of that id."""
        with self._write() as db:
            return db.execute("DELETE FROM faults WHERE id = %s", (fault_id,)).rowcount > 0

    # -- journal ------------------------------------------------------------------------

    def record(self, entry: JournalEntry) -> None:
        """Append to the journal (bounded: :mod:`mock_server.journal_rules`)."""
        with self._write(pipelined=True) as db:
            append_entry(db, entry)

    def journal(self, *, after: int = 0, limit: int | None = None) -> list[JournalEntry]:
        """The journal, oldest first: the newest ``limit`` entries after sequence ``after``."""
        with self._connection() as db:
            return read_entries(db, after=after, limit=limit)

    def clear_journal(self) -> None:
        """Empty the journal; sequence numbers start at 1 again."""
        with self._write() as db:
            clear_entries(db)
