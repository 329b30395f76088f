"""The mock's state behind one small interface: invoices, scenario, faults and the journal.

Everything a worker process needs to answer like every other worker lives in the store
(gunicorn runs several processes), so a backend only has to implement :class:`Store`:
:class:`~mock_server.sqlite_store.SqliteStore` (the default: one file, one machine) and
:class:`~mock_server.postgres_store.PostgresStore` (one database server, any number of
instances of the mock). The steps both share are in :mod:`mock_server.retry_call` and
:mod:`mock_server.journal_rules`.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from contract.netdatetime import NetDateTime
from contract.wire.values import GuidText
from mock_server.invoices import Invoice
from mock_server.scenarios import Scenario

__all__ = [
    "JOURNAL_FIELD_LIMIT",
    "Fault",
    "FaultKind",
    "JournalEntry",
    "RetriedInvoice",
    "RetryCall",
    "Store",
    "StoreUnavailable",
    "answering_fault",
    "cut",
    "fault_names",
]

RetriedInvoice = tuple[
    GuidText, GuidText, GuidText, str | None, str, str | None, NetDateTime, int, str | None
]
"""A retried invoice as the call left it: the members of ``InvoiceSendingStatusVo`` in
declaration order (PracticeId, EncounterId, InvoiceId, Reason, Status, System,
SendingTime, SendingAttempts, SendingType), GUIDs as their text. A plain tuple, because a
call over 100,000 invoices builds 100,000 of them."""


JOURNAL_FIELD_LIMIT = 1024
"""Characters a journal entry keeps of a client's text (method, path with query, Accept)."""


def cut(text: str | None, limit: int = JOURNAL_FIELD_LIMIT) -> str | None:
    """``text``, or its start marked as cut with the full length: ``limit`` characters in all.

    A cut text is never longer than ``limit``, so cutting it again (an entry read back from
    the store) leaves it as it is.
    """
    if text is None or len(text) <= limit:
        return text
    mark = f"...[cut: {len(text):,} characters]"
    return text[: limit - len(mark)] + mark


class StoreUnavailable(RuntimeError):
    """The store's database cannot be reached or used; the message says why (no secret)."""


class FaultKind(enum.Enum):
    """The faults the retry endpoint can inject into its calls (:mod:`mock_server.faults`)."""

    LATENCY = "latency"  # answer normally after latency_ms
    HTTP_500 = "http-500"  # Web API's 500 HttpError, state untouched
    ENVELOPE_FAILURE = "envelope-failure"  # the external-down envelope, state untouched
    DROP_CONNECTION = "drop-connection"  # close the socket without a response
    MALFORMED_BODY = "malformed-body"  # 200, right Content-Type, body cut in half


@dataclass(frozen=True)
class Fault:
    """An injected fault: for the next ``calls`` retry calls, or a seeded ``share`` of them."""

    id: int
    kind: FaultKind
    calls: int | None = None
    share: float | None = None
    latency_ms: int = 0

    def fires(self, call_number: int, seed: int) -> bool:
        """Whether the fault applies to retry call ``call_number`` (the same in every worker)."""
        if self.share is None:
            return bool(self.calls)
        digest = hashlib.blake2b(f"{seed}:{self.id}:{call_number}".encode(), digest_size=8)
        return int.from_bytes(digest.digest(), "big") / 2**64 < self.share

    def to_json(self) -> dict[str, Any]:
        """The control API's form: only the fields that apply to this fault.

        ``calls`` (calls left) or ``share``, whichever the fault was given, and
        ``latency_ms`` for a latency fault only.
        """
        values: dict[str, Any] = {"id": self.id, "kind": self.kind.value}
        if self.share is None:
            values["calls"] = self.calls
        else:
            values["share"] = self.share
        if self.kind is FaultKind.LATENCY:
            values["latency_ms"] = self.latency_ms
        return values


_ANSWERS_EARLY = frozenset(
    {FaultKind.HTTP_500, FaultKind.ENVELOPE_FAILURE, FaultKind.DROP_CONNECTION}
)


def answering_fault(faults: Sequence[Fault]) -> FaultKind | None:
    """The fault that answers a call in place of the retry, or None (the call retries).

    The first fault other than ``latency`` decides; ``malformed-body`` answers with the
    retry (cut afterwards), the others without touching the invoices.
    """
    kind = next((fault.kind for fault in faults if fault.kind is not FaultKind.LATENCY), None)
    return kind if kind in _ANSWERS_EARLY else None


def fault_names(faults: Sequence[Fault]) -> str | None:
    """The journal's name of ``faults``: their kinds, comma-separated (None: no fault)."""
    return ",".join(fault.kind.value for fault in faults) or None


