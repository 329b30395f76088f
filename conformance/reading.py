"""A response body read against the contract: its failures, and its values on demand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from conformance.failures import Failure

__all__ = ["BodyReading"]

F = TypeVar("F", bound=Failure)


@dataclass
class BodyReading(Generic[F]):
    """A body read against the contract: wire values when it parsed, and every failure.

    When the fast path accepted the body, ``values`` are built on first access (by the
    precise walker, which finds no failure in such a body), so a check that needs only
    the verdict never pays for them. ``notes`` are remarks on how the body was read that
    are no failure: each a sentence saying what was seen and why it matters.
    """

    failures: list[F] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _values: Any = field(default=None, repr=False)
    _pending: Callable[[], Any] | None = field(default=None, repr=False, compare=False)

    @property
    def values(self) -> Any:
        """The body's wire values (None when it did not parse)."""
        if self._pending is not None:
            self._values, self._pending = self._pending(), None
        return self._values

    @values.setter
    def values(self, value: Any) -> None:
        self._values, self._pending = value, None
