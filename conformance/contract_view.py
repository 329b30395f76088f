"""The contract as the suite needs it: the endpoint, its OpenAPI text, its wire XSD and
the generated pydantic model of its response (shared with the mock).

Loaded once per run from the ``contract`` package's committed artifacts (the resolved
contract, the OpenAPI text and the XSD files, :mod:`contract.artifacts`), so a run never
reads the help page. A caller may pass its own :class:`~contract.endpoint.EndpointContract`
instead; only then are its artifacts rendered, by the compiler's emitters, imported for
that alone. The generated model
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
from contract.datacontract import SCHEMA_NS, SERIALIZATION_NS
from contract.endpoint import EndpointContract
from contract.models import RESPONSE_MODEL, RestApiResultOfListOfInvoiceSendingStatusVo
from contract.xsd_validator import xsd_schema

__all__ = [
    "WALKER_CHECKED_PATTERNS",
    "SuiteContract",
    "load_suite_contract",
    "without_walker_checked_facets",
]


@dataclass(frozen=True)
class SuiteContract:
    """The endpoint contract plus the generated artifacts checks compare against."""

    endpoint: EndpointContract
    openapi: str
    xsd_files: dict[str, bytes] = field(repr=False)
    response_model: type[RestApiResultOfListOfInvoiceSendingStatusVo] | None = None

    @functools.cached_property
    def xsd(self) -> etree.XMLSchema:
        """The wire-profile schema of a whole response body (``response.xsd``), as the
        suite runs it: without the facets the XML walker checks more strictly itself
        (:func:`without_walker_checked_facets`)."""
        try:
            return xsd_schema(without_walker_checked_facets(self.xsd_files))
        except (ValueError, etree.XMLSyntaxError) as error:
            raise ConformanceError(f"the contract's XSD does not load: {error}") from None


# Simple types whose pattern facet the XML walker enforces more strictly in its own rule:
# a ``guid`` must be the lowercase ``D`` form (``GUID_D_PATTERN``), where the XSD takes
# either case. A value the facet refuses is always an ``xml.value-format`` failure, and the
# XSD's verdict is reported only when no other rule fired, so the facet never decides
# a report. libxml2 spent half of a 100,000-item body's validation on it.
WALKER_CHECKED_PATTERNS = ((SERIALIZATION_NS, "guid"),)


_XS = f"{{{SCHEMA_NS}}}"


def without_walker_checked_facets(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` with the pattern facets of :data:`WALKER_CHECKED_PATTERNS` removed."""
    trimmed = dict(files)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for path, content in files.items():
        schema = etree.fromstring(content, parser)
        namespace = schema.get("targetNamespace")
        names = {name for target, name in WALKER_CHECKED_PATTERNS if target == namespace}
        removed = False
        for simple_type in schema.iterfind(f"{_XS}simpleType"):
            if simple_type.get("name") in names:
                for restriction in simple_type.iterfind(f"{_XS}restriction"):
                    for pattern in restriction.findall(f"{_XS}pattern"):
                        restriction.remove(pattern)
                        removed = True
        if removed:
            trimmed[path] = etree.tostring(schema, xml_declaration=True, encoding="utf-8")
    return trimmed


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
        return _rendered(endpoint, model)
    except (OSError, ValueError) as error:
        raise ConformanceError(f"cannot load the contract: {error}") from None


def _rendered(
    endpoint: EndpointContract, model: type[RestApiResultOfListOfInvoiceSendingStatusVo] | None
) -> SuiteContract:
    # The compiler only for a contract of the caller's own: the bundled one is committed.
    from contract.compiler.emit.openapi import render_openapi  # noqa: PLC0415
    from contract.compiler.emit.xsd import render_xsd_files  # noqa: PLC0415

    return SuiteContract(endpoint, render_openapi(endpoint), render_xsd_files(endpoint), model)
