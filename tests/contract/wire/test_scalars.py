"""Scalar formatting and escaping rules of the two serializers, and writer errors."""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.endpoint import EndpointContract
from contract.netdatetime import MAX_TICKS, DateTimeKind, NetDateTime
from contract.wire import ResponseWriter, WireValueError, values_from_json
from contract.wire._scalars import (
    XmlNewline,
    format_double,
    json_string,
    round_trip,
    wall_clock_z,
    xml_text,
    xml_text_formatter,
)
from tests.conftest import golden_cases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("<a> & b", "&lt;a&gt; &amp; b"),
        ("\"quotes\" 'apos'", "\"quotes\" 'apos'"),
        ("a\r\nb", "a\r\nb"),
        ("a\rb\r", "a\r\nb\r\n"),
        ("a\nb", "a\r\nb"),
        ("\n\r\n\r\r\n\n", "\r\n" * 5),
        ("tab\there\n", "tab\there\r\n"),
        ("\x00\x01\x0b\x1f", "&#x0;&#x1;&#xB;&#x1F;"),
        ("\x0c\x0e\x1b", "&#xC;&#xE;&#x1B;"),
        ("\ufffe\uffff", "&#xFFFE;&#xFFFF;"),
        ("\x7f\x85\u2028\U0001f600", "\x7f\x85\u2028\U0001f600"),
        ("", ""),
    ],
)
def test_xml_text_escapes_like_web_api_xmlwriter_on_windows(text: str, expected: str) -> None:
    assert xml_text(text) == expected
    assert xml_text_formatter(XmlNewline.CRLF)(text) == expected
    assert xml_text_formatter()(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb\r", "a\nb\n"),
        ("a\nb", "a\nb"),
        ("\n\r\n\r\r\n\n", "\n" * 5),
        ("<a>\r\n&\x01", "&lt;a&gt;\n&amp;&#x1;"),
    ],
)
def test_xml_text_writes_linux_newlines_with_lf(text: str, expected: str) -> None:
    assert xml_text_formatter(XmlNewline.LF)(text) == expected


def test_xml_newline_names_the_characters() -> None:
    assert (XmlNewline("crlf").chars, XmlNewline("lf").chars) == ("\r\n", "\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", '"plain"'),
        ('q"b\\', '"q\\"b\\\\"'),
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ("\x00\x1f", '"\\u0000\\u001f"'),
        ("\x85\u2028\u2029", '"\\u0085\\u2028\\u2029"'),
        ("'<>&/\x7f", '"\'<>&/\x7f"'),
        ("Ünïcödé 😀", '"Ünïcödé 😀"'),
    ],
)
def test_json_string_escapes_like_jsonnet_default(text: str, expected: str) -> None:
    assert json_string(text) == expected


@given(
    ticks=st.integers(0, MAX_TICKS),
    kind=st.sampled_from(DateTimeKind),
    offset=st.integers(-14 * 60, 14 * 60),
)
def test_fast_date_formats_equal_netdatetime(ticks: int, kind: DateTimeKind, offset: int) -> None:
    value = NetDateTime(ticks, kind, offset if kind is DateTimeKind.LOCAL else 0)
    assert round_trip(value) == value.round_trip()
    assert wall_clock_z(value) == value.wall_clock_z()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1e20, "1E+20"),
        (1e-5, "1E-05"),
        (0.0001, "0.0001"),
        (123.0, "123"),
        (-2.5, "-2.5"),
        (1e15, "1E+15"),
        (123456789012345.0, "123456789012345"),
        (0.0, "0"),
    ],
)
def test_format_double_uses_dotnet_r_layout(value: float, expected: str) -> None:
    assert format_double(value) == expected


def _sample(retry_contract: EndpointContract) -> dict[str, Any]:
    value: dict[str, Any] = values_from_json(golden_cases()[0].values, retry_contract)
    return copy.deepcopy(value)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("pointer", "bad", "message"),
    [
        ("/Data/1/Reason", "bad \ud800 surrogate", "lone surrogate U+D800 at index 4"),
        ("/Data/0/SendingAttempts", 2**31, "expected an integer in"),
        ("/Data/0/SendingAttempts", None, "null is not allowed for Int32"),
        ("/Data/0/PracticeId", "aa122594-478b-4b0a-ab1f-2fdd307930b5", "expected UUID"),
        ("/Sucess", 1, "expected bool"),
        ("/Links/0/Rel", 5, "expected str"),
    ],
)
def test_writer_rejects_bad_value_naming_its_pointer(
    writer: ResponseWriter,
    retry_contract: EndpointContract,
    *,
    fmt: str,
    pointer: str,
    bad: Any,
    message: str,
) -> None:
    value = _sample(retry_contract)
    target: Any = value
    *parents, last = pointer.strip("/").split("/")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = bad
    with pytest.raises(WireValueError, match=re.escape(message)) as raised:
        getattr(writer, fmt)(value)
    assert raised.value.pointer == pointer


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_writer_rejects_unknown_member(
    writer: ResponseWriter, retry_contract: EndpointContract, fmt: str
) -> None:
    value = _sample(retry_contract)
    value["Data"][0]["Extra"] = 1
    with pytest.raises(WireValueError, match=r"unknown \['Extra'\]") as raised:
        getattr(writer, fmt)(value)
    assert raised.value.pointer == "/Data/0"


def test_values_from_json_names_pointer_of_mismatch(retry_contract: EndpointContract) -> None:
    data = copy.deepcopy(golden_cases()[0].values)
    data["Data"][1]["SendingTime"] = "yesterday"
    with pytest.raises(WireValueError, match=r"not a \.NET round-trip date") as raised:
        values_from_json(data, retry_contract)
    assert raised.value.pointer == "/Data/1/SendingTime"


def test_values_from_json_builds_typed_values(retry_contract: EndpointContract) -> None:
    value = values_from_json(golden_cases()[4].values, retry_contract)
    item = value["Data"][0]
    assert item["PracticeId"] == uuid.UUID("aa122594-478b-4b0a-ab1f-2fdd307930b5")
    assert item["SendingTime"] == NetDateTime.parse("2025-12-14T19:20:43.1992775+02:00")
    assert value["Data"][4]["SendingTime"].kind is DateTimeKind.UNSPECIFIED
