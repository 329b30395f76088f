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
from mock_server.vocabulary import ABANDONED, FAILED, FAILURE_REASONS, SENT, abandoned_reason

__all__ = ["Attempts", "RetryOutcome", "draw", "retry_failed"]

_UNIT = float(2**64)
_LOW_HALF = 2**64 - 1


@dataclass(frozen=True)
class RetryOutcome:
    """The retried invoices and the scenario with its used scripted outcomes removed."""

    invoices: list[Invoice]
    scenario: Scenario


def draw(seed: int, invoice_id: uuid.UUID | str, attempt: int) -> tuple[float, str]:
    """A uniform number in [0, 1) and a failure reason, fixed by (seed, invoice, attempt).

    ``invoice_id`` is a UUID or its lowercase ``D`` text (the same draw either way).
    """
    digest = hashlib.blake2b(f"{seed}:{invoice_id}:{attempt}".encode(), digest_size=16).digest()
    # One conversion: the first 8 bytes are the high half, the last 8 the low half.
    value = int.from_bytes(digest, "big")
    return (value >> 64) / _UNIT, FAILURE_REASONS[(value & _LOW_HALF) % len(FAILURE_REASONS)]


class Attempts:
    """The outcomes of one retry call's attempts under ``scenario`` (steps 2-3 above).

    Call :meth:`outcome` once per retried invoice, in order: it consumes the invoice's
    next scripted outcome if one is left. :meth:`scenario` is then the scenario with the
    used outcomes removed. Invoice ids are the lowercase ``D`` text, as the store keeps
    them, so no id is parsed per attempt.
    """

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._keys = {str(key): key for key in scenario.outcomes}
        self._scripts = {str(key): script for key, script in scenario.outcomes.items()}
        self._success_rate = scenario.success_rate
        self._max_attempts = scenario.max_attempts
        # Whether the stored scenario must be rewritten: a script was used, or an empty
        # one is stored (scenario() drops it).
        self.used_scripts = any(not script for script in self._scripts.values())

    def outcome(self, invoice_id: str, system: str | None, attempt: int) -> tuple[str | None, str]:
        """``Reason`` and ``Status`` (declaration order) of ``invoice_id`` after ``attempt``."""
        unit, reason = draw(self._scenario.seed, invoice_id, attempt)
        script = self._scripts.get(invoice_id) if self._scripts else None
        if script:
            accepted, self._scripts[invoice_id] = script[0], script[1:]
            self.used_scripts = True
        else:
            accepted = unit < self._success_rate(system)
        if accepted:
            return None, SENT
        if self._max_attempts is not None and attempt >= self._max_attempts:
            return abandoned_reason(self._max_attempts, reason), ABANDONED
        return reason, FAILED

    def scenario(self) -> Scenario:
        """The scenario with the scripted outcomes used so far removed."""
        remaining = {self._keys[key]: script for key, script in self._scripts.items() if script}
        return replace(self._scenario, outcomes=remaining)


def retry_failed(
    failed: Sequence[Invoice], scenario: Scenario, *, now: NetDateTime
) -> RetryOutcome:
    """Retry every invoice of ``failed`` (already in order) under ``scenario`` at ``now``."""
    attempts = Attempts(scenario)
    retried = []
    for invoice in failed:
        reason, status = attempts.outcome(
            str(invoice.invoice_id), invoice.system, invoice.sending_attempts + 1
        )
        retried.append(invoice.retried(status=status, reason=reason, at=now))
    return RetryOutcome(retried, attempts.scenario())
