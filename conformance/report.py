"""The result of a run: one outcome per rule, the requests sent, and the exit code.

A rule is *failed* when any check found a violation of it, *passed* when at least one
check exercised it and none failed, and *not run* otherwise - never passed by default -
with the reasons (no ``--reset``, POST budget used up, an earlier gate failed...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from conformance.failures import Failure
from conformance.rules import RULES, SCHEMATHESIS_PREFIX, rule_title

__all__ = [
    "EXIT_COULD_NOT_RUN",
    "EXIT_OK",
    "EXIT_VIOLATIONS",
    "FAILED",
    "NOT_RUN",
    "PASSED",
    "FailureGroup",
    "Report",
    "RequestLog",
    "RuleOutcome",
    "ShownFailure",
    "build_outcomes",
    "cause_pattern",
    "group_failures",
]

EXIT_OK, EXIT_VIOLATIONS, EXIT_COULD_NOT_RUN = 0, 1, 2
PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"


@dataclass(frozen=True)
class ShownFailure:
    """A failure a report shows in full: where in the body it lies, with an excerpt of
    the body around that place (``before``, ``at``, ``after``)."""

    failure: Failure
    line: int | None = None
    column: int | None = None
    excerpt: tuple[str, str, str] = ("", "", "")

    def redacted(self, redact: Callable[[str], str]) -> ShownFailure:
        """The same with ``redact`` applied to the failure and the excerpt."""
        before, at, after = (redact(part) for part in self.excerpt)
        return replace(self, failure=self.failure.redacted(redact), excerpt=(before, at, after))

    def as_dict(self) -> dict[str, object]:
        """For the JSON report: the failure's fields, line and column."""
        return {**self.failure.as_dict(), "line": self.line, "column": self.column}


@dataclass(frozen=True)
class FailureGroup:
    """Failures of one rule with one cause: the same expectation at the same place of
    each item (``/Data/*/SendingAttempts``), counted, with the first ones shown."""

    pattern: str
    expected: str
    count: int
    requests: tuple[str, ...]
    shown: tuple[ShownFailure, ...]

    def redacted(self, redact: Callable[[str], str]) -> FailureGroup:
        """The group with ``redact`` applied to every text in it."""
        return replace(
            self,
            pattern=redact(self.pattern),
            expected=redact(self.expected),
            requests=tuple(redact(r) for r in self.requests),
            shown=tuple(s.redacted(redact) for s in self.shown),
        )

    def as_dict(self) -> dict[str, object]:
        """For the JSON report."""
        return {
            "pattern": self.pattern,
            "expected": self.expected,
            "count": self.count,
            "requests": list(self.requests),
            "shown": [shown.as_dict() for shown in self.shown],
        }


_INDEX = re.compile(r"/\d+(?=/|$)|\[\d+\]")


def cause_pattern(location: str) -> str:
    """The location with item positions generalised: ``/Data/7/Status`` becomes
    ``/Data/*/Status``, ``.../InvoiceSendingStatusVo[8]/Status (line 1)`` becomes
    ``.../InvoiceSendingStatusVo[*]/Status``."""
    return _INDEX.sub(lambda m: "[*]" if m.group().startswith("[") else "/*", location).split(
        " (line", 1
    )[0]


