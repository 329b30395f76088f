"""The retry endpoint's contract written by hand from the documented facts of the service.

This is independent of the help-page reader: the resolver's test compares what it reads
from the help page with this, and emitter tests may use it as their input.
"""

from __future__ import annotations

from contract.clr import (
    ArrayType,
    ComplexRef,
    ComplexType,
    Member,
    Primitive,
    PrimitiveType,
    TypeCatalog,
)
from contract.endpoint import EndpointContract, JsonDateFormat

CORE_NS = "Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects"
BILLING_NS = "Com.Healthbridge.Hhas.Billing.Interface.ValueObjects"

STRING = PrimitiveType(Primitive.STRING)
INT = PrimitiveType(Primitive.INT32)
BOOL = PrimitiveType(Primitive.BOOLEAN)
GUID = PrimitiveType(Primitive.GUID)
DATETIME = PrimitiveType(Primitive.DATETIME)

ITEM = ComplexRef(BILLING_NS, "InvoiceSendingStatusVo")
LINK = ComplexRef(CORE_NS, "RestApiLink")
ENVELOPE = ComplexRef(CORE_NS, "RestApiResult", (ArrayType(ITEM),))


def expected_retry_catalog() -> TypeCatalog:
    """Envelope, item and link, members in declaration order (the JSON order)."""
    return TypeCatalog(
        (
            ComplexType(
                ENVELOPE,
                (
                    Member("Sucess", BOOL),
                    Member("ResponseCode", INT),
                    Member("ResponseMessage", STRING),
                    Member("Data", ArrayType(ITEM)),
                    Member("Links", ArrayType(LINK)),
                ),
            ),
            ComplexType(
                ITEM,
                (
                    Member("PracticeId", GUID),
                    Member("EncounterId", GUID),
                    Member("InvoiceId", GUID),
                    Member("Reason", STRING),
                    Member("Status", STRING),
                    Member("System", STRING),
                    Member("SendingTime", DATETIME),
                    Member("SendingAttempts", INT),
                    Member("SendingType", STRING),
                ),
            ),
            ComplexType(LINK, (Member("Rel", STRING), Member("HRef", STRING))),
        )
    )


def expected_retry_contract() -> EndpointContract:
    """The whole endpoint, without the help page's samples."""
    return EndpointContract(
        method="POST",
        route="api/v1/billing/invoices/retryallfailed",
        documentation="Trigger command to retry all failed invoices to external system",
        response_type=ENVELOPE,
        response_description="Ids of the invoices",
        catalog=expected_retry_catalog(),
        json_date_format=JsonDateFormat.WALL_CLOCK_Z,
    )
