"""The contract as the suite needs it: the endpoint, its OpenAPI text, its wire XSD and
the generated pydantic model of its response (shared with the mock).

Loaded once per run from the ``contract`` package's generated artifacts; tests may pass
their own :class:`~contract.endpoint.EndpointContract` instead. The generated model
(:data:`contract.models.RESPONSE_MODEL`) is the bundled contract's response type: a
contract with another response type has none, and the checks that read typed values
(cross, state) report not run for it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from lxml import etree

from conformance.failures import ConformanceError
from contract.artifacts import load_contract, openapi_text, xsd_files
from contract.emit.openapi import render_openapi
from contract.emit.xsd import render_xsd_files, xsd_schema
from contract.endpoint import EndpointContract
from contract.models import RESPONSE_MODEL, RestApiResultOfListOfInvoiceSendingStatusVo

__all__ = ["SuiteContract", "load_suite_contract"]


@dataclass(frozen=True)
class SuiteContract:
    """The endpoint contract plus the generated artifacts checks compare against."""

    endpoint: EndpointContract
    openapi: str
    xsd_files: dict[str, bytes] = field(repr=False)
    response_model: type[RestApiResultOfListOfInvoiceSendingStatusVo] | None = None

    @functools.cached_property
    def xsd(self) -> etree.XMLSchema:
        """The wire-profile schema of a whole response body (``response.xsd``)."""
        try:
            return xsd_schema(self.xsd_files)
        except ValueError as error:
            raise ConformanceError(f"the contract's XSD does not load: {error}") from None


def load_suite_contract(endpoint: EndpointContract | None = None) -> SuiteContract:
    """The bundled contract, or ``endpoint`` with artifacts rendered from it."""
    try:
        if endpoint is None:
            return SuiteContract(load_contract(), openapi_text(), xsd_files(), RESPONSE_MODEL)
        bundled = load_contract()
        same_type = (endpoint.response_type, endpoint.catalog) == (
            bundled.response_type,
            bundled.catalog,
        )
        model = RESPONSE_MODEL if same_type else None
        return SuiteContract(endpoint, render_openapi(endpoint), render_xsd_files(endpoint), model)
    except (OSError, ValueError) as error:
        raise ConformanceError(f"cannot load the contract: {error}") from None
