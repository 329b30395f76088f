"""The request journal's SQL, inside the transactions of :mod:`mock_server.sqlite_store`.

Each entry's ``id`` is its sequence number and ``size`` its bytes as stored; the bounds and
the rule of which entries go first are :mod:`mock_server.journal_rules`' (both stores share
them). The running total of the bytes is in ``meta``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from mock_server import journal_rules
from mock_server.journal_rules import entry_size
from mock_server.store import JournalEntry

__all__ = [
    "append_entry",
    "clear_entries",
    "create_journal",
    "read_entries",
]

_TABLE = """
CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    method TEXT NOT NULL, path TEXT NOT NULL, accept TEXT, media_type TEXT,
    status INTEGER, time TEXT NOT NULL, fault TEXT, size INTEGER NOT NULL, client TEXT
)
"""
_FIELDS = "method, path, accept, media_type, status, time, fault, client"
_INSERT = f"INSERT INTO journal ({_FIELDS}, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_BYTES_KEY = "journal_bytes"  # in meta: the sizes of the entries up to the last check


def create_journal(db: sqlite3.Connection) -> None:
    """Create the journal table, replacing one of an older layout (its entries are lost)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(journal)")}
    if columns and not {"size", "client"} <= columns:
        db.execute("DROP TABLE journal")
        columns = set()
    if not columns:
        db.execute(_TABLE)


def append_entry(db: sqlite3.Connection, entry: JournalEntry) -> int:
    """Insert ``entry``; every ``JOURNAL_TRIM_EVERY`` entries, bound the journal.

    Returns the entry's sequence number.
    """
    newest = int(db.execute(_INSERT, (*_values(entry), entry_size(entry))).lastrowid or 0)
    if journal_rules.due_for_trim(newest):
        _bound(db, newest)
    return newest


def _values(entry: JournalEntry) -> tuple[object, ...]:
    return (entry.method, entry.path, entry.accept, entry.media_type, entry.status,
            entry.time, entry.fault, entry.client)  # fmt: skip


def _bound(db: sqlite3.Connection, newest: int) -> None:
    """Drop the oldest entries beyond the bounds (:func:`~mock_server.journal_rules.trim_point`)."""
    cutoff, stored = journal_rules.trim_point(_Sizes(db), newest, _meta_int(db))
    if cutoff > 0:
        db.execute("DELETE FROM journal WHERE id <= ?", (cutoff,))
    _set_meta_int(db, stored)


class _Sizes:
    """The journal's sizes as :func:`~mock_server.journal_rules.trim_point` asks for them."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _total(self, where: str, bound: int) -> int:
        query = f"SELECT TOTAL(size) FROM journal WHERE {where}"
        return int(self._db.execute(query, (bound,)).fetchone()[0])

    def total_after(self, sequence: int) -> int:
        return self._total("id > ?", sequence)

    def total_up_to(self, sequence: int) -> int:
        return self._total("id <= ?", sequence)

    def sizes_after(self, sequence: int) -> Iterator[tuple[int, int]]:
        query = "SELECT id, size FROM journal WHERE id > ? ORDER BY id"
        rows = self._db.execute(query, (sequence,))
        try:
            yield from rows
        finally:
            rows.close()  # before the DELETE


def _meta_int(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (_BYTES_KEY,)).fetchone()
    return 0 if row is None else int(row[0])


def _set_meta_int(db: sqlite3.Connection, value: int) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_BYTES_KEY, str(value)),
    )


def read_entries(
    db: sqlite3.Connection, *, after: int = 0, limit: int | None = None
) -> list[JournalEntry]:
    """The newest ``limit`` (at most ``JOURNAL_LIMIT``) entries after sequence ``after``.

    Oldest first.
    """
    limit = journal_rules.read_limit(limit)
    rows = db.execute(
        f"SELECT * FROM (SELECT id, {_FIELDS} FROM journal "
        "WHERE id > ? AND id > (SELECT MAX(id) FROM journal) - ? "
        "ORDER BY id DESC LIMIT ?) ORDER BY id",
        (after, journal_rules.JOURNAL_LIMIT, limit),
    )
    return [
        JournalEntry(
            method=row["method"],
            path=row["path"],
            accept=row["accept"],
            media_type=row["media_type"],
            status=row["status"],
            time=row["time"],
            fault=row["fault"],
            sequence=row["id"],
            client=row["client"],
        )
        for row in rows
    ]


def clear_entries(db: sqlite3.Connection) -> None:
    """Empty the journal; sequence numbers start at 1 again."""
    db.execute("DELETE FROM journal")
    _set_meta_int(db, 0)
