"""Reading the HTML page the HelpPage package serves (``/Help/Api/{id}``).

The page is read from its first ``<h1>`` (``{METHOD} {route}``) through the elements after
it, in document order, as HelpPageApiModel.cshtml writes them: ``<h2>``/``<h3>`` section
headings, ``<p>`` paragraphs, inline runs (a type link, ``Collection of <a>X</a>``),
``help-page-table`` tables, and in a Formats section ``<h4>`` media types followed by a
``<pre>`` sample, ``<p>Sample not available.</p>`` or (debug builds) a warning box holding
the message of a sample HelpPage failed to generate (kept as the sample's note).
Headings that are not section headings name the model table after them, as on a
ResourceModel page. Layout around that content (navigation, footer) is ignored.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from contract.compiler.helppage.assemble import assemble
from contract.compiler.helppage.blocks import (
    COLUMNS,
    FORMATS_HEADINGS,
    NOT_AVAILABLE_TEXT,
    SECTION_HEADINGS,
    Block,
    Heading,
    MediaHeader,
    SampleBody,
    Table,
    Text,
    Title,
    check_characters,
    is_header_cells,
    make_row,
    normalize_space,
    parse_media_types,
    sample_text,
)
from contract.compiler.helppage.model import HelpPage, HelpPageError, ModelRow

__all__ = ["parse_help_page_html"]

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED = frozenset({"script", "style", "link", "meta", "head", "title", "noscript", "template"})
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "cite", "code", "em", "font", "i", "kbd", "q", "s", "samp",
     "small", "span", "strong", "sub", "sup", "tt", "u", "var"}
)  # fmt: skip
_WARNING_CLASS = "warning-message-container"


def parse_help_page_html(text: str, *, source: str) -> HelpPage:
    """Read a help page's HTML; HelpPageError names the section and line where it breaks.

    ``source`` names the page in errors and in :attr:`HelpPage.source`.
    """
    check_characters(text, source=source)
    if not text.strip():
        raise HelpPageError("the page is empty", source=source, section="Title", line=1)
    root = _parse(text.removeprefix("\ufeff").replace("\r\n", "\n"), source)
    h1 = next(root.iter("h1"), None)
    if h1 is None:
        raise HelpPageError(
            "no <h1> heading; expected <h1>{METHOD} {route}</h1> (e.g. <h1>GET api/values</h1>)",
            source=source,
            section="Title",
            line=1,
        )
    walker = _Walker(source)
    walker.text(h1.tail, h1)
    for element in h1.itersiblings():
        walker.element(element)
    walker.flush()
    title = Title(normalize_space(h1.text_content()), h1.sourceline or 1)
    last_line = text.count("\n") + 1
    return assemble(source=source, title=title, blocks=walker.out, last_line=last_line)


def _parse(text: str, source: str) -> lxml_html.HtmlElement:
    # Bytes with an explicit encoding: lxml refuses str input that declares an encoding.
    parser = lxml_html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True)
    try:
        return lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise HelpPageError(
            f"the HTML cannot be parsed: {error}", source=source, section="file", line=1
        ) from None


def _end_line(element: lxml_html.HtmlElement) -> int:
    """The line an element ends on, near enough: its start plus the newlines inside it."""
    content: str = element.text_content()
    return (element.sourceline or 1) + content.count("\n")


def _leading_newlines(text: str) -> int:
    return text[: len(text) - len(text.lstrip())].count("\n")


def _paragraphs(cell: lxml_html.HtmlElement) -> list[str]:
    """A table cell's paragraphs (``<p>`` elements), or its whole text when it has none."""
    paragraphs = cell.findall(".//p")
    if paragraphs:
        return [normalize_space(p.text_content()) for p in paragraphs]
    return [normalize_space(cell.text_content())]


def _classes(element: lxml_html.HtmlElement) -> list[str]:
    return str(element.get("class", "")).split()


