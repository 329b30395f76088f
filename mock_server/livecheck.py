"""The proxy's live checks: the suite's own check functions on one proxied exchange.

This is the one place :mod:`mock_server` imports :mod:`conformance`: the proxy judges
staging's answers with exactly the code the suite runs (its checks, its body readers,
its gates), never a copy. Which checks run depends on the request, as in the suite's
plan - its steps are taken from :func:`conformance.plan.build_plan`:

* POST on the contract's route: ``http.server-error``, ``http.status-code``,
  ``http.content-type``, ``http.charset``, then every ``json.*`` or ``xml.*`` rule;
* another method on the route (GET, PUT, DELETE, PATCH): ``http.server-error``,
  ``http.method-not-allowed``, ``http.error-body``, ``http.content-type``,
  ``http.charset``, ``http.allow-header``;
* any other answer of 400 or more under the API's root (``/api/``): ``http.server-error``,
  ``http.error-body``, ``http.content-type``, ``http.charset``.

A failing gate stops the later checks, as in the suite. Rules that need several calls
(``cross.*``, ``state.*``), ``http.not-found`` (the proxy cannot know a path should not
exist) and the Schemathesis phase are not run live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from conformance.checks.base import Evidence, SuiteState
from conformance.checks.cross import check_cross_format
from conformance.checks.http import check_not_found
from conformance.checks.schemathesis_checks import check_schemathesis
from conformance.checks.state import check_state_known, check_state_progress
from conformance.client import Exchange
from conformance.contract_view import SuiteContract, load_suite_contract
from conformance.failures import Failure, NotRun
from conformance.options import Settings
from conformance.plan import Step, build_plan
from conformance.redact import Redactor
from contract.endpoint import EndpointContract

__all__ = ["LIVE_RULES", "LiveChecker", "Violation"]

_SINGLE_CALL = frozenset({check_schemathesis, check_not_found, check_cross_format,
                          check_state_progress, check_state_known})  # fmt: skip


def _plan_steps(settings: Settings, endpoint: EndpointContract) -> dict[str, tuple[Step, ...]]:
    """The suite plan's own steps for a POST, another method and an unknown path, without
    the checks that need more than one answer or knowledge the proxy lacks."""
    plan = build_plan(replace(settings, allow_side_effects=True, max_calls=1), endpoint)
    steps = {probe.name: probe.steps for probe in plan.probes}
    return {
        kind: tuple(step for step in steps[name] if step.check not in _SINGLE_CALL)
        for kind, name in (("post", "post-json"), ("method", "method-GET"),
                           ("error", "not-found-json"))
    }  # fmt: skip


_CHECKED_METHODS = frozenset({"GET", "PUT", "DELETE", "PATCH"})
LIVE_RULES = ("transport.*", "http.server-error", "http.status-code", "http.content-type",
              "http.charset", "http.method-not-allowed", "http.allow-header",
              "http.error-body", "json.*", "xml.*")  # fmt: skip
"""The rules the proxy runs on each answer (``transport.*`` for what it could not get)."""


@dataclass(frozen=True)
class Violation:
    """One rule one proxied answer broke, its texts redacted."""

    rule: str
    location: str
    expected: str
    received: str
    request: str

    def as_json(self) -> dict[str, str]:
        """The journal's form: rule, location, expected, received."""
        return {"rule": self.rule, "location": self.location,
                "expected": self.expected, "received": self.received}  # fmt: skip

    def line(self) -> str:
        """The stderr line: rule id, location, request."""
        where = self.location or "response"
        return f"retry proxy: VIOLATION {self.rule} at {where}: {self.request}"


class LiveChecker:
    """Runs the suite's checks on proxied exchanges of the contract's route and errors."""

    def __init__(self, settings: Settings, *, base_path: str = "") -> None:
        self._settings = settings
        self._contract: SuiteContract = load_suite_contract()
        self._steps = _plan_steps(settings, self._contract.endpoint)
        route = self._contract.endpoint.path.rstrip("/").lower()
        self._route = base_path.rstrip("/").lower() + route
        self._api_root = base_path.rstrip("/").lower() + "/" + route.strip("/").split("/")[0] + "/"

    def steps_for(self, method: str, path: str, status: int) -> Sequence[Step]:
        """The checks the answer to ``method path`` with ``status`` gets (see the module)."""
        folded = path.rstrip("/").lower()
        if folded == self._route:
            if method == "POST":
                return self._steps["post"]
            return self._steps["method"] if method in _CHECKED_METHODS else ()
        if status >= 400 and (folded + "/").startswith(self._api_root):
            return self._steps["error"]
        return ()

    def check(self, exchange: Exchange, path: str, redactor: Redactor) -> list[Violation]:
        """The violations of ``exchange`` (a transport failure is one)."""
        if exchange.failure is not None:
            return [_violation(exchange.failure, redactor)]
        assert exchange.response is not None
        steps = self.steps_for(exchange.request.method, path, exchange.response.status)
        suite = SuiteState(self._contract, self._settings, redactor)
        evidence = Evidence("proxy", exchange, suite)
        found: list[Failure] = []
        for step in steps:
            try:
                failures = list(step.check(evidence))
            except NotRun:
                continue
            found += failures
            if step.gate and failures:
                break
        return [_violation(failure, redactor) for failure in found]


def _violation(failure: Failure, redactor: Redactor) -> Violation:
    text = redactor.text
    return Violation(failure.rule, text(failure.location), text(failure.expected),
                     text(failure.received), text(failure.request))  # fmt: skip
