"""Help pages written for these tests, each in HTML and text: both read to the same page."""

from __future__ import annotations

import pytest

from contract.compiler.helppage import (
    HelpPage,
    ModelRow,
    ModelTable,
    ResourceDescription,
    Sample,
    parse_help_page_html,
    parse_help_page_text,
    read_help_page,
)
from contract.compiler.helppage.route import Route, parse_route
from tests.contract.helppage.support import PAGES, text_page, without_positions

PAGE_NAMES = [
    "get-invoices",
    "post-note",
    "put-setting",
    "delete-invoice",
    "get-failed-count",
    "get-invoice-totals",
    "get-invoice-lines",
]
JSON_XML = ("application/json", "text/json", "application/xml", "text/xml")


def read(name: str, form: str) -> HelpPage:
    return read_help_page(PAGES / f"{name}.{form}")


def row(name: str, type_text: str, *notes: str, description: str = "") -> ModelRow:
    """A row as the tests expect it; line numbers are not compared."""
    return ModelRow(name, description, type_text, notes, line=0)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_html_and_text_forms_of_a_page_read_equal(name: str) -> None:
    html_page, text_page = read(name, "html"), read(name, "txt")
    assert without_positions(html_page) == without_positions(text_page)
    assert html_page.source.endswith(".html") and text_page.source.endswith(".txt")


@pytest.mark.parametrize("form", ["html", "txt"])
def test_get_with_uri_parameters_reads_their_annotations(form: str) -> None:
    page = without_positions(read("get-invoices", form))
    assert page.method == "GET"
    assert (
        page.route == "api/v1/billing/practices/{practiceId}/invoices?status={status}&page={page}"
    )
    assert page.documentation == "Lists a practice's invoices, one page at a time."
    assert page.uri_parameters == (
        row(
            "practiceId", "globally unique identifier", "Required", description="The practice's id"
        ),
        row(
            "status",
            "string",
            "Max length: 50",
            "Matching regular expression pattern: ^[A-Za-z]+$",
            description="Sending status to filter by",
        ),
        row("page", "integer", "Required", "Range: inclusive between 1 and 10"),
    )
    assert page.body is None
    assert page.request_formats == ()


@pytest.mark.parametrize("form", ["html", "txt"])
def test_query_string_route_reads_as_written_with_every_parameter_in_the_table(
    form: str,
) -> None:
    page = without_positions(read("get-failed-count", form))
    assert (
        page.route == "api/v1/billing/invoices/failedcount?since={since}&top={top}&system={system}"
    )
    assert parse_route(page.route) == Route(
        "api/v1/billing/invoices/failedcount", ("since", "top", "system")
    )
    assert page.uri_parameters == (
        row("since", "date", "Required", description="Count failures after this time"),
        row("top", "integer", "Default value is 100", "Range: inclusive between 1 and 1000",
            description="The most failures to count"),
        row("system", "string", description="External system to count for"),
    )  # fmt: skip


@pytest.mark.parametrize("form", ["html", "txt"])
def test_sample_generation_failure_is_no_sample_and_keeps_the_message_as_a_note(
    form: str,
) -> None:
    samples = without_positions(read("get-invoice-totals", form)).response_formats
    message = (
        "Failed to generate the sample for media type '{}'. Cannot use formatter"
        " 'XmlMediaTypeFormatter' to write type 'InvoiceTotalsVo'."
    )
    assert samples[1:] == (
        Sample(("application/xml",), None, line=0, note=message.format("application/xml")),
        Sample(("text/xml",), None, line=0, note=message.format("text/xml")),
    )
    assert samples[0].text is not None and samples[0].note is None


@pytest.mark.parametrize("form", ["html", "txt"])
def test_collection_response_table_is_named_for_the_element_type(form: str) -> None:
    page = without_positions(read("get-invoices", form))
    assert page.response == ResourceDescription(
        documentation="The matching invoices",
        type_text="Collection of InvoiceSummary",
        tables=(
            ModelTable(
                "InvoiceSummary",
                (
                    row("InvoiceId", "globally unique identifier", "Required",
                        description="The invoice's id"),
                    row("Amount", "decimal number", "Data type: Currency",
                        description="Total, in rand"),
                    row("IssuedOn", "date"),
                ),
                line=0,
            ),
        ),
        line=0,
    )  # fmt: skip


@pytest.mark.parametrize("form", ["html", "txt"])
def test_indented_sample_is_verbatim_and_missing_sample_is_none(form: str) -> None:
    samples = read("get-invoices", form).response_formats
    assert [s.media_types for s in samples] == [JSON_XML[:2], JSON_XML[2:]]
    assert samples[0].text is not None
    lines = samples[0].text.split("\n")
    assert lines[:3] == ["[", "  {", '    "InvoiceId": "0b6e2c1e-4f1a-4f59-9d55-2c1b8e6f0a11",']
    assert lines[-2:] == ["  }", "]"]
    assert len(lines) == 12
    assert samples[1].text is None


@pytest.mark.parametrize("form", ["html", "txt"])
def test_body_parameter_reads_its_type_table_and_further_model_tables(form: str) -> None:
    page = without_positions(read("post-note", form))
    assert page.method == "POST"
    assert page.route == "api/v1/billing/invoices/{invoiceId}/notes"
    assert page.uri_parameters == (
        row("invoiceId", "globally unique identifier", "Required",
            description="The invoice to annotate"),
    )  # fmt: skip
    assert page.body == ResourceDescription(
        documentation="The note to attach",
        type_text="InvoiceNote",
        tables=(
            ModelTable(
                "InvoiceNote",
                (
                    row("Text", "string", "Required", "Max length: 500", "Min length: 1",
                        description="The note's text"),
                    row("Author", "NoteAuthor"),
                    row("Tags", "Collection of string"),
                ),
                line=0,
            ),
            ModelTable(
                "NoteAuthor",
                (
                    row("Name", "string", "Required", description="Full name"),
                    row("Email", "string", "Data type: EmailAddress"),
                ),
                line=0,
            ),
        ),
        line=0,
    )  # fmt: skip


