"""Failures are data: what a check found, as an ``AssertionError`` with typed fields.

A :class:`Failure` carries the rule id, what the contract expects, what the target sent
and where (a JSON pointer, an XPath with a line number, or an HTTP header name). Its
message reads ``Received: ... / Contract: ...`` so that a failing pytest test or a report
line says the same thing. :class:`ConformanceError` is the base of the suite's own errors
(bad options, a contract that will not load), which are never reported as violations.
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.rules import rule_title

__all__ = [
    "ConformanceError",
    "CrossFailure",
    "Failure",
    "HttpFailure",
    "JsonFailure",
    "NotRun",
    "OptionsError",
    "SchemathesisFailure",
    "StateFailure",
    "TransportFailure",
    "XmlFailure",
]


class ConformanceError(Exception):
    """Base class of the suite's own errors (never a finding about the target)."""


class OptionsError(ConformanceError):
    """An option or its value is invalid; the message names the option."""


class NotRun(Exception):
    """Raised by a check that cannot run on the evidence it got; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class Failure(AssertionError):
    """One violation of one rule.

    ``expected`` is what the contract requires, ``received`` what the target sent,
    ``location`` where in the response (JSON pointer, XPath with line, header name),
    ``request`` which request produced it (``POST /api/... Accept: application/xml``).
    """

    def __init__(
        self,
        *,
        rule: str,
        expected: str,
        received: str,
        location: str = "",
        title: str | None = None,
        request: str = "",
    ) -> None:
        self.rule = rule
        self.title = title or rule_title(rule)
        self.expected = expected
        self.received = received
        self.location = location
        self.request = request
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """``[rule] title at location`` then ``Received: ... / Contract: ...``."""
        where = f" at {self.location}" if self.location else ""
        head = f"[{self.rule}] {self.title}{where}"
        if self.request:
            head += f" ({self.request})"
        return f"{head}\nReceived: {self.received} / Contract: {self.expected}"

    def with_request(self, request: str) -> Failure:
        """The same failure attributed to ``request`` (keeps the subclass)."""
        fields = self.as_dict()
        fields["request"] = request
        return self._clone(fields)

    def redacted(self, redact: Callable[[str], str]) -> Failure:
        """The same failure with ``redact`` applied to every field (keeps the subclass)."""
        fields = {name: redact(value) for name, value in self.as_dict().items()}
        fields["rule"] = self.rule  # the suite's own id: never target text, and grouped on
        return self._clone(fields)

    def _clone(self, fields: dict[str, str]) -> Failure:
        clone = type(self).__new__(type(self))
        Failure.__init__(clone, **fields)
        return clone

    def as_dict(self) -> dict[str, str]:
        """The fields, for the JSON report."""
        return {
            "rule": self.rule,
            "title": self.title,
            "expected": self.expected,
            "received": self.received,
            "location": self.location,
            "request": self.request,
        }


class TransportFailure(Failure):
    """The client could not get a usable response (``transport.*``)."""


class HttpFailure(Failure):
    """Status, headers or error body (``http.*``)."""


class JsonFailure(Failure):
    """The JSON body (``json.*``); ``location`` is a JSON pointer."""


class XmlFailure(Failure):
    """The XML body (``xml.*``); ``location`` is an XPath with the line number."""


class CrossFailure(Failure):
    """JSON and XML of the same state disagree (``cross.*``)."""


class StateFailure(Failure):
    """Consecutive calls are inconsistent (``state.*``)."""


class SchemathesisFailure(Failure):
    """One of Schemathesis' own checks failed (``schemathesis.<check>``)."""
