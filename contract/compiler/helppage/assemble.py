"""Turning a help page's block stream into a :class:`~contract.compiler.helppage.model.HelpPage`.

The page's grammar, shared by both readers: the title ``{METHOD} {route}``, the route
optionally ending in ApiExplorer's query string (``?since={since}&top={top}``) and every
parameter it binds listed under URI Parameters (:mod:`contract.compiler.helppage.route`);
the action's documentation; the sections of
:data:`~contract.compiler.helppage.blocks.SECTION_HEADINGS` in that order (the two Formats
sections optional). URI Parameters is "None." or a table. Body
Parameters and Resource Description are "None." or: documentation, the type, then the
type's model table, then any further model tables, each headed by its type's name.
A Formats section is samples, each a media-type heading then the sample, optionally
followed by more model tables (they join the section's resource description).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from contract.compiler.helppage.blocks import (
    FORMATS_HEADINGS,
    HTTP_METHODS,
    NONE_TEXT,
    NOT_AVAILABLE_TEXT,
    SAMPLE_LABEL,
    SECTION_HEADINGS,
    Block,
    Heading,
    MediaHeader,
    SampleBody,
    Table,
    Text,
    Title,
    normalize_space,
)
from contract.compiler.helppage.model import (
    HelpPage,
    HelpPageError,
    ModelRow,
    ModelTable,
    ResourceDescription,
    Sample,
)
from contract.compiler.helppage.route import RouteError, parse_route, unlisted_parameters

__all__ = ["assemble"]

_OPTIONAL = frozenset(FORMATS_HEADINGS)
_COLLECTION = "Collection of "


@dataclass
class _Section:
    name: str
    line: int
    blocks: list[Block] = field(default_factory=list)


def assemble(*, source: str, title: Title, blocks: Sequence[Block], last_line: int) -> HelpPage:
    """The help page a reader's blocks describe; HelpPageError where they break the grammar.

    ``last_line`` is the page's last line, where a missing final section is reported.
    """
    return _Assembler(source).page(title, blocks, last_line)


def _describe(block: Block) -> str:
    """How an error message names a block the grammar did not expect."""
    if isinstance(block, Text):
        return f"text {block.text!r}"
    if isinstance(block, Table):
        return "a model table"
    if isinstance(block, MediaHeader):
        return f"the sample heading {', '.join(block.media_types)!r}"
    if isinstance(block, SampleBody):
        return "a sample"
    return f"the heading {block.name!r}"


def _merge_type_lines(blocks: Sequence[Block]) -> list[Block]:
    """Join ``Dictionary of K [key]`` and ``and V [value]`` when rendered on two lines."""
    merged: list[Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if (
            isinstance(block, Text)
            and isinstance(previous, Text)
            and previous.text.endswith("[key]")
            and block.text.startswith("and ")
        ):
            merged[-1] = Text(f"{previous.text} {block.text}", previous.line)
        else:
            merged.append(block)
    return merged


def _table_type_name(type_text: str) -> str:
    """The type a description's own table lists: the element type of ``Collection of X``."""
    return type_text.removeprefix(_COLLECTION) if type_text.startswith(_COLLECTION) else type_text


