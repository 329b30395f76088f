"""What every check receives (:class:`Evidence`) and what the run shares (:class:`SuiteState`).

A check is a plain function ``(evidence) -> Iterator[Failure]``: it yields one failure per
violation, yields nothing when the rule holds, and raises :class:`~conformance.failures.NotRun`
when the evidence cannot tell (a missing reset, a body that already failed other rules).

A check that looks at an earlier probe's body declares it with :func:`reads`, naming what
it keeps of that body (a :data:`Keep`: the whole document, or a few facts per invoice).
When a probe is over, the runner keeps exactly that for the later checks and releases the
rest (:meth:`SuiteState.finish`): a run holds one probe's body at a time, not all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from conformance.client import Exchange, Response
from conformance.contract_view import SuiteContract
from conformance.failures import Failure
from conformance.json_body import read_json_body
from conformance.options import Settings
from conformance.reading import BodyReading
from conformance.redact import Redactor
from conformance.xml_body import read_xml_body
from contract.endpoint import JSON_MEDIA_TYPES, XML_MEDIA_TYPES
from contract.models import RestApiResultOfListOfInvoiceSendingStatusVo as ResponseModel
from contract.wire.values import comparable

__all__ = [
    "Check",
    "Document",
    "Evidence",
    "Keep",
    "ProbeRecord",
    "ResponseModel",
    "SuiteState",
    "covers",
    "media_type_of",
    "reads",
    "reads_of",
    "rules_of",
    "whole_document",
]


Check = Callable[["Evidence"], Iterator[Failure]]
Keep = Callable[["Document | None"], Any]
"""What a later check keeps of a probe's body: a function of the body as read (None when
the probe got no JSON or XML body) whose result outlives the body."""
_RULES: dict[Check, tuple[str, ...]] = {}
_READS: dict[Check, tuple[tuple[str, Keep], ...]] = {}


def covers(*rules: str) -> Callable[[Check], Check]:
    """Declare the rule ids a check exercises; returns the function unchanged."""

    def register(check: Check) -> Check:
        _RULES[check] = rules
        return check

    return register


def rules_of(check: Check) -> tuple[str, ...]:
    """The rule ids ``check`` exercises (empty for an undeclared function)."""
    return _RULES.get(check, ())


def reads(probe: str, *, keep: Keep) -> Callable[[Check], Check]:
    """Declare that a check reads what ``keep`` takes from the body of the probe named
    ``probe`` (through :meth:`SuiteState.kept`); returns the function unchanged."""

    def register(check: Check) -> Check:
        _READS[check] = (*_READS.get(check, ()), (probe, keep))
        return check

    return register


def reads_of(check: Check) -> tuple[tuple[str, Keep], ...]:
    """The (probe name, keep) pairs ``check`` declared with :func:`reads`."""
    return _READS.get(check, ())


def media_type_of(response: Response) -> str:
    """The response's media type, lowercase, without parameters ('' when absent)."""
    return (response.header("content-type") or "").split(";", 1)[0].strip().lower()


@dataclass
class Document:
    """A response body read against the contract: ``kind`` is ``json`` or ``xml``.

    The values are built only when a check asks for them (see :class:`BodyReading`).
    """

    kind: str
    reading: BodyReading[Any]

    @property
    def failures(self) -> list[Failure]:
        """Every rule the body broke."""
        return list(self.reading.failures)

    @property
    def values(self) -> Any:
        """The body's wire values (None when it did not parse)."""
        return self.reading.values

    @property
    def items(self) -> int | None:
        """How many items the response's collection holds (None when there is none)."""
        values = self.values
        if not isinstance(values, dict):
            return None
        return next((len(value) for value in values.values() if isinstance(value, list)), None)

    @property
    def clean(self) -> bool:
        """True when the body broke no rule, so its values can be trusted."""
        return not self.reading.failures and self.values is not None


def whole_document(document: Document | None) -> Document | None:
    """A :data:`Keep` for a check that compares whole bodies: the document as read."""
    return document


