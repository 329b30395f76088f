"""The suite as QA and CI use it: what the base URL means, a reset that fails, ``--strict``,
rules without evidence, grouped failures that never flood, one line for an unreachable
target, a clean error for every bad option value, and reports with times and locations.

Each test runs the console script ``retry-conformance`` of the wheel, installed without
extras into a fresh virtual environment, against a real server on loopback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from conformance.option_table import OPTIONS
from conformance.plan import POST_PROBES
from tests.conformance.zoo.serve import serve_wsgi
from tests.install_support import Venv
from tests.mock_server.conftest import free_port, live_mock, make_app

# The wheel's venv is built once per session: its tests share one worker.
pytestmark = pytest.mark.xdist_group("installed-wheel")

ROUTE = "/api/v1/billing/invoices/retryallfailed"
FULL = ("--allow-side-effects", "--max-calls", str(POST_PROBES), "--timeout", "5")


Console = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def console(venv: Venv) -> Console:
    """``retry-conformance ARGS`` as a user types it: the console script of the wheel,
    installed without extras into a fresh virtual environment."""
    script = venv.bin("retry-conformance")

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args], capture_output=True, text=True, timeout=timeout, check=False
        )

    return run


def _reset(url: str) -> tuple[str, str]:
    return ("--reset", f"POST {url}/__mock/reset")


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return (result.stdout + result.stderr).splitlines()


def test_a_service_in_a_virtual_directory_is_checked_under_it(
    console: Console, tmp_path: Path
) -> None:
    app = DispatcherMiddleware(
        Response("no such site", status=404), {"/BillingService": make_app(tmp_path)}
    )
    with serve_wsgi(app) as root:
        base = f"{root}/BillingService"
        report = tmp_path / "report.json"
        result = console("run", "--base-url", base, *FULL, *_reset(base), "--json", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert {rule["status"] for rule in data["rules"]} == {"passed"}
    assert all(entry["url"].startswith(base + "/") for entry in data["requests"])


def test_a_base_url_that_ends_with_the_route_exits_2_with_one_line_naming_the_root(
    console: Console,
) -> None:
    result = console("run", "--base-url", f"http://127.0.0.1:9/Billing{ROUTE}/")
    assert result.returncode == 2
    assert _lines(result) == [
        f"retry-conformance: error: --base-url ends with the route {ROUTE}:"
        " give the service root, e.g. http://127.0.0.1:9/Billing"
    ]


def test_a_failed_reset_is_could_not_run_with_the_status_it_got(console: Console) -> None:
    with live_mock("--workers", "1") as mock:
        result = console(
            "run", "--base-url", mock.url, *FULL, "--reset", f"POST {mock.url}/__mock/nowhere"
        )
    assert result.returncode == 2, result.stdout
    assert "COULD NOT RUN: --reset POST" in result.stdout
    assert "answered 404" in result.stdout
    assert "CONFORMANT" not in result.stdout


def test_strict_fails_a_run_whose_rules_did_not_all_run(console: Console) -> None:
    with live_mock("--workers", "1") as mock:
        default = console("run", "--base-url", mock.url, "--quiet")
        strict = console("run", "--base-url", mock.url, "--quiet", "--strict")
        full = console("run", "--base-url", mock.url, *FULL, *_reset(mock.url), "--strict")
    assert default.returncode == 0, default.stdout
    assert strict.returncode == 1, strict.stdout
    assert "NOT PROVEN (--strict" in strict.stdout
    assert "needs --allow-side-effects" in strict.stdout
    assert full.returncode == 0, full.stdout


def test_bodies_without_invoices_leave_the_invoice_rules_not_run_with_the_reason(
    console: Console,
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.json"
    with live_mock("--workers", "1", "--scenario", "empty") as mock:
        result = console(
            "run", "--base-url", mock.url, *FULL, *_reset(mock.url), "--json", str(report)
        )
    rules = {rule["rule"]: rule for rule in json.loads(report.read_text())["rules"]}
    for rule in ("json.guid-format", "json.date-format", "cross.data-mismatch"):
        assert rules[rule]["status"] == "not run", rule
    assert any("collection was empty" in r for r in rules["json.guid-format"]["reasons"])
    assert any("no invoice" in r for r in rules["cross.data-mismatch"]["reasons"])
    assert any("no invoice" in r for r in rules["state.sent-retried"]["reasons"])
    assert rules["json.member-missing"]["status"] == "passed"
    assert all("0 invoices" in line for line in rules["json.member-missing"]["evidence"])
    assert "ok (0 invoices)" in result.stdout
    assert result.returncode == 0


def test_each_rule_names_the_responses_it_stands_on(console: Console, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    with live_mock("--workers", "1") as mock:
        console("run", "--base-url", mock.url, *FULL, *_reset(mock.url), "--json", str(report))
    rules = {rule["rule"]: rule for rule in json.loads(report.read_text())["rules"]}
    assert rules["http.allow-header"]["evidence"][0].startswith(f"GET {ROUTE} [Accept: ")
    assert ": 405 application/json" in rules["http.allow-header"]["evidence"][0]
    xml_evidence = rules["xml.member-order"]["evidence"]
    assert any("200 application/xml, 20 invoices" in line for line in xml_evidence)
    assert not any(line.endswith("application/json") for line in xml_evidence)
    assert not any(": 200 application/json" in line for line in xml_evidence)


class _Rewriting:
    """A WSGI front of a mock app that renames one JSON member on the way out."""

    def __init__(self, app: Any, old: bytes, new: bytes) -> None:
        self.app, self.old, self.new = app, old, new

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, keep))
        headers = captured["headers"]
        if any(k.lower() == "content-type" and "json" in v for k, v in headers):
            body = body.replace(self.old, self.new)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


@pytest.fixture(scope="module")
def casing_break(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A mock with 500 failed invoices, all of which it retries as failed, whose JSON
    spells ``SendingAttempts`` as ``sendingAttempts``: one break, 500 places a call."""
    app = make_app(tmp_path_factory.mktemp("casing"), FAILED=500, SCENARIO="all-failing")
    with serve_wsgi(_Rewriting(app, b'"SendingAttempts"', b'"sendingAttempts"')) as url:
        yield url


