"""The plan: which requests the suite sends, in which order, with which checks.

Requests that change nothing (other methods on the route, an unknown path) always run.
POSTs re-send real invoices, so they run only with ``--allow-side-effects`` and at most
``--max-calls`` of them, in priority order (:func:`post_order`): the JSON body, the XML
body (and JSON/XML agreement), a second call (state), then the negotiation variants. The
405 and 404 probes already exercise negotiation without side effects, so the variants
come last. Probes that do not fit are listed with the reason ("needs more than
--max-calls=N POSTs"), and rules no other probe exercised are reported as not run.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.checks.base import Check
from conformance.checks.body import check_json_body, check_xml_body
from conformance.checks.cross import check_cross_format
from conformance.checks.http import (
    check_allow_header,
    check_charset,
    check_content_type,
    check_error_body,
    check_method_not_allowed,
    check_not_found,
    check_post_status,
    check_server_error,
)
from conformance.checks.schemathesis_checks import check_schemathesis
from conformance.checks.state import check_state_known, check_state_progress
from conformance.client import Request
from conformance.options import Settings
from contract.endpoint import EndpointContract

__all__ = [
    "NEGOTIATION_VARIANTS",
    "NOT_FOUND_PATH",
    "POST_PROBES",
    "Plan",
    "Probe",
    "Step",
    "build_plan",
    "post_order",
]

NOT_FOUND_PATH = "/api/conformance-probe/no-such-resource"


@dataclass(frozen=True)
class Step:
    """A check in a probe. After a ``gate`` step fails, the later steps do not run (their
    rules would only repeat the same break); a ``catch_all`` step runs only when nothing
    failed before it in the probe."""

    check: Check
    gate: bool = False
    catch_all: bool = False


@dataclass(frozen=True)
class Probe:
    """One request and the checks run on its response."""

    name: str
    request: Request
    steps: tuple[Step, ...]
    mutating: bool = False
    reset_first: bool = False


@dataclass(frozen=True)
class Plan:
    """The probes to run, in order, and those left out with the reason."""

    probes: tuple[Probe, ...]
    left_out: tuple[tuple[Probe, str], ...]


# Accept headers that exercise negotiation: (Accept or None, X-Requested-With or None).
NEGOTIATION_VARIANTS: tuple[tuple[str | None, str | None], ...] = (
    ("text/json", None),
    ("text/xml", None),
    (None, None),
    ("application/json;q=0.4, application/xml;q=0.8", None),
    ("text/*", None),
    ("*/*", None),
    ("text/plain", None),
    (None, "XMLHttpRequest"),
)
# The POSTs before the negotiation variants: what each one is for.
_FIRST_POSTS = (
    "the JSON body",
    "the XML body and JSON/XML agreement",
    "a second call (state checks)",
)
POST_PROBES = len(_FIRST_POSTS) + len(NEGOTIATION_VARIANTS)
"""How many POSTs the full plan sends (``--max-calls`` of at least this runs every probe)."""

_OTHER_METHODS = (
    ("GET", "application/json"),
    ("PUT", "application/xml"),
    ("DELETE", "text/json"),
    ("PATCH", "text/xml"),
)

# An error answer that is not an HttpError at all (IIS's HTML page) is an error-body
# failure, so the body is judged before its label.
_ERROR_STEPS = (
    Step(check_error_body, gate=True),
    Step(check_content_type, gate=True),
    Step(check_charset),
)
_METHOD_STEPS = (
    Step(check_server_error, gate=True),
    Step(check_method_not_allowed, gate=True),
    *_ERROR_STEPS,
    Step(check_allow_header),
)
_NOT_FOUND_STEPS = (
    Step(check_server_error, gate=True),
    Step(check_not_found, gate=True),
    *_ERROR_STEPS,
)
_POST_STEPS = (
    Step(check_server_error, gate=True),
    Step(check_post_status, gate=True),
    Step(check_content_type, gate=True),
    Step(check_charset),
    Step(check_json_body),
    Step(check_xml_body),
)
_SCHEMATHESIS = Step(check_schemathesis, catch_all=True)


def _headers(accept: str | None, requested_with: str | None = None) -> tuple[tuple[str, str], ...]:
    headers = [("Accept", accept)] if accept is not None else []
    if requested_with is not None:
        headers.append(("X-Requested-With", requested_with))
    return tuple(headers)


def _safe_probes(base_url: str, contract: EndpointContract) -> list[Probe]:
    route = base_url + contract.path
    probes = [
        Probe(f"method-{method}", Request(method, route, _headers(accept)), _METHOD_STEPS)
        for method, accept in _OTHER_METHODS
    ]
    for index, (accept, requested_with) in enumerate(NEGOTIATION_VARIANTS, start=1):
        request = Request("GET", route, _headers(accept, requested_with))
        probes.append(Probe(f"error-negotiation-{index}", request, _METHOD_STEPS))
    for accept in ("application/json", "application/xml"):
        request = Request("GET", base_url + NOT_FOUND_PATH, _headers(accept))
        probes.append(Probe(f"not-found-{accept.split('/')[1]}", request, _NOT_FOUND_STEPS))
    return probes


def _post_probes(base_url: str, contract: EndpointContract) -> list[Probe]:
    route = base_url + contract.path

    def post(
        name: str, headers: tuple[tuple[str, str], ...], *extra: Step, reset: bool = False
    ) -> Probe:
        steps = (*_POST_STEPS, *extra, _SCHEMATHESIS)
        return Probe(name, Request("POST", route, headers), steps, mutating=True, reset_first=reset)

    probes = [
        post("post-json", _headers("application/json"), reset=True),
        post("post-xml", _headers("application/xml"), Step(check_cross_format), reset=True),
        post(
            "post-again",
            _headers("application/json"),
            Step(check_state_progress),
            Step(check_state_known),
        ),
    ]
    for index, (accept, requested_with) in enumerate(NEGOTIATION_VARIANTS, start=1):
        probes.append(post(f"post-negotiation-{index}", _headers(accept, requested_with)))
    return probes


def _variant_label(accept: str | None, requested_with: str | None) -> str:
    if requested_with is not None:
        return f"X-Requested-With: {requested_with}"
    return f"Accept: {accept}" if accept is not None else "no Accept"


def post_order() -> list[str]:
    """What each POST of the plan is for, in the order the ``--max-calls`` budget is spent."""
    variants = [f"negotiation, {_variant_label(*v)}" for v in NEGOTIATION_VARIANTS]
    return [*_FIRST_POSTS, *variants]


def build_plan(settings: Settings, contract: EndpointContract) -> Plan:
    """The probes for these settings: every safe one, then POSTs within the budget."""
    probes = _safe_probes(settings.base_url, contract)
    left_out: list[tuple[Probe, str]] = []
    budget = settings.max_calls
    for probe in _post_probes(settings.base_url, contract):
        if not settings.allow_side_effects:
            left_out.append((probe, "needs --allow-side-effects (POST re-sends real invoices)"))
        elif budget <= 0:
            left_out.append((probe, f"needs more than --max-calls={settings.max_calls} POSTs"))
        else:
            probes.append(probe)
            budget -= 1
    return Plan(tuple(probes), tuple(left_out))
