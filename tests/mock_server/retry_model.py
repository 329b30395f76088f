"""An independent model of the mock's state, for the state machine: what every call must do.

The model knows each invoice's attempts, status and sending time from what the test gave
(explicit seeds) or saw once at the start, and what each retry call must return
(:mod:`mock_server.retry`'s rules): exactly the invoices it holds as ``Failed``, in seeding
order, each with one more attempt and the frozen clock's ``SendingTime``; nothing else
changes. It never asks the mock what the state should be.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from contract.netdatetime import DateTimeKind, NetDateTime

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
