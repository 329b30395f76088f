"""``json.*`` and ``xml.*`` checks: the response body against the contract's type."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.base import Evidence, covers
from conformance.failures import Failure, NotRun
from conformance.rules import RULES

__all__ = ["JSON_RULES", "XML_RULES", "check_json_body", "check_xml_body"]

JSON_RULES = tuple(rule for rule in RULES if rule.startswith("json."))
XML_RULES = tuple(rule for rule in RULES if rule.startswith("xml."))


def _body_failures(evidence: Evidence, kind: str) -> Iterator[Failure]:
    document = evidence.suite.document(evidence.exchange)
    if document is None or document.kind != kind:
        raise NotRun(f"the response is not {kind.upper()}")
    for failure in document.failures:
        yield failure.with_request(evidence.label)


@covers(*JSON_RULES)
def check_json_body(evidence: Evidence) -> Iterator[Failure]:
    """json.*: a JSON body is the contract's response as Json.NET writes it."""
    yield from _body_failures(evidence, "json")


@covers(*XML_RULES)
def check_xml_body(evidence: Evidence) -> Iterator[Failure]:
    """xml.*: an XML body is the contract's response as DataContractSerializer writes it."""
    yield from _body_failures(evidence, "xml")
