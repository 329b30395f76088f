"""The golden wire cases served through HTTP by the canned scenario, byte for byte: with
the Windows newline by default, the Linux one with ``--xml-newline lf``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from flask.testing import FlaskClient

from contract.wire import XmlNewline
from mock_server.__main__ import parse_options
from mock_server.settings import SettingsError
from tests.conftest import GoldenCase, golden_cases
from tests.mock_server.conftest import ROUTE, live_mock, make_app, retry

CASES = golden_cases()
NEWLINES = next(case for case in CASES if case.name == "10-newlines")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_canned_envelope_is_served_byte_exact_in_json_and_xml(
    client: FlaskClient, case: GoldenCase
) -> None:
    put = client.put("/__mock/scenario", json={"name": "canned", "envelope": case.values})
    assert put.status_code == 200, put.json

    as_json = retry(client, "application/json")
    as_xml = retry(client, "application/xml")

    assert as_json.status_code == 200
    assert as_json.headers["Content-Type"] == "application/json; charset=utf-8"
    assert as_json.data == case.json_bytes
    assert as_xml.status_code == 200
    assert as_xml.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert as_xml.data == case.xml_bytes


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_lf_mock_serves_the_golden_xml_with_linux_newlines(
    tmp_path: Path, case: GoldenCase
) -> None:
    client = make_app(tmp_path, XML_NEWLINE="lf").test_client()
    client.put("/__mock/scenario", json={"name": "canned", "envelope": case.values})
    assert retry(client, "application/xml").data == case.xml_bytes.replace(b"\r\n", b"\n")
    assert retry(client, "text/json").data == case.json_bytes


def test_the_xml_newline_setting_takes_its_enum_and_refuses_other_values(tmp_path: Path) -> None:
    client = make_app(tmp_path, XML_NEWLINE=XmlNewline.LF).test_client()
    client.put("/__mock/scenario", json={"name": "canned", "envelope": NEWLINES.values})
    assert b"\r" not in retry(client, "text/xml").data
    with pytest.raises(SettingsError, match="XML_NEWLINE must be one of 'crlf', 'lf', got 'cr'"):
        make_app(tmp_path, XML_NEWLINE="cr")


def test_xml_newline_option_sets_the_config() -> None:
    assert parse_options([])[1]["XML_NEWLINE"] == "crlf"
    assert parse_options(["--xml-newline", "lf"])[1]["XML_NEWLINE"] == "lf"
    with pytest.raises(SystemExit) as exited:
        parse_options(["--xml-newline", "cr"])
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("args", "newline"), [((), b"\r\n"), (("--xml-newline", "lf"), b"\n")], ids=["crlf", "lf"]
)
def test_the_served_mock_writes_the_newline_of_its_option(
    args: tuple[str, ...], newline: bytes
) -> None:
    with live_mock("--workers", "1", *args) as mock:
        put = httpx.put(
            mock.url + "/__mock/scenario", json={"name": "canned", "envelope": NEWLINES.values}
        )
        assert put.status_code == 200, put.text
        answer = httpx.post(mock.url + ROUTE, headers={"Accept": "application/xml"}, content=b"")
    assert answer.content == NEWLINES.xml_bytes.replace(b"\r\n", newline)
    assert (b"\r" in answer.content) is (newline == b"\r\n")


def test_canned_scenario_does_not_touch_the_invoices(client: FlaskClient) -> None:
    before = client.get("/__mock/invoices").json
    client.put("/__mock/scenario", json={"name": "canned", "envelope": CASES[0].values})
    retry(client)
    assert client.get("/__mock/invoices").json == before


def test_external_down_scenario_serves_the_failure_envelope(client: FlaskClient) -> None:
    failure = next(case for case in CASES if case.name == "07-failure-envelope")
    client.put("/__mock/scenario", json={"name": "external-down"})
    assert retry(client, "application/json").data == failure.json_bytes
    assert retry(client, "application/xml").data == failure.xml_bytes