class _Walker:
    """Turns the elements after the title into blocks, in document order."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.section = "Documentation"
        self.out: list[Block] = []
        self.inline: list[str] = []
        self.inline_line = 0

    def fail(self, message: str, line: int | None) -> HelpPageError:
        return HelpPageError(message, source=self.source, section=self.section, line=line or 1)

    def text(self, text: str | None, after: lxml_html.HtmlElement, *, inside: bool = False) -> None:
        """Inline text: an element's own text (``inside``) or the tail after it."""
        if not text or not text.strip():
            return
        if not self.inline:
            start = (after.sourceline or 1) if inside else _end_line(after)
            self.inline_line = start + _leading_newlines(text)
        self.inline.append(text)

    def flush(self) -> None:
        """End the current inline run: it becomes a Text block."""
        text = normalize_space("".join(self.inline))
        self.inline = []
        if text:
            self.out.append(Text(text, self.inline_line))

    def element(self, element: lxml_html.HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in _SKIPPED:
            if tag in _INLINE:
                self.children(element)
            else:
                self.flush()
                self.block(tag, element)
                self.flush()
        self.text(element.tail, element)

    def children(self, element: lxml_html.HtmlElement) -> None:
        self.text(element.text, element, inside=True)
        for child in element:
            self.element(child)

    def block(self, tag: str, element: lxml_html.HtmlElement) -> None:
        line = element.sourceline or 1
        if tag in _HEADINGS:
            self.heading(tag, normalize_space(element.text_content()), line)
        elif tag == "p":
            self.paragraph(normalize_space(element.text_content()), line)
        elif tag == "table":
            self.out.append(self.table(element))
        elif tag == "pre":
            lines = element.text_content().replace("\r\n", "\n").split("\n")
            self.out.append(SampleBody(sample_text(lines), line))
        elif tag == "img" or _WARNING_CLASS in _classes(element):
            # An image sample or a failed one (debug builds): no text sample to keep, but
            # the failure's message is worth keeping as a note.
            if self.section in FORMATS_HEADINGS:
                note = normalize_space(element.text_content()) if tag != "img" else ""
                self.out.append(SampleBody(None, line, note or None))
        else:
            self.children(element)

    def heading(self, tag: str, text: str, line: int) -> None:
        media_types = parse_media_types(text) if tag == "h4" else None
        if text in SECTION_HEADINGS:
            self.section = text
            self.out.append(Heading(text, line))
        elif media_types and self.section in FORMATS_HEADINGS:
            self.out.append(MediaHeader(media_types, line))
        elif text:
            self.out.append(Text(text, line))

    def paragraph(self, text: str, line: int) -> None:
        if text == NOT_AVAILABLE_TEXT and self.section in FORMATS_HEADINGS:
            self.out.append(SampleBody(None, line))
        elif text:
            self.out.append(Text(text, line))

    def table(self, table: lxml_html.HtmlElement) -> Table:
        """A model table: a header row of ``<th>`` column titles, then one row per member."""
        rows = list(table.iter("tr"))
        line = table.sourceline
        header = [cell for cell in rows[0] if cell.tag in ("th", "td")] if rows else []
        titles = [normalize_space(cell.text_content()) for cell in header]
        if not header or any(cell.tag != "th" for cell in header):
            raise self.fail(
                f"table has no header row (expected <th> cells {' | '.join(COLUMNS)!r})", line
            )
        if not is_header_cells(titles):
            raise self.fail(
                f"table header has the columns {' | '.join(titles)!r};"
                f" expected {' | '.join(COLUMNS)!r}",
                line,
            )
        if len(rows) == 1:
            raise self.fail("model table has a header but no rows", line)
        return Table(tuple(self.row(tr) for tr in rows[1:]), line or 1)

    def row(self, tr: lxml_html.HtmlElement) -> ModelRow:
        cells = [cell for cell in tr if cell.tag in ("td", "th")]
        if len(cells) != len(COLUMNS):
            raise self.fail(
                f"table row has {len(cells)} cells; expected {len(COLUMNS)}"
                f" ({' | '.join(COLUMNS)})",
                tr.sourceline,
            )
        name, description, type_cell, annotations = cells
        return make_row(
            name=[name.text_content()],
            description=_paragraphs(description),
            type_text=[type_cell.text_content()],
            annotations=_paragraphs(annotations),
            line=tr.sourceline or 1,
            where=(self.source, self.section),
        )