class _Assembler:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str, *, section: str, line: int) -> HelpPageError:
        return HelpPageError(message, source=self.source, section=section, line=line)

    def page(self, title: Title, blocks: Sequence[Block], last_line: int) -> HelpPage:
        method, route = self.title(title)
        preamble, sections = self.split(blocks, last_line)
        self.expect_empty(sections["Request Information"])
        self.expect_empty(sections["Response Information"])
        uri_parameters = self.uri_parameters(sections["URI Parameters"])
        self.check_route_parameters(route, uri_parameters, title.line)
        body = self.description(sections["Body Parameters"])
        response = self.description(sections["Resource Description"])
        request_formats, body = self.formats(sections.get("Request Formats"), body)
        response_formats, response = self.formats(sections.get("Response Formats"), response)
        return HelpPage(
            source=self.source,
            method=method,
            route=route,
            documentation=self.documentation(preamble),
            uri_parameters=uri_parameters,
            body=body,
            request_formats=request_formats,
            response=response,
            response_formats=response_formats,
        )

    def title(self, title: Title) -> tuple[str, str]:
        parts = normalize_space(title.text).split(" ")
        if len(parts) != 2 or not parts[0]:
            raise self.fail(
                f"expected the title '{{METHOD}} {{route}}' (e.g. 'GET api/values/{{id}}'),"
                f" found {title.text!r}",
                section="Title",
                line=title.line,
            )
        method, route = parts
        if method.upper() not in HTTP_METHODS:
            raise self.fail(
                f"unknown HTTP method {method!r} in the title;"
                f" expected one of {', '.join(sorted(HTTP_METHODS))}",
                section="Title",
                line=title.line,
            )
        try:
            parse_route(route)
        except RouteError as error:
            raise self.fail(str(error), section="Title", line=title.line) from None
        return method.upper(), route

    def check_route_parameters(self, route: str, rows: Sequence[ModelRow], line: int) -> None:
        """Every parameter the route binds has its row under URI Parameters."""
        unlisted = unlisted_parameters(parse_route(route), (row.name for row in rows))
        if unlisted:
            raise self.fail(
                f"the route binds {{{unlisted[0]}}} but URI Parameters has no row for"
                f" {unlisted[0]!r}",
                section="Title",
                line=line,
            )

    def split(
        self, blocks: Sequence[Block], last_line: int
    ) -> tuple[list[Block], dict[str, _Section]]:
        """The blocks before the first heading, and each section's blocks by heading."""
        preamble: list[Block] = []
        sections: dict[str, _Section] = {}
        current: _Section | None = None
        for block in blocks:
            if isinstance(block, Heading):
                self.check_order(block, current)
                current = sections[block.name] = _Section(block.name, block.line)
            else:
                (preamble if current is None else current.blocks).append(block)
        self.check_missing(len(SECTION_HEADINGS), current, last_line)
        return preamble, sections

    def check_order(self, heading: Heading, current: _Section | None) -> None:
        """A heading must come after the previous one in page order, with none missing."""
        index = SECTION_HEADINGS.index(heading.name)
        if current is not None and index <= SECTION_HEADINGS.index(current.name):
            raise self.fail(
                f"section {heading.name!r} is out of order: it comes after {current.name!r}",
                section=heading.name,
                line=heading.line,
            )
        self.check_missing(index, current, heading.line)

    def check_missing(self, index: int, current: _Section | None, line: int) -> None:
        start = 0 if current is None else SECTION_HEADINGS.index(current.name) + 1
        for name in SECTION_HEADINGS[start:index]:
            if name not in _OPTIONAL:
                where = "before the end of the page"
                if index < len(SECTION_HEADINGS):
                    where = f"before {SECTION_HEADINGS[index]!r}"
                raise self.fail(f"section {name!r} is missing {where}", section=name, line=line)

    def documentation(self, preamble: Sequence[Block]) -> str:
        for block in preamble:
            if not isinstance(block, Text):
                raise self.fail(
                    f"expected the action's documentation, found {_describe(block)}",
                    section="Documentation",
                    line=block.line,
                )
        return " ".join(block.text for block in preamble if isinstance(block, Text))

    def expect_empty(self, section: _Section) -> None:
        if section.blocks:
            block = section.blocks[0]
            raise self.fail(
                f"unexpected {_describe(block)}; a subsection heading should come first",
                section=section.name,
                line=block.line,
            )

    def uri_parameters(self, section: _Section) -> tuple[ModelRow, ...]:
        blocks = section.blocks
        if len(blocks) == 1 and isinstance(blocks[0], Table):
            return blocks[0].rows
        if len(blocks) == 1 and isinstance(blocks[0], Text) and blocks[0].text == NONE_TEXT:
            return ()
        found = _describe(blocks[0]) if blocks else "nothing"
        line = blocks[0].line if blocks else section.line
        if len(blocks) > 1:
            found, line = f"{_describe(blocks[1])} after the first block", blocks[1].line
        raise self.fail(
            f"expected 'None.' or one parameter table, found {found}",
            section=section.name,
            line=line,
        )

    def description(self, section: _Section) -> ResourceDescription | None:
        """A Body Parameters or Resource Description section's description, or None."""
        blocks = _merge_type_lines(section.blocks)
        first = next((i for i, b in enumerate(blocks) if isinstance(b, Table)), len(blocks))
        texts = self.leading_texts(blocks[:first], section)
        type_block = texts[-1]
        if first == len(blocks) and type_block.text == NONE_TEXT:
            return None
        tables: list[ModelTable] = []
        for own in blocks[first : first + 1]:
            if isinstance(own, Table):
                tables.append(own.named(_table_type_name(type_block.text)))
            tables.extend(self.model_tables(blocks[first + 1 :], section.name))
        return ResourceDescription(
            documentation=" ".join(t.text for t in texts[:-1]),
            type_text=type_block.text,
            tables=tuple(tables),
            line=type_block.line,
        )

    def leading_texts(self, blocks: Sequence[Block], section: _Section) -> list[Text]:
        """The documentation and type before a description's table: text, at least one."""
        texts = [b for b in blocks if isinstance(b, Text)]
        for bad in blocks:
            if not isinstance(bad, Text):
                raise self.fail(f"unexpected {_describe(bad)}", section=section.name, line=bad.line)
        if not texts:
            found = section.blocks[0] if section.blocks else None
            message = "expected 'None.' or the type's name, found nothing"
            if found is not None:
                message = "the model table has no type name before it"
            line = section.line if found is None else found.line
            raise self.fail(message, section=section.name, line=line)
        return texts

    def model_tables(self, blocks: Sequence[Block], section: str) -> list[ModelTable]:
        """Further model tables: each headed by its type's name, then optional documentation."""
        tables: list[ModelTable] = []
        pending: list[Text] = []
        for block in blocks:
            if isinstance(block, Text):
                pending.append(block)
            elif isinstance(block, Table) and pending:
                tables.append(block.named(pending[0].text))
                pending = []
            elif isinstance(block, Table):
                raise self.fail(
                    "the model table has no type name before it", section=section, line=block.line
                )
            else:
                raise self.fail(f"unexpected {_describe(block)}", section=section, line=block.line)
        if pending:
            raise self.fail(
                f"unexpected {_describe(pending[0])} after the model tables",
                section=section,
                line=pending[0].line,
            )
        return tables

    def formats(
        self, section: _Section | None, description: ResourceDescription | None
    ) -> tuple[tuple[Sample, ...], ResourceDescription | None]:
        """A Formats section's samples, and its description with any trailing model tables."""
        if section is None:
            return (), description
        samples, rest = self.samples(section)
        if not rest:
            return tuple(samples), description
        extra = self.model_tables(rest, section.name)
        if description is None:
            raise self.fail(
                f"model table for {extra[0].type_name!r}, but the page has no resource"
                " description for it to belong to",
                section=section.name,
                line=extra[0].line,
            )
        tables = description.tables + tuple(extra)
        return tuple(samples), dataclasses.replace(description, tables=tables)

    def samples(self, section: _Section) -> tuple[list[Sample], list[Block]]:
        """The samples, and the blocks after them (model tables' names and tables)."""
        samples: list[Sample] = []
        header: MediaHeader | None = None
        for index, block in enumerate(section.blocks):
            if isinstance(block, MediaHeader):
                self.check_answered(header, section)
                header = block
            elif isinstance(block, Text) and block.text == SAMPLE_LABEL:
                self.check_headed(header, block, section)
            elif isinstance(block, SampleBody) or (
                isinstance(block, Text) and block.text == NOT_AVAILABLE_TEXT
            ):
                header = self.check_headed(header, block, section)
                samples.append(self.sample(header, block))
                header = None
            elif header is None and samples:
                return samples, list(section.blocks[index:])
            else:
                headed = self.check_headed(header, block, section)
                raise self.fail(
                    f"expected the sample for {', '.join(headed.media_types)!r},"
                    f" found {_describe(block)}",
                    section=section.name,
                    line=block.line,
                )
        self.check_answered(header, section)
        if not samples:
            raise self.fail("the section holds no sample", section=section.name, line=section.line)
        return samples, []

    @staticmethod
    def sample(header: MediaHeader, block: SampleBody | Text) -> Sample:
        """The sample a heading and its body make ("Sample not available." as text: none)."""
        if isinstance(block, Text):
            return Sample(media_types=header.media_types, text=None, line=header.line)
        return Sample(header.media_types, block.text, header.line, note=block.note)

    def check_headed(
        self, header: MediaHeader | None, block: Block, section: _Section
    ) -> MediaHeader:
        if header is None:
            raise self.fail(
                f"{_describe(block)} has no media-type heading before it"
                " (e.g. 'application/json, text/json')",
                section=section.name,
                line=block.line,
            )
        return header

    def check_answered(self, header: MediaHeader | None, section: _Section) -> None:
        if header is not None:
            raise self.fail(
                f"no sample under the media types {', '.join(header.media_types)!r}",
                section=section.name,
                line=header.line,
            )
