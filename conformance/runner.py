"""Runs a plan: sends each probe's request, runs its checks, and builds the report.

The run stops early when the target fails at the transport level twice in a row (a hang
or a drip costs the full deadline each time): the rest is reported as not run.

Redaction happens here, once, on the way out: the report :func:`run_suite` returns and
every progress line pass through the run's :class:`~conformance.redact.Redactor`, so no
text from the target or the options (a failure's fields, a status line, a reason) reaches
the terminal, the JSON or JUnit reports or the pytest plugin without it.

A run holds one probe's body at a time: when a probe is over, what later checks declared
they read of it is kept (:meth:`~conformance.checks.base.SuiteState.finish`) and its body
is released, unless one of its failures may be shown with an excerpt of it (each cause of
a rule shows at most ``--max-failures-per-rule`` failures, the first ones).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from conformance.checks.base import (
    Evidence,
    Keep,
    ProbeRecord,
    SuiteState,
    media_type_of,
    reads_of,
    rules_of,
)
from conformance.client import Exchange, HardenedClient, Request
from conformance.contract_view import SuiteContract, load_suite_contract
from conformance.failures import ConformanceError, Failure, NotRun, OptionsError
from conformance.locate import excerpt, locate
from conformance.options import Settings
from conformance.plan import Plan, Probe, Step, build_plan
from conformance.redact import Redactor
from conformance.report import Report, RequestLog, ShownFailure, build_outcomes, cause_pattern
from conformance.rules import RULES
from contract.endpoint import EndpointContract

__all__ = ["Progress", "make_redactor", "run_suite"]

Progress = Callable[[str], None]
_TRANSPORT_RULES = tuple(rule for rule in RULES if rule.startswith("transport."))
_MAX_TRANSPORT_FAILURES_IN_A_ROW = 2
_FIRST_WAIT, _LONGEST_WAIT = 0.1, 1.0
_Source = tuple[bytes, str]  # a body a failure came from, and how it was read ("json"...)


class _CouldNotRun(ConformanceError):
    """The run cannot go on (a failed reset): the report says why, exit 2."""


def make_redactor(settings: Settings) -> Redactor:
    """The redactor for a run: the settings' secrets and the headers the user supplied."""
    return Redactor(settings.secrets, secret_headers=(name for name, _ in settings.headers))


