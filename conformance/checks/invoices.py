"""The invoices of a response body as the cross and state checks read them: wire values.

The checks compare the wire values the one reader of each format built
(:mod:`contract.wire.json_reader`, :mod:`contract.wire.xml_reader`), not a second,
validated copy: a body that broke no rule already holds values of the contract's types
(the readers enforce every member, type, range, null and GUID and date form the generated
model would), so validating it again could only cost time. The member names are the
generated model's wire names (:mod:`contract.models`), the bundled contract's response type:
a contract with another response type (``SuiteContract.response_model`` None) gives the
checks nothing to read.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from conformance.checks.base import Document
from contract.models import InvoiceSendingStatusVo, RestApiResultOfListOfInvoiceSendingStatusVo

__all__ = ["ATTEMPTS", "DATA", "INVOICE_ID", "STATUS", "InvoiceFacts", "invoice_facts"]

_ITEM = InvoiceSendingStatusVo.model_fields
DATA = RestApiResultOfListOfInvoiceSendingStatusVo.model_fields["data"].alias or "data"
INVOICE_ID = _ITEM["invoice_id"].alias or "invoice_id"
STATUS = _ITEM["status"].alias or "status"
ATTEMPTS = _ITEM["sending_attempts"].alias or "sending_attempts"


class InvoiceFacts(NamedTuple):
    """What the state checks need of one invoice of a call: where it is in ``Data``, which
    invoice it is, its ``Status`` and its ``SendingAttempts``."""

    position: int
    invoice_id: uuid.UUID
    status: str | None
    attempts: int


def invoice_facts(document: Document | None) -> tuple[InvoiceFacts, ...] | None:
    """A :data:`~conformance.checks.base.Keep`: the facts of every invoice of a body that
    broke no rule (null items skipped), or None for a missing or failed body."""
    if document is None or not document.clean:
        return None
    data: list[Any] = document.values.get(DATA) or []
    return tuple(
        InvoiceFacts(index, item[INVOICE_ID], item[STATUS], item[ATTEMPTS])
        for index, item in enumerate(data)
        if item is not None
    )
