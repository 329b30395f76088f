"""The retry call's work inside :class:`~mock_server.sqlite_store.SqliteStore`'s transaction.

A call over 100,000 invoices must answer within a second, so the rows never become
objects: the failed rows are read as ``(position, attempts)`` tuples, joined with the
columns a retry never changes (ids, ``System``, ``SendingType``) from a per-process
:class:`FixedColumns` copy, and written back grouped by what is written to them (reason
and status), so a statement's only per-row parameter is the position. ``FixedColumns``
belongs to one *generation* of the invoices: every replacement of the invoices stores a
new random generation in ``meta``, so a copy from another generation is never used - each
worker process reloads it once after another process replaced the invoices.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from contract.netdatetime import NetDateTime
from contract.wire.values import GuidText
from mock_server.invoices import Invoice
from mock_server.retry import Attempts, invoice_key
from mock_server.store import RetriedInvoice
from mock_server.vocabulary import FAILED

__all__ = [
    "GROUPED_FROM",
    "FixedColumns",
    "Outcomes",
    "draw_outcomes",
    "new_generation",
    "write_outcomes",
]

# practice, encounter and invoice ids, the invoice's draw key, System, SendingType
Fixed = tuple[GuidText, GuidText, GuidText, int, str | None, str | None]

_SELECT_FAILED = "SELECT position, attempts FROM invoices WHERE status = ? ORDER BY position"
# From this many retried rows on, the outcomes are written by a statement per group.
GROUPED_FROM = 1024
_HAS_JSON_EACH = sqlite3.sqlite_version_info >= (3, 38, 0)
# What a retry gives every row alike: SendingTime (ticks, kind, offset) and one attempt.
_SAME = "ticks = ?, kind = ?, offset_minutes = ?, attempts = attempts + 1"
_SELECT_FIXED = (
    "SELECT position, practice_id, encounter_id, invoice_id, system, sending_type FROM invoices"
)


def new_generation() -> str:
    """A fresh generation token for a new set of invoices."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class FixedColumns:
    """The columns no retry changes, by position, for one generation of the invoices.

    With each invoice's draw key (:func:`~mock_server.retry.invoice_key`): the id's hash is
    taken once per generation, not once per attempt.
    """

    generation: str | None  # the generation row's stored text (None: a database without one)
    by_position: dict[int, Fixed]

    @classmethod
    def of(cls, generation: str | None, invoices: Iterable[tuple[int, Invoice]]) -> FixedColumns:
        """The columns of ``invoices`` (position, invoice), as just written."""
        return cls.from_columns(generation, (
            (position, str(invoice.practice_id), str(invoice.encounter_id),
             str(invoice.invoice_id), invoice.system, invoice.sending_type)
            for position, invoice in invoices
        ))  # fmt: skip

    @classmethod
    def load(cls, db: sqlite3.Connection, generation: str | None) -> FixedColumns:
        """The columns as the database holds them now."""
        cursor = db.cursor()
        cursor.row_factory = None
        return cls.from_columns(generation, cursor.execute(_SELECT_FIXED))

    @classmethod
    def from_columns(
        cls,
        generation: str | None,
        rows: Iterable[tuple[int, str, str, str, str | None, str | None]],
    ) -> FixedColumns:
        """From (position, practice, encounter, invoice, system, sending type) rows."""
        # The ids were written by this store from uuid.UUID, so they are the D form:
        # GuidText without the (costly) check.
        text = GuidText.unchecked
        # Practices, switches and sending types repeat across invoices: one object per
        # value instead of one per row (100,000 invoices: about 20 MB less per process).
        practices: dict[str, GuidText] = {}
        words: dict[str | None, str | None] = {}
        word = words.setdefault
        return cls(generation, {
            position: (practices.get(practice) or practices.setdefault(practice, text(practice)),
                       text(encounter), text(invoice), invoice_key(invoice),
                       word(system, system), word(sending_type, sending_type))
            for position, practice, encounter, invoice, system, sending_type in rows
        })  # fmt: skip


@dataclass(frozen=True)
class Outcomes:
    """One call's retried invoices, and the positions to write, by what is written to them.

    A handful of reasons cover any number of invoices, so a large call is written by a
    statement per (reason, status) rather than a statement per row.
    """

    retried: list[RetriedInvoice]
    kept: dict[str | None, list[int]]  # positions of invoices still Failed, by new reason
    changed: dict[tuple[str | None, str], list[int]]  # the others', by (reason, status)


def draw_outcomes(
    db: sqlite3.Connection, attempts: Attempts, fixed: FixedColumns, now: NetDateTime
) -> Outcomes:
    """Retry every failed invoice, in position order (nothing is written yet)."""
    cursor = db.cursor()
    cursor.row_factory = None
    rows = cursor.execute(_SELECT_FAILED, (FAILED,)).fetchall()
    by_position, outcome = fixed.by_position, attempts.outcome
    outcomes = Outcomes([], defaultdict(list), defaultdict(list))
    retried, kept, changed = outcomes.retried, outcomes.kept, outcomes.changed
    for position, tries in rows:
        practice, encounter, invoice, key, system, sending_type = by_position[position]
        reason, status = outcome(invoice, key, system, tries + 1)
        retried.append(
            (practice, encounter, invoice, reason, status, system, now, tries + 1, sending_type)
        )
        if status == FAILED:
            kept[reason].append(position)
        else:
            changed[reason, status].append(position)
    return outcomes


def write_outcomes(db: sqlite3.Connection, outcomes: Outcomes, now: NetDateTime) -> None:
    """Write the outcomes: a statement per row for a few, a statement per group for many.

    A group's statement takes its positions as a JSON array and finds each row by its key:
    for 100,000 rows it costs half of what a statement per row does, and it runs without
    the GIL, so the caller's other threads (the response being written) run meanwhile. It
    needs SQLite 3.38 (``json_each`` built in).
    """
    grouped = len(outcomes.retried) >= GROUPED_FROM and _HAS_JSON_EACH
    stamp = (int(now.ticks), now.kind.value, int(now.offset_minutes))
    # Invoices that stay Failed keep their status: their update leaves the status index be.
    kept = (((reason,), positions) for reason, positions in outcomes.kept.items())
    _write(db, ("reason",), kept, stamp, grouped=grouped)
    _write(db, ("reason", "status"), outcomes.changed.items(), stamp, grouped=grouped)


def _write(
    db: sqlite3.Connection,
    columns: tuple[str, ...],
    groups: Iterable[tuple[tuple[object, ...], list[int]]],
    stamp: tuple[int, str, int],
    *,
    grouped: bool,
) -> None:
    """Set ``columns`` to each group's values at its positions, with the stamp.

    The statements' text depends only on ``columns``, so SQLite prepares each once per
    connection; column names are this module's, never client text.
    """
    values = ", ".join(f"{column} = ?" for column in columns)
    if grouped:
        update = (
            f"UPDATE invoices SET {values}, {_SAME} "
            "WHERE position IN (SELECT value FROM json_each(?))"
        )
        for written, positions in groups:
            db.execute(update, (*written, *stamp, json.dumps(positions)))
        return
    rows = [(*written, *stamp, position) for written, positions in groups for position in positions]
    if rows:  # an empty batch still costs a statement preparation
        db.executemany(f"UPDATE invoices SET {values}, {_SAME} WHERE position = ?", rows)
