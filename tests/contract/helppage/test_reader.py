"""read_help_page tells HTML from text by content; the package's public names."""

from __future__ import annotations

from pathlib import Path

import pytest

import contract.compiler.helppage
from contract.compiler.helppage.reader import looks_like_html
from tests.contract.helppage.support import PAGES


def test_public_api_is_exactly_the_documented_names() -> None:
    assert sorted(contract.compiler.helppage.__all__) == [
        "HelpPage",
        "HelpPageError",
        "ModelRow",
        "ModelTable",
        "ResourceDescription",
        "Sample",
        "parse_help_page_html",
        "parse_help_page_text",
        "read_help_page",
    ]
    helppage = contract.compiler.helppage
    assert all(hasattr(helppage, name) for name in helppage.__all__)


@pytest.mark.parametrize(
    ("content", "is_html"),
    [
        ("<!DOCTYPE html><html></html>", True),
        ("\ufeff\n  <h1>GET api/x</h1>", True),
        ("Help for the billing API\n<h1>GET api/x</h1>", True),
        ("GET api/x\nRequest Information", False),
        ("POST api/x\nResponse Formats\napplication/xml\nSample:\n<h1>not a heading</h1>", False),
        ("Invoices\nno markup at all", False),
    ],
)
def test_looks_like_html_decides_by_content(content: str, *, is_html: bool) -> None:
    assert looks_like_html(content) is is_html


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_file_name_does_not_decide_the_form(suffix: str, tmp_path: Path) -> None:
    source = PAGES / f"post-note{suffix}"
    renamed = tmp_path / "page.data"
    renamed.write_bytes(source.read_bytes())
    page = contract.compiler.helppage.read_help_page(renamed)
    assert (page.method, page.route) == ("POST", "api/v1/billing/invoices/{invoiceId}/notes")


def test_byte_order_mark_and_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    text = (PAGES / "delete-invoice.txt").read_text(encoding="utf-8")
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    page = contract.compiler.helppage.read_help_page(path)
    assert page.method == "DELETE"
    assert page.uri_parameters[0].annotations == ("Required",)
