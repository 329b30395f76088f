"""Rendering a :class:`~conformance.report.Report`: terminal text, JUnit XML, JSON.

Every string in a report was redacted once, when the runner built it
(:meth:`~conformance.report.Report.redacted`); these writers add nothing that comes from
the target or the options except through the report.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.report import FAILED, NOT_RUN, PASSED, Report

__all__ = ["render_terminal", "write_json", "write_junit"]

_MARK = {PASSED: "PASS", FAILED: "FAIL", NOT_RUN: "----"}


def render_terminal(report: Report, *, requests: bool = True) -> str:
    """The human summary: requests (unless progress lines already showed them), rules by
    status with their failures, and the verdict."""
    lines = [
        f"Conformance of {report.base_url}" + (" (dry run: nothing sent)" if report.dry_run else "")
    ]
    if requests or report.dry_run:
        lines += ["", "Requests:"] + [f"  {r.label} -> {r.outcome}" for r in report.requests]
    if report.left_out:
        lines += ["", "Not sent:"] + [f"  {r.label}: {r.outcome}" for r in report.left_out]
    if not report.dry_run:
        lines += ["", "Rules:"]
        for outcome in report.outcomes:
            lines.append(f"  {_MARK[outcome.status]} {outcome.rule:28} {outcome.title}")
            lines += [f"       not run: {reason}" for reason in outcome.reasons]
            for failure in outcome.failures:
                lines.append(f"       at {failure.location or '-'} ({failure.request})")
                lines.append(f"         Received: {failure.received}")
                lines.append(f"         Contract: {failure.expected}")
    lines += ["", _verdict(report)]
    return "\n".join(lines)


def _verdict(report: Report) -> str:
    if report.fatal is not None:
        return f"COULD NOT RUN: {report.fatal}"
    if report.dry_run:
        return f"{len(report.requests)} requests would be sent."
    counts = {status: sum(o.status == status for o in report.outcomes) for status in _MARK}
    summary = f"{counts[FAILED]} failed, {counts[PASSED]} passed, {counts[NOT_RUN]} not run"
    verdict = "NOT CONFORMANT" if report.failures else "CONFORMANT (for the rules that ran)"
    return f"{verdict}: {summary}; {report.posts_sent} POSTs sent."


def write_junit(report: Report, path: Path) -> None:
    """One testcase per rule: failed rules carry their failures, not-run rules are skipped."""
    suite = ET.Element("testsuite", name="retry-conformance", tests=str(len(report.outcomes)))
    suite.set("failures", str(sum(o.status == FAILED for o in report.outcomes)))
    suite.set("skipped", str(sum(o.status == NOT_RUN for o in report.outcomes)))
    for outcome in report.outcomes:
        case = ET.SubElement(suite, "testcase", classname="conformance", name=outcome.rule)
        if outcome.status == FAILED:
            for failure in outcome.failures:
                element = ET.SubElement(case, "failure", message=failure.title, type=failure.rule)
                element.text = f"{failure.location} ({failure.request})\n{failure.message}"
        elif outcome.status == NOT_RUN:
            ET.SubElement(case, "skipped", message="; ".join(outcome.reasons))
    if report.fatal is not None:
        error = ET.SubElement(
            ET.SubElement(suite, "testcase", classname="conformance", name="run"), "error"
        )
        error.set("message", report.fatal)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def write_json(report: Report, path: Path) -> None:
    """The report as JSON (``Report.as_dict``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
