"""One retry call's steps and rows, whatever database holds them.

Both stores (:mod:`mock_server.sqlite_store`, :mod:`mock_server.postgres_store`) run
:func:`run_retry` inside one write transaction, giving it the statements of their own
database (:class:`RetryTransaction`): the call's state, its faults (:func:`firing`), its
journal entry, the failed rows and the write of their outcomes. The failed rows are read
as ``(position, attempts)`` tuples and handed to :func:`outcomes_of`, which joins them with
a per-process :class:`FixedColumns` copy (ids, ``System``, ``SendingType``) and draws each
outcome (:class:`~mock_server.retry.Attempts`); each store then writes the
:class:`Outcomes` its own way. A call over 100,000 invoices must answer within a second, so
no row becomes an object and no GUID is parsed.

``FixedColumns`` belongs to one *generation* of the invoices: every replacement of the
invoices stores a new random generation with them, so a copy from another generation is
never used - each worker process reloads it once after another process (or another
instance of the mock) replaced the invoices.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from contract.netdatetime import NetDateTime
from contract.wire.values import GuidText
from mock_server.retry import Attempts, invoice_key
from mock_server.scenarios import Response, Scenario
from mock_server.store import (
    Fault,
    FaultKind,
    JournalEntry,
    RetriedInvoice,
    RetryCall,
    answering_fault,
)
from mock_server.vocabulary import FAILED

__all__ = [
    "Fixed",
    "FixedColumns",
    "FixedRow",
    "Outcomes",
    "RetryCaches",
    "RetryTransaction",
    "firing",
    "new_generation",
    "outcomes_of",
    "run_retry",
]

Fixed = tuple[GuidText, GuidText, GuidText, int, str | None, str | None]
"""practice, encounter and invoice ids, the invoice's draw key, System, SendingType"""
FixedRow = tuple[int, str, str, str, str | None, str | None]
"""(position, practice, encounter, invoice, system, sending type) as a store reads them"""


def new_generation() -> str:
    """A fresh generation token for a new set of invoices."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class FixedColumns:
    """The columns no retry changes, by position, for one generation of the invoices.

    With each invoice's draw key (:func:`~mock_server.retry.invoice_key`): the id's hash is
    taken once per generation, not once per attempt.
    """

    generation: str | None  # the generation as stored (None: a database without one)
    by_position: dict[int, Fixed]

    @classmethod
    def from_columns(cls, generation: str | None, rows: Iterable[FixedRow]) -> FixedColumns:
        """From (position, practice, encounter, invoice, system, sending type) rows."""
        # The ids were written by a store from uuid.UUID, so they are the D form:
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


def outcomes_of(
    rows: Iterable[tuple[int, int]], attempts: Attempts, fixed: FixedColumns, now: NetDateTime
) -> Outcomes:
    """Retry the failed ``(position, attempts)`` rows, in the order given (nothing written)."""
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


def firing(faults: Sequence[Fault], call: int, seed: int) -> tuple[Fault, ...]:
    """The faults among ``faults`` (in the order added) that fire for call number ``call``.

    The store then takes one call off each counted fault that fired and removes the used up.
    """
    return tuple(fault for fault in faults if fault.fires(call, seed))


class RetryCaches:
    """What a store's process keeps between calls: the last scenario text it decoded and
    the fixed columns of the last generation it loaded (one per store object)."""

    def __init__(self) -> None:
        self.fixed: FixedColumns | None = None
        self._scenario: tuple[str, Scenario] | None = None

    def scenario(self, text: str) -> Scenario:
        """The scenario stored as ``text``, decoded again only when the text changed.

        The stored text is the truth, read in the call's own transaction: another worker,
        instance or control call may have changed it.
        """
        cached = self._scenario
        if cached is None or cached[0] != text:
            cached = self._scenario = (text, Scenario.from_json(json.loads(text)))
        return cached[1]

    def fixed_columns(
        self, generation: str | None, load: Callable[[str | None], FixedColumns]
    ) -> FixedColumns:
        """This process's fixed columns of ``generation``, loaded when they are another's."""
        fixed = self.fixed
        if fixed is None or fixed.generation != generation:
            fixed = self.fixed = load(generation)
        return fixed


class RetryTransaction(Protocol):
    """The statements of one retry call, inside a store's open write transaction."""

    def state(self) -> tuple[str, str | None, bool]:
        """The stored scenario text, the invoices' generation, whether any fault exists."""

    def fire_faults(self, seed: int) -> tuple[Fault, ...]:
        """Count the call; the faults firing for it (:func:`firing`), counted ones used up."""

    def append(self, entry: JournalEntry) -> None:
        """Append ``entry`` to the journal."""

    def fixed(self, generation: str | None) -> FixedColumns:
        """The fixed columns of ``generation`` (from the store's :class:`RetryCaches`)."""

    def outcomes(self, attempts: Attempts, fixed: FixedColumns, now: NetDateTime) -> Outcomes:
        """Read the failed rows in position order and draw them (:func:`outcomes_of`)."""

    def write(self, outcomes: Outcomes, now: NetDateTime) -> None:
        """Write the outcomes."""

    def keep_scenario(self, scenario: Scenario) -> None:
        """Store ``scenario`` (its scripted outcomes used so far removed)."""


def run_retry(
    transaction: RetryTransaction,
    caches: RetryCaches,
    now: NetDateTime,
    *,
    journal: JournalEntry | None,
    before_writing: Callable[[RetryCall], None] | None,
    faults: Sequence[Fault] | None,
) -> RetryCall:
    """One retry call in ``transaction`` (:meth:`mock_server.store.Store.retry`)."""
    scenario_text, generation, faulted = transaction.state()
    scenario = caches.scenario(scenario_text)
    if faults is None:
        fired = transaction.fire_faults(scenario.seed) if faulted else ()
        wait_ms = sum(f.latency_ms for f in fired if f.kind is FaultKind.LATENCY)
        if wait_ms:  # the wait must not hold the writer lock
            return RetryCall(scenario, [], fired, wait_ms)
    else:
        fired = tuple(faults)
    if journal is not None:
        transaction.append(journal.with_faults(fired))
    if scenario.response is not Response.RETRY or answering_fault(fired) is not None:
        return RetryCall(scenario, [], fired)
    attempts = Attempts(scenario)
    outcomes = transaction.outcomes(attempts, transaction.fixed(generation), now)
    call = RetryCall(scenario, outcomes.retried, fired)
    if before_writing is not None:
        before_writing(call)
    transaction.write(outcomes, now)
    if attempts.used_scripts:
        transaction.keep_scenario(attempts.scenario())
    return call
