"""The headers IIS and ASP.NET add: on every Web API answer, in IIS's order, configurable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, TestResponse, run_wsgi_app

from mock_server.__main__ import parse_options
from mock_server.iis_headers import arranged, site_headers
from mock_server.settings import DEFAULTS, Settings, SettingsError
from tests.mock_server.conftest import ROUTE, live_mock, make_app, retry

NO_CACHE = [("Cache-Control", "no-cache"), ("Pragma", "no-cache")]
IIS = [
    ("Expires", "-1"),
    ("Server", "Microsoft-IIS/10.0"),
    ("X-AspNet-Version", "4.0.30319"),
    ("X-Powered-By", "ASP.NET"),
]
JSON = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"


def headers_of(response: TestResponse) -> list[tuple[str, str]]:
    return list(response.headers.items())


def web_api_headers(content_type: str, length: int, *own: tuple[str, str]) -> list[Any]:
    """A Web API answer's whole header list, as IIS orders it."""
    return [*NO_CACHE, *own, ("Content-Type", content_type), *IIS, ("Content-Length", str(length))]


FORMATS = [("application/json", JSON), ("text/xml", "text/xml; charset=utf-8")]


@pytest.mark.parametrize(("accept", "content_type"), FORMATS)
def test_plain_retry_has_every_header_in_order(
    client: FlaskClient, accept: str, content_type: str
) -> None:
    response = retry(client, accept)
    assert headers_of(response) == web_api_headers(content_type, len(response.data))


@pytest.mark.parametrize(("accept", "content_type"), [*FORMATS, ("application/xml", XML)])
def test_retry_with_a_query_has_the_same_headers(
    client: FlaskClient, accept: str, content_type: str
) -> None:
    response = client.post(
        ROUTE + "?via=query", headers={"Accept": accept}, environ_base={"CONTENT_LENGTH": "0"}
    )
    assert response.status_code == 200
    assert headers_of(response) == web_api_headers(content_type, len(response.data))


def test_405_puts_allow_after_the_cache_headers(client: FlaskClient) -> None:
    response = client.get(ROUTE, headers={"Accept": "application/xml"})
    assert response.status_code == 405
    expected = web_api_headers(XML, len(response.data), ("Allow", "POST"))
    assert headers_of(response) == expected


def test_404_411_and_413_carry_the_service_headers(client: FlaskClient) -> None:
    not_found = client.get("/api/v1/nothing", headers={"Accept": "application/json"})
    too_large = client.post(ROUTE, data=b"x" * (1024 * 1024 + 1))
    no_length = client.post(ROUTE)
    assert (not_found.status_code, too_large.status_code, no_length.status_code) == (404, 413, 411)
    for response in (not_found, too_large):
        assert headers_of(response) == web_api_headers(JSON, len(response.data))
    page = "text/html; charset=us-ascii"
    assert headers_of(no_length) == web_api_headers(page, len(no_length.data))


def test_500_carries_the_service_headers_from_flask_and_from_a_fault(tmp_path: Path) -> None:
    app = make_app(tmp_path)

    @app.route("/api/v1/boom", methods=["POST"])
    def boom() -> str:
        raise RuntimeError("a bug")

    client = app.test_client()
    crashed = client.post("/api/v1/boom", environ_base={"CONTENT_LENGTH": "0"})
    client.post("/__mock/faults", json={"kind": "http-500", "calls": 1})
    faulted = retry(client, "text/xml")
    assert (crashed.status_code, faulted.status_code) == (500, 500)
    assert headers_of(crashed) == web_api_headers(JSON, len(crashed.data))
    assert headers_of(faulted) == web_api_headers("text/xml; charset=utf-8", len(faulted.data))


def test_cors_headers_sit_among_the_answers_own_headers(client: FlaskClient) -> None:
    response = retry(client, Origin="http://localhost:3000")
    names = [name for name, _ in headers_of(response)]
    assert names[:2] == ["Cache-Control", "Pragma"]
    assert names.index("Access-Control-Allow-Origin") < names.index("Content-Type")
    assert names[-5:] == ["Expires", "Server", "X-AspNet-Version", "X-Powered-By", "Content-Length"]


@pytest.mark.parametrize(
    "path", ["/__mock/health", "/__mock/nothing", "/openapi.yaml", "/xsd/response.xsd"]
)
def test_the_mocks_own_paths_get_none_of_them(client: FlaskClient, path: str) -> None:
    names = {name for name, _ in headers_of(client.get(path))}
    assert not names & {"Cache-Control", "Pragma", "Expires", "Server", "X-Powered-By"}


CUSTOM = {"SERVER_HEADER": "Kestrel", "ASPNET_VERSION_HEADER": None, "POWERED_BY_HEADER": "NONE"}


def _environ(query: str) -> dict[str, Any]:
    environ: dict[str, Any] = EnvironBuilder(
        path=ROUTE, method="POST", query_string=query
    ).get_environ()
    environ["CONTENT_LENGTH"] = "0"
    return environ


def test_site_headers_are_configurable_for_every_call_alike(tmp_path: Path) -> None:
    app = make_app(tmp_path, **CUSTOM)
    plain_body, plain_status, plain_headers = run_wsgi_app(app, _environ(""))
    query_body, query_status, query_headers = run_wsgi_app(app, _environ("via=query"))
    expected_tail = [("Expires", "-1"), ("Server", "Kestrel")]
    for headers, body in ((plain_headers, plain_body), (query_headers, query_body)):
        length = len(b"".join(body))
        assert list(headers.items()) == [
            *NO_CACHE,
            ("Content-Type", JSON),
            *expected_tail,
            ("Content-Length", str(length)),
        ]
    assert plain_status == query_status == "200 OK"


