"""``state.*``: consecutive calls are consistent.

This probe's call (B) is compared with the call just before it (A, the ``post-xml`` probe):
an invoice's ``SendingAttempts`` never goes down; an invoice A reported with a success
status (``--success-status``, default ``Sent``) is not retried in B; and when A followed a
reset - so A listed every failed invoice - B lists only invoices A left failed
(``--failed-status``, default ``Failed``).

Both bodies are read as the contract's generated model (:mod:`contract.models`, shared
with the mock), so the checks look at typed fields (``invoice_id``, ``status``,
``sending_attempts``); a body that does not validate leaves them not run.
"""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.base import Evidence, covers
from conformance.failures import NotRun, StateFailure
from contract.models import InvoiceSendingStatusVo
from contract.wire.values import json_pointer

__all__ = ["PREVIOUS_PROBE", "check_state_known", "check_state_progress"]

PREVIOUS_PROBE = "post-xml"
_FIELDS = InvoiceSendingStatusVo.model_fields


def _items(evidence: Evidence, probe: str, *, needed: bool = True) -> list[InvoiceSendingStatusVo]:
    """The call's invoices; a check that ``needed`` them is not run when there are none."""
    record = evidence.suite.journal.get(probe)
    model = evidence.suite.model(record.exchange) if record is not None else None
    if model is None:
        raise NotRun(f"the {probe} call gave no body that passed its own rules")
    items = [item for item in model.data or [] if item is not None]
    if needed and not items:
        raise NotRun(f"the {probe} call returned no invoice: there was nothing to compare")
    return items


def _failure(
    rule: str, expected: str, received: str, *, at: tuple[int, str], label: str
) -> StateFailure:
    index, field = at
    location = json_pointer(("Data", index, _FIELDS[field].alias or field))
    return StateFailure(
        rule=rule, expected=expected, received=received, location=location, request=label
    )


@covers("state.attempts-decreased", "state.sent-retried")
def check_state_progress(evidence: Evidence) -> Iterator[StateFailure]:
    """state.attempts-decreased and state.sent-retried between two consecutive calls."""
    before = {item.invoice_id: item for item in _items(evidence, PREVIOUS_PROBE)}
    success = set(evidence.suite.settings.success_statuses)
    for index, item in enumerate(_items(evidence, evidence.probe)):
        earlier = before.get(item.invoice_id)
        if earlier is None:
            continue
        if earlier.status in success:
            expected = f"invoice {item.invoice_id} not retried (it was {earlier.status})"
            yield _failure(
                "state.sent-retried",
                expected,
                "retried again",
                at=(index, "invoice_id"),
                label=evidence.label,
            )
        elif item.sending_attempts < earlier.sending_attempts:
            yield _failure(
                "state.attempts-decreased",
                f"SendingAttempts >= {earlier.sending_attempts}",
                f"SendingAttempts {item.sending_attempts}",
                at=(index, "sending_attempts"),
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
    previous = _items(evidence, PREVIOUS_PROBE, needed=False)
    before = {item.invoice_id: item.status for item in previous}
    for index, item in enumerate(_items(evidence, evidence.probe)):
        status = before.get(item.invoice_id)
        if status in settings.success_statuses or status in settings.failed_statuses:
            continue
        known = item.invoice_id in before
        was = f"was {status}" if known else "was not failed after the reset"
        expected = f"only invoices the previous call left {'/'.join(settings.failed_statuses)}"
        yield _failure(
            "state.not-failed-returned",
            expected,
            f"invoice {item.invoice_id} ({was})",
            at=(index, "invoice_id"),
            label=evidence.label,
        )
