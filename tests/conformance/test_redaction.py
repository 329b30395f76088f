"""Secrets never reach any output, even when the target echoes them back.

The echo target puts the credentials it receives (Authorization, decoded basic auth, the
user's own headers) into a 500 body, a 200 body, a member name and a Content-Type
parameter, so they land in failures' ``received`` and ``location``, cut-off snippets,
progress lines and request outcomes. A bearer token is also a member name inside
``Data``: its place is a JSON Pointer, where a token holding ``/`` and ``~`` is spelled
with ``~1`` and ``~0``. The CLI (terminal, ``--json``, ``--junit``, dry run) and the
pytest plugin (failure messages, skip reasons, ``--junitxml``) must show none of them -
whole, cut short, escaped, or as the base64 of ``user:password``.
"""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# In-process pytester drops the modules first imported during its run: import what the
# suite loads lazily now, so that exception classes stay the same objects across runs.
import schemathesis.openapi
import schemathesis.specs.openapi.checks  # noqa: F401

import conformance.runner  # noqa: F401
from contract.wire.values import json_pointer
from tests.conformance.support import ROUTE, run_cli, serve_app

TOKEN = "tok-" + "5f1c9a0b7e" * 6  # long: snippets cut it short
PATH_TOKEN = "tok/" + "5f1c~9a0b/7e" * 5  # '/' and '~': a JSON Pointer spells them ~1, ~0
USER, PASSWORD = "qa-user", "pw-77ab-c0ffee-long-password"
API_KEY = "key-0d3e9c1b2a8f"
SESSION = "sess-31ab57c9d2e4"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
PREFIX = 12  # a secret's first characters are a leak as well


