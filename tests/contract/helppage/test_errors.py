"""Malformed help pages: each is refused with a HelpPageError naming section and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from contract.compiler.helppage import (
    HelpPageError,
    parse_help_page_html,
    parse_help_page_text,
    read_help_page,
)
from tests.contract.helppage.support import HEADER_HTML, HEADER_TEXT


@dataclass(frozen=True)
class Broken:
    """A broken page and where its reader must say it breaks."""

    id: str
    content: str
    section: str
    line: int
    says: str


TEXT_TAIL = "Response Information\nResource Description\ninteger\n"
BODY_TAIL = f"Body Parameters\nNone.\n{TEXT_TAIL}"
TEXT_CASES = [
    Broken("title-not-method-and-route", "Invoices\nRequest Information\n", "Title", 1,
           "expected the title '{METHOD} {route}'"),
    Broken("title-after-blank-lines", "\n\nGET\n", "Title", 3, "found 'GET'"),
    Broken("unknown-method", "FETCH api/things\nRequest Information\n", "Title", 1,
           "unknown HTTP method 'FETCH'"),
    Broken("row-with-two-cells",
           f"GET api/x\nRequest Information\nURI Parameters\n{HEADER_TEXT}\n|---|---|---|---|\n"
           "| id | integer |\n|\n", "URI Parameters", 6, "table row has 2 cells; expected 4"),
    Broken("row-with-five-cells",
           f"GET api/x\nRequest Information\nURI Parameters\n{HEADER_TEXT}\n"
           "| id | a | b | c | d |\n", "URI Parameters", 5, "table row has 5 cells"),
    Broken("row-without-header",
           "GET api/x\nRequest Information\nURI Parameters\n| id | The id | integer | None. |\n",
           "URI Parameters", 4, "table row without a header line"),
    Broken("header-with-wrong-columns",
           "GET api/x\nRequest Information\nURI Parameters\n| Name | Type |\n| id | integer |\n",
           "URI Parameters", 4, "table header has the columns 'Name | Type'"),
    Broken("header-without-rows",
           f"GET api/x\nRequest Information\nURI Parameters\n{HEADER_TEXT}\nBody Parameters\n",
           "URI Parameters", 4, "model table has a header but no rows"),
    Broken("sample-without-media-types",
           "GET api/x\nRequest Information\nURI Parameters\nNone.\nBody Parameters\nNone.\n"
           f"{TEXT_TAIL}Response Formats\nSample:\n{{}}\n", "Response Formats", 11,
           "text 'Sample:' has no media-type heading before it"),
    Broken("sample-text-without-anything",
           "GET api/x\nRequest Information\nURI Parameters\nNone.\nBody Parameters\nNone.\n"
           f"{TEXT_TAIL}Response Formats\n{{\n}}\n", "Response Formats", 11,
           "text '{' has no media-type heading"),
    Broken("media-types-without-sample",
           "GET api/x\nRequest Information\nURI Parameters\nNone.\nBody Parameters\nNone.\n"
           f"{TEXT_TAIL}Response Formats\napplication/json\nSample:\n\n", "Response Formats", 11,
           "no sample under the media types 'application/json'"),
    Broken("missing-section",
           f"GET api/x\nRequest Information\nURI Parameters\nNone.\n{TEXT_TAIL}",
           "Body Parameters", 5, "section 'Body Parameters' is missing before 'Response"),
    Broken("section-out-of-order",
           "GET api/x\nRequest Information\nURI Parameters\nNone.\nBody Parameters\nNone.\n"
           "URI Parameters\n", "URI Parameters", 7,
           "out of order: it comes after 'Body Parameters'"),
    Broken("missing-last-section",
           "GET api/x\nRequest Information\nURI Parameters\nNone.\nBody Parameters\nNone.\n"
           "Response Information\n", "Resource Description", 8, "before the end of the page"),
    Broken("text-under-request-information",
           f"GET api/x\nRequest Information\nstray words\nURI Parameters\nNone.\n{BODY_TAIL}",
           "Request Information",
           3, "unexpected text 'stray words'"),
    Broken("empty-resource-description",
           "GET api/x\nRequest Information\nURI Parameters\nNone.\nBody Parameters\nNone.\n"
           "Response Information\nResource Description\n", "Resource Description", 8,
           "expected 'None.' or the type's name, found nothing"),
    Broken("uri-parameters-two-tables",
           f"GET api/x\nRequest Information\nURI Parameters\nNone.\n{HEADER_TEXT}\n"
           f"| a | integer | None. |\n{BODY_TAIL}", "URI Parameters", 5,
           "expected 'None.' or one parameter table, found a model table"),
    Broken("empty-type-cell",
           f"GET api/x\nRequest Information\nURI Parameters\n{HEADER_TEXT}\n"
           "| a | doc |  | None. |\n",
           "URI Parameters", 5, "table row has an empty Type cell"),
    Broken("query-name-without-placeholder", "GET api/x?since\nRequest Information\n",
           "Title", 1, "the query string holds 'since'; expected name={name} pairs"),
    Broken("query-placeholder-of-another-name",
           "\nGET api/x?since={from}\nRequest Information\n", "Title", 2,
           "binds 'since' to {from}; ApiExplorer writes since={since}"),
    Broken("query-name-twice", "GET api/x?a={a}&a={a}\n", "Title", 1,
           "the query string names 'a' twice"),
    Broken("query-parameter-without-row",
           f"GET api/x?since={{since}}\nRequest Information\nURI Parameters\nNone.\n{BODY_TAIL}",
           "Title", 1, "the route binds {since} but URI Parameters has no row for 'since'"),
    Broken("template-parameter-without-row",
           f"GET api/x/{{id}}?a={{a}}\nRequest Information\nURI Parameters\n{HEADER_TEXT}\n"
           f"| a | string | None. |\n|\n{BODY_TAIL}",
           "Title", 1, "the route binds {id} but URI Parameters has no row for 'id'"),
    Broken("empty", "", "Title", 1, "the page is empty"),
    Broken("blank", " \n\t\n", "Title", 1, "the page is empty"),
    Broken("nul-bytes", "GET api/x\nRequest\x00 Information\n", "file", 2, "binary data"),
]  # fmt: skip

HTML_HEAD = "<html><body>\n<h1>GET api/x</h1>\n<div>\n<h2>Request Information</h2>\n"
HTML_CASES = [
    Broken("no-h1", "<html><body><h2>Request Information</h2></body></html>", "Title", 1,
           "no <h1> heading"),
    Broken("h1-not-method-and-route", "<html>\n<body>\n<h1>Invoices</h1>\n</body></html>",
           "Title", 3, "expected the title '{METHOD} {route}'"),
    Broken("unknown-method", "<html>\n<body>\n<h1>FETCH api/x</h1>\n</body></html>", "Title", 3,
           "unknown HTTP method 'FETCH'"),
    Broken("query-pair-without-value",
           "<html>\n<body>\n<h1>GET api/x?since={since}&amp;top</h1>\n</body></html>",
           "Title", 3, "the query string holds 'top'; expected name={name} pairs"),
    Broken("query-parameter-without-row-html",
           "<html><body>\n<h1>GET api/x?top={top}</h1>\n<div>\n<h2>Request Information</h2>\n"
           "<h3>URI Parameters</h3><p>None.</p>\n<h3>Body Parameters</h3><p>None.</p>\n"
           "<h2>Response Information</h2>\n<h3>Resource Description</h3>integer\n</div>",
           "Title", 2, "the route binds {top} but URI Parameters has no row for 'top'"),
    Broken("row-with-three-cells",
           f"{HTML_HEAD}<h3>URI Parameters</h3>\n<table>{HEADER_HTML}<tbody>\n"
           "<tr><td>id</td><td>integer</td><td><p>None.</p></td></tr>\n</tbody></table>",
           "URI Parameters", 7, "table row has 3 cells; expected 4"),
    Broken("table-without-header",
           f"{HTML_HEAD}<h3>URI Parameters</h3>\n<table class=\"help-page-table\">\n"
           "<tr><td>id</td><td></td><td>integer</td><td>None.</td></tr></table>",
           "URI Parameters", 6, "table has no header row"),
    Broken("enumeration-table",
           f"{HTML_HEAD}<h3>URI Parameters</h3>\n<table>\n"
           "<tr><th>Name</th><th>Value</th><th>Description</th></tr></table>",
           "URI Parameters", 6, "table header has the columns 'Name | Value | Description'"),
    Broken("sample-without-media-types",
           f"{HTML_HEAD}<h3>URI Parameters</h3><p>None.</p>\n<h3>Body Parameters</h3><p>None.</p>"
           "\n<h2>Response Information</h2>\n<h3>Resource Description</h3>integer\n"
           "<h3>Response Formats</h3>\n<div>\n<pre class=\"wrapped\">1</pre></div>",
           "Response Formats", 11, "a sample has no media-type heading before it"),
    Broken("model-table-after-samples-without-response",
           f"{HTML_HEAD}<h3>URI Parameters</h3><p>None.</p>\n<h3>Body Parameters</h3><p>None.</p>"
           "\n<h2>Response Information</h2>\n<h3>Resource Description</h3><p>None.</p>\n"
           "<h3>Response Formats</h3>\n<h4>application/json</h4><pre>1</pre>\n<h2>Thing</h2>\n"
           f"<table>{HEADER_HTML}<tr><td>a</td><td></td><td>integer</td><td></td></tr></table>",
           "Response Formats", 12, "model table for 'Thing', but the page has no resource"),
    Broken("empty", "", "Title", 1, "the page is empty"),
]  # fmt: skip


def assert_broken(error: HelpPageError, case: Broken, source: str) -> None:
    assert (error.section, error.line) == (case.section, case.line), error
    assert case.says in error.reason
    assert str(error).startswith(f"{source}:{case.line}: in section {case.section!r}: ")


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda case: case.id)
def test_broken_text_page_names_section_and_line(case: Broken) -> None:
    with pytest.raises(HelpPageError) as caught:
        parse_help_page_text(case.content, source="page.txt")
    assert_broken(caught.value, case, "page.txt")


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda case: case.id)
def test_broken_html_page_names_section_and_line(case: Broken) -> None:
    with pytest.raises(HelpPageError) as caught:
        parse_help_page_html(case.content, source="page.html")
    assert_broken(caught.value, case, "page.html")


@pytest.mark.parametrize("case", TEXT_CASES + HTML_CASES, ids=lambda case: case.id)
def test_broken_page_file_is_refused_by_read_help_page(case: Broken, tmp_path: Path) -> None:
    path = tmp_path / "page"
    path.write_text(case.content, encoding="utf-8")
    with pytest.raises(HelpPageError) as caught:
        read_help_page(path)
    assert_broken(caught.value, case, str(path))


def test_missing_file_is_a_file_error_at_line_zero(tmp_path: Path) -> None:
    path = tmp_path / "absent.txt"
    with pytest.raises(HelpPageError) as caught:
        read_help_page(path)
    assert (caught.value.section, caught.value.line) == ("file", 0)
    assert caught.value.reason == "no such file"
    assert caught.value.source == str(path)


def test_directory_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(HelpPageError) as caught:
        read_help_page(tmp_path)
    assert (caught.value.section, caught.value.line) == ("file", 0)
    assert "cannot read the file" in caught.value.reason


def test_invalid_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"GET api/x\nCaf\xe9 prices\n")
    with pytest.raises(HelpPageError) as caught:
        read_help_page(path)
    assert (caught.value.section, caught.value.line) == ("file", 2)
    assert "not UTF-8 text (byte 0xE9 at offset 13" in caught.value.reason


def test_binary_garbage_is_refused_as_not_a_help_page(tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(HelpPageError) as caught:
        read_help_page(path)
    # Bytes 0-127 are ASCII (with a newline at 10); 0x80 at offset 128 is the first invalid one.
    assert (caught.value.section, caught.value.line) == ("file", 2)
    assert "not UTF-8 text (byte 0x80 at offset 128" in caught.value.reason
