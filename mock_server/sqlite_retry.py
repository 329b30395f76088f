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

__all__ = ["FixedColumns", "new_generation", "retry_rows"]

# practice, encounter and invoice ids, the invoice's draw key, System, SendingType
Fixed = tuple[GuidText, GuidText, GuidText, int, str | None, str | None]

_SELECT_FAILED = "SELECT position, attempts FROM invoices WHERE status = ? ORDER BY position"
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
        return cls(generation, {
            position: (text(practice), text(encounter), text(invoice), invoice_key(invoice),
                       system, sending_type)
            for position, practice, encounter, invoice, system, sending_type in rows
        })  # fmt: skip


def retry_rows(
    db: sqlite3.Connection, attempts: Attempts, fixed: FixedColumns, now: NetDateTime
) -> list[RetriedInvoice]:
    """Retry every failed invoice, in position order, and write the outcomes."""
    cursor = db.cursor()
    cursor.row_factory = None
    rows = cursor.execute(_SELECT_FAILED, (FAILED,)).fetchall()
    by_position, outcome = fixed.by_position, attempts.outcome
    retried: list[RetriedInvoice] = []
    kept: list[tuple[str | None, int]] = []
    changed: list[tuple[str | None, str, int]] = []
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
    _write_outcomes(db, kept, changed, now)
    return retried


def _write_outcomes(
    db: sqlite3.Connection,
    kept: Sequence[tuple[str | None, int]],
    changed: Sequence[tuple[str | None, str, int]],
    now: NetDateTime,
) -> None:
    # What every retried row gets alike is in the statement, so a row binds only what
    # differs; these are an int, an enum's value and an int, never client text.
    same = (
        f"ticks = {int(now.ticks)}, kind = '{now.kind.value}', "
        f"offset_minutes = {int(now.offset_minutes)}, attempts = attempts + 1"
    )
    # Invoices that stay Failed keep their status: their update leaves the status index be.
    # An empty batch still costs a statement preparation: skip it.
    if kept:
        db.executemany(f"UPDATE invoices SET reason = ?, {same} WHERE position = ?", kept)
    if changed:
        db.executemany(
            f"UPDATE invoices SET reason = ?, status = ?, {same} WHERE position = ?", changed
        )
