"""The writers reproduce the real .NET serializers' bytes for every golden case, with the
Windows newline by default and the Linux one on request."""

from __future__ import annotations

import pytest

import contract.wire
from contract.endpoint import EndpointContract
from contract.wire import ResponseWriter, XmlNewline, values_from_json, write_http_error
from tests.conftest import GoldenCase, golden_cases
from tests.contract.wire.conftest import byte_diff

CASES = golden_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_json_writer_matches_jsonnet_bytes(
    case: GoldenCase, writer: ResponseWriter, retry_contract: EndpointContract
) -> None:
    written = writer.json(values_from_json(case.values, retry_contract))
    assert written == case.json_bytes, byte_diff(written, case.json_bytes)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_xml_writer_matches_datacontractserializer_bytes(
    case: GoldenCase, writer: ResponseWriter, retry_contract: EndpointContract
) -> None:
    written = writer.xml(values_from_json(case.values, retry_contract))
    assert written == case.xml_bytes, byte_diff(written, case.xml_bytes)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_lf_writer_matches_the_golden_bytes_with_linux_newlines(
    case: GoldenCase, retry_contract: EndpointContract
) -> None:
    # The golden XML holds "\r\n" only where a text had a newline: on Linux each is "\n".
    writer = ResponseWriter(retry_contract, xml_newline=XmlNewline.LF)
    values = values_from_json(case.values, retry_contract)
    expected = case.xml_bytes.replace(b"\r\n", b"\n")
    assert writer.xml(values) == expected, byte_diff(writer.xml(values), expected)
    assert b"".join(writer.xml_chunks(values)) == expected
    assert writer.json(values) == case.json_bytes  # JSON does not depend on the host


def test_golden_cases_cover_all_eleven_files() -> None:
    assert [case.name[:2] for case in CASES] == [f"{n:02d}" for n in range(1, 12)]


def test_golden_newline_cases_tell_crlf_from_lf() -> None:
    # Without newlines in text the two writers agree, so the LF test above proves
    # something only because these cases hold some.
    with_newlines = [case.name for case in CASES if b"\r\n" in case.xml_bytes]
    assert with_newlines == ["06-escaping", "10-newlines"]
    assert b"\n" not in CASES[9].xml_bytes.replace(b"\r\n", b"")


def test_xml_newline_is_keyword_only(retry_contract: EndpointContract) -> None:
    with pytest.raises(TypeError):
        ResponseWriter(retry_contract, XmlNewline.LF)  # type: ignore[misc]
    with pytest.raises(TypeError):
        write_http_error("x", "application/xml", XmlNewline.LF)  # type: ignore[misc]
    assert ResponseWriter(retry_contract).xml_newline is XmlNewline.CRLF


@pytest.mark.parametrize(
    ("message", "media_type", "expected"),
    [
        ("An error has occurred.", "application/json", b'{"Message":"An error has occurred."}'),
        ("An error has occurred.", "text/json", b'{"Message":"An error has occurred."}'),
        (
            "The requested resource does not support http method 'GET'.",
            "application/xml",
            b"<Error><Message>The requested resource does not support http method "
            b"'GET'.</Message></Error>",
        ),
        (
            'a < b & "c"',
            "text/xml; charset=utf-8",
            b'<Error><Message>a &lt; b &amp; "c"</Message></Error>',
        ),
        ('a < b & "c"', "application/json", b'{"Message":"a < b & \\"c\\""}'),
        ("", "application/xml", b"<Error><Message></Message></Error>"),
        ("a\nb\r\nc\rd", "application/xml", b"<Error><Message>a\r\nb\r\nc\r\nd</Message></Error>"),
        ("a\nb", "application/json", b'{"Message":"a\\nb"}'),
        ("caf\u00e9\u2028", "application/json", b'{"Message":"caf\xc3\xa9\\u2028"}'),
    ],
)
def test_http_error_body_matches_web_api(message: str, media_type: str, expected: bytes) -> None:
    assert write_http_error(message, media_type) == expected


def test_http_error_writes_linux_newlines_on_request() -> None:
    body = write_http_error("a\r\nb\rc", "text/xml", xml_newline=XmlNewline.LF)
    assert body == b"<Error><Message>a\nb\nc</Message></Error>"


def test_http_error_rejects_unknown_media_type() -> None:
    with pytest.raises(ValueError, match="no formatter writes 'text/plain'"):
        write_http_error("x", "text/plain")


def test_public_api_is_exactly_the_documented_names() -> None:
    assert sorted(contract.wire.__all__) == sorted(
        [
            "ResponseWriter",
            "UnsupportedTypeError",
            "WireFormatError",
            "WireValueError",
            "XmlNewline",
            "check_wire_value",
            "comparable",
            "normalize_newlines",
            "read_json",
            "read_xml",
            "values_from_json",
            "write_http_error",
        ]
    )
    assert all(hasattr(contract.wire, name) for name in contract.wire.__all__)
