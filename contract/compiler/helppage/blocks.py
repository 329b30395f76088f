"""The block stream both help-page readers produce, and the rules they share.

A help page, HTML or text, is read in two steps: a format-specific reader turns it into
a flat list of blocks (a section heading, a run of text, a model table, a sample's media
types, a sample) and :mod:`contract.compiler.helppage.assemble` turns that list into a
:class:`~contract.compiler.helppage.model.HelpPage`. Keeping the second step shared is what makes
the HTML page and its text rendering read to the same model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from contract.compiler.helppage.model import HelpPageError, ModelRow, ModelTable

__all__ = [
    "COLUMNS",
    "FORMATS_HEADINGS",
    "HTTP_METHODS",
    "NONE_TEXT",
    "NOT_AVAILABLE_TEXT",
    "SAMPLE_LABEL",
    "SECTION_HEADINGS",
    "Block",
    "Heading",
    "MediaHeader",
    "SampleBody",
    "Table",
    "Text",
    "Title",
    "check_characters",
    "generation_failure",
    "is_header_cells",
    "make_row",
    "normalize_space",
    "parse_media_types",
    "sample_text",
]

# The section headings HelpPageApiModel.cshtml writes, in page order.
SECTION_HEADINGS = (
    "Request Information",
    "URI Parameters",
    "Body Parameters",
    "Request Formats",
    "Response Information",
    "Resource Description",
    "Response Formats",
)
FORMATS_HEADINGS = ("Request Formats", "Response Formats")
COLUMNS = ("Name", "Description", "Type", "Additional information")
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"})
NONE_TEXT = "None."
NOT_AVAILABLE_TEXT = "Sample not available."
SAMPLE_LABEL = "Sample:"

# type/subtype, optionally followed by parameters (``; charset=utf-8``).
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w.+!#$&^-]*/[A-Za-z0-9*][\w.+!#$&^*-]*(\s*;.*)?$")
# Control characters other than tab, newline, carriage return and form feed.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# The messages HelpPageSampleGenerator.WriteSampleObjectUsingFormatter puts in an
# InvalidSample when a formatter cannot write the sample object, or throws doing so.
_GENERATION_FAILURES = (
    re.compile(
        r"^Failed to generate the sample for media type '[^']*'\."
        r" Cannot use formatter '[^']*' to write type '[^']*'\.$"
    ),
    re.compile(
        r"^An exception has occurred while using the formatter '[^']*' to generate sample"
        r" for media type '[^']*'\. Exception message: .*$"
    ),
)


@dataclass(frozen=True)
class Title:
    """The ``{METHOD} {route}`` heading (the page's ``<h1>``, the text's first line)."""

    text: str
    line: int


@dataclass(frozen=True)
class Heading:
    """One of :data:`SECTION_HEADINGS`."""

    name: str
    line: int


@dataclass(frozen=True)
class Text:
    """A paragraph, a run of inline text (a type link) or the heading of a model table."""

    text: str
    line: int


@dataclass(frozen=True)
class Table:
    """A Name / Description / Type / Additional information table."""

    rows: tuple[ModelRow, ...]
    line: int

    def named(self, type_name: str) -> ModelTable:
        """This table as the model table of ``type_name``."""
        return ModelTable(type_name=type_name, rows=self.rows, line=self.line)


@dataclass(frozen=True)
class MediaHeader:
    """The media types heading a sample (``application/json, text/json``)."""

    media_types: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class SampleBody:
    """A sample's text; None when the page shows none, with HelpPage's message as ``note``
    when it failed to generate the sample."""

    text: str | None
    line: int
    note: str | None = None


Block = Heading | Text | Table | MediaHeader | SampleBody


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space and trim, as a browser shows text."""
    return " ".join(text.split())


def check_characters(text: str, *, source: str) -> None:
    """Reject text holding control characters: it is binary data, not a help page."""
    found = _BINARY.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise HelpPageError(
            f"the file holds binary data (control character U+{ord(found.group()):04X}),"
            " not a help page",
            source=source,
            section="file",
            line=line,
        )


def parse_media_types(text: str) -> tuple[str, ...] | None:
    """The media types of a sample heading (comma-separated), or None if it is not one."""
    parts = tuple(part.strip() for part in text.split(","))
    if all(_MEDIA_TYPE.match(part) for part in parts):
        return parts
    return None


def generation_failure(text: str) -> str | None:
    """HelpPage's message if ``text`` is one it writes in place of a sample it failed to
    generate (whitespace collapsed), else None.

    InvalidSample.cshtml shows the message in a warning box in debug builds; the text
    rendering keeps only its words, so there the wording is all that tells it from a sample.
    """
    message = normalize_space(text)
    return message if any(p.match(message) for p in _GENERATION_FAILURES) else None


def is_header_cells(cells: Sequence[str]) -> bool:
    """Whether ``cells`` are the model table's column titles (case-insensitive)."""
    return [normalize_space(cell).lower() for cell in cells] == [c.lower() for c in COLUMNS]


def sample_text(lines: Sequence[str]) -> str | None:
    """A sample's text from its lines: verbatim, without leading or trailing blank lines.

    "Sample not available." alone means there is no sample (None).
    """
    start, stop = 0, len(lines)
    while start < stop and not lines[start].strip():
        start += 1
    while stop > start and not lines[stop - 1].strip():
        stop -= 1
    text = "\n".join(lines[start:stop])
    return None if text.strip() == NOT_AVAILABLE_TEXT else text


def make_row(
    *,
    name: Sequence[str],
    description: Sequence[str],
    type_text: Sequence[str],
    annotations: Sequence[str],
    line: int,
    where: tuple[str, str],
) -> ModelRow:
    """A model row from its cells, each given as its lines (its ``<p>`` paragraphs).

    Name, description and type are their lines joined with single spaces; each non-empty
    line of the Additional information cell is one annotation, and "None." means none.
    ``where`` is (source, section) for errors.
    """
    source, section = where
    row_name = normalize_space(" ".join(name))
    row_type = normalize_space(" ".join(type_text))
    if not row_name or not row_type:
        empty = "Name" if not row_name else "Type"
        raise HelpPageError(
            f"table row has an empty {empty} cell", source=source, section=section, line=line
        )
    notes = tuple(normalize_space(note) for note in annotations if note.strip())
    return ModelRow(
        name=row_name,
        description=normalize_space(" ".join(description)),
        type_text=row_type,
        annotations=() if notes == (NONE_TEXT,) else notes,
        line=line,
    )
