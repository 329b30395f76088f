"""Runs a plan: sends each probe's request, runs its checks, and builds the report.

The run stops early when the target fails at the transport level twice in a row (a hang
or a drip costs the full deadline each time): the rest is reported as not run.

Redaction happens here, once, on the way out: the report :func:`run_suite` returns and
every progress line pass through the run's :class:`~conformance.redact.Redactor`, so no
text from the target or the options (a failure's fields, a status line, a reason) reaches
the terminal, the JSON or JUnit reports or the pytest plugin without it.
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.checks.base import Evidence, ProbeRecord, SuiteState, rules_of
from conformance.client import Exchange, HardenedClient, Request
from conformance.contract_view import SuiteContract, load_suite_contract
from conformance.failures import Failure, NotRun
from conformance.options import Settings
from conformance.plan import Plan, Probe, Step, build_plan
from conformance.redact import Redactor
from conformance.report import Report, RequestLog, build_outcomes
from conformance.rules import RULES
from contract.endpoint import EndpointContract

__all__ = ["Progress", "make_redactor", "run_suite"]

Progress = Callable[[str], None]
_TRANSPORT_RULES = tuple(rule for rule in RULES if rule.startswith("transport."))
_MAX_TRANSPORT_FAILURES_IN_A_ROW = 2


def make_redactor(settings: Settings) -> Redactor:
    """The redactor for a run: the settings' secrets and the headers the user supplied."""
    return Redactor(settings.secrets, secret_headers=(name for name, _ in settings.headers))