@dataclass
class ProbeRecord:
    """A probe that ran: its exchange and whether a successful reset preceded it.

    While the probe runs, its body is read on demand. Once it is over (``kept`` is not
    None), the exchange holds no body any more: ``kept`` holds, per :data:`Keep` a later
    check declared, what it took from the body.
    """

    exchange: Exchange
    after_reset: bool
    kept: dict[Keep, Any] | None = field(default=None, repr=False)


@dataclass
class SuiteState:
    """What one run shares between checks: contract, settings, earlier probes, parsed bodies."""

    contract: SuiteContract
    settings: Settings
    redactor: Redactor
    journal: dict[str, ProbeRecord] = field(default_factory=dict)
    _documents: dict[int, Document] = field(default_factory=dict)

    def document(self, exchange: Exchange) -> Document | None:
        """The body of a response read as the contract's response type (cached), or None
        when the response has no JSON or XML media type."""
        if exchange.response is None:
            return None
        key = id(exchange)
        if key not in self._documents:
            document = self._read(exchange.response)
            if document is None:
                return None
            self._documents[key] = document
        return self._documents[key]

    def kept(self, probe: str, keep: Keep) -> Any:
        """What ``keep`` takes from the body of the probe named ``probe``: taken now while
        the probe's body is held, else what the runner kept when it finished (None when
        the probe did not run, or no check declared ``keep`` for it)."""
        record = self.journal.get(probe)
        if record is None:
            return None
        if record.kept is not None:
            return record.kept.get(keep)
        return keep(self.document(record.exchange))

    def finish(self, probe: str, keeps: Iterable[Keep] = ()) -> None:
        """The probe named ``probe`` is over: keep what ``keeps`` take from its body for
        the later checks, and release its body and the documents read from it."""
        record = self.journal[probe]
        kept = {keep: self.kept(probe, keep) for keep in keeps}
        self._documents.clear()
        self.journal[probe] = ProbeRecord(_without_body(record.exchange), record.after_reset, kept)

    def model(self, exchange: Exchange) -> ResponseModel | None:
        """The body as the contract's generated model (:mod:`contract.models`, shared with
        the mock), at the precision both formats keep (``comparable``: dates to the
        wall-clock second). None when the body broke a rule already, the contract has no
        generated model, or the values do not validate as it.

        For checks of one's own that want typed fields: the suite's checks compare the
        readers' wire values, which need no second validation (the readers enforce every
        rule the model does)."""
        document = self.document(exchange)
        model = self.contract.response_model
        if document is None or not document.clean or model is None:
            return None
        try:
            return model.model_validate(comparable(document.values))
        except ValidationError:
            return None

    def _read(self, response: Response) -> Document | None:
        media_type = media_type_of(response)
        endpoint = self.contract.endpoint
        if media_type in JSON_MEDIA_TYPES:
            reading = read_json_body(response.body, endpoint, max_depth=self.settings.max_depth)
            return Document("json", reading)
        if media_type in XML_MEDIA_TYPES:
            xml = read_xml_body(response.body, endpoint, schema=self.contract.xsd)
            return Document("xml", xml)
        return None


def _without_body(exchange: Exchange) -> Exchange:
    if exchange.response is None:
        return exchange
    return replace(exchange, response=replace(exchange.response, body=b""))


@dataclass(frozen=True)
class Evidence:
    """What a check looks at: one probe's exchange (with a response) and the run's state."""

    probe: str
    exchange: Exchange
    suite: SuiteState
    unexercised: dict[str, str] = field(default_factory=dict)

    def leave_unexercised(self, rule: str, reason: str) -> None:
        """Say that this response could not exercise ``rule`` though the check covers it
        (a collection rule on an empty collection): the runner then does not count it."""
        self.unexercised[rule] = reason

    @property
    def response(self) -> Response:
        """The response (checks only run on exchanges that got one)."""
        assert self.exchange.response is not None
        return self.exchange.response

    @property
    def label(self) -> str:
        """How reports name the request."""
        return self.exchange.request.label()
