"""The real help page (contract/source/retryallfailed.txt) reads to what it says."""

from __future__ import annotations

import pytest

from contract.compiler.helppage import HelpPage, ModelRow, read_help_page
from tests.contract.helppage.support import REPO

CORE = "Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects"
BILLING = "Com.Healthbridge.Hhas.Billing.Interface.ValueObjects"
RESULT_TYPE = (
    f"{CORE}.RestApiResultOfSystem.Collections.Generic.ListOf{BILLING}.InvoiceSendingStatusVo"
)


@pytest.fixture(scope="module")
def page() -> HelpPage:
    return read_help_page(REPO / "contract" / "source" / "retryallfailed.txt")


def test_real_page_title_gives_method_and_route(page: HelpPage) -> None:
    assert page.method == "POST"
    assert page.route == "api/v1/billing/invoices/retryallfailed"


def test_real_page_documentation_is_the_line_after_the_title(page: HelpPage) -> None:
    assert page.documentation == "Trigger command to retry all failed invoices to external system"


def test_real_page_has_no_uri_parameters_body_or_request_formats(page: HelpPage) -> None:
    assert page.uri_parameters == ()
    assert page.body is None
    assert page.request_formats == ()


def test_real_page_response_type_is_the_name_glued_to_the_table_header(page: HelpPage) -> None:
    assert page.response is not None
    assert page.response.documentation == "Ids of the invoices"
    assert page.response.type_text == RESULT_TYPE
    assert page.response.line == 11
    assert [table.type_name for table in page.response.tables] == [RESULT_TYPE]


def test_real_page_response_table_rows_split_over_lines_read_as_whole_rows(
    page: HelpPage,
) -> None:
    assert page.response is not None
    rows = page.response.tables[0].rows
    assert [(row.name, row.type_text) for row in rows] == [
        ("Sucess", "boolean"),
        ("ResponseCode", "integer"),
        ("ResponseMessage", "string"),
        ("Data", f"Collection of {BILLING}.InvoiceSendingStatusVo"),
        ("Links", f"Collection of {CORE}.RestApiLink"),
    ]
    assert all(row.description == "" and row.annotations == () for row in rows)
    assert rows[0] == ModelRow("Sucess", "", "boolean", (), line=13)
    assert [row.line for row in rows] == [13, 16, 19, 22, 25]


def test_real_page_response_samples_are_grouped_by_media_types(page: HelpPage) -> None:
    assert [s.media_types for s in page.response_formats] == [
        ("application/json", "text/json"),
        ("application/xml", "text/xml"),
    ]
    assert [s.line for s in page.response_formats] == [28, 69]


def test_real_page_json_sample_is_kept_verbatim(page: HelpPage) -> None:
    text = page.response_formats[0].text
    assert text is not None
    lines = text.split("\n")
    assert len(lines) == 39  # lines 30 to 68 of the page
    assert lines[:5] == [
        "{",
        '"Sucess": true,',
        '"ResponseCode": 2,',
        '"ResponseMessage": "sample string 3",',
        '"Data": [',
    ]
    assert '"SendingTime": "2025-12-14T19:20:43Z",' in lines
    assert lines[-6:] == [
        "{",
        '"Rel": "sample string 1",',
        '"HRef": "sample string 2"',
        "}",
        "]",
        "}",
    ]


def test_real_page_xml_sample_is_kept_verbatim(page: HelpPage) -> None:
    text = page.response_formats[1].text
    assert text is not None
    lines = text.split("\n")
    assert len(lines) == 39  # lines 71 to 109 of the page
    assert lines[0] == (
        "<RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm"
        ' xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'
        f' xmlns="http://schemas.datacontract.org/2004/07/{CORE}">'
    )
    assert "<d2p1:SendingTime>2025-12-14T19:20:43.1992775+02:00</d2p1:SendingTime>" in lines
    assert lines[-5:] == [
        "</Links>",
        "<ResponseCode>2</ResponseCode>",
        "<ResponseMessage>sample string 3</ResponseMessage>",
        "<Sucess>true</Sucess>",
        "</RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm>",
    ]


def test_real_page_source_is_the_path_it_was_read_from(page: HelpPage) -> None:
    assert page.source.endswith("retryallfailed.txt")


def test_real_page_samples_equal_the_page_lines_under_each_heading(page: HelpPage) -> None:
    lines = (REPO / "contract" / "source" / "retryallfailed.txt").read_text().split("\n")
    # Line 28/69 hold the media types, 29/70 "Sample:"; the texts are 30-68 and 71-109.
    assert page.response_formats[0].text == "\n".join(lines[29:68])
    assert page.response_formats[1].text == "\n".join(lines[70:109])
    assert len(lines) == 109
