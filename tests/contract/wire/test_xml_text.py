"""XML text as the Windows service writes it - newlines, empty strings, references to
forbidden characters - and the readers taking every form of it back to the same values."""

from __future__ import annotations

import re
from typing import Any

import pytest

from contract.endpoint import EndpointContract
from contract.wire import (
    ResponseWriter,
    WireFormatError,
    XmlNewline,
    comparable,
    read_json,
    read_xml,
    values_from_json,
)
from contract.wire.charrefs import (
    MARK,
    character_reference,
    mark_forbidden_references,
    unmark,
)
from tests.conftest import golden_cases
from tests.expected_contract import expected_retry_contract

CONTRACT = expected_retry_contract()
CASES = {case.name[:2]: case for case in golden_cases()}
EMPTY = CASES["09"]
NEWLINES = CASES["10"]
FORBIDDEN = CASES["11"]


def _envelope(message: str | None, reason: str | None = "x") -> dict[str, Any]:
    """An envelope with one item (golden 01's first) whose Reason is ``reason``."""
    item = values_from_json(CASES["01"].values, CONTRACT)["Data"][0]
    return {
        "Sucess": True,
        "ResponseCode": 0,
        "ResponseMessage": message,
        "Data": [{**item, "Reason": reason}],
        "Links": [],
    }


@pytest.fixture(scope="module")
def writers(retry_contract: EndpointContract) -> dict[XmlNewline, ResponseWriter]:
    return {newline: ResponseWriter(retry_contract, xml_newline=newline) for newline in XmlNewline}


# --- the writer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("newline", "written"),
    [(XmlNewline.CRLF, b"a\r\nb\r\nc\r\nd\r\n"), (XmlNewline.LF, b"a\nb\nc\nd\n")],
)
def test_every_newline_form_is_written_as_the_hosts(
    newline: XmlNewline, written: bytes, writers: dict[XmlNewline, ResponseWriter]
) -> None:
    body = writers[newline].xml(_envelope("a\nb\r\nc\rd\r"))
    assert b"<ResponseMessage>" + written + b"</ResponseMessage>" in body
    assert body.count(b"\r") == written.count(b"\r")


def test_crlf_is_the_default_newline(retry_contract: EndpointContract) -> None:
    body = ResponseWriter(retry_contract).xml(_envelope("a\nb"))
    assert b"<ResponseMessage>a\r\nb</ResponseMessage>" in body


def test_an_empty_string_keeps_the_full_end_tag(writers: dict[XmlNewline, ResponseWriter]) -> None:
    body = writers[XmlNewline.CRLF].xml(_envelope("", reason=""))
    assert b"<ResponseMessage></ResponseMessage>" in body
    assert b"<d2p1:Reason></d2p1:Reason>" in body


def test_only_nil_and_empty_collections_take_the_short_form(
    writers: dict[XmlNewline, ResponseWriter],
) -> None:
    body = writers[XmlNewline.CRLF].xml(_envelope(None, reason=None)).decode()
    assert '<ResponseMessage i:nil="true" />' in body
    assert '<d2p1:Reason i:nil="true" />' in body
    assert "<Links />" in body
    assert re.findall(r"<[^>]* />", body) == [
        '<d2p1:Reason i:nil="true" />',
        "<Links />",
        '<ResponseMessage i:nil="true" />',
    ]


def test_forbidden_characters_are_upper_case_hex_references(
    writers: dict[XmlNewline, ResponseWriter],
) -> None:
    text = "\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff\x7f\t"
    body = writers[XmlNewline.LF].xml(_envelope(text))
    written = "&#x0;&#x1;&#x8;&#xB;&#xC;&#xE;&#x1F;&#xFFFE;&#xFFFF;\x7f\t"
    assert f"<ResponseMessage>{written}</ResponseMessage>".encode() in body


def test_references_match_golden_11_exactly(
    writers: dict[XmlNewline, ResponseWriter], retry_contract: EndpointContract
) -> None:
    values = values_from_json(FORBIDDEN.values, retry_contract)
    for writer in writers.values():  # no newline in case 11: both hosts write the same
        assert writer.xml(values) == FORBIDDEN.xml_bytes
    assert b"&#x0;" in FORBIDDEN.xml_bytes and b"&#xFFFE;" in FORBIDDEN.xml_bytes


# --- the readers --------------------------------------------------------------------------


def _short_empty_form(body: bytes) -> bytes:
    """``<X></X>`` as ``<X />``: the other spelling of an empty element."""
    return re.sub(rb"<([\w:]+)></\1>", rb"<\1 />", body)


def test_golden_09_uses_the_full_form_and_the_short_form_reads_the_same(
    retry_contract: EndpointContract,
) -> None:
    short = _short_empty_form(EMPTY.xml_bytes)
    assert b"<d2p1:Reason></d2p1:Reason>" in EMPTY.xml_bytes
    assert b"<d2p1:Reason />" in short and b"<d2p1:Reason></d2p1:Reason>" not in short
    expected = values_from_json(EMPTY.values, retry_contract)
    assert read_xml(EMPTY.xml_bytes, retry_contract) == expected
    assert read_xml(short, retry_contract) == expected
    assert read_xml(short, retry_contract)["Data"][0]["Reason"] == ""


