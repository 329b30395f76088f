"""Reading the plain-text rendering of a Help Page (what a browser's text copy gives).

The text grammar, line by line (blank lines are ignored outside samples):

- the first line is the title, ``{METHOD} {route}``;
- a line that is exactly a section heading (``Request Information``, ``URI Parameters``...)
  starts that section;
- ``| Name | Description | Type | Additional information |`` starts a model table; text
  glued before it (``TypeName| Name | ...``) is the line before the table (the type's
  name); a ``|---|`` separator line may follow;
- a table row starts with ``|`` and runs until the next row, heading or table; its text
  up to the last line ending in ``|`` holds its cells: Name, Description, Type,
  Additional information, or Name, Type, Additional information when the description is
  empty. A cell's lines are its paragraphs: each line of Additional information is one
  annotation. A line holding only ``|`` closes a row;
- in a Formats section, a line of media types (``application/json, text/json``) heads a
  sample, and ``Sample:`` starts its text, kept verbatim up to the next sample heading,
  section heading, or model table (a name line then a table header). "Sample not
  available." is no sample; so is HelpPage's message about a sample it failed to generate
  (``Failed to generate the sample for media type 'X'. ...``), kept as the sample's note;
- any other line is text: the documentation, a type, "None.", a model table's name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from contract.compiler.helppage.assemble import assemble
from contract.compiler.helppage.blocks import (
    COLUMNS,
    FORMATS_HEADINGS,
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
    check_characters,
    generation_failure,
    make_row,
    normalize_space,
    parse_media_types,
    sample_text,
)
from contract.compiler.helppage.model import HelpPage, HelpPageError, ModelRow

__all__ = ["parse_help_page_text"]

_HEADER = re.compile(
    r"^(?P<prefix>.*?)\|\s*" + r"\s*\|\s*".join(COLUMNS) + r"\s*\|\s*$", re.IGNORECASE
)
_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+$")
_CELLS_HELP = "expected 4 (Name | Description | Type | Additional information), or 3 without"
_CELLS_HELP += " the Description when it is empty"


def parse_help_page_text(text: str, *, source: str) -> HelpPage:
    """Read the text rendering of a help page; HelpPageError names the section and line.

    ``source`` names the page in errors and in :attr:`HelpPage.source`.
    """
    check_characters(text, source=source)
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    reader = _TextReader(lines, source)
    title = reader.title()
    blocks = reader.blocks()
    return assemble(source=source, title=title, blocks=blocks, last_line=len(lines))


def _split_cells(row_lines: Sequence[str]) -> list[list[str]]:
    """A row's cells, each as its stripped lines, without the row's outer ``|``."""
    lines = list(row_lines)
    while len(lines) > 1 and lines[-1].strip() == "|":
        lines.pop()
    body = "\n".join(lines).strip().removeprefix("|").removesuffix("|")
    return [[line.strip() for line in cell.split("\n")] for cell in body.split("|")]


class _TextReader:
    def __init__(self, lines: list[str], source: str) -> None:
        self.lines = lines
        self.source = source
        self.index = 0
        self.section = "Documentation"
        self.out: list[Block] = []

    def fail(self, message: str, line: int) -> HelpPageError:
        return HelpPageError(message, source=self.source, section=self.section, line=line)

    def stripped(self, index: int) -> str:
        return self.lines[index].strip() if index < len(self.lines) else ""

    def next_filled(self, index: int) -> int:
        """The index of the first non-blank line at or after ``index``."""
        while index < len(self.lines) and not self.lines[index].strip():
            index += 1
        return index

    def title(self) -> Title:
        self.index = self.next_filled(0)
        if self.index == len(self.lines):
            raise HelpPageError("the page is empty", source=self.source, section="Title", line=1)
        self.index += 1
        return Title(self.stripped(self.index - 1), self.index)

    def blocks(self) -> list[Block]:
        while self.index < len(self.lines):
            self.step(self.stripped(self.index))
        return self.out

    def step(self, line: str) -> None:
        """Read the block starting at the current line."""
        number = self.index + 1
        if not line:
            self.index += 1
        elif line in SECTION_HEADINGS:
            self.section = line
            self.out.append(Heading(line, number))
            self.index += 1
        elif header := _HEADER.match(line):
            self.table(header)
        elif line == SAMPLE_LABEL:
            self.out.append(Text(line, number))
            self.sample()
        elif line.startswith("|"):
            self.stray_row(line, number)
        else:
            media_types = parse_media_types(line) if self.section in FORMATS_HEADINGS else None
            self.out.append(MediaHeader(media_types, number) if media_types else Text(line, number))
            self.index += 1

    def stray_row(self, line: str, number: int) -> None:
        cells = [normalize_space(cell) for cell in line.strip("|").split("|")]
        if cells and cells[0].lower() == "name":
            raise self.fail(
                f"table header has the columns {' | '.join(cells)!r};"
                f" expected {' | '.join(COLUMNS)!r}",
                number,
            )
        raise self.fail(
            f"table row without a header line before it (expected '| {' | '.join(COLUMNS)} |')",
            number,
        )

    def table(self, header: re.Match[str]) -> None:
        """A header line, an optional separator, then rows."""
        line = self.index + 1
        if header.group("prefix").strip():
            self.out.append(Text(normalize_space(header.group("prefix")), line))
        self.index = self.next_filled(self.index + 1)
        if _SEPARATOR.match(self.stripped(self.index)):
            self.index += 1
        rows: list[ModelRow] = []
        self.index = self.next_filled(self.index)
        while self.is_row_start(self.index):
            rows.append(self.row())
            self.index = self.next_filled(self.index)
        if not rows:
            raise self.fail("model table has a header but no rows", line)
        self.out.append(Table(tuple(rows), line))

    def is_row_start(self, index: int) -> bool:
        line = self.stripped(index)
        return line.startswith("|") and line != "|" and not _HEADER.match(line)

    def row(self) -> ModelRow:
        """One row: its lines up to the last one ending in ``|`` before the next block."""
        start = self.index
        end = start + 1
        closed = start + 1
        while end < len(self.lines) and not self.ends_row(end):
            end += 1
            if self.stripped(end - 1).endswith("|"):
                closed = end
        if self.next_filled(closed) < end and self.is_row_start(end):
            raise self.fail("table row is not closed with '|' before the next row", start + 1)
        self.index = closed
        return self.make_row(_split_cells(self.lines[start:closed]), start + 1)

    def ends_row(self, index: int) -> bool:
        line = self.stripped(index)
        return line in SECTION_HEADINGS or self.is_row_start(index) or bool(_HEADER.match(line))

    def make_row(self, cells: list[list[str]], line: int) -> ModelRow:
        if len(cells) == 3:
            cells.insert(1, [])
        if len(cells) != 4:
            raise self.fail(f"table row has {len(cells)} cells; {_CELLS_HELP}", line)
        name, description, type_text, annotations = cells
        return make_row(
            name=name,
            description=description,
            type_text=type_text,
            annotations=annotations,
            line=line,
            where=(self.source, self.section),
        )

    def sample(self) -> None:
        """A sample's lines after ``Sample:``, verbatim, up to the next block."""
        start = self.index + 1
        self.index = self.next_filled(start)
        if self.stripped(self.index) == NOT_AVAILABLE_TEXT:
            # The whole of a missing sample is that one line; what follows is not its text.
            self.out.append(SampleBody(None, self.index + 1))
            self.index += 1
            return
        while self.index < len(self.lines) and not self.ends_sample(self.index):
            self.index += 1
        text = sample_text(self.lines[start : self.index])
        if not text:
            return
        line = self.next_filled(start) + 1
        note = generation_failure(text)
        # HelpPage's message about a sample it could not generate stands where the
        # sample would: it is no sample (the HTML page shows it in a warning box).
        self.out.append(SampleBody(None, line, note) if note else SampleBody(text, line))

    def ends_sample(self, index: int) -> bool:
        """A section heading, a model table, or the next sample's media types end a sample."""
        line = self.stripped(index)
        after = self.stripped(self.next_filled(index + 1))
        return (
            line in SECTION_HEADINGS
            or bool(_HEADER.match(line))
            or bool(line and _HEADER.match(after) and not line.startswith("|"))
            or (parse_media_types(line) is not None and after == SAMPLE_LABEL)
        )
