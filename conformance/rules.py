"""The canonical conformance rules: stable ids, one line each, in report order.

Every check reports failures under one of these ids. A target that breaks one thing must
produce failures of exactly one id (the most specific), so the ids are the vocabulary the
suite, its reports and the zoo of broken targets share.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "SCHEMATHESIS_PREFIX", "Rule", "family", "rule_title"]

SCHEMATHESIS_PREFIX = "schemathesis."


@dataclass(frozen=True)
class Rule:
    """A named rule: its id (``json.member-missing``) and, as its title, what it requires."""

    id: str
    title: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("transport.connection", "The connection holds and the whole body arrives"),
        Rule("transport.timeout", "A complete response arrives within the time limit"),
        Rule("transport.too-large", "The body fits the size limit"),
        Rule("transport.decompression", "A Content-Encoding body decodes within the size limit"),
        Rule("transport.redirect", "The target answers without redirecting"),
        Rule("http.server-error", "The target never answers 5xx"),
        Rule("http.status-code", "POST on the route returns 200"),
        Rule(
            "http.content-type",
            "Content-Type is the media type negotiation picks for the Accept sent",
        ),
        Rule("http.charset", "Content-Type carries charset=utf-8"),
        Rule("http.method-not-allowed", "Other methods on the route get 405"),
        Rule("http.allow-header", "A 405 carries `Allow: POST`"),
        Rule("http.not-found", "An unknown path under the API gets 404"),
        Rule("http.error-body", "Error bodies are HttpError in the negotiated format"),
        Rule("json.syntax", "The body is UTF-8 JSON within the nesting limit"),
        Rule("json.member-missing", "Every contract member is present"),
        Rule("json.member-unknown", "No member outside the contract"),
        Rule("json.member-case", "Member names have the contract's exact casing"),
        Rule("json.type", "Every value has its member's JSON type"),
        Rule("json.int-range", "Integers are within their .NET range"),
        Rule("json.guid-format", "GUIDs are in .NET's lowercase D format"),
        Rule("json.date-format", "Dates are in the contract's JSON date format"),
        Rule("json.member-order", "Members are in declaration order"),
        Rule("xml.syntax", "The body is well-formed UTF-8 XML without a DTD"),
        Rule("xml.root", "The root element has the contract's name and namespace"),
        Rule("xml.namespace", "Member elements are in their contract namespaces"),
        Rule("xml.member-missing", "Every member element is present"),
        Rule("xml.member-unknown", "No element outside the contract"),
        Rule("xml.member-order", "Member elements are in ordinal order"),
        Rule("xml.nil", "i:nil only on nillable members, empty, in the xsi namespace"),
        Rule("xml.value-format", "Scalars have their XML Schema lexical form"),
        Rule("xml.schema", "The wire-profile XSD accepts the document"),
        Rule("cross.data-mismatch", "JSON and XML of the same state carry the same data"),
        Rule("state.attempts-decreased", "SendingAttempts never goes down between calls"),
        Rule("state.sent-retried", "An invoice reported as sent is not retried again"),
        Rule(
            "state.not-failed-returned", "A call returns only invoices that were failed before it"
        ),
        Rule("schemathesis.*", "Schemathesis' own response checks pass (openapi.yaml)"),
    )
}


def family(rule_id: str) -> str:
    """The part before the first dot: ``transport``, ``http``, ``json``..."""
    return rule_id.split(".", 1)[0]


def rule_title(rule_id: str) -> str:
    """The title of a rule; a ``schemathesis.<check>`` id gets a generic one."""
    rule = RULES.get(rule_id)
    if rule is not None:
        return rule.title
    if rule_id.startswith(SCHEMATHESIS_PREFIX):
        return f"Schemathesis check {rule_id.removeprefix(SCHEMATHESIS_PREFIX)} passes"
    return rule_id