def run_suite(
    settings: Settings,
    *,
    contract: EndpointContract | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check the target at ``settings.base_url``; with ``dry_run``, only list the requests."""
    suite_contract = load_suite_contract(contract)
    plan = build_plan(settings, suite_contract.endpoint)
    run = _Run(settings, suite_contract, progress or (lambda line: None))
    if settings.dry_run:
        return run.dry_run(plan)
    return run.execute(plan)


class _Run:
    def __init__(self, settings: Settings, contract: SuiteContract, progress: Progress) -> None:
        self.settings = settings
        self.redactor = make_redactor(settings)
        self.state = SuiteState(contract, settings, self.redactor)
        self._progress = progress
        self.exercised: set[str] = set()
        self.failures: list[Failure] = []
        self.reasons: dict[str, list[str]] = {}
        self.log: list[RequestLog] = []
        self.posts = 0

    def progress(self, line: str) -> None:
        """Emit a progress line, redacted."""
        self._progress(self.redactor.text(line))

    def _label(self, request: Request) -> str:
        return self.redactor.text(request.label())

    def _left_out(self, plan: Plan) -> list[RequestLog]:
        for probe, reason in plan.left_out:
            self._not_run(probe, reason)
        return [RequestLog(self._label(p.request), reason) for p, reason in plan.left_out]

    def _not_run(self, probe: Probe, reason: str) -> None:
        for step in probe.steps:
            for rule in rules_of(step.check):
                self.reasons.setdefault(rule, []).append(reason)

    def dry_run(self, plan: Plan) -> Report:
        left_out = self._left_out(plan)
        for probe in plan.probes:
            if probe.reset_first and self.settings.reset is not None:
                reset = self.settings.reset
                self.log.append(
                    RequestLog(
                        f"{reset.method} {self.redactor.text(reset.url)}",
                        "reset (not counted as a POST)",
                    )
                )
            self.log.append(RequestLog(self._describe(probe.request), "would send"))
        return self._report(left_out, dry_run=True)

    def _describe(self, request: Request) -> str:
        headers = [*self.settings.headers, *request.headers]
        shown = "; ".join(f"{k}: {v}" for k, v in self.redactor.headers(headers))
        return f"{request.method} {self.redactor.text(request.url)} [{shown or 'no extra headers'}]"

    def execute(self, plan: Plan) -> Report:
        left_out = self._left_out(plan)
        exchanges: list[Exchange] = []
        in_a_row = 0
        with HardenedClient(self.settings, self.redactor) as client:
            for index, probe in enumerate(plan.probes):
                if in_a_row >= _MAX_TRANSPORT_FAILURES_IN_A_ROW:
                    reason = "stopped: the target failed at the transport level twice in a row"
                    self._skip_rest(plan.probes[index:], reason, left_out)
                    break
                exchange = self._probe(client, probe, f"[{index + 1}/{len(plan.probes)}]")
                exchanges.append(exchange)
                in_a_row = in_a_row + 1 if exchange.failure is not None else 0
        fatal = None
        if exchanges and not any(e.reached for e in exchanges):
            first = exchanges[0].failure
            fatal = f"the target is unreachable: {first.received if first else 'no answer'}"
        return self._report(left_out, fatal=fatal)

    def _skip_rest(
        self, probes: tuple[Probe, ...], reason: str, left_out: list[RequestLog]
    ) -> None:
        for probe in probes:
            self._not_run(probe, reason)
            left_out.append(RequestLog(self._label(probe.request), reason))

    def _probe(self, client: HardenedClient, probe: Probe, counter: str) -> Exchange:
        after_reset = self._reset(client) if probe.reset_first else False
        if probe.request.method == "POST":
            self.posts += 1
        exchange = client.send(probe.request)
        self.state.journal[probe.name] = ProbeRecord(exchange, after_reset)
        found = self._check(probe, exchange)
        outcome = self._outcome(exchange, found)
        self.log.append(RequestLog(self._label(probe.request), outcome))
        self.progress(f"{counter} {self._label(probe.request)} -> {outcome}")
        return exchange

    def _outcome(self, exchange: Exchange, found: list[Failure]) -> str:
        if exchange.response is None:
            return f"no response ({exchange.failure.rule if exchange.failure else '?'})"
        status = f"{exchange.response.status} {exchange.response.header('content-type') or '-'}"
        rules = sorted({failure.rule for failure in found})
        return f"{status}; " + (f"FAILED {', '.join(rules)}" if rules else "ok")

    def _reset(self, client: HardenedClient) -> bool:
        reset = self.settings.reset
        if reset is None:
            return False
        exchange = client.send(Request(reset.method, reset.url, purpose="reset"))
        ok = exchange.response is not None and 200 <= exchange.response.status < 300
        outcome = (
            f"reset: {exchange.response.status}" if exchange.response else "reset: no response"
        )
        self.log.append(RequestLog(f"{reset.method} {self.redactor.text(reset.url)}", outcome))
        return ok

    def _check(self, probe: Probe, exchange: Exchange) -> list[Failure]:
        if exchange.failure is not None:
            self.failures.append(exchange.failure)
            self._not_run(probe, f"no usable response ({exchange.failure.rule})")
            return [exchange.failure]
        self.exercised.update(_TRANSPORT_RULES)
        evidence = Evidence(probe.name, exchange, self.state)
        found: list[Failure] = []
        for position, step in enumerate(probe.steps):
            if step.catch_all and found:
                self._not_run_steps(
                    probe.steps[position : position + 1],
                    "another rule already failed for this request",
                )
                continue
            step_failures = self._step(step, evidence)
            found.extend(step_failures)
            if step.gate and step_failures:
                rule = step_failures[0].rule
                self._not_run_steps(
                    probe.steps[position + 1 :], f"{rule} failed first for this request"
                )
                break
        self.failures.extend(found)
        return found

    def _not_run_steps(self, steps: tuple[Step, ...], reason: str) -> None:
        for step in steps:
            for rule in rules_of(step.check):
                self.reasons.setdefault(rule, []).append(reason)

    def _step(self, step: Step, evidence: Evidence) -> list[Failure]:
        check = step.check
        try:
            found = list(check(evidence))
        except NotRun as skipped:
            for rule in rules_of(check):
                self.reasons.setdefault(rule, []).append(skipped.reason)
            return []
        self.exercised.update(rules_of(check))
        return found

    def _report(
        self, left_out: list[RequestLog], *, dry_run: bool = False, fatal: str | None = None
    ) -> Report:
        outcomes = build_outcomes(self.exercised, self.failures, self.reasons)
        report = Report(
            self.settings.base_url, outcomes, self.log, left_out, self.posts, fatal, dry_run
        )
        return report.redacted(self.redactor.text)
