"""The words the mock puts into invoices: statuses, external systems, sending types, reasons.

The contract leaves ``Status``, ``System``, ``SendingType`` and ``Reason`` open strings; the
mock uses this documented vocabulary so that its data looks like South African medical
billing and frontends can be built against realistic values.

Statuses (the retry model in :mod:`mock_server.retry` moves invoices between them):

``Failed``
    Sending to the external system failed; the next retry call picks the invoice up.
``Sent``
    A retry was accepted by the external system; the invoice is never retried again and
    its ``Reason`` is null.
``Abandoned``
    A retry failed and brought ``SendingAttempts`` to the configured maximum; the invoice
    is no longer retried. Only used when a maximum is configured.

External systems are the South African medical-aid claim switches a practice's billing
system sends to: ``MediKredit``, ``MediSwitch`` and ``Healthbridge Switch``.

Sending types: ``Claim`` (a new claim to the scheme) and ``Reversal`` (cancelling a claim
sent earlier).

Failure reasons are the switch and scheme rejections a billing clerk sees, see
:data:`FAILURE_REASONS`.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ABANDONED",
    "EXTERNAL_SYSTEMS",
    "FAILED",
    "FAILURE_REASONS",
    "PARTIAL_SUCCESS_RATES",
    "SENDING_TYPES",
    "SENT",
    "STATUSES",
    "abandoned_reason",
]

FAILED: Final = "Failed"
SENT: Final = "Sent"
ABANDONED: Final = "Abandoned"
STATUSES: Final = (FAILED, SENT, ABANDONED)

EXTERNAL_SYSTEMS: Final = ("MediKredit", "MediSwitch", "Healthbridge Switch")
SENDING_TYPES: Final = ("Claim", "Reversal")

# Success rates of the ``partial`` scenario: one healthy switch, one flaky, one struggling,
# so a frontend sees all three outcomes within a few calls.
PARTIAL_SUCCESS_RATES: Final = {
    "MediKredit": 0.8,
    "MediSwitch": 0.5,
    "Healthbridge Switch": 0.2,
}

FAILURE_REASONS: Final = (
    "Member not found on scheme",
    "Switch timeout after 30 s",
    "Invalid ICD-10 code",
    "Duplicate claim",
    "Scheme temporarily unavailable",
    "Practice not registered with BHF",
    "Dependant code not valid for member",
    "Tariff code not valid for date of service",
    "Claim submitted after 120 days",
    "Benefits exhausted for the year",
)


def abandoned_reason(max_attempts: int, last_reason: str) -> str:
    """The ``Reason`` of an invoice abandoned at the attempts limit, keeping the last failure."""
    return f"Maximum sending attempts ({max_attempts}) reached: {last_reason}"