@dataclass(frozen=True)
class JournalEntry:
    """One request the mock answered (control API requests are not journaled).

    The client's text (method, path, accept) and the faults applied are kept up to
    :data:`JOURNAL_FIELD_LIMIT` characters and marked as cut beyond: a client sending huge
    queries cannot make the journal huge.
    """

    method: str
    path: str
    accept: str | None
    media_type: str | None
    status: int | None
    time: str
    fault: str | None = None
    sequence: int = 0
    """The store's number of the entry (growing by one per entry); 0 until stored."""
    client: str | None = None
    """The request's ``X-Mock-Client`` header: ``dashboard`` for the mock's own page."""

    def __post_init__(self) -> None:
        for name in ("method", "path", "accept", "media_type", "fault", "client"):
            value = getattr(self, name)
            if value is not None and len(value) > JOURNAL_FIELD_LIMIT:
                object.__setattr__(self, name, cut(value))

    def with_faults(self, faults: Sequence[Fault]) -> JournalEntry:
        """This entry of a call on which ``faults`` fired: their names, and the answer's
        status as the deciding fault makes it (none at all for a dropped connection)."""
        if not faults:
            return self
        names = fault_names(faults)
        answer = answering_fault(faults)
        if answer is FaultKind.DROP_CONNECTION:
            return replace(self, status=None, media_type=None, fault=names)
        status = 500 if answer is FaultKind.HTTP_500 else self.status
        return replace(self, status=status, fault=names)

    def to_json(self) -> dict[str, Any]:
        """The control API's form."""
        return {
            "method": self.method, "path": self.path, "accept": self.accept,
            "media_type": self.media_type, "status": self.status, "time": self.time,
            "fault": self.fault, "sequence": self.sequence, "client": self.client,
        }  # fmt: skip


@dataclass(frozen=True)
class RetryCall:
    """What one retry call saw: the scenario in force, the invoices it retried, and the
    faults that fired for it (none retried when one of them answers in its place)."""

    scenario: Scenario
    invoices: Sequence[RetriedInvoice]
    faults: tuple[Fault, ...] = ()
    wait_ms: int = 0
    """Latency to wait before the call goes on (:meth:`Store.retry` with ``faults``)."""

    @property
    def answer(self) -> FaultKind | None:
        """The fault that answers in place of the retry (:func:`answering_fault`)."""
        return answering_fault(self.faults)


class Store(Protocol):
    """The state every worker process shares; each method is one atomic step."""

    def initialize(
        self,
        scenario: Scenario,
        invoices: Callable[[], Sequence[Invoice]],
        *,
        force: bool,
        start_key: str | None = None,
    ) -> bool:
        """Set the start state unless one exists (or ``force``); True when it was set.
        With ``start_key`` the invoices are also kept for :meth:`restore_start`."""

    def reset(
        self, scenario: Scenario, invoices: Sequence[Invoice], *, start_key: str | None = None
    ) -> None:
        """Replace everything: invoices, scenario; clear faults, journal and call count.
        With ``start_key`` the invoices are also kept for :meth:`restore_start`."""

    def restore_start(self, scenario: Scenario, start_key: str) -> bool:
        """Like :meth:`reset` with the invoices kept under ``start_key``; False, changing
        nothing, when the invoices kept are another key's (or none are)."""

    def invoices(self) -> list[Invoice]:
        """Every invoice in seeding order."""

    def replace_invoices(self, invoices: Sequence[Invoice], *, seed: int) -> None:
        """Replace the invoices; the scenario keeps its options but takes ``seed``."""

    def scenario(self) -> Scenario:
        """The scenario in force."""

    def set_scenario(self, scenario: Scenario, invoices: Sequence[Invoice] | None) -> None:
        """Switch scenario, replacing the invoices when ``invoices`` is given."""

    def close(self) -> None:
        """Release this process's (and thread's) hold on the state; it reopens when used."""

    def retry(
        self,
        now: NetDateTime,
        *,
        journal: JournalEntry | None = None,
        before_writing: Callable[[RetryCall], None] | None = None,
        faults: Sequence[Fault] | None = None,
    ) -> RetryCall:
        """One retry call, atomically (see :mod:`mock_server.retry`), faults included.

        With ``faults`` None the step first counts the call and decides which faults fire
        (using up counted ones). If a ``latency`` fault fires, nothing else is done: the
        call comes back with ``wait_ms`` and its ``faults``, and the caller, after the
        wait, calls again passing those ``faults`` (then not decided again). Otherwise
        ``journal`` (with :meth:`JournalEntry.with_faults`), when given, is appended in the
        same step (one write per call), and the invoices are retried unless a fault
        answers in the call's place. ``before_writing`` gets the call once its outcomes
        are known, before the store writes them (a caller may start writing the response
        meanwhile); the call is only final if ``retry`` returns.
        """

    def add_fault(
        self, kind: FaultKind, *, calls: int | None, share: float | None, latency_ms: int
    ) -> Fault:
        """Add a fault after the existing ones."""

    def faults(self) -> list[Fault]:
        """The active faults in the order they were added."""

    def clear_faults(self) -> None:
        """Remove every fault."""

    def remove_fault(self, fault_id: int) -> bool:
        """Remove the fault ``fault_id``; False when there is none of that id."""

    def record(self, entry: JournalEntry) -> None:
        """Append to the journal."""

    def journal(self, *, after: int = 0, limit: int | None = None) -> list[JournalEntry]:
        """The journal, oldest first: the newest ``limit`` entries after sequence ``after``."""

    def clear_journal(self) -> None:
        """Empty the journal."""
