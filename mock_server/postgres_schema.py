"""The mock's tables in a PostgreSQL database: created on the first start, migrated on later
ones, refused when they are not the mock's or are newer than this mock knows.

The tables live in the connection's schema (``public`` unless the URL's ``options`` set
``search_path``), so one database can hold several independent mocks, each in a schema of
its own. ``meta`` records the layout's version under ``schema_version``; every start takes
a transaction-scoped advisory lock while it checks, creates or migrates, so instances
starting at once never race on ``CREATE TABLE``. Version 1 is the first layout:
:data:`MIGRATIONS` holds, for each later version, the statements that lead to it.
"""

from __future__ import annotations

import psycopg

from mock_server.postgres_journal import JOURNAL_TABLE
from mock_server.store import StoreUnavailable

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "prepare_schema"]

SCHEMA_VERSION = 1
MIGRATIONS: dict[int, tuple[str, ...]] = {}
"""Statements by the version they lead to (from the one before); none yet."""
_START_LOCK = 0x72657472796D6F63  # advisory lock of the starts: "retrymoc"
_WRITER_CLASS = 0x726D6F63  # the high half of the writers' advisory lock: "rmoc"
# fillfactor: a retry rewrites its rows; room on their page keeps the updates HOT (the
# indexes untouched). The partial index holds only the rows a retry reads.
_TABLES = (
    "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE invoices (
        position integer PRIMARY KEY,
        invoice_id text NOT NULL UNIQUE,
        practice_id text NOT NULL,
        encounter_id text NOT NULL,
        reason text, status text, system text,
        ticks bigint, kind text, offset_minutes integer,
        attempts integer,
        sending_type text
    ) WITH (fillfactor = 50)""",
    "CREATE INDEX invoices_failed ON invoices (position) WHERE status = 'Failed'",
    "CREATE TABLE start_invoices (LIKE invoices)",  # the start state a reset copies back
    """CREATE TABLE faults (
        id bigint PRIMARY KEY,
        kind text NOT NULL, calls integer, share double precision, latency_ms integer NOT NULL
    )""",
    JOURNAL_TABLE,
)


def prepare_schema(db: psycopg.Connection, shown: str) -> int:
    """Create the mock's tables in ``db`` (autocommit), or migrate them to this version;
    the key of the writers' advisory lock of these tables (the ``meta`` table's oid in its
    low half: mocks in other schemas of the database have their own).

    Raises :class:`~mock_server.store.StoreUnavailable` naming ``shown`` (the database as
    the user may see it) when the tables are another program's or of a newer version.
    """
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_START_LOCK,))
        row = db.execute(
            "SELECT to_regclass('meta') IS NOT NULL, to_regclass('invoices') IS NOT NULL"
        ).fetchone()
        has_meta, has_invoices = row if row else (False, False)
        if not has_meta:
            if has_invoices:
                raise StoreUnavailable(
                    f"{shown} has an invoices table but no meta table: its tables are not "
                    "the mock's (use another database, or a schema of its own)"
                )
            _create(db)
            return _writer_key(db)
        version = _version(db)
        if version is None:
            raise StoreUnavailable(
                f"{shown} has a meta table without the mock's schema_version: its tables are "
                "not the mock's (use another database, or a schema of its own)"
            )
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"{shown} holds the mock's tables in schema version {version}, newer than "
                f"this mock's {SCHEMA_VERSION}: upgrade the mock, or use another database"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                db.execute(statement)
            _set_version(db, target)
        return _writer_key(db)


def _writer_key(db: psycopg.Connection) -> int:
    row = db.execute("SELECT 'meta'::regclass::oid::bigint").fetchone()
    assert row is not None
    return _WRITER_CLASS << 32 | int(row[0])


def _create(db: psycopg.Connection) -> None:
    for statement in _TABLES:
        db.execute(statement)
    _set_version(db, SCHEMA_VERSION)


def _version(db: psycopg.Connection) -> int | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if row is None else int(row[0])


def _set_version(db: psycopg.Connection, version: int) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', %s) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(version),),
    )
