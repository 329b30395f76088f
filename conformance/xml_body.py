"""The XML body against the contract, as the suite reports it: the one reader's problems.

The reading itself is :func:`contract.wire.xml_reader.read_xml_document` - the hardened
parse (:mod:`contract.wire.xml_parse`), the contract-driven walk or the generated reader
of the serializer's exact form, and the wire-profile XSD as a catch-all (``xml.schema``,
reported only when no other ``xml.*`` rule fired, validated on a worker thread for a big
body). This module turns its problems into :class:`~conformance.failures.XmlFailure`
with the suite's locations: the element path with its line
(``/RestApiResult.../Data/InvoiceSendingStatusVo[4]/Status (line 1)``), or ``line N``
for the parser's and the XSD's verdicts. The service's references to characters XML 1.0
forbids (``&#x1;``) are read as those characters with a note, never a failure (the
decision is in :mod:`contract.wire.xml_reader`).
"""

from __future__ import annotations

from lxml import etree

from conformance.failures import XmlFailure
from conformance.reading import BodyReading
from contract.endpoint import EndpointContract
from contract.wire.reading import Problem
from contract.wire.xml_parse import (
    ParsedXml,
    XmlSyntaxError,
    forbidden_references_note,
    parse_xml,
    parse_xml_document,
)
from contract.wire.xml_reader import read_xml_document

__all__ = [
    "ParsedXml",
    "XmlReading",
    "XmlSyntaxError",
    "forbidden_references_note",
    "parse_xml",
    "parse_xml_document",
    "read_xml_body",
]


class XmlReading(BodyReading[XmlFailure]):
    """A XML body read against the contract (see :class:`BodyReading`)."""


def read_xml_body(
    body: bytes,
    contract: EndpointContract,
    *,
    schema: etree.XMLSchema | None = None,
    fast: bool = True,
) -> XmlReading:
    """Every ``xml.*`` failure of ``body`` as the contract's response, and its values.

    ``fast`` (the default) lets the reader take a body in the serializer's exact form on
    its bytes and validate a big body on a worker thread; without it the tree is walked
    sequentially. Both give the same failures and values.
    """
    reading = read_xml_document(body, contract, schema=schema, fast=fast)
    failures = [_failure(problem) for problem in reading.problems]
    return XmlReading(failures, list(reading.notes), reading.values)


def _failure(problem: Problem) -> XmlFailure:
    return XmlFailure(
        rule=problem.rule,
        expected=problem.expected,
        received=problem.received,
        location=_location(problem),
    )


def _location(problem: Problem) -> str:
    """An element path with its line; the parser's and the XSD's verdicts name a line."""
    if problem.location in ("", "/"):
        return f"line {problem.line}" if problem.line else "/"
    return f"{problem.location} (line {problem.line})" if problem.line else problem.location
