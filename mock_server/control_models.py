"""Request bodies of the control API, validated strictly (no type coercion, no unknown fields).

Validation errors become one message naming every offending field by its path
(``invoices.2.SendingAttempts: Input should be greater than or equal to 0``).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from contract.netdatetime import NetDateTime
from mock_server.vocabulary import EXTERNAL_SYSTEMS, FAILED, FAILURE_REASONS, SENDING_TYPES

__all__ = [
    "MAX_SEEDED",
    "FaultRequest",
    "InvoiceIn",
    "ScenarioName",
    "ScenarioRequest",
    "SeedRequest",
    "describe_errors",
]

MAX_SEEDED = 1_000_000
INT32_MAX = 2**31 - 1
MAX_LATENCY_MS = 120_000

ScenarioName = Literal[
    "healthy", "all-failing", "partial", "empty", "large", "external-down", "canned"
]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class InvoiceIn(_Strict):
    """An explicit invoice; omitted ids are drawn from the seed, other members defaulted."""

    PracticeId: uuid.UUID | None = None
    EncounterId: uuid.UUID | None = None
    InvoiceId: uuid.UUID | None = None
    Reason: str | None = FAILURE_REASONS[0]
    Status: str | None = FAILED
    System: str | None = EXTERNAL_SYSTEMS[0]
    SendingTime: NetDateTime | None = None
    SendingAttempts: int = Field(default=1, ge=0, le=INT32_MAX)
    SendingType: str | None = SENDING_TYPES[0]


class SeedRequest(_Strict):
    """``{"count": N, "seed": S}`` or ``{"invoices": [...]}``."""

    count: int | None = Field(default=None, ge=0, le=MAX_SEEDED)
    seed: int | None = None
    invoices: list[InvoiceIn] | None = Field(default=None, max_length=MAX_SEEDED)

    @model_validator(mode="after")
    def _one_source(self) -> SeedRequest:
        if self.invoices is not None and (self.count is not None or self.seed is not None):
            raise ValueError("give either count/seed or invoices, not both")
        if self.invoices is not None:
            ids = [invoice.InvoiceId for invoice in self.invoices if invoice.InvoiceId]
            if len(ids) != len(set(ids)):
                raise ValueError("invoices: every InvoiceId must be unique")
        return self


class ScenarioRequest(_Strict):
    """``{"name": ..., options}``; see :mod:`mock_server.scenarios` for the options."""

    name: ScenarioName
    failed: int | None = Field(default=None, ge=0, le=MAX_SEEDED)
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
        for system, rate in (self.success_rates or {}).items():
            if not 0 <= rate <= 1:
                raise ValueError(f"success_rates.{system} must be from 0 to 1, got {rate}")
        return self


class FaultRequest(_Strict):
    """``{"kind": ..., "calls": N}`` or ``{"kind": ..., "share": 0.25}``, with ``latency_ms``."""

    kind: Literal["latency", "http-500", "envelope-failure", "drop-connection", "malformed-body"]
    calls: int | None = Field(default=None, ge=1, le=MAX_SEEDED)
    share: float | None = Field(default=None, gt=0.0, le=1.0)
    latency_ms: int = Field(default=1000, ge=0, le=MAX_LATENCY_MS)

    @model_validator(mode="after")
    def _calls_or_share(self) -> FaultRequest:
        if self.calls is not None and self.share is not None:
            raise ValueError("give either calls or share, not both")
        if self.calls is None and self.share is None:
            self.calls = 1
        return self


def describe_errors(error: ValidationError) -> str:
    """One line naming each invalid field: ``field.path: message``."""
    parts = []
    for detail in error.errors(include_url=False):
        location = ".".join(str(part) for part in detail["loc"])
        message = detail["msg"].removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)
