"""Request bodies of the control API, validated strictly (no type coercion, no unknown fields).

What users give in the service's own shapes is checked by the contract's generated models
(:mod:`contract.models`), the ones the conformance suite uses too: explicit invoices by
``InvoiceSendingStatusVo``, the ``canned`` envelope by ``RESPONSE_MODEL``. Validation
errors become one message naming every offending field by its path
(``invoices.2.SendingAttempts: Input should be a valid integer``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from contract.clr import INTEGER_RANGES, Primitive
from contract.models import InvoiceSendingStatusVo
from contract.netdatetime import NetDateTime
from mock_server.scenarios import MAX_FAILED
from mock_server.vocabulary import EXTERNAL_SYSTEMS, FAILED, FAILURE_REASONS, SENDING_TYPES

__all__ = [
    "INT32_MAX",
    "INVOICE_DEFAULTS",
    "MAX_JSON_DEPTH",
    "FaultRequest",
    "InvoiceCount",
    "ScenarioName",
    "ScenarioRequest",
    "SeedRequest",
    "describe_errors",
    "explicit_invoices",
    "json_depth",
]

INT32_MAX = INTEGER_RANGES[Primitive.INT32][1]  # SendingAttempts is a .NET int
MAX_LATENCY_MS = 120_000
DEFAULT_LATENCY_MS = 1000
MAX_FAULT_CALLS = 1_000_000
# The deepest body the control API needs is a canned envelope (4 levels); parsers recurse
# per level, so a far deeper body is refused before any parser sees it.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")

ScenarioName = Literal[
    "healthy", "all-failing", "partial", "empty", "large", "external-down", "canned"
]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


def _within_limit(value: int) -> int:
    if value > MAX_FAILED:
        raise ValueError(
            f"at most {MAX_FAILED:,} invoices (the mock's limit, the largest size the "
            f"benchmarks use), got {value:,}"
        )
    return value


InvoiceCount = Annotated[int, Field(ge=0), AfterValidator(_within_limit)]
"""A number of invoices: 0 to :data:`~mock_server.scenarios.MAX_FAILED`."""

INVOICE_DEFAULTS: dict[str, Any] = {
    "Reason": FAILURE_REASONS[0],
    "Status": FAILED,
    "System": EXTERNAL_SYSTEMS[0],
    "SendingAttempts": 1,
    "SendingType": SENDING_TYPES[0],
}
"""What an explicit invoice gets for a member it omits (ids and SendingTime aside)."""

_DRAWN_IDS = ("PracticeId", "EncounterId", "InvoiceId")


def explicit_invoices(
    given: Sequence[Mapping[str, Any]], *, new_id: Callable[[], uuid.UUID], now: NetDateTime
) -> list[InvoiceSendingStatusVo]:
    """``given`` completed and validated by the contract's ``InvoiceSendingStatusVo``.

    Omitted ids are ``new_id()`` (drawn in member order), an omitted ``SendingTime`` is
    ``now``, other omitted members take :data:`INVOICE_DEFAULTS`. ``SendingAttempts`` must
    not be negative and every ``InvoiceId`` unique. Raises ValueError naming each bad field
    as ``invoices.N.Member``.
    """
    invoices, problems = [], []
    for index, values in enumerate(given):
        complete = {**INVOICE_DEFAULTS, **values}
        for name in _DRAWN_IDS:  # a null id is drawn too, as an omitted one is
            if complete.get(name) is None:
                complete[name] = new_id()
        if complete.get("SendingTime") is None:
            complete["SendingTime"] = now
        try:
            invoice = InvoiceSendingStatusVo.model_validate(complete)
        except ValidationError as error:
            problems.append(describe_errors(error, prefix=f"invoices.{index}"))
            continue
        problem = _attempts_problem(invoice)
        if problem:
            problems.append(f"invoices.{index}.SendingAttempts: {problem}")
        invoices.append(invoice)
    ids = [invoice.invoice_id for invoice in invoices]
    if len(ids) != len(set(ids)):
        problems.append("invoices: every InvoiceId must be unique")
    if problems:
        raise ValueError("; ".join(problems))
    return invoices


def json_depth(data: bytes, *, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply ``data``'s arrays and objects nest, counting stops once beyond ``limit``.

    Brackets inside strings do not count. Linear in the body and recursion-free, so it is
    safe on any input, even one that is not JSON at all.
    """
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        depth += 1 if match[0] in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _attempts_problem(invoice: InvoiceSendingStatusVo) -> str | None:
    """Why ``SendingAttempts`` is refused, if it is.

    A Failed invoice is retried by the next call, which counts one more attempt: at
    Int32.MaxValue that attempt would overflow the service's ``int``.
    """
    if invoice.sending_attempts < 0:
        return "must be 0 or more"
    if invoice.status == FAILED and invoice.sending_attempts >= INT32_MAX:
        return (
            f"a Failed invoice must have fewer than {INT32_MAX:,} (Int32.MaxValue) attempts: "
            "its next retry would overflow the service's int"
        )
    return None


