"""No input gives a 500: deep JSON, attempt counts at Int32's limit, a journal of huge requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from mock_server import control
from mock_server.control_models import MAX_JSON_DEPTH, json_depth
from mock_server.store import JOURNAL_FIELD_LIMIT
from tests.mock_server.conftest import ROUTE, make_app, retry

INT32_MAX = 2_147_483_647
SAME_ID = "00000000-0000-0000-0000-000000000001"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 300, 999, 1000, 100_000])
def test_deep_json_is_a_400_naming_the_limit(client: FlaskClient, depth: int) -> None:
    body = '{"invoices": [' + "[" * depth + "]" * depth + "]}"
    for method, path in [("POST", "/__mock/seed"), ("PUT", "/__mock/scenario"),
                         ("POST", "/__mock/faults")]:  # fmt: skip
        response = client.open(path, method=method, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.data)
        assert f"deeper than {MAX_JSON_DEPTH} levels" in response.json["error"]


def test_json_depth_ignores_brackets_in_strings_and_survives_garbage() -> None:
    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, {"c": "\\"]"}]}') == 3
    assert json_depth(b'"unterminated [[[') <= 3
    assert json_depth(b"[" * 1_000_000) == MAX_JSON_DEPTH + 1


def test_a_body_at_the_depth_limit_is_still_parsed(client: FlaskClient) -> None:
    body = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    response = client.post("/__mock/seed", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "deeper" not in response.json["error"]


def test_a_failed_invoice_at_int32_max_is_refused_naming_the_limit(client: FlaskClient) -> None:
    given = {"InvoiceId": SAME_ID, "SendingAttempts": INT32_MAX}
    response = client.post("/__mock/seed", json={"invoices": [given]})
    assert response.status_code == 400
    assert "invoices.0.SendingAttempts" in response.json["error"]
    assert "Int32.MaxValue" in response.json["error"]
    sent = client.post("/__mock/seed", json={"invoices": [{**given, "Status": "Sent"}]})
    assert sent.status_code == 200


def test_a_failed_invoice_reaching_int32_max_is_abandoned_never_beyond(tmp_path: Path) -> None:
    client = make_app(tmp_path, SCENARIO="all-failing").test_client()
    given = {"InvoiceId": SAME_ID, "SendingAttempts": INT32_MAX - 1}
    assert client.post("/__mock/seed", json={"invoices": [given]}).status_code == 200
    first = retry(client)
    assert first.status_code == 200
    [invoice] = json.loads(first.data)["Data"]
    assert invoice["SendingAttempts"] == INT32_MAX and invoice["Status"] == "Abandoned"
    again = retry(client)
    assert again.status_code == 200 and json.loads(again.data)["Data"] == []
    [stored] = client.get("/__mock/invoices").json["invoices"]
    assert stored["SendingAttempts"] == INT32_MAX


def test_journal_fields_are_cut_and_marked(client: FlaskClient) -> None:
    query = "q=" + "x" * 60_000
    client.post(f"{ROUTE}?{query}", headers={"Accept": "a" * 60_000},
                environ_base={"CONTENT_LENGTH": "0"})  # fmt: skip
    [entry] = client.get("/__mock/journal").json["journal"]
    assert len(entry["path"]) == JOURNAL_FIELD_LIMIT
    assert entry["path"].endswith(f"...[cut: {len(ROUTE) + 1 + len(query):,} characters]")
    assert entry["accept"].endswith("...[cut: 60,000 characters]")


def test_journal_response_is_bounded_in_bytes_oldest_dropped_first(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(control, "JOURNAL_RESPONSE_LIMIT", 20_000)
    for number in range(271):
        client.post(f"{ROUTE}?n={number}&q={'x' * 60_000}", environ_base={"CONTENT_LENGTH": "0"})
    response = client.get("/__mock/journal")
    assert len(response.data) <= 20_000 + 100
    paths = [entry["path"] for entry in response.json["journal"]]
    assert paths and paths[-1].startswith(f"{ROUTE}?n=270&")
    assert not any(path.startswith(f"{ROUTE}?n=0&") for path in paths)
