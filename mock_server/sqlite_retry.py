"""The retry call's work inside :class:`~mock_server.sqlite_store.SqliteStore`'s transaction.

A call over 100,000 invoices must answer within a second, so the rows never become
objects: the failed rows are read as ``(position, attempts)`` tuples, joined with the
columns a retry never changes (ids, ``System``, ``SendingType``) from a per-process
:class:`FixedColumns` copy, and written back with one statement per outcome kind whose
only per-row parameters are what differs per row. ``FixedColumns`` belongs to one
*generation* of the invoices: every replacement of the invoices stores a new random
generation in ``meta``, so a copy from another generation is never used - each worker
process reloads it once after another process replaced the invoices.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contract.netdatetime import NetDateTime
from contract.wire.values import GuidText
from mock_server.invoices import Invoice
from mock_server.retry import Attempts, invoice_key
from mock_server.store import RetriedInvoice
from mock_server.vocabulary import FAILED

__all__ = [
    "ONE_STATEMENT_FROM",
    "FixedColumns",
    "Outcomes",
    "draw_outcomes",
    "new_generation",
    "write_outcomes",
]

# practice, encounter and invoice ids, the invoice's draw key, System, SendingType
Fixed = tuple[GuidText, GuidText, GuidText, int, str | None, str | None]

_SELECT_FAILED = "SELECT position, attempts FROM invoices WHERE status = ? ORDER BY position"
# From this many retried rows on, the outcomes are written by one statement.
ONE_STATEMENT_FROM = 1024
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

    generation: str
    by_position: dict[int, Fixed]

    @classmethod
    def of(cls, generation: str, invoices: Iterable[tuple[int, Invoice]]) -> FixedColumns:
        """The columns of ``invoices`` (position, invoice), as just written."""
        return cls.from_columns(generation, (
            (position, str(invoice.practice_id), str(invoice.encounter_id),
             str(invoice.invoice_id), invoice.system, invoice.sending_type)
            for position, invoice in invoices
        ))  # fmt: skip

    @classmethod
    def load(cls, db: sqlite3.Connection, generation: str) -> FixedColumns:
        """The columns as the database holds them now."""
        cursor = db.cursor()
        cursor.row_factory = None
        return cls.from_columns(generation, cursor.execute(_SELECT_FIXED))

    @classmethod
    def from_columns(
        cls, generation: str, rows: Iterable[tuple[int, str, str, str, str | None, str | None]]
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
    """One call's retried invoices, and the rows to write for them."""

    retried: list[RetriedInvoice]
    kept: list[tuple[str | None, int]]  # (reason, position) of invoices still Failed
    changed: list[tuple[str | None, str, int]]  # (reason, status, position) of the others


def draw_outcomes(
    db: sqlite3.Connection, attempts: Attempts, fixed: FixedColumns, now: NetDateTime
) -> Outcomes:
    """Retry every failed invoice, in position order (nothing is written yet)."""
    cursor = db.cursor()
    cursor.row_factory = None
    rows = cursor.execute(_SELECT_FAILED, (FAILED,)).fetchall()
    by_position, outcome = fixed.by_position, attempts.outcome
    outcomes = Outcomes([], [], [])
    retried, kept, changed = outcomes.retried, outcomes.kept, outcomes.changed
    for position, tries in rows:
        practice, encounter, invoice, key, system, sending_type = by_position[position]
        reason, status = outcome(invoice, key, system, tries + 1)
        retried.append(
            (practice, encounter, invoice, reason, status, system, now, tries + 1, sending_type)
        )
        if status == FAILED:
            kept.append((reason, position))
        else:
            changed.append((reason, status, position))
    return outcomes


def write_outcomes(db: sqlite3.Connection, outcomes: Outcomes, now: NetDateTime) -> None:
    """Write the outcomes: a statement per row for a few, one statement for many.

    One statement over a JSON array of the rows costs SQLite about what a statement per
    row does, but it runs as one step without the GIL, so the caller's other threads (the
    response being written) run meanwhile. It needs SQLite 3.38 (``json_each`` built in).
    """
    kept, changed = outcomes.kept, outcomes.changed
    one_statement = len(kept) + len(changed) >= ONE_STATEMENT_FROM and _HAS_JSON_EACH
    stamp = (int(now.ticks), now.kind.value, int(now.offset_minutes))
    # Invoices that stay Failed keep their status: their update leaves the status index be.
    _write(db, ("reason",), kept, stamp, one_statement=one_statement)
    _write(db, ("reason", "status"), changed, stamp, one_statement=one_statement)


def _write(
    db: sqlite3.Connection,
    columns: tuple[str, ...],
    rows: Sequence[tuple[object, ...]],
    stamp: tuple[int, str, int],
    *,
    one_statement: bool,
) -> None:
    """Set ``columns`` from each row (their values, then the row's position) and the stamp.

    The statements' text depends only on ``columns``, so SQLite prepares each once per
    connection; column names are this module's, never client text.
    """
    if not rows:  # an empty batch still costs a statement preparation
        return
    if one_statement:
        member = "json_extract(row.value, '$[{}]')".format
        values = ", ".join(f"{column} = {member(index)}" for index, column in enumerate(columns))
        db.execute(
            f"UPDATE invoices SET {values}, {_SAME} FROM json_each(?) AS row "
            f"WHERE invoices.position = {member(len(columns))}",
            (*stamp, json.dumps(rows)),
        )
        return
    values = ", ".join(f"{column} = ?" for column in columns)
    db.executemany(
        f"UPDATE invoices SET {values}, {_SAME} WHERE position = ?",
        [(*row[:-1], *stamp, row[-1]) for row in rows],
    )
