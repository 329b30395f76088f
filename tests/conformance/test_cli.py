"""The CLI as users run it (``python -m conformance run``): verdicts, exit codes,
side-effect safety, redaction of secrets, and the JUnit and JSON reports."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.options import DEFAULT_MAX_CALLS
from conformance.plan import NEGOTIATION_VARIANTS, POST_PROBES, post_order
from tests.conformance.support import ROUTE, free_port, recording_target, run_cli
from tests.mock_server.conftest import live_mock

FAST = ("--timeout", "2", "--quiet")


def test_cli_against_mock_with_reset_passes_every_rule_and_exits_0(tmp_path: Path) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    with live_mock("--workers", "1") as mock:
        result = run_cli(
            "run", "--base-url", mock.url, "--allow-side-effects",
            "--max-calls", str(POST_PROBES), "--reset", f"POST {mock.url}/__mock/reset",
            "--junit", str(junit), "--json", str(report), *FAST,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["exit_code"] == 0
    assert {rule["status"] for rule in data["rules"]} == {"passed"}
    assert data["posts_sent"] == POST_PROBES == 11
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "0"
    assert suite.get("skipped") == "0"
    assert len(suite.findall("testcase")) == len(data["rules"])


def test_cli_without_side_effects_sends_no_post_and_reports_post_rules_not_run(
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.json"
    with recording_target() as target:
        result = run_cli("run", "--base-url", target.url, "--json", str(report), *FAST)
    assert [r for r in target.requests if r.method == "POST"] == []
    assert target.requests, "the safe probes should have been sent"
    statuses = {rule["rule"]: rule for rule in json.loads(report.read_text())["rules"]}
    assert statuses["json.member-missing"]["status"] == "not run"
    assert any(
        "--allow-side-effects" in reason for reason in statuses["json.member-missing"]["reasons"]
    )
    assert result.returncode == 1  # the recorder answers 200 {} to every method


@pytest.mark.parametrize("budget", [0, 1, 3])
def test_cli_never_sends_more_posts_than_max_calls(budget: int) -> None:
    with recording_target() as target:
        run_cli(
            "run",
            "--base-url",
            target.url,
            "--allow-side-effects",
            "--max-calls",
            str(budget),
            *FAST,
        )
    assert target.posts_to_route() == budget


def test_cli_dry_run_sends_nothing_and_lists_every_request() -> None:
    with recording_target() as target:
        result = run_cli(
            "run", "--base-url", target.url, "--dry-run", "--allow-side-effects",
            "--max-calls", "2", "--reset", "POST /__reset",
        )  # fmt: skip
    assert target.requests == []
    assert result.returncode == 0
    assert result.stdout.count(f"POST {target.url}{ROUTE}") == 2
    assert result.stdout.count(f"GET {target.url}{ROUTE}") >= 1
    assert f"POST {target.url}/__reset" in result.stdout
    assert "needs more than --max-calls=2 POSTs" in result.stdout


@pytest.mark.parametrize("auth", ["bearer", "basic"])
def test_cli_sends_one_authorization_and_never_prints_secrets(auth: str, tmp_path: Path) -> None:
    token, password, api_key = "tok-5f1c9a", "pw-77ab", "key-0d3e"
    env = {**os.environ, "CONF_TOKEN": token, "CONF_BASIC": f"qa-user:{password}"}
    encoded = base64.b64encode(f"qa-user:{password}".encode()).decode()
    option, expected = {
        "bearer": (("--bearer-token-env", "CONF_TOKEN"), f"Bearer {token}"),
        "basic": (("--basic-auth-env", "CONF_BASIC"), f"Basic {encoded}"),
    }[auth]
    outputs: list[str] = []
    with recording_target() as target:
        for extra in (("--dry-run",), ("--allow-side-effects", "--max-calls", "2")):
            junit, report = tmp_path / f"j{len(outputs)}.xml", tmp_path / f"r{len(outputs)}.json"
            result = run_cli(
                "run", "--base-url", target.url, *option, "--header", f"X-Api-Key: {api_key}",
                "--junit", str(junit), "--json", str(report), "--timeout", "2", *extra, env=env,
            )  # fmt: skip
            outputs += [result.stdout, result.stderr, junit.read_text(), report.read_text()]
    sent = target.requests[0].headers
    assert sent["X-Api-Key"] == api_key  # the secrets were really used...
    assert sent["Authorization"] == expected
    for secret in (token, password, api_key, encoded):
        assert all(secret not in text for text in outputs), f"{secret!r} leaked"  # ...never shown
    assert "***" in outputs[0]


@pytest.mark.parametrize(
    "args",
    [
        ("--bearer-token-env", "CONF_TOKEN", "--basic-auth-env", "CONF_BASIC"),
        ("--header", "Authorization: Bearer secret-1", "--bearer-token-env", "CONF_TOKEN"),
        ("--header", "Authorization: Basic secret-2", "--basic-auth-env", "CONF_BASIC"),
    ],
)
def test_cli_refuses_two_sources_of_authorization_with_one_line_error(
    args: tuple[str, ...],
) -> None:
    env = {**os.environ, "CONF_TOKEN": "tok-1", "CONF_BASIC": "qa-user:pw"}
    with recording_target() as target:
        result = run_cli("run", "--base-url", target.url, *args, env=env)
    assert target.requests == []
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "each set the Authorization header: give only one of them" in lines[0]
    assert all(name in lines[0] for name in args if name.startswith("--") and name != "--header")
    assert "secret" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run",), "--base-url"),
        (("run", "--base-url", "ftp://example.com"), "--base-url must be an absolute http(s) URL"),
        (("run", "--base-url", "http://127.0.0.1:1", "--max-calls", "-1"), "--max-calls"),
        (("run", "--base-url", "http://127.0.0.1:1", "--timeout", "soon"), "--timeout"),
        (("run", "--base-url", "http://127.0.0.1:1", "--header", "no colon secret"), "--header"),
        (("run", "--base-url", "http://127.0.0.1:1", "--reset", "FETCH x"), "--reset"),
        (
            ("run", "--base-url", "http://127.0.0.1:1", "--bearer-token-env", "CONF_UNSET_VAR"),
            "CONF_UNSET_VAR",
        ),
        (
            ("run", "--base-url", "http://127.0.0.1:1", "--ca-bundle", "/no/such/file"),
            "--ca-bundle",
        ),
    ],
)
def test_cli_bad_option_exits_2_with_one_line_error(args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr


def test_cli_unreachable_target_exits_2() -> None:
    result = run_cli("run", "--base-url", f"http://127.0.0.1:{free_port()}", *FAST)
    assert result.returncode == 2
    assert "COULD NOT RUN" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_violations_exit_1_and_name_rule_expected_received_location(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    with recording_target() as target:
        result = run_cli("run", "--base-url", target.url, "--junit", str(junit), *FAST)
    assert result.returncode == 1
    assert "FAIL http.method-not-allowed" in result.stdout
    assert "Received: status 200" in result.stdout
    assert "Contract: 405 Method Not Allowed" in result.stdout
    failed = {
        case.get("name")
        for case in ET.parse(junit).getroot().iter("testcase")
        if case.find("failure") is not None
    }
    assert failed == {"http.method-not-allowed", "http.not-found"}


SCRIPT = Path(sys.executable).parent / "retry-conformance"
SAFE_PROBES = 4 + len(NEGOTIATION_VARIANTS) + 2  # other methods, error negotiation, 404s


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_console_script_help_names_the_run_command_and_exits_0() -> None:
    result = _script("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: retry-conformance")
    assert "run the checks against a target" in result.stdout


def test_console_script_run_help_documents_the_default_budget_and_post_order() -> None:
    result = _script("run", "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps lines
    assert f"(default {DEFAULT_MAX_CALLS};" in text
    order = [f"{number}. {purpose}" for number, purpose in enumerate(post_order(), 1)]
    positions = [text.find(" ".join(entry.split())) for entry in order]
    assert -1 not in positions, order
    assert positions == sorted(positions)
    assert "needs more than --max-calls=N POSTs" in text


def test_console_script_dry_run_lists_the_default_plan_and_exits_0() -> None:
    with recording_target() as target:
        result = _script("run", "--base-url", target.url, "--dry-run", "--allow-side-effects")
    assert target.requests == []
    assert result.returncode == 0, result.stderr
    assert "(dry run: nothing sent)" in result.stdout
    assert result.stdout.count(f"POST {target.url}{ROUTE}") == DEFAULT_MAX_CALLS == 4
    reason = f"needs more than --max-calls={DEFAULT_MAX_CALLS} POSTs"
    assert result.stdout.count(reason) == POST_PROBES - DEFAULT_MAX_CALLS
    assert f"{SAFE_PROBES + DEFAULT_MAX_CALLS} requests would be sent." in result.stdout


def test_console_script_bad_option_exits_2() -> None:
    result = _script("run", "--base-url", "ftp://example.com")
    assert result.returncode == 2
    assert "--base-url must be an absolute http(s) URL" in result.stderr
