"""The mock's model of the service's retry: which invoices a call retries and what becomes of them.

One call of ``POST api/v1/billing/invoices/retryallfailed``:

1. takes every invoice whose ``Status`` is ``Failed`` at that moment, in seeding order;
2. retries each against its ``System`` (the switch): ``SendingAttempts`` goes up by one and
   ``SendingTime`` becomes the clock's now;
3. sets ``Status`` and ``Reason`` from the outcome: accepted -> ``Sent`` with a null
   ``Reason`` (never retried again); rejected -> ``Failed`` with the switch's reason, or
   ``Abandoned`` when ``max_attempts`` is set and the new attempt count reached it, or
   the count reached Int32.MaxValue (the service's ``int`` counts no further; the reason
   says so; never retried again);
4. returns exactly those invoices, updated, in the same order.

Outcomes: a scripted outcome for the invoice if one is left (consumed), otherwise a draw
against the scenario's success rate for the switch. The draw is a function of (seed,
invoice, attempt), not a shared random generator, so it does not depend on which worker
process serves the call or on how calls interleave: the invoice id is hashed once (a
64-bit :func:`invoice_key`, kept by the store per set of invoices) and each draw mixes that
key with the seed and the attempt number (SplitMix64's finaliser), which costs a few
integer operations where a hash per attempt cost a microsecond and more. The store runs a
call in one write transaction, so concurrent calls never retry the same failure twice.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace

from contract.clr import INTEGER_RANGES, Primitive
from mock_server.scenarios import Scenario
from mock_server.vocabulary import ABANDONED, FAILED, FAILURE_REASONS, SENT, abandoned_reason

__all__ = ["Attempts", "draw_keyed", "invoice_key"]

INT32_MAX = INTEGER_RANGES[Primitive.INT32][1]
_MASK = 2**64 - 1
_SEED_STEP = 0xD1B54A32D192ED03  # odd constants: distinct seeds and attempts never collide
_ATTEMPT_STEP = 0x9E3779B97F4A7C15
_UNIT = 2.0**-53


def invoice_key(invoice_id: uuid.UUID | str) -> int:
    """The 64-bit key of an invoice's draws (``invoice_id`` as UUID or lowercase ``D`` text)."""
    digest = hashlib.blake2b(str(invoice_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def draw_keyed(seed: int, key: int, attempt: int) -> tuple[float, str]:
    """A uniform number in [0, 1) and a failure reason, fixed by (seed, invoice, attempt).

    ``key`` is the invoice's :func:`invoice_key`.
    """
    z = (key + seed * _SEED_STEP + attempt * _ATTEMPT_STEP) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    z ^= z >> 31
    # The high 53 bits give the number, the low 32 the reason: independent bits of z.
    return (z >> 11) * _UNIT, FAILURE_REASONS[(z & 0xFFFFFFFF) % len(FAILURE_REASONS)]


class Attempts:
    """The outcomes of one retry call's attempts under ``scenario`` (steps 2-3 above).

    Call :meth:`outcome` once per retried invoice, in order: it consumes the invoice's
    next scripted outcome if one is left. :meth:`scenario` is then the scenario with the
    used outcomes removed. Invoice ids are the lowercase ``D`` text, as the store keeps
    them, so no id is parsed per attempt.
    """

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._seed = scenario.seed
        self._keys = {str(key): key for key in scenario.outcomes}
        self._scripts = {str(key): script for key, script in scenario.outcomes.items()}
        self._success_rate = scenario.success_rate
        self._rates: dict[str | None, float] = {}  # per switch, looked up once per call
        # SendingAttempts is a .NET int: at Int32.MaxValue no further attempt can be
        # counted, so an invoice still failing there is abandoned (never a value beyond it).
        self._max_attempts = min(scenario.max_attempts or INT32_MAX, INT32_MAX)
        # Whether the stored scenario must be rewritten: a script was used, or an empty
        # one is stored (scenario() drops it).
        self.used_scripts = any(not script for script in self._scripts.values())

    def outcome(
        self, invoice_id: str, key: int, system: str | None, attempt: int
    ) -> tuple[str | None, str]:
        """``Reason`` and ``Status`` (declaration order) of ``invoice_id`` after ``attempt``.

        ``key`` is the invoice's :func:`invoice_key`.
        """
        unit, reason = draw_keyed(self._seed, key, attempt)
        script = self._scripts.get(invoice_id) if self._scripts else None
        if script:
            accepted, self._scripts[invoice_id] = script[0], script[1:]
            self.used_scripts = True
        else:
            rate = self._rates.get(system)
            if rate is None:
                rate = self._rates[system] = self._success_rate(system)
            accepted = unit < rate
        if accepted:
            return None, SENT
        if attempt >= self._max_attempts:
            return abandoned_reason(self._max_attempts, reason), ABANDONED
        return reason, FAILED

    def scenario(self) -> Scenario:
        """The scenario with the scripted outcomes used so far removed."""
        remaining = {self._keys[key]: script for key, script in self._scripts.items() if script}
        return replace(self._scenario, outcomes=remaining)
