"""``state.*``: consecutive calls are consistent.

This probe's call (B) is compared with the call just before it (A, the ``post-xml`` probe):
an invoice's ``SendingAttempts`` never goes down; an invoice A reported with a success
status (``--success-status``, default ``Sent``) is not retried in B; and when A followed a
reset - so A listed every failed invoice - B lists only invoices A left failed
(``--failed-status``, default ``Failed``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.checks.base import Evidence, covers
from conformance.failures import NotRun, StateFailure
from contract.wire.values import json_pointer

__all__ = ["PREVIOUS_PROBE", "check_state_known", "check_state_progress"]

PREVIOUS_PROBE = "post-xml"


def _items(evidence: Evidence, probe: str) -> list[dict[str, Any]]:
    record = evidence.suite.journal.get(probe)
    document = evidence.suite.document(record.exchange) if record is not None else None
    if document is None or not document.clean:
        raise NotRun(f"the {probe} call gave no body that passed its own rules")
    data = document.values.get("Data") if isinstance(document.values, dict) else None
    return [item for item in data or [] if isinstance(item, dict)]


def _failure(
    rule: str, expected: str, received: str, *, at: tuple[int, str], label: str
) -> StateFailure:
    location = json_pointer(("Data", *at))
    return StateFailure(
        rule=rule, expected=expected, received=received, location=location, request=label
    )


@covers("state.attempts-decreased", "state.sent-retried")
def check_state_progress(evidence: Evidence) -> Iterator[StateFailure]:
    """state.attempts-decreased and state.sent-retried between two consecutive calls."""
    before = {item.get("InvoiceId"): item for item in _items(evidence, PREVIOUS_PROBE)}
    success = set(evidence.suite.settings.success_statuses)
    for index, item in enumerate(_items(evidence, evidence.probe)):
        earlier = before.get(item.get("InvoiceId"))
        if earlier is None:
            continue
        if earlier.get("Status") in success:
            expected = (
                f"invoice {item.get('InvoiceId')} not retried (it was {earlier.get('Status')})"
            )
            yield _failure(
                "state.sent-retried",
                expected,
                "retried again",
                at=(index, "InvoiceId"),
                label=evidence.label,
            )
        elif (item.get("SendingAttempts") or 0) < (earlier.get("SendingAttempts") or 0):
            expected = f"SendingAttempts >= {earlier.get('SendingAttempts')}"
            received = f"SendingAttempts {item.get('SendingAttempts')}"
            yield _failure(
                "state.attempts-decreased",
                expected,
                received,
                at=(index, "SendingAttempts"),
                label=evidence.label,
            )


@covers("state.not-failed-returned")
def check_state_known(evidence: Evidence) -> Iterator[StateFailure]:
    """state.not-failed-returned: after a reset, the next call lists only invoices the
    previous call left failed."""
    record = evidence.suite.journal.get(PREVIOUS_PROBE)
    if evidence.suite.settings.reset is None or record is None or not record.after_reset:
        raise NotRun("needs --reset: the state before the call must be known")
    settings = evidence.suite.settings
    before = {
        item.get("InvoiceId"): item.get("Status") for item in _items(evidence, PREVIOUS_PROBE)
    }
    for index, item in enumerate(_items(evidence, evidence.probe)):
        key = item.get("InvoiceId")
        status = before.get(key)
        if status in settings.success_statuses or status in settings.failed_statuses:
            continue
        was = f"was {status}" if key in before else "was not failed after the reset"
        expected = f"only invoices the previous call left {'/'.join(settings.failed_statuses)}"
        yield _failure(
            "state.not-failed-returned",
            expected,
            f"invoice {key} ({was})",
            at=(index, "InvoiceId"),
            label=evidence.label,
        )