def test_both_newline_forms_read_as_lf(retry_contract: EndpointContract) -> None:
    crlf = NEWLINES.xml_bytes
    lf = crlf.replace(b"\r\n", b"\n")
    assert crlf != lf
    from_crlf, from_lf = read_xml(crlf, retry_contract), read_xml(lf, retry_contract)
    assert from_crlf == from_lf
    assert [item["Reason"] for item in from_crlf["Data"]][:4] == [
        "lf\nhere",
        "crlf\nhere",
        "cr\nhere",
        "\n",
    ]
    assert from_crlf["ResponseMessage"] == "line1\nline2"


@pytest.mark.parametrize("newline", list(XmlNewline))
def test_xml_with_either_newline_compares_equal_to_json(
    newline: XmlNewline, retry_contract: EndpointContract
) -> None:
    values = values_from_json(NEWLINES.values, retry_contract)
    body = ResponseWriter(retry_contract, xml_newline=newline).xml(values)
    from_xml = read_xml(body, retry_contract)
    from_json = read_json(NEWLINES.json_bytes, retry_contract)
    assert from_json["Data"][1]["Reason"] == "crlf\r\nhere"  # JSON keeps the text exactly
    assert comparable(from_xml) == comparable(from_json)


def test_references_to_forbidden_characters_read_as_the_characters(
    retry_contract: EndpointContract,
) -> None:
    values = read_xml(FORBIDDEN.xml_bytes, retry_contract)
    assert [item["Reason"] for item in values["Data"]] == [
        "nul\x00soh\x01us\x1fdel\x7f",
        "vt\x0bff\x0c",
        "nonchar\ufffe\uffff",
    ]
    assert values == values_from_json(FORBIDDEN.values, retry_contract)


def test_a_reference_in_a_number_is_still_a_value_error(retry_contract: EndpointContract) -> None:
    body = FORBIDDEN.xml_bytes.replace(b"<ResponseCode>0<", b"<ResponseCode>0&#x1;<")
    with pytest.raises(WireFormatError, match=r"'0\\x01' is not a valid System.Int32"):
        read_xml(body, retry_contract)


@pytest.mark.parametrize(
    "reference", [b"&#xD800;", b"&#x110000;", b"&#X1;", b"&#x1", b"&#99999999999;"]
)
def test_references_no_service_writes_are_still_malformed(
    reference: bytes, retry_contract: EndpointContract
) -> None:
    body = FORBIDDEN.xml_bytes.replace(b"&#x1;", reference, 1)
    with pytest.raises(WireFormatError, match="not well-formed XML"):
        read_xml(body, retry_contract)


# --- the shared marking -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "character"),
    [
        (b"&#x0;", "\x00"),
        (b"&#x1F;", "\x1f"),
        (b"&#x1f;", "\x1f"),
        (b"&#xb;", "\x0b"),
        (b"&#x000C;", "\x0c"),
        (b"&#xFFFE;", "\ufffe"),
        (b"&#xffff;", "\uffff"),
        (b"&#1;", "\x01"),
        (b"&#11;", "\x0b"),
        (b"&#31;", "\x1f"),
        (b"&#65535;", "\uffff"),
    ],
)
def test_every_spelling_of_a_forbidden_reference_is_marked(written: bytes, character: str) -> None:
    document = mark_forbidden_references(b"<a>x" + written + b"y</a>")
    assert document.marked and document.first == written.decode()
    assert MARK.encode() in document.body
    assert unmark(document.body.decode()) == f"<a>x{character}y</a>"


@pytest.mark.parametrize(
    "reference", [b"&#x9;", b"&#xA;", b"&#xD;", b"&#9;", b"&#10;", b"&#13;", b"&#x20;",
                  b"&#8211;", b"&#xFFFD;", b"&#x10000;", b"&amp;", b"&#xD800;"]
)  # fmt: skip
def test_references_to_allowed_characters_are_left_to_the_parser(reference: bytes) -> None:
    body = b"<a>" + reference + b"\xee\x80\x80</a>"
    document = mark_forbidden_references(body)
    assert (document.body, document.marked, document.first) == (body, False, None)


def test_a_literal_marker_survives_a_marked_body() -> None:
    body = "<a>\ue000 \ue0001; &#x1;</a>".encode()
    document = mark_forbidden_references(body)
    assert document.marked and document.line == 1
    assert unmark(document.body.decode()) == "<a>\ue000 \ue0001; \x01</a>"


def test_the_note_position_is_the_first_reference_line() -> None:
    document = mark_forbidden_references(b"<a>\r\n<b>&#xB;</b>\n<c>&#x1;</c></a>")
    assert (document.first, document.line) == ("&#xB;", 2)


def test_character_reference_is_upper_case_hex() -> None:
    assert [character_reference(c) for c in "\x00\x1b\ufffe"] == ["&#x0;", "&#x1B;", "&#xFFFE;"]