def run_suite(
    settings: Settings,
    *,
    contract: EndpointContract | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check the target at ``settings.base_url``; with ``dry_run``, only list the requests.

    Raises :class:`~conformance.failures.OptionsError` when the base URL already holds
    the contract's route (the route would be doubled)."""
    suite_contract = load_suite_contract(contract)
    refuse_route_in_base_url(settings.base_url, suite_contract.endpoint.path)
    plan = build_plan(settings, suite_contract.endpoint)
    run = _Run(settings, suite_contract, progress or (lambda line: None))
    if settings.dry_run:
        return run.dry_run(plan)
    return run.execute(plan)


def refuse_route_in_base_url(base_url: str, route: str) -> None:
    """A base URL is the service root (a virtual directory included), never the route:
    ``--base-url https://host/api/v1/billing/invoices/retryallfailed`` would be doubled."""
    path = urlsplit(base_url).path.rstrip("/")
    if route and path.lower().endswith(route.rstrip("/").lower()):
        root = base_url[: len(base_url) - len(route.rstrip("/"))] or base_url
        raise OptionsError(
            f"--base-url ends with the route {route}: give the service root, e.g. {root}"
        )


class _Run:
    def __init__(self, settings: Settings, contract: SuiteContract, progress: Progress) -> None:
        self.settings = settings
        self.redactor = make_redactor(settings)
        self.state = SuiteState(contract, settings, self.redactor)
        self._progress = progress
        self.exercised: set[str] = set()
        self.failures: list[Failure] = []
        self.reasons: dict[str, list[str]] = {}
        self.evidence: dict[str, list[str]] = {}
        self.seconds: dict[str, float] = {}
        self.reading_notes: list[str] = []
        self.sources: dict[int, _Source] = {}
        self._causes: dict[tuple[str, str, str], int] = {}
        self._keeps: dict[str, tuple[Keep, ...]] = {}
        self._last_reader: dict[str, str] = {}
        self.log: list[RequestLog] = []
        self.posts = 0
        self.started = time.monotonic()

    def progress(self, line: str) -> None:
        """Emit a progress line, redacted."""
        self._progress(self.redactor.text(line))

    def _label(self, request: Request) -> str:
        return self.redactor.text(request.label())

    def _left_out(self, plan: Plan) -> list[RequestLog]:
        for probe, reason in plan.left_out:
            self._not_run(probe.steps, reason)
        return [RequestLog(self._label(p.request), reason) for p, reason in plan.left_out]

    def _not_run(self, steps: tuple[Step, ...], reason: str) -> None:
        for step in steps:
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
                        method=reset.method,
                        url=reset.url,
                    )
                )
            request = probe.request
            self.log.append(
                RequestLog(
                    self._describe(request),
                    "would send",
                    method=request.method,
                    url=request.url,
                    headers=self._sent_headers(request),
                )
            )
        return self._report(left_out, dry_run=True)

    def _sent_headers(self, request: Request) -> tuple[tuple[str, str], ...]:
        return tuple(self.redactor.headers([*self.settings.headers, *request.headers]))

    def _describe(self, request: Request) -> str:
        shown = "; ".join(f"{k}: {v}" for k, v in self._sent_headers(request))
        return f"{request.method} {self.redactor.text(request.url)} [{shown or 'no extra headers'}]"

    def execute(self, plan: Plan) -> Report:
        left_out = self._left_out(plan)
        self._keeps, self._last_reader = _kept_for_later(plan)
        in_a_row = 0
        fatal = None
        with HardenedClient(self.settings, self.redactor) as client:
            for index, probe in enumerate(plan.probes):
                if in_a_row >= _MAX_TRANSPORT_FAILURES_IN_A_ROW:
                    reason = "stopped: the target failed at the transport level twice in a row"
                    self._skip_rest(plan.probes[index:], reason, left_out)
                    break
                try:
                    exchange = self._probe(client, probe, index, len(plan.probes))
                except _CouldNotRun as error:
                    fatal = str(error)
                    break
                if index == 0 and not exchange.reached:
                    failure = exchange.failure
                    fatal = f"the target is unreachable: {failure.received if failure else '?'}"
                    break
                in_a_row = in_a_row + 1 if exchange.failure is not None else 0
        return self._report(left_out, fatal=fatal)

    def _skip_rest(
        self, probes: tuple[Probe, ...], reason: str, left_out: list[RequestLog]
    ) -> None:
        for probe in probes:
            self._not_run(probe.steps, reason)
            left_out.append(RequestLog(self._label(probe.request), reason))

    def _probe(self, client: HardenedClient, probe: Probe, index: int, total: int) -> Exchange:
        after_reset = self._reset(client) if probe.reset_first else False
        if probe.request.method == "POST":
            self.posts += 1
        if index == 0:
            exchange = self._send_waiting(client, probe.request)
            if not exchange.reached:
                return exchange  # an unreachable target: one line, no progress
        else:
            exchange = client.send(probe.request)
        self.state.journal[probe.name] = ProbeRecord(exchange, after_reset)
        found, notes = self._check(probe, exchange)
        self.state.finish(probe.name, self._keeps.get(probe.name, ()))
        for name in [name for name, last in self._last_reader.items() if last == probe.name]:
            self.state.finish(name)  # its last reader ran: nothing of it is needed any more
        outcome = self._outcome(exchange, found, notes)
        self.log.append(self._logged(probe.request, exchange, outcome))
        self.progress(f"[{index + 1}/{total}] {self._label(probe.request)} -> {outcome}")
        return exchange

    def _send_waiting(self, client: HardenedClient, request: Request) -> Exchange:
        """Send, retrying while nothing accepts the connection, for ``--wait-for-target``."""
        deadline = time.monotonic() + self.settings.wait_for_target
        pause = _FIRST_WAIT
        while True:
            exchange = client.send(request)
            left = deadline - time.monotonic()
            if exchange.reached or left <= 0:
                return exchange
            time.sleep(min(pause, left))
            pause = min(pause * 2, _LONGEST_WAIT)

    def _logged(self, request: Request, exchange: Exchange, outcome: str) -> RequestLog:
        response = exchange.response
        return RequestLog(
            self._label(request),
            outcome,
            method=request.method,
            url=request.url,
            headers=self._sent_headers(request),
            status=response.status if response else None,
            media_type=media_type_of(response) if response else "",
            size=len(response.body) if response else None,
            milliseconds=round(response.elapsed * 1000, 1) if response else None,
        )

    def _outcome(self, exchange: Exchange, found: list[Failure], notes: list[str]) -> str:
        if exchange.response is None:
            return f"no response ({exchange.failure.rule if exchange.failure else '?'})"
        status = f"{exchange.response.status} {exchange.response.header('content-type') or '-'}"
        rules = sorted({failure.rule for failure in found})
        verdict = f"FAILED {', '.join(rules)}" if rules else "ok"
        return f"{status}; {verdict}" + (f" ({'; '.join(notes)})" if notes else "")

    def _reset(self, client: HardenedClient) -> bool:
        reset = self.settings.reset
        if reset is None:
            return False
        request = Request(reset.method, reset.url, purpose="reset")
        exchange = client.send(request)
        response = exchange.response
        outcome = f"reset: {response.status}" if response else "reset: no response"
        self.log.append(self._logged(request, exchange, outcome))
        if response is None or not 200 <= response.status < 300:
            got = f"answered {response.status}" if response else "got no response"
            detail = f" ({exchange.failure.received})" if exchange.failure else ""
            raise _CouldNotRun(
                f"--reset {reset.method} {self.redactor.text(reset.url)} {got}{detail}:"
                " the known state the checks need cannot be set up"
            )
        return True

    def _check(self, probe: Probe, exchange: Exchange) -> tuple[list[Failure], list[str]]:
        """The failures found for this exchange, and notes for its progress line."""
        if exchange.failure is not None:
            self._found(exchange, [exchange.failure])
            self._not_run(probe.steps, f"no usable response ({exchange.failure.rule})")
            return [exchange.failure], []
        evidence = Evidence(probe.name, exchange, self.state)
        notes = self._notes(exchange)
        line = self._evidence_line(exchange, notes)
        self._exercise(_TRANSPORT_RULES, line)
        found: list[Failure] = []
        for position, step in enumerate(probe.steps):
            if step.catch_all and found:
                self._not_run(
                    probe.steps[position : position + 1],
                    "another rule already failed for this request",
                )
                continue
            step_failures = self._step(step, evidence, line)
            found.extend(step_failures)
            if step.gate and step_failures:
                rule = step_failures[0].rule
                self._not_run(probe.steps[position + 1 :], f"{rule} failed first for this request")
                break
        self._found(exchange, found)
        self._keep_reading_notes(exchange)
        return found, notes

    def _keep_reading_notes(self, exchange: Exchange) -> None:
        """Remarks on how a body was read (the service's own character references) are
        not violations; the report lists them with the request they came from."""
        document = self.state.document(exchange)
        for note in document.reading.notes if document is not None else []:
            self.reading_notes.append(f"{self._label(exchange.request)}: {note}")

    def _found(self, exchange: Exchange, failures: list[Failure]) -> None:
        """Record the failures; keep the body for those a report may show in full: the
        first ``--max-failures-per-rule`` of each cause (what ``group_failures`` shows)."""
        self.failures.extend(failures)
        response = exchange.response
        source: _Source | None = None
        for failure in failures:
            cause = (failure.rule, cause_pattern(failure.location), failure.expected)
            seen = self._causes[cause] = self._causes.get(cause, 0) + 1
            if response is None or seen > max(self.settings.max_failures_per_rule, 1):
                continue
            if source is None:
                document = self.state.document(exchange)
                source = (response.body, document.kind if document is not None else "")
            self.sources[id(failure)] = source

    def _notes(self, exchange: Exchange) -> list[str]:
        document = self.state.document(exchange)
        items = document.items if document is not None else None
        return [] if items is None else [f"{items} invoice" + ("" if items == 1 else "s")]

    def _step(self, step: Step, evidence: Evidence, line: str) -> list[Failure]:
        """Run one check; the rules it exercised stand on this response (``line``)."""
        check = step.check
        try:
            found = list(check(evidence))
        except NotRun as skipped:
            for rule in rules_of(check):
                self.reasons.setdefault(rule, []).append(skipped.reason)
            return []
        finally:
            left = dict(evidence.unexercised)
            evidence.unexercised.clear()
        for rule, reason in left.items():
            self.reasons.setdefault(rule, []).append(reason)
        exercised = [rule for rule in rules_of(check) if rule not in left]
        self._exercise(exercised, line)
        for rule in exercised:
            self.seconds[rule] = self.seconds.get(rule, 0.0) + evidence.response.elapsed
        return found

    def _exercise(self, rules: Iterable[str], line: str) -> None:
        """Count ``rules`` as exercised, with the response ``line`` as their evidence."""
        for rule in rules:
            self.exercised.add(rule)
            self.evidence.setdefault(rule, []).append(line)

    def _evidence_line(self, exchange: Exchange, notes: list[str]) -> str:
        """How a rule's evidence names a response: request, status, media type, notes."""
        assert exchange.response is not None
        line = f"{self._label(exchange.request)}: {exchange.response.status}"
        media_type = media_type_of(exchange.response)
        if media_type:
            line += f" {media_type}"
        return line + "".join(f", {note}" for note in notes)

    def _show(self, failure: Failure) -> ShownFailure:
        """The failure with its line, column and a body excerpt, when its location is a
        place in the body of the response it came from."""
        source = self.sources.get(id(failure))
        if source is None:
            return ShownFailure(failure)
        body, kind = source
        position = locate(body, failure.location, kind)
        return ShownFailure(
            failure,
            position.line if position else None,
            position.column if position else None,
            excerpt(body, position),
        )

    def _report(
        self, left_out: list[RequestLog], *, dry_run: bool = False, fatal: str | None = None
    ) -> Report:
        outcomes = build_outcomes(
            self.exercised,
            self.failures,
            self.reasons,
            evidence=self.evidence,
            seconds=self.seconds,
            limit=self.settings.max_failures_per_rule,
            show=self._show,
        )
        report = Report(
            self.settings.base_url,
            outcomes,
            self.log,
            left_out,
            self.posts,
            fatal,
            dry_run,
            strict=self.settings.strict,
            seconds=time.monotonic() - self.started,
            notes=self.reading_notes,
        )
        return report.redacted(self.redactor.text)


def _kept_for_later(plan: Plan) -> tuple[dict[str, tuple[Keep, ...]], dict[str, str]]:
    """Per probe name, what the checks of the probes after it keep of its body, and the
    last probe that reads it."""
    keeps: dict[str, dict[Keep, None]] = {}
    last_reader: dict[str, str] = {}
    earlier: set[str] = set()
    for probe in plan.probes:
        for step in probe.steps:
            for name, keep in reads_of(step.check):
                if name in earlier:
                    keeps.setdefault(name, {})[keep] = None
                    last_reader[name] = probe.name
        earlier.add(probe.name)
    return {name: tuple(found) for name, found in keeps.items()}, last_reader
