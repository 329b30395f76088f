"""The result of a run: one outcome per rule, the requests sent, and the exit code.

A rule is *failed* when any check found a violation of it, *passed* when at least one
check exercised it and none failed, and *not run* otherwise - never passed by default -
with the reasons (no ``--reset``, POST budget used up, an earlier gate failed...).
"""

from __future__ import annotations

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
    "Report",
    "RequestLog",
    "RuleOutcome",
    "build_outcomes",
]

EXIT_OK, EXIT_VIOLATIONS, EXIT_COULD_NOT_RUN = 0, 1, 2
PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"


@dataclass
class RuleOutcome:
    """The status of one rule id and what supports it."""

    rule: str
    title: str
    status: str
    failures: list[Failure] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def redacted(self, redact: Callable[[str], str]) -> RuleOutcome:
        """The outcome with ``redact`` applied to its failures and reasons."""
        failures = [failure.redacted(redact) for failure in self.failures]
        return replace(self, failures=failures, reasons=[redact(r) for r in self.reasons])

    def as_dict(self) -> dict[str, object]:
        """For the JSON report."""
        return {
            "rule": self.rule,
            "title": self.title,
            "status": self.status,
            "failures": [failure.as_dict() for failure in self.failures],
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class RequestLog:
    """A request the run sent (or would send): label and outcome, already redacted."""

    label: str
    outcome: str

    def redacted(self, redact: Callable[[str], str]) -> RequestLog:
        """The entry with ``redact`` applied to both texts."""
        return RequestLog(redact(self.label), redact(self.outcome))


@dataclass
class Report:
    """Everything a run found; ``fatal`` is set when it could not run at all."""

    base_url: str
    outcomes: list[RuleOutcome]
    requests: list[RequestLog] = field(default_factory=list)
    left_out: list[RequestLog] = field(default_factory=list)
    posts_sent: int = 0
    fatal: str | None = None
    dry_run: bool = False

    @property
    def failures(self) -> list[Failure]:
        """Every failure, in rule order."""
        return [failure for outcome in self.outcomes for failure in outcome.failures]

    @property
    def failed_rules(self) -> list[str]:
        """The ids of the rules that failed."""
        return [outcome.rule for outcome in self.outcomes if outcome.status == FAILED]

    @property
    def exit_code(self) -> int:
        """0 conformant, 1 violations found, 2 could not run."""
        if self.fatal is not None:
            return EXIT_COULD_NOT_RUN
        return EXIT_VIOLATIONS if self.failures else EXIT_OK

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
        )

    def as_dict(self) -> dict[str, object]:
        """The whole report as JSON-ready data."""
        return {
            "base_url": self.base_url,
            "exit_code": self.exit_code,
            "fatal": self.fatal,
            "dry_run": self.dry_run,
            "posts_sent": self.posts_sent,
            "rules": [outcome.as_dict() for outcome in self.outcomes],
            "requests": [{"request": r.label, "outcome": r.outcome} for r in self.requests],
            "not_sent": [{"request": r.label, "reason": r.outcome} for r in self.left_out],
        }


def build_outcomes(
    exercised: set[str], failures: list[Failure], reasons: dict[str, list[str]]
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
        outcomes.append(RuleOutcome(rule, rule_title(rule), status, found, shown))
    return outcomes
