"""Invoices as the mock holds them, their wire values, and deterministic seeding.

An :class:`Invoice` carries exactly the members of ``InvoiceSendingStatusVo``. Seeding draws
every value from ``random.Random(seed)`` and the clock, so one seed (with a frozen clock)
always gives the same invoices in the same order.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.netdatetime import NetDateTime
from mock_server.clock import Clock, minutes_before
from mock_server.vocabulary import EXTERNAL_SYSTEMS, FAILED, FAILURE_REASONS, SENDING_TYPES

__all__ = ["PRACTICE_COUNT", "Invoice", "practice_ids", "seed_invoices"]

PRACTICE_COUNT = 6
_SEEDED_HISTORY_MINUTES = 3 * 24 * 60  # seeded failures happened within the last three days
_SENDING_TYPE_ODDS = (9, 10)  # cumulative: nine claims to one reversal


@dataclass(frozen=True, slots=True)
class Invoice:
    """One invoice's sending status (the members of ``InvoiceSendingStatusVo``)."""

    practice_id: uuid.UUID
    encounter_id: uuid.UUID
    invoice_id: uuid.UUID
    reason: str | None
    status: str | None
    system: str | None
    sending_time: NetDateTime
    sending_attempts: int
    sending_type: str | None

    def to_wire(self) -> dict[str, Any]:
        """Wire values keyed by the contract's member names (what contract.wire writes)."""
        return {
            "PracticeId": self.practice_id,
            "EncounterId": self.encounter_id,
            "InvoiceId": self.invoice_id,
            "Reason": self.reason,
            "Status": self.status,
            "System": self.system,
            "SendingTime": self.sending_time,
            "SendingAttempts": self.sending_attempts,
            "SendingType": self.sending_type,
        }

    def to_json(self) -> dict[str, Any]:
        """The control API's JSON form: wire names, GUID strings, round-trip dates."""
        values = self.to_wire()
        for name in ("PracticeId", "EncounterId", "InvoiceId"):
            values[name] = str(values[name])
        values["SendingTime"] = self.sending_time.round_trip()
        return values

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> Invoice:
        """The inverse of :meth:`to_json` (values already validated)."""
        return cls(
            practice_id=uuid.UUID(str(values["PracticeId"])),
            encounter_id=uuid.UUID(str(values["EncounterId"])),
            invoice_id=uuid.UUID(str(values["InvoiceId"])),
            reason=values["Reason"],
            status=values["Status"],
            system=values["System"],
            sending_time=NetDateTime.parse(str(values["SendingTime"])),
            sending_attempts=int(values["SendingAttempts"]),
            sending_type=values["SendingType"],
        )


def _uuid4(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def practice_ids(seed: int) -> tuple[uuid.UUID, ...]:
    """The seeded practices (a handful, so invoices share practices as they do in reality)."""
    rng = random.Random(f"practices:{seed}")
    return tuple(_uuid4(rng) for _ in range(PRACTICE_COUNT))


def seed_invoices(count: int, *, seed: int, clock: Clock) -> list[Invoice]:
    """``count`` failed invoices drawn deterministically from ``seed`` and ``clock``.

    Each has failed one to three times on a switch within the last three days; sending
    times keep all seven fractional digits.
    """
    rng = random.Random(f"invoices:{seed}")
    practices = practice_ids(seed)
    now = clock.now()  # one reading for the whole set: they were sent before it
    return [
        Invoice(
            practice_id=rng.choice(practices),
            encounter_id=_uuid4(rng),
            invoice_id=_uuid4(rng),
            reason=rng.choice(FAILURE_REASONS),
            status=FAILED,
            system=rng.choice(EXTERNAL_SYSTEMS),
            sending_time=minutes_before(
                now,
                rng.randrange(1, _SEEDED_HISTORY_MINUTES),
                sub_minute_ticks=rng.randrange(600_000_000),
            ),
            sending_attempts=rng.randint(1, 3),
            # The same draw as weights=(9, 1), without summing the weights per call.
            sending_type=rng.choices(SENDING_TYPES, cum_weights=_SENDING_TYPE_ODDS)[0],
        )
        for _ in range(count)
    ]
