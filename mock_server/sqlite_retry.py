"""The retry call's work inside :class:`~mock_server.sqlite_store.SqliteStore`'s transaction.

A call over 100,000 invoices must answer within a second, so the rows never become
objects: the failed rows are read as ``(position, attempts)`` tuples, joined with the
columns a retry never changes (ids, ``System``, ``SendingType``) from a per-process
:class:`FixedColumns` copy, and written back by statements that each update many rows
(see :func:`write_outcomes`). ``FixedColumns`` belongs to one *generation* of the
invoices: every replacement of the invoices stores a new random generation in ``meta``,
so a copy from another generation is never used - each worker process reloads it once
after another process replaced the invoices.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contract.netdatetime import NetDateTime
from contract.wire.values import GuidText
from mock_server.retry import Attempts, invoice_key
from mock_server.store import RetriedInvoice
from mock_server.vocabulary import FAILED

__all__ = [
    "GROUPED_FROM",
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
# From this many rows on, a call's rows are written by a statement per group of rows that
# get the same values, the group's positions given as one JSON array.
GROUPED_FROM = 1024
# Rows in one VALUES statement, at most: SQLite prepares it once per number of rows, and a
# statement of thousands of rows takes longer to prepare than to run.
ROWS_PER_STATEMENT = 1024
_HAS_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33, 0)


def _supports(query: str) -> bool:
    """Whether this SQLite runs ``query`` (an optional feature may be compiled out)."""
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as db:
            db.execute(query)
    except sqlite3.OperationalError:
        return False
    return True


_HAS_JSON_EACH = _supports("SELECT value FROM json_each('[1]')")
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

    A handful of reasons cover any number of invoices: the groups are few.
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
    """Write the outcomes in a few statements, each joining many rows by position.

    * Up to :data:`GROUPED_FROM` rows: one ``UPDATE ... FROM (VALUES ...)`` over all rows
      of a kind, half the cost of a statement per row (20 rows: 25 against 40 us, inside
      the write lock). It needs SQLite 3.33; before that, each row is a statement.
    * From :data:`GROUPED_FROM` rows: a statement per group, whose positions are one JSON
      array (``json_each``). Such a statement is cheap to prepare and binds one value, and
      SQLite runs it without the GIL: the caller's other threads (the response being
      written) run meanwhile, and a call of 100,000 rows needs the GIL back only once per
      group (about ten times), where VALUES statements needed it once per statement.
    """
    count = len(outcomes.retried)
    stamp = (int(now.ticks), now.kind.value, int(now.offset_minutes))
    # Invoices that stay Failed keep their status: their update leaves the status index be.
    kept = [((reason,), positions) for reason, positions in outcomes.kept.items()]
    _write(db, ("reason",), kept, stamp, count=count)
    _write(db, ("reason", "status"), list(outcomes.changed.items()), stamp, count=count)


def _write(
    db: sqlite3.Connection,
    columns: tuple[str, ...],
    groups: Sequence[tuple[tuple[object, ...], list[int]]],
    stamp: tuple[int, str, int],
    *,
    count: int,
) -> None:
    """Set ``columns`` to each group's values at its positions, with the stamp.

    Column names are this module's, never client text.
    """
    if not groups:  # an empty batch still costs a statement preparation
        return
    if count >= GROUPED_FROM and _HAS_JSON_EACH:
        _write_by_group(db, columns, groups, stamp)
        return
    rows = [(position, *written) for written, positions in groups for position in positions]
    if _HAS_UPDATE_FROM:
        _write_by_values(db, columns, rows, stamp)
    else:
        db.executemany(
            f"UPDATE invoices SET {_assigned(columns)}, {_SAME} WHERE position = ?",
            [(*row[1:], *stamp, row[0]) for row in rows],
        )


def _assigned(columns: tuple[str, ...]) -> str:
    """``column = ?`` for each column."""
    return ", ".join(f"{column} = ?" for column in columns)


def _write_by_group(
    db: sqlite3.Connection,
    columns: tuple[str, ...],
    groups: Sequence[tuple[tuple[object, ...], list[int]]],
    stamp: tuple[int, str, int],
) -> None:
    """A statement per group: its values, and its positions as one JSON array."""
    update = (
        f"UPDATE invoices SET {_assigned(columns)}, {_SAME} "
        "WHERE position IN (SELECT value FROM json_each(?))"
    )
    for written, positions in groups:
        db.execute(update, (*written, *stamp, json.dumps(positions)))


def _write_by_values(
    db: sqlite3.Connection,
    columns: tuple[str, ...],
    rows: list[tuple[object, ...]],
    stamp: tuple[int, str, int],
) -> None:
    """A statement per :data:`ROWS_PER_STATEMENT` rows (position, then the columns' values),
    joined to the invoices as a VALUES list."""
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
