"""The contract as the suite needs it: the endpoint, its OpenAPI text and its wire XSD.

Loaded once per run from the ``contract`` package's generated artifacts; tests may pass
their own :class:`~contract.endpoint.EndpointContract` instead.
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

__all__ = ["SuiteContract", "load_suite_contract"]


@dataclass(frozen=True)
class SuiteContract:
    """The endpoint contract plus the generated artifacts checks compare against."""

    endpoint: EndpointContract
    openapi: str
    xsd_files: dict[str, bytes] = field(repr=False)

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
            return SuiteContract(load_contract(), openapi_text(), xsd_files())
        return SuiteContract(endpoint, render_openapi(endpoint), render_xsd_files(endpoint))
    except (OSError, ValueError) as error:
        raise ConformanceError(f"cannot load the contract: {error}") from None