class SeedRequest(_Strict):
    """``{"count": N, "seed": S}`` or ``{"invoices": [...]}``."""

    count: InvoiceCount | None = None
    seed: int | None = None
    # Each invoice is checked by the contract's model in explicit_invoices.
    invoices: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_FAILED)

    @model_validator(mode="after")
    def _one_source(self) -> SeedRequest:
        if self.invoices is not None and (self.count is not None or self.seed is not None):
            raise ValueError("give either count/seed or invoices, not both")
        return self


class ScenarioRequest(_Strict):
    """``{"name": ..., options}``; see :mod:`mock_server.scenarios` for the options."""

    name: ScenarioName
    failed: InvoiceCount | None = None
    seed: int | None = None
    success_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    success_rates: dict[str, float] | None = None
    max_attempts: int | None = Field(default=None, ge=1, le=INT32_MAX)
    outcomes: dict[uuid.UUID, list[Literal["success", "failure"]]] | None = None
    envelope: dict[str, Any] | None = None
    reseed: bool | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioRequest:
        if (self.name == "canned") != (self.envelope is not None):
            raise ValueError("envelope is required for the canned scenario and only for it")
        unknown = [name for name in self.success_rates or {} if name not in EXTERNAL_SYSTEMS]
        if unknown:
            known = ", ".join(EXTERNAL_SYSTEMS)
            raise ValueError(
                f"success_rates: {unknown[0]!r} is not a switch; the switches are {known}"
            )
        for system, rate in (self.success_rates or {}).items():
            if not 0 <= rate <= 1:
                raise ValueError(f"success_rates.{system} must be from 0 to 1, got {rate}")
        return self


class FaultRequest(_Strict):
    """``{"kind": ..., "calls": N}`` or ``{"kind": ..., "share": 0.25}`` (default: one call).

    ``latency_ms`` belongs to ``latency`` faults only (default 1000); given with another
    kind it is refused rather than silently ignored.
    """

    kind: Literal["latency", "http-500", "envelope-failure", "drop-connection", "malformed-body"]
    calls: int | None = Field(default=None, ge=1, le=MAX_FAULT_CALLS)
    share: float | None = Field(default=None, gt=0.0, le=1.0)
    latency_ms: int | None = Field(default=None, ge=0, le=MAX_LATENCY_MS)

    @model_validator(mode="after")
    def _calls_or_share(self) -> FaultRequest:
        if self.calls is not None and self.share is not None:
            raise ValueError("give either calls or share, not both")
        if self.calls is None and self.share is None:
            self.calls = 1
        if self.kind != "latency" and self.latency_ms is not None:
            raise ValueError(f"latency_ms applies only to kind latency, not to {self.kind}")
        if self.kind == "latency" and self.latency_ms is None:
            self.latency_ms = DEFAULT_LATENCY_MS
        return self


def describe_errors(error: ValidationError, *, prefix: str | None = None) -> str:
    """One line naming each invalid field: ``field.path: message`` (``prefix.field.path``)."""
    parts = []
    for detail in error.errors(include_url=False):
        location = ".".join(str(part) for part in (prefix, *detail["loc"]) if part is not None)
        message = detail["msg"].removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)
