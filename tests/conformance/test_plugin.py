"""The pytest plugin (auto-loaded from its ``pytest11`` entry point) through ``pytester``:
one test per rule, skipped when not run, and nothing at all without ``--conformance-url``."""

from __future__ import annotations

import pytest

# In-process pytester drops the modules first imported during its run: import what the
# suite loads lazily now, so that exception classes stay the same objects across runs.
import schemathesis.openapi
import schemathesis.specs.openapi.checks  # noqa: F401

import conformance.runner  # noqa: F401
from conformance.failures import SchemathesisFailure
from conformance.plan import POST_PROBES
from conformance.pytest_plugin import outcomes_of
from conformance.report import Report, build_outcomes
from conformance.rules import RULES
from tests.conformance.support import recording_target
from tests.mock_server.conftest import live_mock

# Pytester's inline runs drop modules they imported: these files keep one worker and their order.
pytestmark = pytest.mark.xdist_group("pytester-schemathesis")


def test_plugin_without_url_adds_no_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_plugin_against_mock_passes_every_rule(pytester: pytest.Pytester) -> None:
    with live_mock("--workers", "1") as mock:
        result = pytester.runpytest(
            f"--conformance-url={mock.url}",
            "--conformance-allow-side-effects", f"--conformance-reset=POST {mock.url}/__mock/reset",
            f"--conformance-max-calls={POST_PROBES}", "--conformance-timeout=2",
        )  # fmt: skip
    result.assert_outcomes(passed=len(RULES))


def test_plugin_skips_rules_that_need_side_effects_with_the_reason(
    pytester: pytest.Pytester,
) -> None:
    with live_mock("--workers", "1") as mock:
        result = pytester.runpytest(
            f"--conformance-url={mock.url}", "-rs",
            "--conformance-timeout=2",
        )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0
    assert outcomes["skipped"] > 0
    result.stdout.fnmatch_lines(["*needs --allow-side-effects*"])


def test_plugin_fails_the_broken_rule_with_received_and_contract(pytester: pytest.Pytester) -> None:
    with recording_target() as target:
        result = pytester.runpytest(
            f"--conformance-url={target.url}",
            "--conformance-timeout=2",
        )  # fmt: skip
    assert [p for p in target.requests if p.method == "POST"] == []
    result.assert_outcomes(
        failed=2,
        passed=len(RULES) - 2 - result.parseoutcomes()["skipped"],
        skipped=result.parseoutcomes()["skipped"],
    )
    result.stdout.fnmatch_lines(["*Received: status 200 / Contract: 405 Method Not Allowed*"])


def test_plugin_bad_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--conformance-url=not a url")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--base-url must be an absolute http(s) URL*"])


def test_plugin_refuses_bearer_and_basic_auth_together(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONF_TOKEN", "tok-1")
    monkeypatch.setenv("CONF_BASIC", "qa-user:pw")
    result = pytester.runpytest(
        "--conformance-url=http://127.0.0.1:1",
        "--conformance-bearer-token-env=CONF_TOKEN", "--conformance-basic-auth-env=CONF_BASIC",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*each set the Authorization header: give only one of them*"])


def test_plugin_schemathesis_test_collects_every_failed_schemathesis_check() -> None:
    failure = SchemathesisFailure(
        rule="schemathesis.status_code_conformance", expected="200", received="status 201"
    )
    outcomes = build_outcomes({"schemathesis.*"}, [failure], {})
    report = Report("http://127.0.0.1", outcomes)
    found = outcomes_of(report, "schemathesis.*")
    assert [outcome.rule for outcome in found] == ["schemathesis.status_code_conformance"]
    assert found[0].failures == [failure]
    assert [outcome.rule for outcome in outcomes_of(report, "json.type")] == ["json.type"]


def test_plugin_strict_fails_the_rules_that_did_not_run_and_writes_the_suites_reports(
    pytester: pytest.Pytester,
) -> None:
    json_report, html_report = pytester.path / "c.json", pytester.path / "c.html"
    with live_mock("--workers", "1") as mock:
        result = pytester.runpytest(
            f"--conformance-url={mock.url}", "--conformance-strict", "--conformance-timeout=2",
            f"--conformance-json={json_report}", f"--conformance-html={html_report}",
        )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("skipped", 0) == 0
    assert outcomes["failed"] > 0
    result.stdout.fnmatch_lines(["*not run (--conformance-strict): needs --allow-side-effects*"])
    result.stdout.fnmatch_lines(["[[]1/14[]] GET /api/v1/billing/invoices/retryallfailed*"])
    assert '"strict": true' in json_report.read_text()
    assert "NOT PROVEN" in html_report.read_text()


def test_plugin_reports_a_failed_reset_as_could_not_run(pytester: pytest.Pytester) -> None:
    with live_mock("--workers", "1") as mock:
        result = pytester.runpytest(
            f"--conformance-url={mock.url}", "--conformance-allow-side-effects",
            f"--conformance-reset=POST {mock.url}/__mock/nowhere", "--conformance-quiet",
        )  # fmt: skip
    result.stdout.fnmatch_lines(["*the suite could not run: --reset POST*answered 404*"])
    assert result.parseoutcomes()["failed"] == len(RULES)
    assert "[1/" not in result.stdout.str()