def test_a_browser_call_sends_the_plain_calls_headers_and_cors_with_custom_site_headers(
    tmp_path: Path,
) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "browser").mkdir()
    plain = make_app(tmp_path / "plain", **CUSTOM)
    browser = make_app(tmp_path / "browser", **CUSTOM)
    origin = "http://localhost:5173"
    browser_environ = {**_environ(""), "HTTP_ORIGIN": origin, "HTTP_COOKIE": "session=1"}
    answers = [run_wsgi_app(plain, _environ("")), run_wsgi_app(browser, browser_environ)]
    (plain_body, plain_status, plain_headers), (cors_body, cors_status, cors_headers) = answers
    cors = [name for name, _ in cors_headers.items() if name.startswith("Access-Control")]
    assert cors == ["Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
                    "Access-Control-Allow-Credentials"]  # fmt: skip
    others = [(n, v) for n, v in cors_headers.items() if n not in {*cors, "Vary"}]
    assert list(plain_headers.items()) == others
    assert (plain_status, b"".join(plain_body)) == (cors_status, b"".join(cors_body))


@pytest.mark.parametrize("off", [None, "", "none", "None", "  NONE "])
def test_each_site_header_can_be_turned_off(off: str | None) -> None:
    config = {"SERVER_HEADER": off, "ASPNET_VERSION_HEADER": "4.0.30319"}
    assert site_headers(config) == (("X-AspNet-Version", "4.0.30319"), ("X-Powered-By", "ASP.NET"))


@pytest.mark.parametrize("bad", ["a\r\nSet-Cookie: x=1", "tab\there", "caf\u00e9", 10])
def test_a_value_no_header_can_hold_is_refused_naming_the_key(bad: object) -> None:
    with pytest.raises(SettingsError, match=r"^POWERED_BY_HEADER must be printable ASCII"):
        Settings.from_config({**DEFAULTS, "POWERED_BY_HEADER": bad})


def test_arranged_replaces_service_headers_instead_of_repeating_them() -> None:
    given = [
        ("Server", "Werkzeug"),
        ("Content-Length", "3"),
        ("Expires", "0"),
        ("Content-Type", "text/plain"),
        ("X-Other", "1"),
    ]
    site = [("Server", "Microsoft-IIS/10.0")]
    middle = [("X-Other", "1"), ("Content-Type", "text/plain")]
    length = ("Content-Length", "3")
    assert arranged(given, site=site) == [*NO_CACHE, *middle, ("Expires", "-1"), *site, length]
    page = [("Cache-Control", "private"), *middle, *site, length]
    assert arranged(given, site=site, page=True) == page


def test_command_line_options_set_and_remove_site_headers() -> None:
    _, config = parse_options(
        ["--server-header", "none", "--aspnet-version", "4.8", "--powered-by", ""]
    )
    settings = Settings.from_config({**DEFAULTS, **config})
    assert settings.site_headers == (("X-AspNet-Version", "4.8"),)
    _, config = parse_options(["--no-iis-headers"])
    assert Settings.from_config({**DEFAULTS, **config}).site_headers == ()
    _, config = parse_options([])
    assert Settings.from_config({**DEFAULTS, **config}).site_headers == tuple(IIS[1:])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--no-iis-headers", "--powered-by", "x"],
            "--no-iis-headers and --powered-by contradict each other",
        ),
        (["--server-header", "a\tb"], "--server-header must be printable ASCII"),
    ],
)
def test_bad_header_options_exit_2_naming_the_option(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_options(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def _server_values(url: str) -> tuple[list[str], httpx.Response]:
    response = httpx.post(url + ROUTE, headers={"Content-Length": "0"}, timeout=30)
    return response.headers.get_list("server"), response


def test_granian_sends_the_apps_server_header_instead_of_its_own() -> None:
    with live_mock("--workers", "1") as mock:
        servers, response = _server_values(mock.url)
        missing = httpx.get(mock.url + "/api/v1/nothing", timeout=30)
    assert servers == ["Microsoft-IIS/10.0"]
    assert (response.headers["x-aspnet-version"], response.headers["x-powered-by"]) == (
        "4.0.30319",
        "ASP.NET",
    )
    assert (response.headers["cache-control"], response.headers["expires"]) == ("no-cache", "-1")
    assert missing.headers["pragma"] == "no-cache"
    assert missing.headers.get_list("server") == ["Microsoft-IIS/10.0"]


def test_granian_sends_its_own_server_header_when_the_site_sends_none() -> None:
    with live_mock("--workers", "1", "--no-iis-headers") as mock:
        servers, response = _server_values(mock.url)
    assert servers == ["granian"]
    assert "x-powered-by" not in response.headers and "x-aspnet-version" not in response.headers
    assert response.headers["pragma"] == "no-cache"


@pytest.mark.parametrize(
    ("args", "expected"), [((), "Microsoft-IIS/10.0"), (("--server-header", "none"), "gunicorn")]
)
def test_gunicorn_sends_the_configured_server_header_as_its_own(
    args: tuple[str, ...], expected: str
) -> None:
    with live_mock("--workers", "1", "--server", "gunicorn", *args) as mock:
        servers, response = _server_values(mock.url)
    assert servers == [expected]
    assert response.headers["x-powered-by"] == "ASP.NET"
