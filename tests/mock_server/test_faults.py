"""Fault injection through the test client (drop-connection on a real socket: test_server)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from mock_server.faults import ConnectionDropped
from tests.mock_server.conftest import retry


def _add(client: FlaskClient, **fault: object) -> None:
    response = client.post("/__mock/faults", json=fault)
    assert response.status_code == 201, response.json


def test_http_500_fault_answers_web_api_500_for_the_next_calls(client: FlaskClient) -> None:
    _add(client, kind="http-500", calls=2)
    responses = [retry(client, "application/xml") for _ in range(3)]
    assert [r.status_code for r in responses] == [500, 500, 200]
    assert responses[0].data == b"<Error><Message>An error has occurred.</Message></Error>"


def test_http_500_fault_leaves_invoices_as_they_were(client: FlaskClient) -> None:
    before = client.get("/__mock/invoices").json
    _add(client, kind="http-500")
    retry(client)
    assert client.get("/__mock/invoices").json == before
    assert client.get("/__mock/faults").json == {"faults": []}


def test_envelope_failure_fault_answers_the_failure_envelope(client: FlaskClient) -> None:
    _add(client, kind="envelope-failure")
    envelope = json.loads(retry(client).data)
    assert envelope["Sucess"] is False and envelope["ResponseCode"] == -1
    assert envelope["ResponseMessage"] == "External system unavailable"
    assert envelope["Data"] == []


def test_malformed_body_fault_truncates_with_matching_content_length(client: FlaskClient) -> None:
    _add(client, kind="malformed-body")
    response = retry(client)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert int(response.headers["Content-Length"]) == len(response.data)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.data)


def test_drop_connection_fault_raises_a_clear_error_under_the_test_client(
    client: FlaskClient,
) -> None:
    _add(client, kind="drop-connection")
    with pytest.raises(ConnectionDropped, match="without a response"):
        retry(client)
    entry = client.get("/__mock/journal").json["journal"][-1]
    assert entry["status"] is None and entry["fault"] == "drop-connection"


def test_latency_fault_answers_normally_and_is_journaled(client: FlaskClient) -> None:
    _add(client, kind="latency", latency_ms=1)
    assert retry(client).status_code == 200
    assert client.get("/__mock/journal").json["journal"][-1]["fault"] == "latency"


def test_share_fault_fires_on_a_seeded_share_of_calls(client: FlaskClient) -> None:
    client.put("/__mock/scenario", json={"name": "empty"})
    _add(client, kind="http-500", share=0.25)
    statuses = [retry(client).status_code for _ in range(200)]
    assert 20 <= statuses.count(500) <= 80
    client.post("/__mock/reset")
    client.put("/__mock/scenario", json={"name": "empty"})
    _add(client, kind="http-500", share=0.25)
    assert [retry(client).status_code for _ in range(200)] == statuses, "not deterministic"


def test_faults_never_apply_to_the_control_api(client: FlaskClient) -> None:
    _add(client, kind="http-500", calls=5)
    assert client.get("/__mock/invoices").status_code == 200
    assert client.get("/__mock/faults").json["faults"][0]["calls"] == 5


def test_delete_faults_clears_them(client: FlaskClient) -> None:
    _add(client, kind="http-500", calls=5)
    assert client.delete("/__mock/faults").json == {"faults": []}
    assert retry(client).status_code == 200


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"kind": "http-500"}, {"kind": "http-500", "calls": 1}),
        ({"kind": "malformed-body", "share": 0.5}, {"kind": "malformed-body", "share": 0.5}),
        ({"kind": "latency"}, {"kind": "latency", "calls": 1, "latency_ms": 1000}),
        ({"kind": "latency", "calls": 3, "latency_ms": 5},
         {"kind": "latency", "calls": 3, "latency_ms": 5}),
    ],
)  # fmt: skip
def test_posted_fault_echoes_only_the_fields_of_its_kind(
    client: FlaskClient, fault: dict[str, object], expected: dict[str, object]
) -> None:
    response = client.post("/__mock/faults", json=fault)
    assert response.status_code == 201
    echoed = {key: value for key, value in response.json.items() if key != "id"}
    assert echoed == expected
    assert client.get("/__mock/faults").json["faults"] == [response.json]


def test_latency_ms_with_another_kind_is_refused_with_400(client: FlaskClient) -> None:
    response = client.post("/__mock/faults", json={"kind": "http-500", "latency_ms": 1000})
    assert response.status_code == 400
    assert response.json["error"] == "latency_ms applies only to kind latency, not to http-500"
    assert client.get("/__mock/faults").json == {"faults": []}
