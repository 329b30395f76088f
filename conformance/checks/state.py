"""``state.*``: consecutive calls are consistent.

This probe's call (B) is compared with the call just before it (A, the ``post-xml`` probe):
an invoice's ``SendingAttempts`` never goes down; an invoice A reported with a success
status (``--success-status``, default ``Sent``) is not retried in B; and when A followed a
reset - so A listed every failed invoice - B lists only invoices A left failed
(``--failed-status``, default ``Failed``).

Both calls are read as the facts of their invoices (:mod:`conformance.checks.invoices`:
``InvoiceId``, ``Status``, ``SendingAttempts`` from the reader's wire values), which is
also all the run keeps of call A once it is over; a body that broke a rule already, or a
contract without the generated response type, leaves the checks not run.
"""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.base import Evidence, covers, reads
from conformance.checks.invoices import (
    ATTEMPTS,
    DATA,
    INVOICE_ID,
    InvoiceFacts,
    invoice_facts,
)
from conformance.failures import NotRun, StateFailure
from contract.wire.values import json_pointer

__all__ = ["PREVIOUS_PROBE", "check_state_known", "check_state_progress"]

PREVIOUS_PROBE = "post-xml"


def _items(evidence: Evidence, probe: str, *, needed: bool = True) -> tuple[InvoiceFacts, ...]:
    """The call's invoices; a check that ``needed`` them is not run when there are none."""
    suite = evidence.suite
    facts: tuple[InvoiceFacts, ...] | None = None
    if suite.contract.response_model is not None:
        facts = suite.kept(probe, invoice_facts)
    if facts is None:
        raise NotRun(f"the {probe} call gave no body that passed its own rules")
    if needed and not facts:
        raise NotRun(f"the {probe} call returned no invoice: there was nothing to compare")
    return facts


def _failure(
    rule: str, expected: str, received: str, *, at: tuple[int, str], label: str
) -> StateFailure:
    index, member = at
    location = json_pointer((DATA, index, member))
    return StateFailure(
        rule=rule, expected=expected, received=received, location=location, request=label
    )


@covers("state.attempts-decreased", "state.sent-retried")
@reads(PREVIOUS_PROBE, keep=invoice_facts)
def check_state_progress(evidence: Evidence) -> Iterator[StateFailure]:
    """state.attempts-decreased and state.sent-retried between two consecutive calls."""
    before = {item.invoice_id: item for item in _items(evidence, PREVIOUS_PROBE)}
    success = set(evidence.suite.settings.success_statuses)
    for item in _items(evidence, evidence.probe):
        earlier = before.get(item.invoice_id)
        if earlier is None:
            continue
        if earlier.status in success:
            expected = f"invoice {item.invoice_id} not retried (it was {earlier.status})"
            yield _failure(
                "state.sent-retried",
                expected,
                "retried again",
                at=(item.position, INVOICE_ID),
                label=evidence.label,
            )
        elif item.attempts < earlier.attempts:
            yield _failure(
                "state.attempts-decreased",
                f"SendingAttempts >= {earlier.attempts}",
                f"SendingAttempts {item.attempts}",
                at=(item.position, ATTEMPTS),
                label=evidence.label,
            )


@covers("state.not-failed-returned")
@reads(PREVIOUS_PROBE, keep=invoice_facts)
def check_state_known(evidence: Evidence) -> Iterator[StateFailure]:
    """state.not-failed-returned: after a reset, the next call lists only invoices the
    previous call left failed."""
    record = evidence.suite.journal.get(PREVIOUS_PROBE)
    if evidence.suite.settings.reset is None or record is None or not record.after_reset:
        raise NotRun("needs --reset: the state before the call must be known")
    settings = evidence.suite.settings
    previous = _items(evidence, PREVIOUS_PROBE, needed=False)
    before = {item.invoice_id: item.status for item in previous}
    for item in _items(evidence, evidence.probe):
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
            at=(item.position, INVOICE_ID),
            label=evidence.label,
        )
