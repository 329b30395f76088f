"""What a reader of a response body returns: its values and every problem, with rule and place.

One reader per format (:mod:`contract.wire.json_reader`, :mod:`contract.wire.xml_reader`)
walks a body once, builds its wire values and records each deviation from the contract as
a :class:`Problem`: the rule it breaks (the suite's rule id, ``json.type``), what the
contract expects, what the body holds, and where (a JSON pointer, or an element path
with its line). :func:`contract.wire.read_json` and :func:`contract.wire.read_xml` raise
the first problem as a :class:`~contract.wire.values.WireFormatError`; the conformance
suite reports them all.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contract.wire.values import WireFormatError

__all__ = ["Problem", "Reading", "collector_paused"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One deviation of a body from the contract.

    ``location`` is a JSON pointer (JSON) or an element path (XML); ``line`` the 1-based
    source line where the reader knows it.
    """

    rule: str
    expected: str
    received: str
    location: str
    line: int | None = None

    def error(self) -> WireFormatError:
        """The problem as the exception :func:`contract.wire.read_json` raises."""
        message = f"{self.received}; expected {self.expected} [{self.rule}]"
        return WireFormatError(message, location=self.location, line=self.line)


@dataclass
class Reading:
    """A body read against the contract.

    ``values`` are the wire values (None when the body did not parse at all; a body with
    problems still has the values the reader could build). ``notes`` are remarks on how
    the body was read that are no problem: each a sentence saying what was seen and why
    it matters.
    """

    values: Any = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def raise_first(self) -> Any:
        """The values, or the first problem raised as a ``WireFormatError``."""
        if self.problems:
            raise self.problems[0].error()
        return self.values


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a reader builds a body's values.

    A 100,000-item body is a million acyclic objects: the collector would run over them
    again and again while they are built, for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
