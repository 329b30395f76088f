"""Help pages written as HTML by contract.compiler.helppage.render read back to the same page."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from contract.compiler import resolve_contract
from contract.compiler.generate import HELP_PAGE
from contract.compiler.helppage import (
    HelpPage,
    ModelRow,
    ModelTable,
    ResourceDescription,
    Sample,
    parse_help_page_html,
    read_help_page,
)
from contract.compiler.helppage.render import (
    INDEX_TITLE,
    api_id,
    html_encode,
    render_api_page,
    render_index,
)
from tests.contract.helppage.support import PAGES, REPO, without_positions

SOURCES = [REPO / HELP_PAGE, *sorted(PAGES.glob("*.txt")), *sorted(PAGES.glob("*.html"))]
HOSTILE = "<script>alert('x & y')</script> \"quoted\" caf\u00e9 \U0001f600"


def well_formed(document: str) -> etree._Element:
    """The document parsed as strict XML: it fails on anything not well-formed."""
    return etree.fromstring(document.encode("utf-8"), etree.XMLParser(resolve_entities=False))


def find(root: etree._Element, path: str) -> etree._Element:
    """The element at ``path``, which must be there."""
    element = root.find(path)
    assert element is not None, path
    return element


def read_back(page: HelpPage) -> HelpPage:
    return parse_help_page_html(render_api_page(page), source="rendered.html")


@pytest.mark.parametrize("source", SOURCES, ids=[path.name for path in SOURCES])
def test_rendered_page_reads_back_to_the_page_it_was_rendered_from(source: Path) -> None:
    page = read_help_page(source)
    html = render_api_page(page)
    well_formed(html)
    assert without_positions(read_back(page)) == without_positions(page)


def test_the_contract_source_rendered_resolves_to_the_same_contract() -> None:
    page = read_help_page(REPO / HELP_PAGE)
    assert resolve_contract(read_back(page)) == resolve_contract(page)


def test_action_page_has_the_package_layout_title_and_home_link() -> None:
    page = read_help_page(REPO / HELP_PAGE)
    root = well_formed(render_api_page(page))
    assert root.findtext("head/title") == "POST api/v1/billing/invoices/retryallfailed"
    assert find(root, ".//section[@class='featured']//a").get("href") == "/Help"
    assert [h.text for h in root.iter("h3")] == [
        "URI Parameters", "Body Parameters", "Resource Description", "Response Formats",
    ]  # fmt: skip
    samples = [h.text for h in root.iter("h4")]
    assert samples == ["application/json, text/json", "application/xml, text/xml"]


def test_complex_types_link_to_their_resource_model_page_and_words_stay_text() -> None:
    page = read_help_page(REPO / HELP_PAGE)
    root = well_formed(render_api_page(page))
    links = {a.text: a.get("href") for a in root.iter("a") if a.text != "Help Page Home"}
    name = "Com.Healthbridge.Hhas.Billing.Interface.ValueObjects.InvoiceSendingStatusVo"
    assert links[name] == f"/Help/ResourceModel?modelName={name}"
    assert page.response is not None and page.response.type_text in links
    type_cells = [td for td in root.iter("td") if td.get("class") == "parameter-type"]
    assert [(cell.text or "").strip() for cell in type_cells[:3]] == [
        "boolean",
        "integer",
        "string",
    ]


def _hostile_page() -> HelpPage:
    parameter = ModelRow("q", HOSTILE, "string", (HOSTILE, "Max length: 5"), line=0)
    row = ModelRow(HOSTILE, HOSTILE, "string", (HOSTILE,), line=0)
    table = ModelTable("Thing", (row,), line=0)
    response = ResourceDescription(HOSTILE, "Collection of Thing", (table,), line=0)
    sample = Sample(("application/json", "text/json"), f'{{"A": "{HOSTILE}"}}', line=0)
    return HelpPage(
        source="", method="GET", route="api/things?q={q}", documentation=HOSTILE,
        uri_parameters=(parameter,), body=None, request_formats=(), response=response,
        response_formats=(sample, Sample(("text/xml",), None, line=0)),
    )  # fmt: skip


def test_every_text_is_escaped_and_the_page_stays_well_formed() -> None:
    page = _hostile_page()
    html = render_api_page(page)
    root = well_formed(html)
    assert "<script>" not in html and root.find(".//script") is None
    assert "&lt;script&gt;alert(&#39;x &amp; y&#39;)&lt;/script&gt; &quot;quoted&quot;" in html
    assert "caf&#233; &#128512;" in html
    assert without_positions(read_back(page)) == without_positions(page)


def test_index_escapes_the_group_name_and_the_documentation() -> None:
    page = dataclasses.replace(_hostile_page(), documentation="")
    root = well_formed(render_index({HOSTILE: [page], "Other": [_hostile_page()]}))
    assert [h.text for h in root.iter("h2") if h.get("id")] == [HOSTILE, "Other"]
    documentation = [p.text for p in root.iter("p") if getattr(p.getparent(), "tag", "") == "td"]
    assert documentation == ["No documentation available.", HOSTILE]


def test_index_lists_the_action_linking_to_its_page() -> None:
    page = read_help_page(REPO / HELP_PAGE)
    root = well_formed(render_index({"Invoices": [page]}))
    assert root.findtext("head/title") == INDEX_TITLE == root.findtext(".//header//h1")
    link = find(root, ".//td[@class='api-name']/a")
    assert link.text == "POST api/v1/billing/invoices/retryallfailed"
    assert link.get("href") == "/Help/Api/POST-api-v1-billing-invoices-retryallfailed"
    documentation = root.findtext(".//td[@class='api-documentation']/p")
    assert documentation == "Trigger command to retry all failed invoices to external system"


@pytest.mark.parametrize(
    ("method", "route", "expected"),
    [
        ("POST", "api/v1/billing/invoices/retryallfailed",
         "POST-api-v1-billing-invoices-retryallfailed"),
        ("GET", "api/things/{id}", "GET-api-things-id"),
        ("GET", "api/things?status={status}&page={page}", "GET-api-things_status_page"),
        ("GET", "api/things?a.b={x}&a.b={y}&c={z}", "GET-api-things_a-b_c"),
    ],
)  # fmt: skip
def test_api_id_is_the_help_page_packages_friendly_id(
    method: str, route: str, expected: str
) -> None:
    page = dataclasses.replace(_hostile_page(), method=method, route=route)
    assert api_id(page) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < b & c > \"d\" 'e'", "a &lt; b &amp; c &gt; &quot;d&quot; &#39;e&#39;"),
        ("\u00a0\u00ff\u0100", "&#160;&#255;\u0100"),
        ("\U0001f600", "&#128512;"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_html_encode_writes_what_webutility_htmlencode_writes(text: str, expected: str) -> None:
    assert html_encode(text) == expected


@pytest.mark.parametrize("char", ["\x00", "\x0c", "\x1f", "\ufffe", "\ud800"])
def test_a_character_xml_cannot_hold_is_refused(char: str) -> None:
    with pytest.raises(ValueError, match="cannot be written in a well-formed help page"):
        html_encode(f"a{char}b")


def test_tables_that_are_not_the_types_own_need_a_formats_section() -> None:
    page = read_help_page(PAGES / "put-setting.txt")
    assert page.response is not None and page.response.tables
    broken = dataclasses.replace(page, response_formats=())
    with pytest.raises(ValueError, match="'Response Formats' section"):
        render_api_page(broken)
