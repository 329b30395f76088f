"""One API action as a contract: its route, its parameters and the .NET types it returns.

This is what :mod:`contract.compiler.resolve` builds from a help page and what every emitter reads.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from contract.clr import ClrType, Constraints, TypeCatalog

__all__ = [
    "JSON_MEDIA_TYPES",
    "XML_MEDIA_TYPES",
    "EndpointContract",
    "JsonDateFormat",
    "Parameter",
    "ParameterSource",
]

JSON_MEDIA_TYPES = ("application/json", "text/json")
XML_MEDIA_TYPES = ("application/xml", "text/xml")


class JsonDateFormat(enum.Enum):
    """How the service's JSON formatter writes ``DateTime`` values.

    ``WALL_CLOCK_Z``: ``yyyy-MM-ddTHH:mm:ssZ``, the wall-clock time with no fraction and a
    literal ``Z`` whatever the kind (the retry service's setting);
    ``ROUND_TRIP``: Json.NET's default ISO form with up to 7 fraction digits and the kind.
    """

    WALL_CLOCK_Z = "wall-clock-z"
    ROUND_TRIP = "round-trip"

    @property
    def pattern(self) -> str:
        """A regular expression every value written in this format matches."""
        if self is JsonDateFormat.WALL_CLOCK_Z:
            return r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
        return r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$"


class ParameterSource(enum.Enum):
    """Where a request parameter is bound from."""

    URI = "uri"
    BODY = "body"


@dataclass(frozen=True)
class Parameter:
    """A URI or body parameter of the action."""

    name: str
    source: ParameterSource
    type: ClrType
    description: str = ""
    constraints: Constraints = field(default_factory=Constraints)


@dataclass(frozen=True)
class EndpointContract:
    """Everything the help page says about one action, with its types resolved.

    ``samples`` maps each response media type to the help page's sample text for it
    (missing where the page says "Sample not available.").
    """

    method: str
    route: str
    documentation: str
    response_type: ClrType | None
    response_description: str
    catalog: TypeCatalog
    parameters: tuple[Parameter, ...] = ()
    request_media_types: tuple[str, ...] = ()
    response_media_types: tuple[str, ...] = JSON_MEDIA_TYPES + XML_MEDIA_TYPES
    samples: tuple[tuple[str, str], ...] = ()
    request_samples: tuple[tuple[str, str], ...] = ()
    json_date_format: JsonDateFormat = JsonDateFormat.ROUND_TRIP

    @property
    def path(self) -> str:
        """The route as an absolute URL path: ``/api/v1/billing/invoices/retryallfailed``."""
        return "/" + self.route.lstrip("/")

    @property
    def operation_id(self) -> str:
        """``POST-api-v1-billing-invoices-retryallfailed``: the id HelpPage gives the action."""
        route = self.route.strip("/").replace("/", "-").replace("{", "").replace("}", "")
        return f"{self.method}-{route}"

    def sample_for(self, media_type: str) -> str | None:
        """The response sample for ``media_type``, or None."""
        return dict(self.samples).get(media_type)