@dataclass
class RuleOutcome:
    """The status of one rule id and what supports it: the failures (all of them, and
    grouped by cause), the reasons it did not run, and the evidence it stands on (each
    response a check of the rule looked at)."""

    rule: str
    title: str
    status: str
    failures: list[Failure] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    groups: list[FailureGroup] = field(default_factory=list)
    seconds: float = 0.0

    def redacted(self, redact: Callable[[str], str]) -> RuleOutcome:
        """The outcome with ``redact`` applied to every text in it."""
        return replace(
            self,
            failures=[failure.redacted(redact) for failure in self.failures],
            reasons=[redact(r) for r in self.reasons],
            evidence=[redact(e) for e in self.evidence],
            groups=[group.redacted(redact) for group in self.groups],
        )

    @property
    def shown(self) -> list[ShownFailure]:
        """The failures a report shows, group by group."""
        return [shown for group in self.groups for shown in group.shown]

    def as_dict(self) -> dict[str, object]:
        """For the JSON report: the shown failures and the groups, not every failure."""
        return {
            "rule": self.rule,
            "title": self.title,
            "status": self.status,
            "failure_count": len(self.failures),
            "failures": [shown.as_dict() for shown in self.shown],
            "groups": [group.as_dict() for group in self.groups],
            "reasons": self.reasons,
            "evidence": self.evidence,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class RequestLog:
    """A request the run sent (or would send, or left out): its label and outcome, and
    what was sent and received. Secrets are masked by :meth:`redacted`."""

    label: str
    outcome: str
    method: str = ""
    url: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    media_type: str = ""
    size: int | None = None
    milliseconds: float | None = None

    def redacted(self, redact: Callable[[str], str]) -> RequestLog:
        """The entry with ``redact`` applied to every text."""
        return replace(
            self,
            label=redact(self.label),
            outcome=redact(self.outcome),
            url=redact(self.url),
            headers=tuple((name, redact(value)) for name, value in self.headers),
            media_type=redact(self.media_type),
        )

    def as_dict(self) -> dict[str, object]:
        """For the JSON report."""
        return {
            "request": self.label,
            "outcome": self.outcome,
            "method": self.method,
            "url": self.url,
            "headers": [{"name": name, "value": value} for name, value in self.headers],
            "status": self.status,
            "media_type": self.media_type,
            "bytes": self.size,
            "milliseconds": self.milliseconds,
        }


@dataclass
class Report:
    """Everything a run found; ``fatal`` is set when it could not run at all. With
    ``strict``, a rule that did not run counts as a failure in the exit code."""

    base_url: str
    outcomes: list[RuleOutcome]
    requests: list[RequestLog] = field(default_factory=list)
    left_out: list[RequestLog] = field(default_factory=list)
    posts_sent: int = 0
    fatal: str | None = None
    dry_run: bool = False
    strict: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    """Remarks that are not violations, e.g. the service's own character references that
    strict XML parsers refuse."""

    @property
    def failures(self) -> list[Failure]:
        """Every failure, in rule order."""
        return [failure for outcome in self.outcomes for failure in outcome.failures]

    @property
    def failed_rules(self) -> list[str]:
        """The ids of the rules that failed."""
        return [outcome.rule for outcome in self.outcomes if outcome.status == FAILED]

    @property
    def not_run_rules(self) -> list[str]:
        """The ids of the rules that did not run."""
        return [outcome.rule for outcome in self.outcomes if outcome.status == NOT_RUN]

    @property
    def exit_code(self) -> int:
        """0 conformant, 1 violations found (or, with ``strict``, a rule not run), 2 could
        not run."""
        if self.fatal is not None:
            return EXIT_COULD_NOT_RUN
        if self.failures or (self.strict and not self.dry_run and self.not_run_rules):
            return EXIT_VIOLATIONS
        return EXIT_OK

    def outcome(self, rule: str) -> RuleOutcome:
        """The outcome of ``rule`` (KeyError naming it when unknown)."""
        for outcome in self.outcomes:
            if outcome.rule == rule:
                return outcome
        raise KeyError(f"no rule {rule!r} in this report")

    def redacted(self, redact: Callable[[str], str]) -> Report:
        """The report with ``redact`` applied to every text in it: what the target sent
        (echoed into a failure, a status line, a reason) can hold a secret."""
        return replace(
            self,
            base_url=redact(self.base_url),
            outcomes=[outcome.redacted(redact) for outcome in self.outcomes],
            requests=[entry.redacted(redact) for entry in self.requests],
            left_out=[entry.redacted(redact) for entry in self.left_out],
            fatal=redact(self.fatal) if self.fatal is not None else None,
            notes=[redact(note) for note in self.notes],
        )

    def as_dict(self) -> dict[str, object]:
        """The whole report as JSON-ready data."""
        return {
            "base_url": self.base_url,
            "exit_code": self.exit_code,
            "fatal": self.fatal,
            "dry_run": self.dry_run,
            "strict": self.strict,
            "seconds": round(self.seconds, 3),
            "posts_sent": self.posts_sent,
            "rules": [outcome.as_dict() for outcome in self.outcomes],
            "requests": [entry.as_dict() for entry in self.requests],
            "not_sent": [{"request": r.label, "reason": r.outcome} for r in self.left_out],
            "notes": self.notes,
        }


Show = Callable[[Failure], ShownFailure]


def group_failures(failures: list[Failure], *, limit: int, show: Show) -> list[FailureGroup]:
    """Failures of one rule grouped by cause, in order of first appearance; at most
    ``limit`` shown in all (each group shows at least its first)."""
    by_cause: dict[tuple[str, str], list[Failure]] = {}
    for failure in failures:
        by_cause.setdefault((cause_pattern(failure.location), failure.expected), []).append(failure)
    room = max(limit - len(by_cause), 0)
    groups = []
    for (pattern, expected), members in by_cause.items():
        extra = min(room, len(members) - 1)
        room -= extra
        requests = tuple(dict.fromkeys(member.request for member in members))
        shown = tuple(show(member) for member in members[: 1 + extra])
        groups.append(FailureGroup(pattern, expected, len(members), requests, shown))
    return groups


def build_outcomes(
    exercised: set[str],
    failures: list[Failure],
    reasons: dict[str, list[str]],
    *,
    evidence: dict[str, list[str]] | None = None,
    seconds: dict[str, float] | None = None,
    limit: int = 10,
    show: Show = ShownFailure,
) -> list[RuleOutcome]:
    """Outcomes for every canonical rule, plus one per ``schemathesis.<check>`` that failed."""
    by_rule: dict[str, list[Failure]] = {}
    for failure in failures:
        by_rule.setdefault(failure.rule, []).append(failure)
    extra = sorted(r for r in by_rule if r not in RULES)
    rules = list(RULES)
    if any(r.startswith(SCHEMATHESIS_PREFIX) for r in extra):
        # The checks that failed replace the umbrella entry of Schemathesis' checks.
        rules.remove(SCHEMATHESIS_PREFIX + "*")
    outcomes = []
    for rule in [*rules, *extra]:
        found = by_rule.get(rule, [])
        status = FAILED if found else PASSED if rule in exercised else NOT_RUN
        shown = (
            [] if status != NOT_RUN else sorted(set(reasons.get(rule, ["no check exercised it"])))
        )
        outcome = RuleOutcome(rule, rule_title(rule), status, found, shown)
        outcome.evidence = list(dict.fromkeys((evidence or {}).get(rule, [])))
        outcome.groups = group_failures(found, limit=limit, show=show)
        outcome.seconds = (seconds or {}).get(rule, 0.0)
        outcomes.append(outcome)
    return outcomes
