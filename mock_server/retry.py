"""The mock's model of the service's retry: which invoices a call retries and what becomes of them.

One call of ``POST api/v1/billing/invoices/retryallfailed``:

1. takes every invoice whose ``Status`` is ``Failed`` at that moment, in seeding order;
2. retries each against its ``System`` (the switch): ``SendingAttempts`` goes up by one and
   ``SendingTime`` becomes the clock's now;
3. sets ``Status`` and ``Reason`` from the outcome: accepted -> ``Sent`` with a null
   ``Reason`` (never retried again); rejected -> ``Failed`` with the switch's reason, or
   ``Abandoned`` when ``max_attempts`` is set and the new attempt count reached it (the
   reason says so; never retried again);
4. returns exactly those invoices, updated, in the same order.

Outcomes: a scripted outcome for the invoice if one is left (consumed), otherwise a draw
against the scenario's success rate for the switch. The draw is a hash of (seed, invoice,
attempt), not a shared random generator, so it does not depend on which worker process
serves the call or on how calls interleave. The store runs a call in one write
transaction, so concurrent calls never retry the same failure twice.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from contract.netdatetime import NetDateTime
from mock_server.invoices import Invoice
from mock_server.scenarios import Scenario
from mock_server.vocabulary import (
    ABANDONED,
    FAILED,
    FAILURE_REASONS,
    SENT,
    abandoned_reason,
)

__all__ = ["RetryOutcome", "draw", "retry_failed"]

_UNIT = float(2**64)


@dataclass(frozen=True)
class RetryOutcome:
    """The retried invoices and the scenario with its used scripted outcomes removed."""

    invoices: list[Invoice]
    scenario: Scenario


def draw(seed: int, invoice_id: uuid.UUID, attempt: int) -> tuple[float, str]:
    """A uniform number in [0, 1) and a failure reason, fixed by (seed, invoice, attempt)."""
    digest = hashlib.blake2b(f"{seed}:{invoice_id}:{attempt}".encode(), digest_size=16).digest()
    unit = int.from_bytes(digest[:8], "big") / _UNIT
    reason = FAILURE_REASONS[int.from_bytes(digest[8:], "big") % len(FAILURE_REASONS)]
    return unit, reason


def retry_failed(
    failed: Sequence[Invoice], scenario: Scenario, *, now: NetDateTime
) -> RetryOutcome:
    """Retry every invoice of ``failed`` (already in order) under ``scenario`` at ``now``."""
    scripts = dict(scenario.outcomes)
    retried = []
    for invoice in failed:
        attempt = invoice.sending_attempts + 1
        unit, reason = draw(scenario.seed, invoice.invoice_id, attempt)
        script = scripts.get(invoice.invoice_id, ())
        if script:
            accepted, scripts[invoice.invoice_id] = script[0], script[1:]
        else:
            accepted = unit < scenario.success_rate(invoice.system)
        retried.append(_after_attempt(invoice, accepted, reason, scenario.max_attempts, now))
    remaining = {key: script for key, script in scripts.items() if script}
    return RetryOutcome(retried, replace(scenario, outcomes=remaining))


def _after_attempt(
    invoice: Invoice, accepted: bool, reason: str, max_attempts: int | None, now: NetDateTime
) -> Invoice:
    if accepted:
        return invoice.retried(status=SENT, reason=None, at=now)
    if max_attempts is not None and invoice.sending_attempts + 1 >= max_attempts:
        return invoice.retried(
            status=ABANDONED, reason=abandoned_reason(max_attempts, reason), at=now
        )
    return invoice.retried(status=FAILED, reason=reason, at=now)
