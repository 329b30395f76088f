"""The request journal's SQL, inside the transactions of :mod:`mock_server.postgres_store`.

The same rows and bounds as SQLite's journal (:mod:`mock_server.sqlite_journal`; the rule
of which entries go first is :mod:`mock_server.journal_rules`'): each entry's ``id`` is its
sequence number, the largest one plus one (every write holds the store's writer lock, so
two inserts never take the same number, and emptying the journal starts at 1 again), and
``size`` its bytes as stored; the running total of the bytes is in ``meta``.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg

from mock_server import journal_rules
from mock_server.journal_rules import entry_size
from mock_server.store import JournalEntry

__all__ = ["JOURNAL_TABLE", "append_entry", "clear_entries", "read_entries"]

JOURNAL_TABLE = """
CREATE TABLE journal (
    id bigint PRIMARY KEY,
    method text NOT NULL, path text NOT NULL, accept text, media_type text,
    status integer, time text NOT NULL, fault text, size integer NOT NULL, client text
)
"""
_FIELDS = "method, path, accept, media_type, status, time, fault, client"
_INSERT = (
    f"INSERT INTO journal (id, {_FIELDS}, size) "
    "SELECT COALESCE(MAX(id), 0) + 1, %s::text, %s::text, %s::text, %s::text, %s::integer,"
    " %s::text, %s::text, %s::text, %s::integer FROM journal RETURNING id"
)
_INSERT_NUMBERED = f"INSERT INTO journal (id, {_FIELDS}, size) VALUES ({', '.join(['%s'] * 10)})"
_BYTES_KEY = "journal_bytes"  # in meta: the sizes of the entries up to the last check
_SET_BYTES = (
    "INSERT INTO meta (key, value) VALUES (%s, %s) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def append_entry(db: psycopg.Connection, entry: JournalEntry, *, sequence: int = 0) -> int:
    """Insert ``entry``; every ``JOURNAL_TRIM_EVERY`` entries, bound the journal.

    ``sequence``: the entry's number when the caller read the newest one under the writer
    lock (the insert's result need not be waited for then), else 0. Returns the number.
    """
    values = (entry.method, entry.path, entry.accept, entry.media_type, entry.status,
              entry.time, entry.fault, entry.client, entry_size(entry))  # fmt: skip
    if sequence:
        db.execute(_INSERT_NUMBERED, (sequence, *values))
        newest = sequence
    else:
        row = db.execute(_INSERT, values).fetchone()
        newest = int(row[0]) if row else 0
    if journal_rules.due_for_trim(newest):
        _bound(db, newest)
    return newest


def _bound(db: psycopg.Connection, newest: int) -> None:
    """Drop the oldest entries beyond the bounds (:func:`~mock_server.journal_rules.trim_point`)."""
    row = db.execute("SELECT value FROM meta WHERE key = %s", (_BYTES_KEY,)).fetchone()
    cutoff, stored = journal_rules.trim_point(_Sizes(db), newest, int(row[0]) if row else 0)
    if cutoff > 0:
        db.execute("DELETE FROM journal WHERE id <= %s", (cutoff,))
    db.execute(_SET_BYTES, (_BYTES_KEY, str(stored)))


class _Sizes:
    """The journal's sizes as :func:`~mock_server.journal_rules.trim_point` asks for them."""

    def __init__(self, db: psycopg.Connection) -> None:
        self._db = db

    def _total(self, where: str, bound: int) -> int:
        query = f"SELECT COALESCE(SUM(size), 0) FROM journal WHERE {where}"
        row = self._db.execute(query, (bound,)).fetchone()
        return int(row[0]) if row else 0

    def total_after(self, sequence: int) -> int:
        return self._total("id > %s", sequence)

    def total_up_to(self, sequence: int) -> int:
        return self._total("id <= %s", sequence)

    def sizes_after(self, sequence: int) -> Iterator[tuple[int, int]]:
        query = "SELECT id, size FROM journal WHERE id > %s ORDER BY id"
        yield from self._db.execute(query, (sequence,))


def read_entries(
    db: psycopg.Connection, *, after: int = 0, limit: int | None = None
) -> list[JournalEntry]:
    """The newest ``limit`` (at most ``JOURNAL_LIMIT``) entries after sequence ``after``.

    Oldest first.
    """
    rows = db.execute(
        f"SELECT * FROM (SELECT id, {_FIELDS} FROM journal "
        "WHERE id > %s AND id > (SELECT MAX(id) FROM journal) - %s "
        "ORDER BY id DESC LIMIT %s) AS newest ORDER BY id",
        (after, journal_rules.JOURNAL_LIMIT, journal_rules.read_limit(limit)),
    )
    return [
        JournalEntry(method=method, path=path, accept=accept, media_type=media_type,
                     status=status, time=time, fault=fault, sequence=sequence, client=client)
        for sequence, method, path, accept, media_type, status, time, fault, client in rows
    ]  # fmt: skip


def clear_entries(db: psycopg.Connection) -> None:
    """Empty the journal; sequence numbers start at 1 again."""
    db.execute("DELETE FROM journal")
    db.execute(_SET_BYTES, (_BYTES_KEY, "0"))
