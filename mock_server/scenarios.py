"""Named scenarios: what state a scenario starts from and how the switches answer retries.

========================  ===============================================================
``healthy``               the seeded failed invoices all succeed on their next retry
``all-failing``           every retry fails: each call returns the same invoices with one
                          more attempt (a steady state, unless ``max_attempts`` is set)
``partial``               per-switch success rates (MediKredit 0.8, MediSwitch 0.5,
                          Healthbridge Switch 0.2); the default scenario
``empty``                 no failed invoices: every call returns ``Data: []``
``large``                 10,000 failed invoices that keep failing
``external-down``         the 200 envelope with ``Sucess`` false, ``ResponseCode`` -1,
                          ``ResponseMessage`` "External system unavailable", ``Data`` [];
                          the invoices are not touched
``canned``                serves exactly the given envelope (golden ``.values.json`` form)
                          and never touches the invoices
========================  ===============================================================

Every scenario takes options: ``failed`` (at most :data:`MAX_FAILED`) and ``seed`` (the
invoices it starts from), ``success_rate`` (every switch) and ``success_rates`` (per
switch), ``max_attempts``, ``outcomes`` (scripted outcomes per invoice, consumed one per
retry before the rates apply), and ``envelope`` (``canned`` only).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mock_server.vocabulary import PARTIAL_SUCCESS_RATES

__all__ = [
    "LARGE_FAILED",
    "MAX_FAILED",
    "SCENARIO_NAMES",
    "Response",
    "Scenario",
    "builtin_scenario",
]

LARGE_FAILED = 10_000
MAX_FAILED = 100_000
"""The most invoices a mock holds (``failed``, seed ``count``): the largest the benchmarks
use. A retry over them answers in about a second; ten times more would block a worker for a
minute and answer hundreds of megabytes."""


class Response(enum.Enum):
    """What the retry endpoint answers in a scenario."""

    RETRY = "retry"  # retry the failed invoices and return them
    EXTERNAL_DOWN = "external-down"  # the failure envelope, state untouched
    CANNED = "canned"  # the scenario's envelope, state untouched


@dataclass(frozen=True)
class Scenario:
    """A scenario's full configuration, as stored (shared by every worker process).

    ``failed`` None means "the count the mock was started with". ``outcomes`` holds each
    invoice's remaining scripted outcomes (True = the switch accepts it).
    """

    name: str
    seed: int = 1
    failed: int | None = None
    success_rates: Mapping[str, float] = field(default_factory=dict)
    default_success_rate: float = 0.5
    max_attempts: int | None = None
    outcomes: Mapping[uuid.UUID, tuple[bool, ...]] = field(default_factory=dict)
    envelope: Mapping[str, Any] | None = None

    @property
    def response(self) -> Response:
        """How the endpoint answers in this scenario."""
        if self.name == "external-down":
            return Response.EXTERNAL_DOWN
        if self.name == "canned":
            return Response.CANNED
        return Response.RETRY

    @property
    def reseeds(self) -> bool:
        """Whether switching to this scenario replaces the invoices by default.

        Scenarios that never touch the invoices (``external-down``, ``canned``) keep them,
        so switching back shows the same state.
        """
        return self.response is Response.RETRY

    def success_rate(self, system: str | None) -> float:
        """The probability that ``system`` accepts a retried invoice."""
        return self.success_rates.get(system or "", self.default_success_rate)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (also the stored form)."""
        return {
            "name": self.name,
            "seed": self.seed,
            "failed": self.failed,
            "success_rates": dict(self.success_rates),
            "default_success_rate": self.default_success_rate,
            "max_attempts": self.max_attempts,
            "outcomes": {
                str(key): ["success" if ok else "failure" for ok in script]
                for key, script in self.outcomes.items()
            },
            "envelope": self.envelope,
        }

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> Scenario:
        """The inverse of :meth:`to_json`."""
        return cls(
            name=values["name"],
            seed=values["seed"],
            failed=values["failed"],
            success_rates=dict(values["success_rates"]),
            default_success_rate=values["default_success_rate"],
            max_attempts=values["max_attempts"],
            outcomes={
                uuid.UUID(key): tuple(word == "success" for word in script)
                for key, script in values["outcomes"].items()
            },
            envelope=values["envelope"],
        )

    def with_options(self, **options: Any) -> Scenario:
        """A copy with the given options replaced (None leaves an option as it is)."""
        return replace(self, **{key: value for key, value in options.items() if value is not None})


_BUILTIN: dict[str, Scenario] = {
    "healthy": Scenario("healthy", default_success_rate=1.0),
    "all-failing": Scenario("all-failing", default_success_rate=0.0),
    "partial": Scenario("partial", success_rates=PARTIAL_SUCCESS_RATES, default_success_rate=0.5),
    "empty": Scenario("empty", failed=0, default_success_rate=1.0),
    "large": Scenario("large", failed=LARGE_FAILED, default_success_rate=0.0),
    "external-down": Scenario("external-down", default_success_rate=0.0),
    "canned": Scenario("canned", default_success_rate=0.0),
}

SCENARIO_NAMES: tuple[str, ...] = tuple(_BUILTIN)


def builtin_scenario(name: str) -> Scenario:
    """The named scenario with its defaults; KeyError names the known scenarios."""
    try:
        return _BUILTIN[name]
    except KeyError:
        known = ", ".join(SCENARIO_NAMES)
        raise KeyError(f"unknown scenario {name!r}; known scenarios: {known}") from None
