"""The control API: state, reset, seed, scenarios, faults, journal, and refusing bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import golden_cases
from tests.mock_server.conftest import FROZEN, ROUTE, make_app, retry

GOLDEN = golden_cases()

SAME_ID = "00000000-0000-0000-0000-000000000001"


def _data(response_body: bytes) -> list[dict[str, object]]:
    return json.loads(response_body)["Data"]  # type: ignore[no-any-return]


def test_retry_returns_exactly_the_failed_invoices_with_one_more_attempt(
    client: FlaskClient,
) -> None:
    before = client.get("/__mock/invoices").json["invoices"]
    data = _data(retry(client).data)
    assert [item["InvoiceId"] for item in data] == [inv["InvoiceId"] for inv in before]
    assert [item["SendingAttempts"] for item in data] == [
        inv["SendingAttempts"] + 1 for inv in before
    ]
    assert {item["SendingTime"] for item in data} == {"2025-12-14T19:20:43Z"}


def test_sent_invoices_are_not_retried_again(tmp_path: Path) -> None:
    client = make_app(tmp_path, SCENARIO="healthy").test_client()
    assert len(_data(retry(client).data)) == 20
    assert _data(retry(client).data) == []
    assert client.get("/__mock/invoices").json["failed"] == 0


def test_reset_restores_the_start_state(client: FlaskClient) -> None:
    start = client.get("/__mock/invoices").json
    client.put("/__mock/scenario", json={"name": "healthy"})
    client.post("/__mock/faults", json={"kind": "latency", "latency_ms": 0})
    retry(client)
    response = client.post("/__mock/reset")
    assert response.status_code == 200
    assert client.get("/__mock/invoices").json == start
    assert client.get("/__mock/scenario").json["name"] == "partial"
    assert client.get("/__mock/faults").json == {"faults": []}
    assert client.get("/__mock/journal").json == {"journal": []}


def test_seed_count_and_seed_replace_the_invoices(client: FlaskClient) -> None:
    response = client.post("/__mock/seed", json={"count": 5, "seed": 42})
    assert response.json == {"count": 5, "seed": 42}
    state = client.get("/__mock/invoices").json
    assert state["count"] == 5 and state["failed"] == 5


def test_seed_explicit_invoices_keeps_given_values_and_fills_the_rest(
    client: FlaskClient,
) -> None:
    invoice_id = "81409f7b-0b26-4f1b-aaa0-271b171c8c04"
    body = {"invoices": [{"InvoiceId": invoice_id, "System": "MediSwitch", "SendingAttempts": 4},
                         {"Status": "Sent", "Reason": None}]}  # fmt: skip
    assert client.post("/__mock/seed", json=body).status_code == 200
    first, second = client.get("/__mock/invoices").json["invoices"]
    assert first["InvoiceId"] == invoice_id and first["System"] == "MediSwitch"
    assert first["SendingAttempts"] == 4 and first["Status"] == "Failed"
    assert first["SendingTime"] == FROZEN
    assert second["Status"] == "Sent" and second["Reason"] is None


def test_scripted_outcomes_decide_the_next_retries(client: FlaskClient) -> None:
    invoices = client.get("/__mock/invoices").json["invoices"]
    target = invoices[0]["InvoiceId"]
    client.put(
        "/__mock/scenario",
        json={"name": "all-failing", "reseed": False, "outcomes": {target: ["failure", "success"]}},
    )
    first = {item["InvoiceId"]: item["Status"] for item in _data(retry(client).data)}
    second = {item["InvoiceId"]: item["Status"] for item in _data(retry(client).data)}
    assert first[target] == "Failed" and second[target] == "Sent"
    assert target not in {item["InvoiceId"] for item in _data(retry(client).data)}


@pytest.mark.parametrize(
    ("name", "count"), [("empty", 0), ("large", 10_000), ("healthy", 20), ("all-failing", 20)]
)
def test_scenarios_start_with_their_invoice_count(
    client: FlaskClient, name: str, count: int
) -> None:
    client.put("/__mock/scenario", json={"name": name})
    assert client.get("/__mock/invoices").json["count"] == count


def test_all_failing_is_a_steady_state(tmp_path: Path) -> None:
    client = make_app(tmp_path, SCENARIO="all-failing", FAILED=3).test_client()
    calls = [_data(retry(client).data) for _ in range(3)]
    assert [[item["InvoiceId"] for item in call] for call in calls].count(
        [item["InvoiceId"] for item in calls[0]]
    ) == 3
    assert [item["SendingAttempts"] for item in calls[2]] == [
        item["SendingAttempts"] + 2 for item in calls[0]
    ]


def test_max_attempts_abandons_and_stops_retrying(tmp_path: Path) -> None:
    client = make_app(tmp_path, SCENARIO="all-failing", FAILED=5, MAX_ATTEMPTS=4).test_client()
    statuses = []
    while data := _data(retry(client).data):
        statuses.append({item["Status"] for item in data})
        assert len(statuses) < 10, "retries never stopped"
    assert "Abandoned" in set().union(*statuses)
    state = client.get("/__mock/invoices").json["invoices"]
    assert {inv["Status"] for inv in state} == {"Abandoned"}
    assert all(inv["SendingAttempts"] >= 4 for inv in state)


def test_journal_records_service_requests_only(client: FlaskClient) -> None:
    retry(client, "application/xml")
    client.get("/nothing", headers={"Accept": "text/json"})
    entries = client.get("/__mock/journal").json["journal"]
    assert [
        (e["method"], e["path"], e["accept"], e["media_type"], e["status"]) for e in entries
    ] == [
        ("POST", ROUTE, "application/xml", "application/xml", 200),
        ("GET", "/nothing", "text/json", "text/json", 404),
    ]
    assert client.delete("/__mock/journal").json == {"journal": []}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "words"),
    [
        ("PUT", "/__mock/scenario", {"name": "sunny"}, 400, "name"),
        ("PUT", "/__mock/scenario", {}, 400, "name: Field required"),
        ("PUT", "/__mock/scenario", {"name": "partial", "success_rate": 2}, 400, "success_rate"),
        ("PUT", "/__mock/scenario", {"name": "partial", "success_rates": {"MediKredit": -1}}, 400,
         "success_rates.MediKredit"),
        ("PUT", "/__mock/scenario", {"name": "partial", "failed": "10"}, 400, "failed"),
        ("PUT", "/__mock/scenario", {"name": "partial", "success_rates": {"Medikredit": 0.5}}, 400,
         "'Medikredit' is not a switch; the switches are MediKredit, MediSwitch, Healthbridge"),
        ("PUT", "/__mock/scenario", {"name": "partial", "failed": 10.5}, 400, "failed"),
        ("POST", "/__mock/seed", {"invoices": [{"SendingTime": "2025-12-14T19:20:43+05:75"}]}, 400,
         "invoices.0.SendingTime"),
        ("POST", "/__mock/seed", {"invoices": [{"SendingTime": "2023-02-29T00:00:00"}]}, 400,
         "invoices.0.SendingTime"),
        ("PUT", "/__mock/scenario", {"name": "canned"}, 400, "envelope"),
        ("PUT", "/__mock/scenario", {"name": "canned", "envelope": {"Sucess": "yes"}}, 400,
         "envelope"),
        ("PUT", "/__mock/scenario", {"name": "partial", "colour": 1}, 400, "colour"),
        ("PUT", "/__mock/scenario", {"name": "partial", "max_attempts": 0}, 400, "max_attempts"),
        ("POST", "/__mock/seed", {"count": -1}, 400, "count"),
        ("POST", "/__mock/seed", {"count": True}, 400, "count"),
        ("POST", "/__mock/seed", {"count": 1, "invoices": []}, 400, "not both"),
        ("POST", "/__mock/seed", {"invoices": [{"SendingTime": "yesterday"}]}, 400,
         "invoices.0.SendingTime"),
        ("POST", "/__mock/seed", {"invoices": [{"InvoiceId": SAME_ID}, {"InvoiceId": SAME_ID}]},
         400, "unique"),
        ("POST", "/__mock/seed", [1, 2], 400, "object"),
        ("POST", "/__mock/faults", {"kind": "fire"}, 400, "kind"),
        ("POST", "/__mock/faults", {"kind": "latency", "calls": 0}, 400, "calls"),
        ("POST", "/__mock/faults", {"kind": "latency", "share": 1.5}, 400, "share"),
        ("POST", "/__mock/faults", {"kind": "latency", "calls": 1, "share": 0.5}, 400, "not both"),
        ("POST", "/__mock/faults", {"kind": "latency", "latency_ms": -5}, 400, "latency_ms"),
        ("PUT", "/__mock/scenario", {"name": "partial", "failed": 1_000_000}, 400,
         "failed: at most 100,000 invoices"),
        ("POST", "/__mock/seed", {"count": 100_001}, 400, "count: at most 100,000 invoices"),
        ("POST", "/__mock/seed", {"invoices": [{"SendingAttempts": "5"}]}, 400,
         "invoices.0.SendingAttempts: Input should be a valid integer"),
        ("POST", "/__mock/seed", {"invoices": [{}, {"SendingAttempts": 2**31}]}, 400,
         "invoices.1.SendingAttempts: Input should be less than or equal to 2147483647"),
        ("POST", "/__mock/seed", {"invoices": [{"SendingAttempts": -1}]}, 400,
         "invoices.0.SendingAttempts: must be 0 or more"),
        ("POST", "/__mock/seed", {"invoices": [{"PracticeId": "p-1"}]}, 400,
         "invoices.0.PracticeId"),
        ("POST", "/__mock/seed", {"invoices": [{"Reason": 7}]}, 400, "invoices.0.Reason"),
        ("POST", "/__mock/seed", {"invoices": [{"Colour": "red"}]}, 400,
         "invoices.0.Colour: Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_bad_control_input_gets_4xx_naming_the_field(
    client: FlaskClient, *, method: str, path: str, body: object, status: int, words: str
) -> None:
    response = client.open(path, method=method, json=body)
    assert response.status_code == status
    assert words in response.json["error"]


def test_malformed_json_gets_400(client: FlaskClient) -> None:
    response = client.put("/__mock/scenario", data="{name:", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json["error"]


def test_non_json_content_type_gets_415(client: FlaskClient) -> None:
    response = client.put("/__mock/scenario", data="name=healthy", content_type="text/plain")
    assert response.status_code == 415
    assert "application/json" in response.json["error"]


def test_oversized_control_body_gets_413(client: FlaskClient) -> None:
    body = b'{"invoices": [' + b" " * (1024 * 1024) + b"]}"
    response = client.post("/__mock/seed", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "1048576" in response.json["error"]


def test_wrong_method_and_unknown_control_path_get_json_errors(client: FlaskClient) -> None:
    wrong = client.get("/__mock/reset")
    unknown = client.get("/__mock/nothing")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    assert "does not support GET" in wrong.json["error"]
    assert unknown.status_code == 404 and "/__mock/nothing" in unknown.json["error"]


def test_scenario_at_the_invoice_limit_is_accepted(client: FlaskClient) -> None:
    body = {"name": "all-failing", "failed": 100_000, "reseed": False}
    response = client.put("/__mock/scenario", json=body)
    assert response.status_code == 200
    assert response.json["failed"] == 100_000


def test_canned_envelope_is_checked_by_the_contract_model_naming_the_field(
    client: FlaskClient,
) -> None:
    envelope = GOLDEN[0].values
    bad = {**envelope, "Data": [{**envelope["Data"][0], "SendingAttempts": "3"}]}
    response = client.put("/__mock/scenario", json={"name": "canned", "envelope": bad})
    assert response.status_code == 400
    assert (
        response.json["error"] == "envelope.Data.0.SendingAttempts: Input should be a valid integer"
    )
    assert client.get("/__mock/scenario").json["name"] == "partial"


def test_canned_envelope_missing_a_member_is_refused_naming_it(client: FlaskClient) -> None:
    envelope = {key: value for key, value in GOLDEN[0].values.items() if key != "ResponseCode"}
    response = client.put("/__mock/scenario", json={"name": "canned", "envelope": envelope})
    assert response.status_code == 400
    assert response.json["error"] == "envelope.ResponseCode: Field required"


def test_health_says_ready_with_the_scenario_in_force(client: FlaskClient) -> None:
    assert client.get("/__mock/health").get_json() == {"status": "ready", "scenario": "partial"}
    client.put("/__mock/scenario", json={"name": "empty"})
    response = client.get("/__mock/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "scenario": "empty"}
    assert client.post("/__mock/health").status_code == 405


def test_scripted_outcomes_for_an_invoice_the_mock_does_not_hold_are_a_400(
    client: FlaskClient,
) -> None:
    stranger = "00000000-0000-0000-0000-0000000000aa"
    before = client.get("/__mock/scenario").get_json()
    response = client.put(
        "/__mock/scenario",
        json={"name": "all-failing", "reseed": False, "outcomes": {stranger: ["success"]}},
    )
    assert response.status_code == 400
    message = response.get_json()["error"]
    assert message.startswith(f"outcomes: invoice {stranger} is not among the mock's 20 invoices")
    first = client.get("/__mock/invoices").get_json()["invoices"][0]["InvoiceId"]
    assert first in message
    assert client.get("/__mock/scenario").get_json() == before


def test_scripted_outcomes_are_checked_against_the_invoices_a_reseed_brings(
    client: FlaskClient,
) -> None:
    current = client.get("/__mock/invoices").get_json()["invoices"][0]["InvoiceId"]
    response = client.put(
        "/__mock/scenario",
        json={
            "name": "all-failing",
            "seed": 99,
            "reseed": True,
            "outcomes": {current: ["success"]},
        },
    )
    assert response.status_code == 400
    assert f"invoice {current} is not among" in response.get_json()["error"]


def test_unknown_scenario_names_and_fault_kinds_are_400s_naming_the_known_ones(
    client: FlaskClient,
) -> None:
    scenario = client.put("/__mock/scenario", json={"name": "nope"})
    fault = client.post("/__mock/faults", json={"kind": "nope"})
    assert (scenario.status_code, fault.status_code) == (400, 400)
    for known in ("healthy", "all-failing", "partial", "empty", "large", "external-down", "canned"):
        assert f"'{known}'" in scenario.get_json()["error"]
    for kind in ("latency", "http-500", "envelope-failure", "drop-connection", "malformed-body"):
        assert f"'{kind}'" in fault.get_json()["error"]


def test_integers_written_with_a_zero_fraction_or_an_exponent_are_integers(
    client: FlaskClient,
) -> None:
    # JSON Schema (and so the control API's document) counts 2.0 and 1e3 as integers.
    added = client.post("/__mock/faults", json={"kind": "latency", "calls": 2.0, "latency_ms": 1e1})
    assert added.status_code == 201, added.json
    assert {key: added.json[key] for key in ("calls", "latency_ms")} == {
        "calls": 2, "latency_ms": 10,
    }  # fmt: skip
    seeded = client.post("/__mock/seed", json={"count": 3e0, "seed": 7.0})
    assert seeded.status_code == 200, seeded.json
    assert seeded.json["count"] == 3
