"""The journal's bounds, whatever database keeps it: how big an entry is and which go first.

Each entry's sequence number grows by one per entry (emptying the journal or resetting the
store starts them at 1 again), and each entry is stored with its size (:func:`entry_size`).
Bounds, oldest entries going first, applied once per :data:`JOURNAL_TRIM_EVERY` inserts (a
DELETE per call cost the retry transaction a third more): about :data:`JOURNAL_LIMIT`
entries (reads show only the newest LIMIT), and at most :data:`JOURNAL_BYTES_LIMIT` bytes at
any time - a check leaves at most :data:`BYTES_KEPT`, room for the largest entries until the
next one. The bytes are a running total the store keeps, so a check reads only the entries
since the last one and those it deletes (:func:`trim_point`). The stores' SQL:
:mod:`mock_server.sqlite_journal`, :mod:`mock_server.postgres_journal`.

The bounds are read from this module at each use, so a test may lower them for both stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from mock_server.store import JOURNAL_FIELD_LIMIT, JournalEntry

__all__ = [
    "BYTES_KEPT",
    "ENTRY_OVERHEAD",
    "JOURNAL_BYTES_LIMIT",
    "JOURNAL_LIMIT",
    "JOURNAL_TRIM_EVERY",
    "MAX_ENTRY_SIZE",
    "StoredSizes",
    "due_for_trim",
    "entry_size",
    "read_limit",
    "trim_point",
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


def entry_size(entry: JournalEntry) -> int:
    """The bytes ``entry`` takes: its texts in UTF-8 plus :data:`ENTRY_OVERHEAD`.

    At least the length of the entry's JSON in the control API, so the 8 MiB a journal
    response sends hold every stored entry.
    """
    texts = (entry.method, entry.path, entry.accept, entry.media_type, entry.time, entry.fault,
             entry.client)  # fmt: skip
    return ENTRY_OVERHEAD + sum(len(text.encode()) for text in texts if text)


def due_for_trim(newest: int) -> bool:
    """Whether the entry of sequence number ``newest`` is one after which bounds are checked."""
    return newest % JOURNAL_TRIM_EVERY == 0


def read_limit(limit: int | None) -> int:
    """The entries a read returns at most: ``limit``, never more than :data:`JOURNAL_LIMIT`."""
    return JOURNAL_LIMIT if limit is None else min(limit, JOURNAL_LIMIT)


class StoredSizes(Protocol):
    """A store's answers about the sizes of its journal's entries, by sequence number."""

    def total_after(self, sequence: int) -> int:
        """The sizes of the entries after ``sequence``, added up."""

    def total_up_to(self, sequence: int) -> int:
        """The sizes of the entries up to ``sequence`` included, added up."""

    def sizes_after(self, sequence: int) -> Iterable[tuple[int, int]]:
        """``(sequence, size)`` of each entry after ``sequence``, oldest first (read lazily)."""


def trim_point(sizes: StoredSizes, newest: int, stored: int) -> tuple[int, int]:
    """Where to cut the journal after entry ``newest``: the entries up to the returned
    sequence go (none for 0 or less), and the bytes the rest then take.

    ``stored`` is the running total of the last check; the entries since it (an indexed
    range of at most :data:`JOURNAL_TRIM_EVERY` rows) are added, those beyond
    :data:`JOURNAL_LIMIT` taken off, then the oldest until at most :data:`BYTES_KEPT` are
    left (read once, oldest first).
    """
    stored += sizes.total_after(newest - JOURNAL_TRIM_EVERY)
    cutoff = newest - JOURNAL_LIMIT
    if cutoff > 0:
        stored -= sizes.total_up_to(cutoff)
    if stored > BYTES_KEPT:
        for sequence, size in sizes.sizes_after(cutoff):
            stored -= size
            cutoff = sequence
            if stored <= BYTES_KEPT:
                break
    return cutoff, stored
