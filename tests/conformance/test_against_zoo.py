"""The suite against the zoo: the reference passes with every rule run, every break gives
exactly its expected rules, every valid variation passes, every hostile target fails with
its rule, stops early and never hangs. The parametrized runs call the library the CLI
calls (``run_suite``); the CLI itself is run through its entry point on the reference, a
break and a hostile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.options import build_settings
from conformance.plan import POST_PROBES
from conformance.report import Report
from conformance.runner import run_suite
from tests.conformance.support import HUNG, guarded, run_cli, serve_app
from tests.conformance.zoo.breaks import BREAKS
from tests.conformance.zoo.hostile import HOSTILE, Scope
from tests.conformance.zoo.reference import create_app
from tests.conformance.zoo.serve import serve_hostile
from tests.conformance.zoo.variations import VALID_VARIATIONS

SUITE_TIMEOUT = 2.0
MAX_BYTES = 1_000_000


def _suite(url: str) -> Report:
    settings = build_settings(
        base_url=url, allow_side_effects=True, reset="POST /__reset",
        max_calls=POST_PROBES, timeout=SUITE_TIMEOUT, max_bytes=MAX_BYTES,
    )  # fmt: skip
    return run_suite(settings)


def test_suite_passes_the_reference_with_every_rule_run() -> None:
    with serve_app(create_app()) as url:
        report = _suite(url)
    assert report.exit_code == 0
    assert {o.rule: o.reasons for o in report.outcomes if o.status != "passed"} == {}


def test_suite_with_the_default_budget_sends_four_posts_and_lists_the_rest() -> None:
    with serve_app(create_app()) as url:
        settings = build_settings(base_url=url, allow_side_effects=True, reset="POST /__reset")
        report = run_suite(settings)
    assert (report.posts_sent, report.exit_code) == (4, 0)
    assert [entry.outcome for entry in report.left_out] == [
        "needs more than --max-calls=4 POSTs"
    ] * (POST_PROBES - 4)
    assert report.failed_rules == []


def test_suite_reports_rules_past_the_budget_not_run_with_the_reason() -> None:
    with serve_app(create_app()) as url:
        settings = build_settings(
            base_url=url, allow_side_effects=True, reset="POST /__reset", max_calls=2
        )
        report = run_suite(settings)
    state = report.outcome("state.sent-retried")
    assert (state.status, state.reasons) == ("not run", ["needs more than --max-calls=2 POSTs"])
    assert report.outcome("cross.data-mismatch").status == "passed"


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_suite_reports_exactly_the_expected_rules_of_each_break(name: str) -> None:
    with serve_app(create_app(breaks=frozenset({name}))) as url:
        report = _suite(url)
    assert set(report.failed_rules) == set(BREAKS[name].expected_rules), BREAKS[name].description
    assert report.exit_code == 1


@pytest.mark.parametrize("name", sorted(VALID_VARIATIONS))
def test_suite_raises_no_false_alarm_on_a_valid_variation(name: str) -> None:
    with serve_app(create_app(variations=frozenset({name}))) as url:
        report = _suite(url)
    assert [f.message for f in report.failures] == []
    assert report.exit_code == 0


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_suite_fails_a_hostile_target_with_its_rule_and_stops(name: str) -> None:
    with serve_hostile(name) as url:
        finished, report = guarded(lambda: _suite(url))
    assert finished, HUNG
    assert report is not None
    assert set(report.failed_rules) == set(HOSTILE[name].expected_rules)
    assert report.exit_code == 1
    unanswered = [r for r in report.requests if r.outcome.startswith("no response")]
    assert len(unanswered) <= 2  # the run stops after two transport failures in a row
    if HOSTILE[name].scope is Scope.EVERY_REQUEST:
        assert len(unanswered) == 2
        assert any(r.outcome.startswith("stopped:") for r in report.left_out)


def _cli(url: str, tmp_path: Path) -> tuple[int, set[str]]:
    report = tmp_path / "report.json"
    result = run_cli(
        "run", "--base-url", url, "--allow-side-effects", "--reset", "POST /__reset",
        "--max-calls", str(POST_PROBES), "--timeout", str(SUITE_TIMEOUT),
        "--max-bytes", str(MAX_BYTES), "--json", str(report), "--quiet",
    )  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    rules = json.loads(report.read_text())["rules"]
    return result.returncode, {rule["rule"] for rule in rules if rule["status"] == "failed"}


def test_cli_passes_the_reference_with_exit_0(tmp_path: Path) -> None:
    with serve_app(create_app()) as url:
        assert _cli(url, tmp_path) == (0, set())


def test_cli_reports_a_break_with_exit_1(tmp_path: Path) -> None:
    with serve_app(create_app(breaks=frozenset({"xml-namespace"}))) as url:
        assert _cli(url, tmp_path) == (1, {"xml.namespace"})


@pytest.mark.parametrize("name", ["hang", "huge", "gzip-bomb"])
def test_cli_survives_a_hostile_target_with_exit_1(name: str, tmp_path: Path) -> None:
    with serve_hostile(name) as url:
        code, failed = _cli(url, tmp_path)
    assert (code, failed) == (1, set(HOSTILE[name].expected_rules))
