"""The retry call's SQL inside :class:`~mock_server.sqlite_store.SqliteStore`'s transaction.

The failed rows are read as ``(position, attempts)`` tuples and drawn by
:func:`mock_server.retry_call.outcomes_of` (the part both stores share), and written back
by statements that each update many rows (see :func:`write_outcomes`); the columns a retry
never changes come from a per-process :class:`~mock_server.retry_call.FixedColumns` copy of
the invoices' generation (:func:`load_fixed`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Sequence

from contract.netdatetime import NetDateTime
from mock_server.retry import Attempts
from mock_server.retry_call import FixedColumns, Outcomes, new_generation, outcomes_of
from mock_server.vocabulary import FAILED

__all__ = [
    "GROUPED_FROM",
    "ROWS_PER_STATEMENT",
    "FixedColumns",
    "Outcomes",
    "draw_outcomes",
    "load_fixed",
    "new_generation",
    "write_outcomes",
]

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


def load_fixed(db: sqlite3.Connection, generation: str | None) -> FixedColumns:
    """The columns no retry changes, as the database holds them now."""
    cursor = db.cursor()
    cursor.row_factory = None
    return FixedColumns.from_columns(generation, cursor.execute(_SELECT_FIXED))


def draw_outcomes(
    db: sqlite3.Connection, attempts: Attempts, fixed: FixedColumns, now: NetDateTime
) -> Outcomes:
    """Retry every failed invoice, in position order (nothing is written yet)."""
    cursor = db.cursor()
    cursor.row_factory = None
    return outcomes_of(cursor.execute(_SELECT_FAILED, (FAILED,)).fetchall(), attempts, fixed, now)


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
