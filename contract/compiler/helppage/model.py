"""What an ASP.NET Web API Help Page says, before any of it is interpreted.

Both readers (the HTML the HelpPage package serves and its plain-text rendering) produce
this model; :mod:`contract.compiler.resolve` turns it into an
:class:`~contract.endpoint.EndpointContract`.
Every piece keeps the line it was read from, so later errors can point at the page.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "HelpPage",
    "HelpPageError",
    "ModelRow",
    "ModelTable",
    "ResourceDescription",
    "Sample",
]


class HelpPageError(ValueError):
    """A help page that cannot be read, with the section and line where reading failed."""

    def __init__(self, message: str, *, source: str, section: str, line: int) -> None:
        self.source = source
        self.section = section
        self.line = line
        self.reason = message
        super().__init__(f"{source}:{line}: in section {section!r}: {message}")


@dataclass(frozen=True)
class ModelRow:
    """One row of a Name / Description / Type / Additional information table.

    ``type_text`` is the Type cell as written (``integer``, ``Collection of X``, a type
    name); ``annotations`` are the Additional information entries, one per line
    (``Required``, ``Range: inclusive between 1 and 10``...), without ``None.``.
    """

    name: str
    description: str
    type_text: str
    annotations: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class ModelTable:
    """The members of one complex type, as a model table lists them.

    ``type_name`` is the name the page gives the type (for the table under a resource
    description, that description's type name).
    """

    type_name: str
    rows: tuple[ModelRow, ...]
    line: int


@dataclass(frozen=True)
class ResourceDescription:
    """A body parameter's or the response's "Resource Description".

    ``type_text`` is the type as written: a complex type's name, ``Collection of X``,
    ``Dictionary of K [key] and V [value]`` or a simple type word (``integer``...).
    ``tables`` holds the model table of that type, if it is complex, and of any other
    complex type the page describes.
    """

    documentation: str
    type_text: str
    tables: tuple[ModelTable, ...]
    line: int


@dataclass(frozen=True)
class Sample:
    """A sample for a group of media types.

    ``text`` is None when the page shows no sample: "Sample not available.", an image, or
    a sample HelpPage failed to generate. For the last, ``note`` keeps the message HelpPage
    writes in the sample's place (``Failed to generate the sample for media type 'X'.
    Cannot use formatter 'Y' to write type 'Z'.``); it is None otherwise.
    """

    media_types: tuple[str, ...]
    text: str | None
    line: int
    note: str | None = None


@dataclass(frozen=True)
class HelpPage:
    """One action's help page.

    ``route`` is the title's route as written, query string included
    (``api/x?since={since}``); :func:`contract.compiler.helppage.route.parse_route` splits it.
    """

    source: str
    method: str
    route: str
    documentation: str
    uri_parameters: tuple[ModelRow, ...]
    body: ResourceDescription | None
    request_formats: tuple[Sample, ...]
    response: ResourceDescription | None
    response_formats: tuple[Sample, ...]
