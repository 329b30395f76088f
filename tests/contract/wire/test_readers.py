"""read_json and read_xml give back the golden values; read_xml is strict and hardened."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from contract.endpoint import EndpointContract
from contract.wire import WireFormatError, comparable, read_json, read_xml, values_from_json
from contract.wire.values import normalize_newlines
from tests.conftest import GoldenCase, golden_cases

CASES = golden_cases()
GOLDEN_XML = CASES[0].xml_bytes
HELP_PAGE = Path(__file__).parents[3] / "contract" / "source" / "retryallfailed.txt"


def _exact_xml_values(case: GoldenCase, contract: EndpointContract) -> object:
    """The golden values as XML keeps them: strings newline-normalized, all else exact."""

    def normalize(value: object) -> object:
        if isinstance(value, str):
            return normalize_newlines(value)
        if isinstance(value, dict):
            return {key: normalize(item) for key, item in value.items()}
        if isinstance(value, list):
            return [normalize(item) for item in value]
        return value

    return normalize(values_from_json(case.values, contract))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_read_xml_gives_golden_values_exactly(
    case: GoldenCase, retry_contract: EndpointContract
) -> None:
    assert read_xml(case.xml_bytes, retry_contract) == _exact_xml_values(case, retry_contract)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_read_json_gives_golden_values_at_json_precision(
    case: GoldenCase, retry_contract: EndpointContract
) -> None:
    expected = comparable(values_from_json(case.values, retry_contract))
    assert comparable(read_json(case.json_bytes, retry_contract)) == expected


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_json_and_xml_renderings_are_comparable(
    case: GoldenCase, retry_contract: EndpointContract
) -> None:
    from_json = read_json(case.json_bytes, retry_contract)
    from_xml = read_xml(case.xml_bytes, retry_contract)
    assert comparable(from_json) == comparable(from_xml)


def test_read_json_keeps_raw_carriage_returns(retry_contract: EndpointContract) -> None:
    value = read_json(CASES[5].json_bytes, retry_contract)
    assert value["Data"][2]["Reason"] == "line1\nline2\ttab\r\n"


def test_read_xml_accepts_help_page_indented_sample(retry_contract: EndpointContract) -> None:
    text = HELP_PAGE.read_text(encoding="utf-8")
    sample = re.search(r"^<RestApiResultOf.*?^</RestApiResultOf\w+>$", text, re.S | re.M)
    assert sample is not None
    expected = values_from_json(CASES[0].values, retry_contract)
    assert read_xml(sample.group().encode(), retry_contract) == expected


def test_read_xml_ignores_prefixes_and_whitespace(retry_contract: EndpointContract) -> None:
    body = GOLDEN_XML.decode()
    body = body.replace('xmlns:d2p1="', 'xmlns:bill="').replace("d2p1:", "bill:")
    body = body.replace(
        'xmlns="http://schemas.datacontract.org/2004/07/Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects"',
        'xmlns:core="http://schemas.datacontract.org/2004/07/Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects"',
    )
    body = re.sub(r"<(/?)(?!bill:|core:)(\w+)", r"<\1core:\2", body).replace("><", ">\n  <")
    assert "core:Data" in body and "bill:Reason" in body
    expected = values_from_json(CASES[0].values, retry_contract)
    assert read_xml(body.encode(), retry_contract) == expected


def test_read_xml_accepts_parsed_element(retry_contract: EndpointContract) -> None:
    element = etree.fromstring(GOLDEN_XML)
    assert read_xml(element, retry_contract) == values_from_json(CASES[0].values, retry_contract)


def _mutated(old: str, new: str) -> bytes:
    body = GOLDEN_XML.decode()
    assert old in body
    return body.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("body", "message", "location"),
    [
        (
            _mutated("<ResponseCode>2</ResponseCode>", ""),
            "expected member <ResponseCode>",
            "/ResponseMessage",
        ),
        (_mutated("<Sucess>true</Sucess>", ""), "member <Sucess> .* is missing", "/RestApiResult"),
        (
            _mutated(
                "<d2p1:Reason>sample string 4</d2p1:Reason>", "<Reason>sample string 4</Reason>"
            ),
            "<Reason> is in namespace http://schemas.datacontract.org/2004/07/Com.Healthbridge.Core",
            "/Reason",
        ),
        (
            _mutated("<ResponseCode>2</ResponseCode>", '<ResponseCode i:nil="true" />'),
            "i:nil on a non-nillable Int32",
            "/ResponseCode",
        ),
        (
            _mutated("<d2p1:SendingAttempts>8<", "<d2p1:SendingAttempts>eight<"),
            "'eight' is not a valid System.Int32",
            "/SendingAttempts",
        ),
        (
            _mutated("<Sucess>true</Sucess>", "<Sucess>true</Sucess><Extra />"),
            "unexpected element <Extra>",
            "/Extra",
        ),
        (
            _mutated("<RestApiLink><HRef>", "<Link><HRef>").replace(
                b"</RestApiLink><RestApiLink>", b"</Link><RestApiLink>", 1
            ),
            "expected <RestApiLink>",
            "/Links/Link[1]",
        ),
        (
            b"<Other />",
            "expected root <RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm>",
            "/Other",
        ),
        (b"<unclosed>", "not well-formed XML", "/"),
    ],
)
def test_read_xml_rejects_mismatch_with_location(
    body: bytes, message: str, location: str, retry_contract: EndpointContract
) -> None:
    with pytest.raises(WireFormatError, match=message) as raised:
        read_xml(body, retry_contract)
    assert location in raised.value.location
    assert raised.value.line is not None


def test_read_xml_rejects_external_entity_without_reading_file(
    tmp_path: Path, retry_contract: EndpointContract
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    body = GOLDEN_XML.decode().replace("sample string 3", "&xxe;")
    body = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>' + body
    with pytest.raises(WireFormatError) as raised:
        read_xml(body.encode(), retry_contract)
    assert "TOP-SECRET" not in str(raised.value)
    assert "DTD" in str(raised.value) or "entity" in str(raised.value).lower()


def test_read_xml_rejects_internal_entity_expansion(retry_contract: EndpointContract) -> None:
    body = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>' + GOLDEN_XML.decode().replace(
        "sample string 3", "&a;&a;"
    )
    with pytest.raises(WireFormatError, match="DTD is not allowed"):
        read_xml(body.encode(), retry_contract)


def test_read_json_rejects_missing_member_with_pointer(retry_contract: EndpointContract) -> None:
    body = CASES[0].json_bytes.replace(b'"SendingAttempts":8,', b"", 1)
    with pytest.raises(
        WireFormatError, match="member 'SendingAttempts' of InvoiceSendingStatusVo is missing"
    ) as raised:
        read_json(body, retry_contract)
    assert raised.value.location == "/Data/0/SendingAttempts"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"Sucess":true,', "invalid JSON"),
        (b"\xff", "not UTF-8"),
        (b'{"Sucess":true,"Sucess":false}', "appears twice"),
    ],
)
def test_read_json_rejects_malformed_body(
    body: bytes, message: str, retry_contract: EndpointContract
) -> None:
    with pytest.raises(WireFormatError, match=message):
        read_json(body, retry_contract)


def test_read_json_rejects_round_trip_date_in_wall_clock_contract(
    retry_contract: EndpointContract,
) -> None:
    body = CASES[0].json_bytes.replace(b"19:20:43Z", b"19:20:43.5+02:00", 1)
    with pytest.raises(WireFormatError, match="yyyy-MM-ddTHH:mm:ssZ") as raised:
        read_json(body, retry_contract)
    assert raised.value.location == "/Data/0/SendingTime"
