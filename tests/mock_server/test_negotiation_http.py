"""Content negotiation through HTTP: every rule of contract.negotiation's table, end to end.

Each row of ``NEGOTIATION_CASES`` names the Web API rule it proves; here the mock must
answer the request with that media type, ``; charset=utf-8``, and a body in that format,
for the envelope and for an error alike.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from contract.negotiation import NEGOTIATION_CASES, NegotiationCase
from tests.mock_server.conftest import ROUTE


def _headers(case: NegotiationCase) -> dict[str, str]:
    headers = {}
    if case.accept is not None:
        headers["Accept"] = case.accept
    if case.x_requested_with is not None:
        headers["X-Requested-With"] = case.x_requested_with
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    return headers


@pytest.mark.parametrize("case", NEGOTIATION_CASES, ids=[case.rule for case in NEGOTIATION_CASES])
def test_envelope_is_answered_in_the_negotiated_media_type(
    client: FlaskClient, case: NegotiationCase
) -> None:
    response = client.post(ROUTE, headers=_headers(case), environ_base={"CONTENT_LENGTH": "0"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{case.expected}; charset=utf-8"
    first = response.data[:1]
    assert first == (b"{" if case.expected.endswith("json") else b"<"), case.rule


@pytest.mark.parametrize("case", NEGOTIATION_CASES, ids=[case.rule for case in NEGOTIATION_CASES])
def test_errors_are_answered_in_the_negotiated_media_type(
    client: FlaskClient, case: NegotiationCase
) -> None:
    response = client.get("/api/v1/unknown", headers=_headers(case))
    assert response.status_code == 404
    assert response.headers["Content-Type"] == f"{case.expected}; charset=utf-8"
    expected_start = b'{"Message":' if case.expected.endswith("json") else b"<Error><Message>"
    assert response.data.startswith(expected_start), case.rule


def test_several_accept_lines_are_one_list(client: FlaskClient) -> None:
    response = client.post(
        ROUTE,
        headers=[("Accept", "text/plain"), ("Accept", "text/xml")],
        environ_base={"CONTENT_LENGTH": "0"},
    )
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