@pytest.mark.parametrize("form", ["html", "txt"])
def test_request_formats_keep_escaped_xml_and_ungrouped_media_type(form: str) -> None:
    samples = read("post-note", form).request_formats
    assert [s.media_types for s in samples] == [
        ("application/json", "text/json"),
        ("application/xml", "text/xml"),
        ("application/x-www-form-urlencoded",),
    ]
    xml = samples[1].text
    assert xml is not None
    assert xml.split("\n")[1:4] == [
        "  <Author>",
        "    <Email>sample string 2</Email>",
        "    <Name>sample string 1</Name>",
    ]
    assert xml.endswith("</InvoiceNote>")
    assert samples[2].text is None


@pytest.mark.parametrize("form", ["html", "txt"])
def test_primitive_response_has_no_tables(form: str) -> None:
    page = without_positions(read("post-note", form))
    assert page.response == ResourceDescription("The id of the new note", "integer", (), line=0)
    assert page.response_formats == (
        Sample(JSON_XML[:2], "1", line=0),
        Sample(
            JSON_XML[2:],
            '<int xmlns="http://schemas.microsoft.com/2003/10/Serialization/">1</int>',
            line=0,
        ),
    )


@pytest.mark.parametrize("form", ["html", "txt"])
def test_dictionary_types_read_as_one_type_text(form: str) -> None:
    page = without_positions(read("put-setting", form))
    assert page.documentation == ""
    assert page.uri_parameters == (
        row("key", "string", "Required", "Matching regular expression pattern: ^[a-z]+$"),
    )
    assert page.body == ResourceDescription(
        "The new limits", "Dictionary of string [key] and integer [value]", (), line=0
    )
    assert page.response is not None
    assert page.response.documentation == "Every setting after the change"
    assert page.response.type_text == (
        "Dictionary of string [key] and Collection of SettingValue [value]"
    )


@pytest.mark.parametrize("form", ["html", "txt"])
def test_grouped_media_types_with_no_sample_read_as_one_sample(form: str) -> None:
    page = without_positions(read("put-setting", form))
    assert page.request_formats == (Sample(JSON_XML, None, line=0),)
    assert page.response_formats == (Sample(JSON_XML, None, line=0),)


@pytest.mark.parametrize("form", ["html", "txt"])
def test_model_table_after_the_samples_joins_the_response(form: str) -> None:
    page = without_positions(read("put-setting", form))
    assert page.response is not None
    assert page.response.tables == (
        ModelTable(
            "SettingValue",
            (
                row("Value", "integer", "Range: inclusive between 0 and 1000",
                    description="The value"),
                row("Kind", "SettingKind"),
            ),
            line=0,
        ),
    )  # fmt: skip


@pytest.mark.parametrize("form", ["html", "txt"])
def test_action_without_body_or_response_reads_none_and_no_formats(form: str) -> None:
    page = read("delete-invoice", form)
    assert (page.method, page.route) == ("DELETE", "api/v1/billing/invoices/{invoiceId}")
    assert page.documentation == "Deletes an invoice that was never sent."
    assert [r.name for r in page.uri_parameters] == ["invoiceId"]
    assert (page.body, page.response) == (None, None)
    assert (page.request_formats, page.response_formats) == ((), ())


def test_html_lines_point_at_the_elements_they_came_from() -> None:
    page = read("post-note", "html")
    assert page.uri_parameters[0].line == 13  # the <tr> of invoiceId
    assert page.body is not None
    assert page.body.line == 26  # the <a> naming InvoiceNote
    assert [t.line for t in page.body.tables] == [27, 61]
    assert [s.line for s in page.request_formats] == [83, 100, 117]  # the <h4> headings


def test_text_lines_point_at_the_lines_they_came_from() -> None:
    page = read("post-note", "txt")
    assert page.uri_parameters[0].line == 11
    assert page.body is not None
    assert page.body.line == 17
    assert [t.line for t in page.body.tables] == [18, 29]
    assert [s.line for s in page.request_formats] == [36, 50, 64]


def test_parse_functions_take_the_source_name_given() -> None:
    text = (PAGES / "delete-invoice.txt").read_text(encoding="utf-8")
    markup = (PAGES / "delete-invoice.html").read_text(encoding="utf-8")
    assert parse_help_page_text(text, source="memory.txt").source == "memory.txt"
    assert parse_help_page_html(markup, source="memory.html").source == "memory.html"


def test_text_sample_of_a_formatter_exception_is_a_note_and_other_text_stays_a_sample() -> None:
    failure = (
        "An exception has occurred while using the formatter 'XmlMediaTypeFormatter' to"
        " generate sample for media type 'text/xml'. Exception message: Type 'X'\ncannot be"
        " serialized."
    )
    lookalike = "Failed to generate the sample, said the clerk."
    id_row = row("id", "integer", "Required")
    text = text_page([id_row], [("text/xml", failure), ("text/plain", lookalike)])
    samples = without_positions(parse_help_page_text(text, source="page.txt")).response_formats
    assert samples == (
        Sample(("text/xml",), None, line=0, note=" ".join(failure.split())),
        Sample(("text/plain",), lookalike, line=0),
    )
