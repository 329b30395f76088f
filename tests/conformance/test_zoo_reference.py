"""The zoo's reference implementation is correct: wire bytes, negotiation, errors, state."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from lxml import etree
from werkzeug.test import Client, TestResponse

from contract.artifacts import load_contract, xsd_files
from contract.negotiation import NEGOTIATION_CASES, NegotiationCase, content_type_header
from contract.wire import ResponseWriter, comparable, read_json, read_xml
from contract.xsd_validator import xsd_schema
from tests.conformance.zoo import RESET_PATH, ROUTE, create_app

JSON = "application/json"
XML = "application/xml"


def post(client: Client, accept: str | None = JSON, path: str = ROUTE) -> TestResponse:
    """POST with an optional Accept header."""
    return client.post(path, headers={"Accept": accept} if accept else {})


def statuses(values: dict[str, Any]) -> list[tuple[str, int]]:
    """(Status, SendingAttempts) of each item, in order."""
    return [(item["Status"], item["SendingAttempts"]) for item in values["Data"]]


@pytest.fixture
def client() -> Client:
    return Client(create_app())


def test_reference_json_body_is_what_the_wire_writer_writes_for_its_values(
    client: Client,
) -> None:
    response = post(client, JSON)
    values = read_json(response.data, load_contract())
    assert ResponseWriter(load_contract()).json(values) == response.data


def test_reference_xml_body_is_what_the_wire_writer_writes_and_the_xsd_accepts(
    client: Client,
) -> None:
    response = post(client, XML)
    values = read_xml(response.data, load_contract())
    assert ResponseWriter(load_contract()).xml(values) == response.data
    schema = xsd_schema(xsd_files())
    assert schema.validate(etree.fromstring(response.data)), schema.error_log


def test_reference_first_retry_after_reset_agrees_between_json_and_xml(client: Client) -> None:
    from_json = read_json(post(client, JSON).data, load_contract())
    client.post(RESET_PATH)
    from_xml = read_xml(post(client, XML).data, load_contract())
    assert comparable(from_json) == comparable(from_xml)


def test_reference_first_retry_sends_the_invoices_due_on_their_second_attempt(
    client: Client,
) -> None:
    values = read_json(post(client).data, load_contract())
    assert statuses(values) == [("Sent", 2)] * 2 + [("Failed", 2)] * 4
    assert values["Sucess"] is True
    assert values["Links"] == [{"Rel": "self", "HRef": ROUTE}]


def test_reference_sending_time_is_the_clock_of_the_call(client: Client) -> None:
    post(client)
    body = post(client, XML).data
    assert b"<d2p1:SendingTime>2025-12-14T19:22:43.1992775+02:00</d2p1:SendingTime>" in body
    assert b'"SendingTime":"2025-12-14T19:23:43Z"' in post(client).data


def test_reference_retries_never_return_sent_invoices_and_never_lower_attempts(
    client: Client,
) -> None:
    seen: dict[uuid.UUID, tuple[str, int]] = {}
    for _ in range(6):
        for item in read_json(post(client).data, load_contract())["Data"]:
            before = seen.get(item["InvoiceId"], ("Failed", 1))
            assert before[0] == "Failed", f"{item['InvoiceId']} was already sent"
            assert item["SendingAttempts"] > before[1]
            seen[item["InvoiceId"]] = (item["Status"], item["SendingAttempts"])
    assert len(seen) == 6


def test_reference_keeps_one_invoice_failing_for_ever(client: Client) -> None:
    for _ in range(5):
        post(client)
    values = read_json(post(client).data, load_contract())
    assert statuses(values) == [("Failed", 7)]


def test_reference_reset_restores_the_seeded_state(client: Client) -> None:
    first = post(client).data
    post(client)
    reset = client.post(RESET_PATH)
    assert (reset.status_code, reset.data) == (204, b"")
    assert post(client).data == first


@pytest.mark.parametrize("case", NEGOTIATION_CASES, ids=lambda case: case.rule)
def test_reference_answers_the_media_type_web_api_negotiates(case: NegotiationCase) -> None:
    headers = {
        name: value
        for name, value in (
            ("Accept", case.accept),
            ("X-Requested-With", case.x_requested_with),
            ("Content-Type", case.content_type),
        )
        if value is not None
    }
    response = Client(create_app()).post(ROUTE, headers=headers)
    assert response.headers["Content-Type"] == content_type_header(case.expected)
    parse = read_xml if case.expected.endswith("xml") else read_json
    assert parse(response.data, load_contract())["Sucess"] is True


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_reference_other_methods_get_405_with_allow_and_an_http_error(
    client: Client, method: str
) -> None:
    response = client.open(ROUTE, method=method, headers={"Accept": JSON})
    assert response.status_code == 405
    assert response.headers.getlist("Allow") == ["POST"]
    expected = f"The requested resource does not support http method '{method}'."
    assert response.json == {"Message": expected}


def test_reference_head_gets_405_without_a_body(client: Client) -> None:
    response = client.head(ROUTE)
    assert (response.status_code, response.headers["Allow"]) == (405, "POST")


def test_reference_unknown_path_gets_a_negotiated_404_naming_the_uri(client: Client) -> None:
    response = client.get("/api/v1/billing/nothing?x=1", headers={"Accept": "text/xml"})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.data == (
        b"<Error><Message>No HTTP resource was found that matches the request URI "
        b"'http://localhost/api/v1/billing/nothing?x=1'.</Message></Error>"
    )


def test_reference_route_matches_case_insensitively_with_a_trailing_slash(
    client: Client,
) -> None:
    response = post(client, JSON, ROUTE.upper() + "/")
    assert response.status_code == 200


def test_reference_reset_only_answers_post(client: Client) -> None:
    response = client.get(RESET_PATH)
    assert (response.status_code, response.headers["Allow"]) == (405, "POST")


def test_reference_ignores_a_request_body(client: Client) -> None:
    with_body = client.post(ROUTE, data=b"<ignored/>", headers={"Content-Type": "text/plain"})
    fresh = post(Client(create_app()))
    assert with_body.data == fresh.data


def test_create_app_refuses_an_unknown_break_and_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown breaks \['no-such'\]; known: \['attempts-"):
        create_app(breaks=frozenset({"no-such"}))


def test_create_app_refuses_an_unknown_variation_and_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown variations \['no-such'\]; known: \['charset-"):
        create_app(variations=frozenset({"no-such"}))
