"""The retry call's work inside :class:`~mock_server.sqlite_store.SqliteStore`'s transaction.

A call over 100,000 invoices must answer within a second, so the rows never become
objects: the failed rows are read as ``(position, attempts)`` tuples, joined with the
columns a retry never changes (ids, ``System``, ``SendingType``) from a per-process
:class:`FixedColumns` copy, and written back by statements that each update thousands of
rows, whose only per-row parameters are what differs per row. ``FixedColumns`` belongs to
one *generation* of the invoices: every replacement of the invoices stores a new random
generation in ``meta``, so a copy from another generation is never used - each worker
process reloads it once after another process replaced the invoices.
"""

from __future__ import annotations

import itertools
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
    "ROWS_PER_STATEMENT",
    "FixedColumns",
    "Outcomes",
    "draw_outcomes",
    "new_generation",
    "write_outcomes",
]

# practice, encounter and invoice ids, the invoice's draw key, System, SendingType
Fixed = tuple[GuidText, GuidText, GuidText, int, str | None, str | None]

_SELECT_FAILED = "SELECT position, attempts FROM invoices WHERE status = ? ORDER BY position"
# Rows written by one statement, at most: a larger one would take longer to prepare than
# to run, and each statement releases the GIL on its own.
ROWS_PER_STATEMENT = 4096
_HAS_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33, 0)
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
    """One call's retried invoices, and the rows to write for them."""

    retried: list[RetriedInvoice]
    kept: list[tuple[int, str | None]]  # (position, reason) of invoices still Failed
    changed: list[tuple[int, str | None, str]]  # (position, reason, status) of the others


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
            kept.append((position, reason))
        else:
            changed.append((position, reason, status))
    return outcomes


def write_outcomes(db: sqlite3.Connection, outcomes: Outcomes, now: NetDateTime) -> None:
    """Write the outcomes, many rows to a statement.

    A statement joins its rows, given as a ``VALUES`` list, to the invoices by position:
    one statement for 20 rows costs half of what a statement per row does, and for 100,000
    rows it runs without the GIL, so the caller's other threads (the response being
    written) run meanwhile. It needs SQLite 3.33 (``UPDATE ... FROM``); before that, each
    row is a statement.
    """
    stamp = (int(now.ticks), now.kind.value, int(now.offset_minutes))
    # Invoices that stay Failed keep their status: their update leaves the status index be.
    _write(db, ("reason",), outcomes.kept, stamp)
    _write(db, ("reason", "status"), outcomes.changed, stamp)


def _write(
    db: sqlite3.Connection,
    columns: tuple[str, ...],
    rows: Sequence[tuple[object, ...]],
    stamp: tuple[int, str, int],
) -> None:
    """Set ``columns`` from each row (its position, then their values) and the stamp.

    Column names are this module's, never client text. A statement's text depends on its
    number of rows; SQLite prepares it once per connection.
    """
    if not rows:  # an empty batch still costs a statement preparation
        return
    if not _HAS_UPDATE_FROM:
        values = ", ".join(f"{column} = ?" for column in columns)
        db.executemany(
            f"UPDATE invoices SET {values}, {_SAME} WHERE position = ?",
            [(*row[1:], *stamp, row[0]) for row in rows],
        )
        return
    width = len(columns) + 1
    values = ", ".join(f"{column} = row.column{index + 2}" for index, column in enumerate(columns))
    row_parameters = "(" + ", ".join("?" * width) + ")"
    parameters_limit = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - len(stamp)
    per_statement = min(ROWS_PER_STATEMENT, parameters_limit // width)
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        db.execute(
            f"UPDATE invoices SET {values}, {_SAME} "
            f"FROM (VALUES {', '.join([row_parameters] * len(batch))}) AS row "
            "WHERE invoices.position = row.column1",
            (*stamp, *itertools.chain.from_iterable(batch)),
        )
