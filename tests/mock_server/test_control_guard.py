"""No drive-by control: origins, form posts, the control token, the CORS defaults, --host."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from mock_server.__main__ import parse_options
from mock_server.settings import DEFAULTS, Settings
from tests.mock_server.conftest import REPO, ROUTE, make_app, retry

EVIL = "http://evil.example"
LOOPBACK = [
    "http://localhost:3000",
    "https://127.0.0.1:8443",
    "http://[::1]:5173",
    "http://localhost",
]
STATE_CHANGES = [("POST", "/__mock/reset"), ("POST", "/__mock/seed"),
                 ("PUT", "/__mock/scenario"), ("POST", "/__mock/faults"),
                 ("DELETE", "/__mock/faults"), ("DELETE", "/__mock/journal")]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), STATE_CHANGES)
def test_a_foreign_origin_cannot_change_state_even_with_json(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method, json={}, headers={"Origin": EVIL})
    assert response.status_code == 403
    assert EVIL in response.json["error"] and "--cors-origins" in response.json["error"]


def test_a_form_post_from_any_page_is_refused(client: FlaskClient) -> None:
    before = client.get("/__mock/invoices").json
    for origin in [EVIL, "null", LOOPBACK[0]]:
        for content_type in ["application/x-www-form-urlencoded", "text/plain",
                             "multipart/form-data; boundary=x"]:  # fmt: skip
            response = client.post("/__mock/seed", data="count=0", content_type=content_type,
                                   headers={"Origin": origin})  # fmt: skip
            assert response.status_code in (403, 415), (origin, content_type)
    assert client.get("/__mock/invoices").json == before


def test_an_empty_body_without_content_type_needs_no_origin(client: FlaskClient) -> None:
    assert client.post("/__mock/reset").status_code == 200
    from_page = client.post("/__mock/reset", headers={"Origin": LOOPBACK[0]})
    assert from_page.status_code == 415
    assert "application/json" in from_page.json["error"]
    json_from_page = client.post("/__mock/reset", json={}, headers={"Origin": LOOPBACK[0]})
    assert json_from_page.status_code == 200


def test_an_empty_body_from_a_script_passes_whatever_content_type_its_library_sets(
    client: FlaskClient,
) -> None:
    # wsgiref and some HTTP libraries fill in text/plain for a bodiless POST.
    assert client.post("/__mock/reset", content_type="text/plain").status_code == 200
    from_page = client.post(
        "/__mock/reset", content_type="text/plain", headers={"Origin": LOOPBACK[0]}
    )
    assert from_page.status_code == 415
    with_body = client.post("/__mock/reset", data="x", content_type="text/plain")
    assert with_body.status_code == 415


def test_a_body_without_content_type_is_415(client: FlaskClient) -> None:
    response = client.post("/__mock/seed", data=b'{"count": 1}')
    assert response.status_code == 415


@pytest.mark.parametrize("origin", LOOPBACK)
def test_loopback_origins_get_cors_by_default_on_both_apis(
    client: FlaskClient, origin: str
) -> None:
    assert retry(client, Origin=origin).headers["Access-Control-Allow-Origin"] == origin
    control = client.get("/__mock/invoices", headers={"Origin": origin})
    assert control.headers["Access-Control-Allow-Origin"] == origin


def test_other_origins_get_no_cors_by_default(client: FlaskClient) -> None:
    assert "Access-Control-Allow-Origin" not in retry(client, Origin=EVIL).headers
    state = client.get("/__mock/invoices", headers={"Origin": EVIL})
    assert "Access-Control-Allow-Origin" not in state.headers
    looks_local = "http://localhost.evil.example"
    assert "Access-Control-Allow-Origin" not in retry(client, Origin=looks_local).headers


def test_listed_and_star_origins_are_allowed(tmp_path: Path) -> None:
    listed = make_app(tmp_path, CORS_ORIGINS="http://app.example").test_client()
    assert listed.post("/__mock/reset", json={}, headers={"Origin": "http://app.example"}
                       ).status_code == 200  # fmt: skip
    assert listed.post("/__mock/reset", json={}, headers={"Origin": EVIL}).status_code == 403
    star = make_app(tmp_path, CORS_ORIGINS="*", DATABASE=tmp_path / "star.sqlite3").test_client()
    response = star.post("/__mock/reset", json={}, headers={"Origin": EVIL})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == EVIL


def test_without_cors_state_changes_still_come_only_from_loopback(tmp_path: Path) -> None:
    client = make_app(tmp_path, CORS_ORIGINS=None).test_client()
    assert client.post("/__mock/reset", json={}, headers={"Origin": EVIL}).status_code == 403
    ok = client.post("/__mock/reset", json={}, headers={"Origin": LOOPBACK[0]})
    assert ok.status_code == 200 and "Access-Control-Allow-Origin" not in ok.headers


def test_the_control_token_guards_the_whole_control_api(tmp_path: Path) -> None:
    client = make_app(tmp_path, CONTROL_TOKEN="s3cret").test_client()
    for path in ["/__mock/health", "/__mock/invoices", "/__mock/openapi.yaml"]:
        refused = client.get(path)
        assert refused.status_code == 401 and "Bearer" in refused.json["error"]
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.post("/__mock/reset").status_code == 401
    assert retry(client).status_code == 200  # the endpoint itself stays open, as the service


def test_the_token_is_never_shown() -> None:
    settings = Settings.from_config({**DEFAULTS, "CONTROL_TOKEN": "s3cret"})
    assert "s3cret" not in repr(settings)


def test_a_preflight_for_the_control_api_needs_no_token(tmp_path: Path) -> None:
    client = make_app(tmp_path, CONTROL_TOKEN="s3cret").test_client()
    preflight = client.options("/__mock/reset", headers={
        "Origin": LOOPBACK[0], "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == LOOPBACK[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--cors-origins", ""], "--cors-origins is empty"),
        (["--cors-origins", " , "], "--cors-origins is empty"),
        (["--cors-origins", "http://a.example/path"], "--cors-origins: 'http://a.example/path'"),
        (["--no-cors", "--cors-origins", ""], "--no-cors and --cors-origins"),
        (
            ["--control-token-env", "RETRY_MOCK_TEST_UNSET_VARIABLE"],
            "--control-token-env: environment variable RETRY_MOCK_TEST_UNSET_VARIABLE",
        ),
    ],
)
def test_bad_security_options_exit_2_with_one_line(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_options(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert words in err and len(err.splitlines()) == 1


def test_the_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETRY_MOCK_TOKEN", "s3cret")
    _, config = parse_options(["--control-token-env", "RETRY_MOCK_TOKEN"])
    assert config["CONTROL_TOKEN"] == "s3cret"
    _, default = parse_options([])
    assert default["CORS_ORIGINS"] == () and default["CONTROL_TOKEN"] is None


def test_a_non_loopback_host_warns_on_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from mock_server.__main__ import "
         "_warn_unless_loopback as w; w(sys.argv[1], guarded=False); w('127.0.0.1', "
         "guarded=False); w('::1', guarded=False); w('localhost', guarded=False)", "0.0.0.0"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("retry-mock: warning: --host 0.0.0.0")
    assert "--control-token-env" in lines[0]


def test_the_endpoint_route_is_not_guarded(client: FlaskClient) -> None:
    response = client.post(ROUTE, headers={"Origin": EVIL}, environ_base={"CONTENT_LENGTH": "0"})
    assert response.status_code == 200