def _echo(environ: dict[str, Any]) -> str:
    """Every credential the request carried, as the target saw it."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    parts = [auth, environ.get("HTTP_X_API_KEY", ""), environ.get("HTTP_X_SESSION", "")]
    if auth.startswith("Basic "):
        parts.append(base64.b64decode(auth.removeprefix("Basic ")).decode())
    return " ".join(part for part in parts if part)


def echo_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """POST on the route: 200 JSON with the echo as a value, a member name and a
    Content-Type parameter, and a bearer token as a member name inside ``Data`` (its
    place is the JSON Pointer ``/Data/0/<token>``, ``/`` and ``~`` escaped). Anything
    else: 500 whose body puts the echo across the 200-character snippet the report quotes."""
    echo = _echo(environ)
    if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == ROUTE:
        status, media = "200 OK", f"application/json; charset=utf-8; echo={echo.split()[-1]}"
        members: dict[str, Any] = {"Sucess": echo, echo.split()[-1]: 1, "ResponseMessage": echo}
        token = environ.get("HTTP_AUTHORIZATION", "").partition("Bearer ")[2]
        if token:
            members["Data"] = [{token: 1}]
        body = json.dumps(members)
    else:
        status, media = "500 Internal Server Error", "application/json; charset=utf-8"
        body = json.dumps({"Message": "x" * 180 + echo})
    data = body.encode()
    start_response(status, [("Content-Type", media), ("Content-Length", str(len(data)))])
    return [data]


@dataclass(frozen=True)
class Auth:
    """One way of passing credentials: CLI options, pytest options, environment, secrets."""

    cli: tuple[str, ...]
    plugin: tuple[str, ...]
    env: dict[str, str]
    secrets: tuple[str, ...]


AUTHS = {
    "bearer": Auth(
        ("--bearer-token-env", "CONF_TOKEN", "--header", f"X-Api-Key: {API_KEY}"),
        ("--conformance-bearer-token-env=CONF_TOKEN", f"--conformance-header=X-Api-Key: {API_KEY}"),
        {"CONF_TOKEN": TOKEN},
        (TOKEN, API_KEY),
    ),
    "basic": Auth(
        ("--basic-auth-env", "CONF_BASIC", "--header", f"X-Api-Key: {API_KEY}"),
        ("--conformance-basic-auth-env=CONF_BASIC", f"--conformance-header=X-Api-Key: {API_KEY}"),
        {"CONF_BASIC": f"{USER}:{PASSWORD}"},
        (PASSWORD, f"{USER}:{PASSWORD}", BASIC, API_KEY),
    ),
    "bearer-pointer": Auth(
        ("--bearer-token-env", "CONF_PATH_TOKEN"),
        ("--conformance-bearer-token-env=CONF_PATH_TOKEN",),
        {"CONF_PATH_TOKEN": PATH_TOKEN},
        (PATH_TOKEN,),
    ),
    "header": Auth(
        ("--header", f"X-Api-Key: {API_KEY}", "--header", f"X-Session: {SESSION}"),
        (
            f"--conformance-header=X-Api-Key: {API_KEY}",
            f"--conformance-header=X-Session: {SESSION}",
        ),
        {},
        (API_KEY, SESSION),
    ),
}


def _forms(text: str) -> set[str]:
    """``text`` raw and as JSON, XML and a JSON Pointer segment spell it."""
    return {text, json.dumps(text)[1:-1], html.escape(text), json_pointer((text,))[1:]}


def leaks(texts: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """The secrets - whole or their first :data:`PREFIX` characters, raw or escaped -
    found in ``texts``."""
    joined = "\n".join(texts)
    return [secret for secret in secrets if any(form in joined for form in _forms(secret[:PREFIX]))]


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    with serve_app(echo_app) as url:
        yield url


def test_echo_target_really_echoes_the_credentials_it_gets() -> None:
    environ = {"HTTP_AUTHORIZATION": f"Basic {BASIC}", "HTTP_X_API_KEY": API_KEY}
    assert _echo(environ) == f"Basic {BASIC} {API_KEY} {USER}:{PASSWORD}"


def test_leaks_finds_a_cut_off_secret() -> None:
    assert leaks([f"status 500: '{TOKEN[:20]}"], [TOKEN]) == [TOKEN]
    assert leaks(["nothing here"], [TOKEN]) == []
    assert leaks([f"at /Data/0/{json_pointer((PATH_TOKEN,))[1:20]}"], [PATH_TOKEN]) == [PATH_TOKEN]


@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_cli_never_shows_a_secret_the_target_echoes(
    auth: str, echo_url: str, tmp_path: Path
) -> None:
    setting = AUTHS[auth]
    outputs = []
    for mode in (("--allow-side-effects", "--max-calls", "2"), ("--dry-run",)):
        junit, report = tmp_path / f"{mode[0]}.xml", tmp_path / f"{mode[0]}.json"
        result = run_cli(
            "run", "--base-url", echo_url, *setting.cli, *mode, "--timeout", "5",
            "--junit", str(junit), "--json", str(report),
            env={**os.environ, **setting.env},
        )  # fmt: skip
        assert "Traceback" not in result.stderr, result.stderr
        outputs += [result.stdout, result.stderr, junit.read_text(), report.read_text()]
    assert leaks(outputs, setting.secrets) == []
    findings = json.loads((tmp_path / "--allow-side-effects.json").read_text())
    failed = {rule["rule"] for rule in findings["rules"] if rule["status"] == "failed"}
    assert {"http.server-error", "json.type", "json.member-unknown"} <= failed  # echoes shown
    assert "***" in outputs[0]


def test_a_token_echoed_as_a_member_name_is_hidden_in_its_json_pointer(
    echo_url: str, tmp_path: Path
) -> None:
    junit, report = tmp_path / "run.xml", tmp_path / "run.json"
    result = run_cli(
        "run", "--base-url", echo_url, *AUTHS["bearer-pointer"].cli, "--allow-side-effects",
        "--max-calls", "2", "--timeout", "5", "--junit", str(junit), "--json", str(report),
        env={**os.environ, "CONF_PATH_TOKEN": PATH_TOKEN},
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    outputs = {
        "terminal": result.stdout + result.stderr,
        "junit": junit.read_text(),
        "json": report.read_text(),
    }
    for name, text in outputs.items():
        assert "/Data/0/***" in text, name  # the pointer is shown, the token in it masked
        assert leaks([text], [PATH_TOKEN]) == [], name
    rules = json.loads(outputs["json"])["rules"]
    unknown = [rule for rule in rules if rule["rule"] == "json.member-unknown"]
    assert "/Data/0/***" in {failure["location"] for failure in unknown[0]["failures"]}


def test_pytest_plugin_never_shows_a_secret_the_target_echoes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, echo_url: str
) -> None:
    outputs = []
    for name, setting in sorted(AUTHS.items()):
        for variable, value in setting.env.items():
            monkeypatch.setenv(variable, value)
        junit = pytester.path / f"{name}.xml"
        result = pytester.runpytest(
            f"--conformance-url={echo_url}", *setting.plugin, "--conformance-allow-side-effects",
            "--conformance-max-calls=2", "--conformance-timeout=5", "-rA",
            f"--junitxml={junit}",
        )  # fmt: skip
        assert result.parseoutcomes()["failed"] >= 3
        result.stdout.fnmatch_lines(["*[[]http.server-error[]]*"])
        outputs += [str(result.stdout), str(result.stderr), junit.read_text()]
        assert leaks(outputs, setting.secrets) == [], name
