"""The golden wire cases served through HTTP by the canned scenario, byte for byte."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import GoldenCase, golden_cases
from tests.mock_server.conftest import retry

CASES = golden_cases()


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
