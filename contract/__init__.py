"""The contract of ``POST api/v1/billing/invoices/retryallfailed``, generated from its help page.

This package is what the mock and the suite import at run time: the contract's model
(:class:`EndpointContract` and the CLR types of :mod:`contract.clr`), the bundled contract
and artifacts (:func:`load_contract`, :func:`openapi_text`, :func:`xsd_files`, read from
``contract/generated``), wire serializers (:mod:`contract.wire`), content negotiation
(:mod:`contract.negotiation`) and the generated pydantic models (:mod:`contract.models`).
The help-page compiler that generates the artifacts is :mod:`contract.compiler`
(``python -m contract``); nothing here imports it.
"""

from contract.artifacts import load_contract, openapi_text, xsd_files
from contract.endpoint import EndpointContract, JsonDateFormat
from contract.netdatetime import DateTimeKind, NetDateTime

__all__ = [
    "DateTimeKind",
    "EndpointContract",
    "JsonDateFormat",
    "NetDateTime",
    "load_contract",
    "openapi_text",
    "xsd_files",
]
