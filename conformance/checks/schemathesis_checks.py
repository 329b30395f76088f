"""``schemathesis.<check>``: Schemathesis' own response checks, as a second opinion.

The operations come from the contract's ``openapi.yaml``. Schemathesis sends nothing here:
its checks are applied to the responses this suite already received through the hardened
client, so they cost no extra call, respect the side-effect budget and the size and time
limits. Only response checks run (``not_a_server_error``, ``status_code_conformance``,
``content_type_conformance``, ``response_headers_conformance``,
``response_schema_conformance``); those that would send their own requests do not.
A Schemathesis failure is reported only when no other rule fired for the same probe:
its checks overlap ours, and one break must give one rule id.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import requests
import yaml

from conformance.checks.base import Evidence, covers
from conformance.failures import NotRun, SchemathesisFailure
from conformance.redact import Redactor

__all__ = ["RESPONSE_CHECKS", "check_schemathesis"]

RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


@functools.cache
def _schema(openapi: str) -> Any:
    import schemathesis.openapi  # noqa: PLC0415 - heavy, and only needed when it runs

    return schemathesis.openapi.from_dict(yaml.safe_load(openapi))


def _check_functions() -> list[Callable[..., Any]]:
    from schemathesis import checks  # noqa: PLC0415
    from schemathesis.specs.openapi import checks as openapi_checks  # noqa: PLC0415

    found = [
        getattr(checks, name, None) or getattr(openapi_checks, name, None)
        for name in RESPONSE_CHECKS
    ]
    return [check for check in found if check is not None]


@covers("schemathesis.*")
def check_schemathesis(evidence: Evidence) -> Iterator[SchemathesisFailure]:
    """schemathesis.<check>: Schemathesis' response checks accept the response."""
    from schemathesis.core.failures import Failure as StFailure  # noqa: PLC0415
    from schemathesis.core.failures import FailureGroup  # noqa: PLC0415

    if not evidence.suite.settings.schemathesis:
        raise NotRun("turned off (--no-schemathesis)")
    case, response = _case_and_response(evidence)
    redactor = evidence.suite.redactor
    for check in _check_functions():
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            yield from (_failure(check.__name__, f, evidence, redactor) for f in group.exceptions)
        except StFailure as failure:
            yield _failure(check.__name__, failure, evidence, redactor)


def _case_and_response(evidence: Evidence) -> tuple[Any, Any]:
    from schemathesis.core.transport import Response as StResponse  # noqa: PLC0415

    endpoint = evidence.suite.contract.endpoint
    operation = _schema(evidence.suite.contract.openapi).find_operation_by_path(
        endpoint.method, endpoint.path
    )
    if operation is None:
        raise NotRun(f"openapi.yaml has no {endpoint.method} {endpoint.path}")
    request = evidence.exchange.request
    redactor = evidence.suite.redactor
    shown = dict(redactor.headers(request.headers))
    prepared = requests.Request(request.method, request.url, headers=shown).prepare()
    headers: dict[str, list[str]] = {}
    for name, value in evidence.response.headers:
        if name.lower() not in {"content-encoding", "transfer-encoding", "content-length"}:
            headers.setdefault(name, []).append(value)
    response = StResponse(
        evidence.response.status,
        headers,
        evidence.response.body,
        prepared,
        evidence.response.elapsed,
        True,
    )
    return operation.Case(headers=shown), response


def _failure(
    check: str, failure: Any, evidence: Evidence, redactor: Redactor
) -> SchemathesisFailure:
    detail = redactor.text(str(getattr(failure, "message", "") or failure)).strip()
    return SchemathesisFailure(
        rule=f"schemathesis.{check}",
        title=f"Schemathesis: {getattr(failure, 'title', check)}",
        expected="what openapi.yaml describes",
        received=detail.splitlines()[0] if detail else check,
        location="response",
        request=evidence.label,
    )
