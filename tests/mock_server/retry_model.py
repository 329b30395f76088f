"""Test oracles of the retry: an object-level retry, and a model of the mock's state.

:func:`retry_failed` retries :class:`~mock_server.invoices.Invoice` objects one by one
with :class:`mock_server.retry.Attempts` (the rules the store applies to rows), for tests
that compare the store's row-level writes with it.

:class:`RetryModel` is an independent model for the state machine: what every call must
do. The model knows each invoice's attempts, status and sending time from what the test gave
(explicit seeds) or saw once at the start, and what each retry call must return
(:mod:`mock_server.retry`'s rules): exactly the invoices it holds as ``Failed``, in seeding
order, each with one more attempt and the frozen clock's ``SendingTime``; nothing else
changes. It never asks the mock what the state should be.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from contract.netdatetime import DateTimeKind, NetDateTime
from mock_server.invoices import Invoice
from mock_server.retry import Attempts, draw_keyed, invoice_key
from mock_server.scenarios import Scenario

FAILED, SENT, ABANDONED = "Failed", "Sent", "Abandoned"
TICKS_PER_SECOND = 10_000_000

# The statuses a retry may give in each scenario the state machine uses (no max_attempts).
OUTCOMES: dict[str, frozenset[str]] = {
    "healthy": frozenset({SENT}),
    "empty": frozenset({SENT}),
    "all-failing": frozenset({FAILED}),
    "partial": frozenset({SENT, FAILED}),
}


@dataclass(frozen=True)
class RetryOutcome:
    """The retried invoices and the scenario with its used scripted outcomes removed."""

    invoices: list[Invoice]
    scenario: Scenario


def retried(invoice: Invoice, *, status: str, reason: str | None, at: NetDateTime) -> Invoice:
    """``invoice`` after one more sending attempt with the given outcome."""
    return replace(
        invoice, status=status, reason=reason, sending_time=at,
        sending_attempts=invoice.sending_attempts + 1,
    )  # fmt: skip


def retry_failed(
    failed: Sequence[Invoice], scenario: Scenario, *, now: NetDateTime
) -> RetryOutcome:
    """Retry every invoice of ``failed`` (already in order) under ``scenario`` at ``now``."""
    attempts = Attempts(scenario)
    done = []
    for invoice in failed:
        invoice_id = str(invoice.invoice_id)
        reason, status = attempts.outcome(
            invoice_id, invoice_key(invoice_id), invoice.system, invoice.sending_attempts + 1
        )
        done.append(retried(invoice, status=status, reason=reason, at=now))
    return RetryOutcome(done, attempts.scenario())


def draw(seed: int, invoice_id: uuid.UUID | str, attempt: int) -> tuple[float, str]:
    """:func:`mock_server.retry.draw_keyed` for an invoice given by its id."""
    return draw_keyed(seed, invoice_key(invoice_id), attempt)


@dataclass(frozen=True)
class Expected:
    """One invoice as the model expects the mock to hold it."""

    attempts: int
    status: str
    sending_time: str


@dataclass
class RetryModel:
    """The expected invoices (seeding order), scenario and pending faults."""

    invoices: dict[str, Expected]
    scenario: str = "partial"
    faults: list[tuple[str, int]] = field(default_factory=list)

    @classmethod
    def from_state(cls, invoices: Sequence[Mapping[str, Any]]) -> RetryModel:
        """A model of invoices in the control API's JSON form."""
        return cls({
            str(inv["InvoiceId"]):
                Expected(inv["SendingAttempts"], inv["Status"], inv["SendingTime"])
            for inv in invoices
        })  # fmt: skip

    def failed_ids(self) -> list[str]:
        """The invoices the next retry call must return, in order."""
        return [key for key, invoice in self.invoices.items() if invoice.status == FAILED]

    def fire_faults(self) -> list[str]:
        """The kinds of the faults the next retry call fires (each pending one), used up."""
        fired = [kind for kind, _ in self.faults]
        self.faults = [(kind, calls - 1) for kind, calls in self.faults if calls > 1]
        return fired

    def retried(self, statuses: Mapping[str, str], *, at: str) -> None:
        """Apply a retry call that gave ``statuses`` to the failed invoices at ``at``."""
        for key in self.failed_ids():
            invoice = self.invoices[key]
            self.invoices[key] = replace(
                invoice, attempts=invoice.attempts + 1, status=statuses[key], sending_time=at
            )


def json_wall_clock(value: NetDateTime) -> NetDateTime:
    """``value`` as the JSON wire format carries it: wall-clock ticks to the second, no kind."""
    return NetDateTime(value.ticks - value.ticks % TICKS_PER_SECOND, DateTimeKind.UNSPECIFIED)


def check_retried(
    model: RetryModel, data: Sequence[Mapping[str, Any]], *, now: NetDateTime
) -> dict[str, str]:
    """Check a retry call's ``Data`` against ``model``; return each invoice's new status.

    ``now`` is the clock's value in the precision of the format the call was read from.
    """
    returned = [str(item["InvoiceId"]) for item in data]
    sent = {key for key, invoice in model.invoices.items() if invoice.status != FAILED}
    again = sorted(set(returned) & sent)
    assert not again, f"invoices no longer Failed were retried again: {again}"
    assert returned == model.failed_ids(), (
        f"the call returned {returned}, not the failed invoices {model.failed_ids()}"
    )
    allowed = OUTCOMES[model.scenario]
    for item, key in zip(data, returned, strict=True):
        before = model.invoices[key].attempts
        assert item["SendingAttempts"] == before + 1, (
            f"{key}: SendingAttempts {item['SendingAttempts']}, expected {before} + 1"
        )
        assert item["SendingTime"] == now, f"{key}: SendingTime {item['SendingTime']}, not {now}"
        assert item["Status"] in allowed, f"{key}: Status {item['Status']} in {model.scenario}"
    return {key: str(item["Status"]) for key, item in zip(returned, data, strict=True)}


def check_state(model: RetryModel, invoices: Sequence[Mapping[str, Any]]) -> None:
    """The mock's invoices (control API form) are exactly the model's."""
    observed = RetryModel.from_state(invoices).invoices
    assert list(observed) == list(model.invoices), "the invoices or their order changed"
    for key, expected in model.invoices.items():
        assert observed[key] == expected, f"{key}: the mock holds {observed[key]}, not {expected}"
