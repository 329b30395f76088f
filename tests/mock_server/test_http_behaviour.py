"""Web API 2 behaviour at the HTTP level: routing, errors, 411/413, CORS, documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from flask.testing import FlaskClient
from openapi_spec_validator import OpenAPIV31SpecValidator

from contract.artifacts import openapi_text, xsd_files
from tests.mock_server.conftest import ROUTE, make_app, retry


def test_route_matches_case_insensitively_and_with_trailing_slash(client: FlaskClient) -> None:
    for path in ("/API/V1/Billing/Invoices/RetryAllFailed", ROUTE + "/"):
        response = client.post(path, environ_base={"CONTENT_LENGTH": "0"})
        assert response.status_code == 200, path
        assert json.loads(response.data)["Sucess"] is True


def test_request_body_is_ignored(client: FlaskClient) -> None:
    response = client.post(ROUTE, data=b'{"anything": [1, 2]}', content_type="application/json")
    assert response.status_code == 200
    assert len(json.loads(response.data)["Data"]) == 20


def test_post_without_content_length_gets_iis_411(client: FlaskClient) -> None:
    response = client.post(ROUTE)
    assert response.status_code == 411
    assert response.headers["Content-Type"] == "text/html; charset=us-ascii"
    assert b"HTTP Error 411. The request must be chunked or have a content length." in response.data


def test_chunked_post_without_content_length_is_served(client: FlaskClient) -> None:
    response = client.post(ROUTE, headers={"Transfer-Encoding": "chunked"})
    assert response.status_code == 200


def test_other_method_gets_405_with_allow_post_in_negotiated_format(client: FlaskClient) -> None:
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        response = client.open(ROUTE, method=method, headers={"Accept": "application/xml"})
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
        message = f"The requested resource does not support http method '{method}'."
        assert response.data == f"<Error><Message>{message}</Message></Error>".encode()


def test_options_without_cors_preflight_headers_is_405(client: FlaskClient) -> None:
    response = client.options(ROUTE)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_unknown_path_gets_404_naming_the_full_uri(client: FlaskClient) -> None:
    response = client.get("/api/v1/billing/nothing?page=2")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    expected = (
        "No HTTP resource was found that matches the request URI "
        "'http://localhost/api/v1/billing/nothing?page=2'."
    )
    assert json.loads(response.data) == {"Message": expected}


def test_oversized_body_gets_413_on_the_endpoint(client: FlaskClient) -> None:
    response = client.post(ROUTE, data=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "larger than the limit of 1048576 bytes" in json.loads(response.data)["Message"]


def test_unexpected_error_gets_web_api_500(tmp_path: Path) -> None:
    app = make_app(tmp_path)

    @app.route("/api/v1/boom", methods=["POST"])
    def boom() -> str:
        raise RuntimeError("a bug")

    response = app.test_client().post(
        "/api/v1/boom", headers={"Accept": "text/xml"}, environ_base={"CONTENT_LENGTH": "0"}
    )
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.data == b"<Error><Message>An error has occurred.</Message></Error>"


def test_cors_preflight_is_answered_and_origin_echoed(client: FlaskClient) -> None:
    origin = "http://localhost:3000"
    preflight = client.options(
        ROUTE,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    response = retry(client, Origin=origin)
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Content-Length" in response.headers["Access-Control-Expose-Headers"]


def test_cors_is_off_with_no_origins(tmp_path: Path) -> None:
    client = make_app(tmp_path, CORS_ORIGINS=None).test_client()
    response = retry(client, Origin="http://localhost:3000")
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_origin_list_echoes_only_listed_origins(tmp_path: Path) -> None:
    client = make_app(tmp_path, CORS_ORIGINS=["http://app.example"]).test_client()
    allowed = retry(client, Origin="http://app.example")
    other = retry(client, Origin="http://evil.example")
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://app.example"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_no_cors_headers_without_an_origin(client: FlaskClient) -> None:
    assert not [name for name, _ in retry(client).headers if name.startswith("Access-Control")]


def test_openapi_yaml_is_the_contracts(client: FlaskClient) -> None:
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/yaml; charset=utf-8"
    assert response.data.decode() == openapi_text()


def test_every_xsd_is_served_as_xml(client: FlaskClient) -> None:
    files = xsd_files()
    assert "response.xsd" in files
    for name, content in files.items():
        response = client.get(f"/xsd/{name}")
        assert response.status_code == 200, name
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
        assert response.data == content


def test_unknown_xsd_is_a_json_404_listing_the_known_ones(client: FlaskClient) -> None:
    response = client.get("/xsd/nothing.xsd")
    assert response.status_code == 404
    assert "response.xsd" in response.json["error"]


def test_control_openapi_is_served_and_documents_every_control_route(
    client: FlaskClient,
) -> None:
    response = client.get("/__mock/openapi.yaml")
    document = yaml.safe_load(response.data)
    assert document["openapi"] == "3.1.0"
    routes = {
        (re.sub(r"<(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/__mock/")
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented


def test_control_openapi_is_a_valid_openapi_31_document(client: FlaskClient) -> None:
    document = yaml.safe_load(client.get("/__mock/openapi.yaml").data)
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == [], "the control API's OpenAPI document is invalid"


def test_status_lines_carry_iis_reason_phrases(client: FlaskClient) -> None:
    assert retry(client).status == "200 OK"
    assert client.get(ROUTE).status == "405 Method Not Allowed"
    assert client.get("/api/nothing").status == "404 Not Found"