def test_one_casing_break_over_500_invoices_fits_in_60_lines(
    console: Console, casing_break: str, tmp_path: Path
) -> None:
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    result = console(
        "run", "--base-url", casing_break, *FULL, *_reset(casing_break),
        "--json", str(report), "--junit", str(junit),
    )  # fmt: skip
    assert result.returncode == 1
    assert len(_lines(result)) <= 60, result.stdout
    rule = next(
        r for r in json.loads(report.read_text())["rules"] if r["rule"] == "json.member-case"
    )
    json_posts = sum(
        1 for r in json.loads(report.read_text())["requests"]
        if r["method"] == "POST" and r["url"].endswith(ROUTE) and "json" in r["media_type"]
    )  # fmt: skip
    assert rule["failure_count"] == 500 * json_posts
    assert [g["pattern"] for g in rule["groups"]] == ["/Data/*/sendingAttempts"]
    assert rule["groups"][0]["count"] == rule["failure_count"]
    assert len(rule["failures"]) == 10
    assert f"... and {rule['failure_count'] - 10} more of this cause" in result.stdout
    failing = [
        case
        for case in ET.parse(junit).getroot().iter("testcase")
        if case.find("failure") is not None
    ]
    assert [case.get("name") for case in failing] == ["json.member-case"]


