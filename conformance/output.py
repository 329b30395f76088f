"""Rendering a :class:`~conformance.report.Report`: terminal text, JUnit XML, JSON.

Every string in a report was redacted once, when the runner built it
(:meth:`~conformance.report.Report.redacted`); these writers add nothing that comes from
the target or the options except through the report.

The terminal never floods: failures are shown grouped by cause (one line per group, one
per shown failure, then how many more), passed rules one line per family, and rules
that did not run one line per reason. A run that could not run at all is one line.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from conformance.option_table import Outputs
from conformance.report import FAILED, NOT_RUN, PASSED, Report, RuleOutcome
from conformance.rules import family

__all__ = [
    "failure_lines",
    "render_terminal",
    "verdict",
    "write_json",
    "write_junit",
    "write_reports",
]

_MARK = {PASSED: "PASS", FAILED: "FAIL", NOT_RUN: "----"}


def write_reports(report: Report, outputs: Outputs) -> None:
    """Write the reports ``outputs`` names (JUnit, JSON, HTML)."""
    if outputs.junit:
        write_junit(report, outputs.junit)
    if outputs.json:
        write_json(report, outputs.json)
    if outputs.html:
        from conformance.html_report import write_html  # noqa: PLC0415 - only when asked

        write_html(report, outputs.html)


def render_terminal(report: Report, *, requests: bool = True) -> str:
    """The human summary: requests (unless progress lines already showed them), failed
    rules with their grouped failures, the other rules in short, and the verdict."""
    if report.fatal is not None:
        return verdict(report)
    lines = [
        f"Conformance of {report.base_url}" + (" (dry run: nothing sent)" if report.dry_run else "")
    ]
    if requests or report.dry_run:
        lines += ["", "Requests:"] + [f"  {r.label} -> {r.outcome}" for r in report.requests]
    if report.left_out and report.dry_run:
        lines += ["", "Not sent:"] + [f"  {r.label}: {r.outcome}" for r in report.left_out]
    elif report.left_out:
        lines += ["", "Not sent:"]
        for reason, entries in _by_reason(report):
            lines.append(f"  {len(entries)} requests: {reason}")
    if not report.dry_run:
        lines += ["", "Rules:", *_rule_lines(report)]
    if report.notes:
        lines += ["", "Notes (not violations):"] + [f"  {note}" for note in report.notes]
    lines += ["", verdict(report)]
    return "\n".join(lines)


def _by_reason(report: Report) -> list[tuple[str, list[str]]]:
    reasons: dict[str, list[str]] = {}
    for entry in report.left_out:
        reasons.setdefault(entry.outcome, []).append(entry.label)
    return list(reasons.items())


def _rule_lines(report: Report) -> list[str]:
    lines: list[str] = []
    for outcome in report.outcomes:
        if outcome.status == FAILED:
            lines.append(f"  FAIL {outcome.rule}: {outcome.title}")
            lines += [f"       {line}" for line in failure_lines(outcome)]
    passed = [o for o in report.outcomes if o.status == PASSED]
    for name, members in groupby(passed, key=lambda outcome: family(outcome.rule)):
        shown = ", ".join(outcome.rule.removeprefix(f"{name}.") for outcome in members)
        lines.append(f"  PASS {name}: {shown}")
    not_run: dict[str, list[str]] = {}
    for outcome in report.outcomes:
        if outcome.status == NOT_RUN:
            not_run.setdefault("; ".join(outcome.reasons), []).append(outcome.rule)
    mark = "FAIL (--strict)" if report.strict else "----"
    for reason, rules in not_run.items():
        lines.append(f"  {mark} not run: {', '.join(rules)}")
        lines.append(f"       because: {reason}")
    return lines


def failure_lines(outcome: RuleOutcome) -> list[str]:
    """A failed rule's failures, grouped: per cause its pattern and count, then each shown
    failure on one line (``Received: ... / Contract: ...``), then how many more there are."""
    count, causes = len(outcome.failures), len(outcome.groups)
    lines = [f"{_plural(count, 'failure')}, {_plural(causes, 'cause')}"] if count > 1 else []
    for group in outcome.groups:
        if count > 1:
            lines.append(f"{group.pattern or '-'}: {group.count}x")
        for shown in group.shown:
            failure = shown.failure
            place = f" ({shown.line}:{shown.column})" if shown.line is not None else ""
            lines.append(
                f"  at {failure.location or '-'}{place} {failure.request}:"
                f" Received: {failure.received} / Contract: {failure.expected}"
            )
        if group.count > len(group.shown):
            lines.append(f"  ... and {group.count - len(group.shown)} more of this cause")
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def verdict(report: Report) -> str:
    """The verdict line: CONFORMANT, NOT CONFORMANT, NOT PROVEN or COULD NOT RUN, with the
    counts."""
    if report.fatal is not None:
        return f"COULD NOT RUN: {report.fatal}"
    if report.dry_run:
        return f"{len(report.requests)} requests would be sent."
    counts = {status: sum(o.status == status for o in report.outcomes) for status in _MARK}
    summary = f"{counts[FAILED]} failed, {counts[PASSED]} passed, {counts[NOT_RUN]} not run"
    if report.failures:
        verdict = "NOT CONFORMANT"
    elif report.strict and counts[NOT_RUN]:
        verdict = "NOT PROVEN (--strict: some rules did not run)"
    else:
        verdict = "CONFORMANT (for the rules that ran)"
    return f"{verdict}: {summary}; {report.posts_sent} POSTs sent."


def write_junit(report: Report, path: Path) -> None:
    """One testcase per rule with its time: a failed rule carries one failure element
    with its grouped failures, a rule that did not run is skipped (with ``--strict``, a
    failure). The suite names the target in a property."""
    suite = ET.Element("testsuite", name="retry-conformance", tests=str(len(report.outcomes)))
    not_run = sum(o.status == NOT_RUN for o in report.outcomes)
    failed = sum(o.status == FAILED for o in report.outcomes)
    suite.set("failures", str(failed + (not_run if report.strict else 0)))
    suite.set("skipped", str(0 if report.strict else not_run))
    suite.set("errors", str(int(report.fatal is not None)))
    suite.set("time", f"{report.seconds:.3f}")
    suite.set("timestamp", datetime.now(UTC).isoformat(timespec="seconds"))
    properties = ET.SubElement(suite, "properties")
    for name, value in (("target", report.base_url), ("posts_sent", str(report.posts_sent))):
        ET.SubElement(properties, "property", name=name, value=value)
    for outcome in report.outcomes:
        _junit_case(suite, outcome, strict=report.strict)
    if report.fatal is not None:
        error = ET.SubElement(
            ET.SubElement(suite, "testcase", classname="conformance", name="run", time="0"),
            "error",
        )
        error.set("message", report.fatal)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _junit_case(suite: ET.Element, outcome: RuleOutcome, *, strict: bool) -> None:
    case = ET.SubElement(
        suite, "testcase", classname="conformance", name=outcome.rule, time=f"{outcome.seconds:.3f}"
    )
    if outcome.status == FAILED:
        count = len(outcome.failures)
        element = ET.SubElement(
            case, "failure", message=f"{outcome.title}: {count} failures", type=outcome.rule
        )
        element.text = "\n".join(failure_lines(outcome))
    elif outcome.status == NOT_RUN:
        reasons = "; ".join(outcome.reasons)
        if strict:
            ET.SubElement(case, "failure", message=f"not run (--strict): {reasons}", type="not-run")
        else:
            ET.SubElement(case, "skipped", message=reasons)
    if outcome.evidence:
        ET.SubElement(case, "system-out").text = "evidence:\n" + "\n".join(outcome.evidence)


def write_json(report: Report, path: Path) -> None:
    """The report as JSON (``Report.as_dict``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
