"""The request journal's SQL, inside the transactions of :mod:`mock_server.sqlite_store`.

Each entry's ``id`` is its sequence number (growing by one per entry; emptying the journal
or resetting the store starts them at 1 again) and ``size`` its bytes as stored
(:func:`entry_size`). Bounds, oldest entries going first, applied once per
:data:`JOURNAL_TRIM_EVERY` inserts (a DELETE per call cost the retry transaction a third
more): about :data:`JOURNAL_LIMIT` entries (reads show only the newest LIMIT), and at most
:data:`JOURNAL_BYTES_LIMIT` bytes at any time - a check leaves at most :data:`BYTES_KEPT`,
room for the largest entries until the next one. The bytes are a running total in
``meta``, so a check reads only the entries since the last one and those it deletes.
"""

from __future__ import annotations

import sqlite3

from mock_server.store import JOURNAL_FIELD_LIMIT, JournalEntry

__all__ = [
    "JOURNAL_BYTES_LIMIT",
    "JOURNAL_LIMIT",
    "JOURNAL_TRIM_EVERY",
    "MAX_ENTRY_SIZE",
    "append_entry",
    "clear_entries",
    "create_journal",
    "entry_size",
    "read_entries",
]

JOURNAL_LIMIT = 10_000  # oldest entries go first, so a long benchmark cannot fill the disk
# Entries beyond the limit are deleted in batches, one DELETE per this many calls: a DELETE
# per call cost the retry transaction a third more. Reads show only the newest LIMIT.
JOURNAL_TRIM_EVERY = 64
JOURNAL_BYTES_LIMIT = 8 * 1024 * 1024
"""Bytes of entries the journal stores at most (as :func:`entry_size` counts them)."""
ENTRY_OVERHEAD = 160
"""Bytes counted per entry besides its texts: the JSON names, numbers and punctuation."""
MAX_ENTRY_SIZE = ENTRY_OVERHEAD + 6 * 4 * JOURNAL_FIELD_LIMIT + 64
"""The largest entry: six cut texts of up to 4 UTF-8 bytes a character, and the time."""
BYTES_KEPT = JOURNAL_BYTES_LIMIT - (JOURNAL_TRIM_EVERY - 1) * MAX_ENTRY_SIZE
"""What a check leaves at most: the entries until the next check cannot pass the limit."""
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


def entry_size(entry: JournalEntry) -> int:
    """The bytes ``entry`` takes: its texts in UTF-8 plus :data:`ENTRY_OVERHEAD`.

    At least the length of the entry's JSON in the control API, so the 8 MiB a journal
    response sends hold every stored entry.
    """
    texts = (entry.method, entry.path, entry.accept, entry.media_type, entry.time, entry.fault,
             entry.client)  # fmt: skip
    return ENTRY_OVERHEAD + sum(len(text.encode()) for text in texts if text)


def append_entry(db: sqlite3.Connection, entry: JournalEntry) -> int:
    """Insert ``entry``; every :data:`JOURNAL_TRIM_EVERY` entries, bound the journal.

    Returns the entry's sequence number.
    """
    newest = int(db.execute(_INSERT, (*_values(entry), entry_size(entry))).lastrowid or 0)
    if newest % JOURNAL_TRIM_EVERY == 0:
        _bound(db, newest)
    return newest


def _values(entry: JournalEntry) -> tuple[object, ...]:
    return (entry.method, entry.path, entry.accept, entry.media_type, entry.status,
            entry.time, entry.fault, entry.client)  # fmt: skip


def _bound(db: sqlite3.Connection, newest: int) -> None:
    """Drop the oldest entries beyond :data:`JOURNAL_LIMIT`, then beyond :data:`BYTES_KEPT`.

    The bytes stored are the running total of the last check plus the entries since (an
    indexed range of at most :data:`JOURNAL_TRIM_EVERY` rows); the rows deleted are read
    once, oldest first, to take their sizes off the total.
    """
    recent = _sum(db, "id > ?", newest - JOURNAL_TRIM_EVERY)
    stored = int(_meta_int(db) + recent)
    cutoff = newest - JOURNAL_LIMIT
    if cutoff > 0:
        stored -= _sum(db, "id <= ?", cutoff)
    if stored > BYTES_KEPT:
        rows = db.execute("SELECT id, size FROM journal WHERE id > ? ORDER BY id", (cutoff,))
        for row_id, size in rows:
            stored -= size
            cutoff = row_id
            if stored <= BYTES_KEPT:
                break
        rows.close()
    if cutoff > 0:
        db.execute("DELETE FROM journal WHERE id <= ?", (cutoff,))
    _set_meta_int(db, stored)


def _sum(db: sqlite3.Connection, where: str, bound: int) -> int:
    return int(db.execute(f"SELECT TOTAL(size) FROM journal WHERE {where}", (bound,)).fetchone()[0])


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
    """The newest ``limit`` (at most :data:`JOURNAL_LIMIT`) entries after sequence ``after``.

    Oldest first.
    """
    limit = JOURNAL_LIMIT if limit is None else min(limit, JOURNAL_LIMIT)
    rows = db.execute(
        f"SELECT * FROM (SELECT id, {_FIELDS} FROM journal "
        "WHERE id > ? AND id > (SELECT MAX(id) FROM journal) - ? "
        "ORDER BY id DESC LIMIT ?) ORDER BY id",
        (after, JOURNAL_LIMIT, limit),
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