def test_max_failures_per_rule_bounds_what_is_shown(
    console: Console, casing_break: str, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    console(
        "run", "--base-url", casing_break, *FULL, *_reset(casing_break), "--quiet",
        "--max-failures-per-rule", "3", "--json", str(report),
    )  # fmt: skip
    rule = next(
        r for r in json.loads(report.read_text())["rules"] if r["rule"] == "json.member-case"
    )
    assert len(rule["failures"]) == 3


def test_a_json_failure_location_has_the_line_and_column_of_its_place(
    console: Console, casing_break: str, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    console("run", "--base-url", casing_break, *FULL, *_reset(casing_break), "--json", str(report))
    shown = next(
        r for r in json.loads(report.read_text())["rules"] if r["rule"] == "json.member-case"
    )["failures"][1]
    assert shown["location"] == "/Data/1/sendingAttempts"
    httpx.post(f"{casing_break}/__mock/reset").raise_for_status()
    body = httpx.post(casing_break + ROUTE, headers={"Accept": "application/json"}).text
    assert shown["line"] == 1
    second = body.index('"sendingAttempts":', body.index('"sendingAttempts":') + 1)
    assert shown["column"] == second + len('"sendingAttempts":') + 1


def test_an_unreachable_target_prints_one_line_and_exits_2(console: Console) -> None:
    result = console("run", "--base-url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 2
    lines = _lines(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith("COULD NOT RUN: the target is unreachable: cannot connect")


def test_wait_for_target_waits_for_a_mock_that_starts_later(
    console: Console, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    starter = threading.Timer(1.5, lambda: started.append(_start_mock(port)))
    started: list[subprocess.Popen[bytes]] = []
    starter.start()
    try:
        result = console("run", "--base-url", url, "--wait-for-target", "60", "--quiet")
    finally:
        starter.join()
        for process in started:
            process.terminate()
            process.wait(timeout=20)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CONFORMANT" in result.stdout


def _start_mock(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mock_server", "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


BAD_VALUES = {
    "malformed IPv6 URL": (["--base-url", "http://[::1"], "--base-url is not a valid URL"),
    "not http": (["--base-url", "ftp://host"], "--base-url must be an absolute http(s) URL"),
    "bad port": (["--base-url", "http://host:99999"], "--base-url is not a valid URL"),
    "infinite timeout": (["--timeout", "inf"], "--timeout must be more than 0"),
    "NaN timeout": (["--timeout", "nan"], "--timeout must be more than 0"),
    "negative timeout": (["--timeout", "-1"], "--timeout must be more than 0"),
    "zero timeout": (["--timeout", "0"], "--timeout must be more than 0"),
    "word timeout": (["--timeout", "soon"], "--timeout must be a number of seconds"),
    "negative wait": (["--wait-for-target", "-5"], "--wait-for-target must be 0 or more"),
    "infinite wait": (["--wait-for-target", "inf"], "--wait-for-target must be 0 or more"),
    "negative calls": (["--max-calls", "-1"], "--max-calls must be a whole number of at least 0"),
    "fraction calls": (["--max-calls", "1.5"], "--max-calls must be a whole number"),
    "tiny max bytes": (["--max-bytes", "5"], "--max-bytes must be a whole number of at least 1024"),
    "zero shown": (
        ["--max-failures-per-rule", "0"],
        "--max-failures-per-rule must be a whole number of at least 1",
    ),
    "empty success": (["--success-status", ""], "--success-status must be a non-empty status"),
    "blank failed": (["--failed-status", "  "], "--failed-status must be a non-empty status"),
    "malformed reset": (["--reset", "POST http://[::1"], "--reset URL is not a valid URL"),
    "reset no method": (["--reset", "http://x/reset"], "--reset must look like"),
    "bad header": (["--header", "no colon"], "--header must look like"),
    "missing cert": (["--ca-bundle", "/no/such.pem"], "--ca-bundle: no such file"),
    "html to a folder": (["--html", "/tmp"], "--html must name a file to write"),
    "unset token": (["--bearer-token-env", "NO_SUCH_VAR_X"], "$NO_SUCH_VAR_X is not set"),
}


@pytest.mark.parametrize("args, message", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_every_bad_option_value_is_one_line_and_exit_2(
    console: Console, args: list[str], message: str
) -> None:
    base = [] if "--base-url" in args else ["--base-url", "http://127.0.0.1:9"]
    result = console("run", *base, *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(_lines(result)) == 1, _lines(result)
    assert message in result.stderr


def test_every_cli_option_exists_in_the_plugin(
    console: Console, venv: Venv, tmp_path: Path
) -> None:
    cli_help = console("run", "--help").stdout
    plugin_help = subprocess.run(
        [str(venv.python), "-m", "pytest", "-p", "no:cacheprovider", "--help"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    cli_options = set(re.findall(r"^  (--[a-z-]+)", cli_help, re.MULTILINE)) - {"--help"}
    assert len(cli_options) == len(OPTIONS)
    plugin_options = set(re.findall(r"--conformance-[a-z-]+", plugin_help))
    missing = [
        o for o in cli_options if f"--conformance-{o.removeprefix('--')}" not in plugin_options
    ]
    assert missing == []


def test_junit_has_times_and_names_the_target(console: Console, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    with live_mock("--workers", "1") as mock:
        started = time.monotonic()
        console("run", "--base-url", mock.url, *FULL, *_reset(mock.url), "--junit", str(junit))
        elapsed = time.monotonic() - started
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert 0 < float(suite.get("time", "-1")) < elapsed
    target = suite.find("properties/property[@name='target']")
    assert target is not None and target.get("value") == mock.url
    times = [float(case.get("time", "-1")) for case in suite.iter("testcase")]
    assert all(t >= 0 for t in times) and sum(t > 0 for t in times) > 10


def test_the_json_report_has_structured_requests(console: Console, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    with live_mock("--workers", "1") as mock:
        console(
            "run", "--base-url", mock.url, *FULL, *_reset(mock.url), "--json", str(report),
            "--header", "X-Trace: secret-trace-value-123",
        )  # fmt: skip
    requests = json.loads(report.read_text())["requests"]
    post = next(r for r in requests if r["method"] == "POST" and r["url"].endswith(ROUTE))
    assert post["status"] == 200
    assert post["media_type"] == "application/json"
    assert post["bytes"] > 1000 and post["milliseconds"] > 0
    assert {"name": "X-Trace", "value": "***"} in post["headers"]
    assert {"name": "Accept", "value": "application/json"} in post["headers"]
    reset = next(r for r in requests if r["url"].endswith("/__mock/reset"))
    assert reset["status"] == 200


def test_the_services_own_character_references_are_a_note_not_a_violation(
    console: Console, tmp_path: Path
) -> None:
    values = json.loads(
        (Path(__file__).parents[1] / "golden/wire/11-forbidden-characters.values.json").read_text()
    )
    report, html = tmp_path / "report.json", tmp_path / "report.html"
    with serve_wsgi(make_app(tmp_path)) as url:
        canned = {"name": "canned", "envelope": values}
        httpx.put(f"{url}/__mock/scenario", json=canned).raise_for_status()
        result = console(
            "run", "--base-url", url, *FULL, "--json", str(report), "--html", str(html)
        )
    data = json.loads(report.read_text())
    rules = {rule["rule"]: rule["status"] for rule in data["rules"]}
    assert rules["xml.syntax"] == rules["xml.value-format"] == "passed"
    assert data["notes"], result.stdout
    assert all("character references to characters XML 1.0 forbids" in n for n in data["notes"])
    assert data["notes"][0].startswith("POST /api/v1/billing/invoices/retryallfailed [Accept: ")
    assert "Notes (not violations):" in result.stdout
    assert "Notes (not violations)" in html.read_text()
