"""The writers reproduce the real .NET serializers' bytes for every golden case."""

from __future__ import annotations

import pytest

import contract.wire
from contract.endpoint import EndpointContract
from contract.wire import ResponseWriter, values_from_json, write_http_error
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


def test_golden_cases_cover_all_eight_files() -> None:
    assert len(CASES) == 8


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
        ("", "application/xml", b"<Error><Message /></Error>"),
        ("caf\u00e9\u2028", "application/json", b'{"Message":"caf\xc3\xa9\\u2028"}'),
    ],
)
def test_http_error_body_matches_web_api(message: str, media_type: str, expected: bytes) -> None:
    assert write_http_error(message, media_type) == expected


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
