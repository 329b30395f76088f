"""The contract of ``POST api/v1/billing/invoices/retryallfailed``, generated from its help page.

The public API: read a help page (:func:`read_help_page`), resolve it into an
:class:`EndpointContract` (:func:`resolve_contract`), or load the bundled one
(:func:`load_contract`); the generated artifacts (:func:`openapi_text`, :func:`xsd_files`).
Wire serializers live in :mod:`contract.wire`, content negotiation in
:mod:`contract.negotiation`, the generated pydantic models in :mod:`contract.models`.
"""

from contract.artifacts import load_contract, openapi_text, xsd_files
from contract.endpoint import EndpointContract, JsonDateFormat
from contract.helppage import HelpPage, HelpPageError, read_help_page
from contract.netdatetime import DateTimeKind, NetDateTime
from contract.resolve import ContractError, resolve_contract

__all__ = [
    "ContractError",
    "DateTimeKind",
    "EndpointContract",
    "HelpPage",
    "HelpPageError",
    "JsonDateFormat",
    "NetDateTime",
    "load_contract",
    "openapi_text",
    "read_help_page",
    "resolve_contract",
    "xsd_files",
]
