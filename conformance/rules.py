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
    """A named rule: its id (``json.member-missing``) and what a failure of it means."""

    id: str
    title: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("transport.connection", "Connection refused, reset or dropped, or body truncated"),
        Rule("transport.timeout", "No complete response within the time limit"),
        Rule("transport.too-large", "Response body larger than the size limit"),
        Rule("transport.decompression", "Content-Encoding body cannot be decoded within limits"),
        Rule("transport.redirect", "The target answered with a redirect"),
        Rule("http.server-error", "The target answered with a 5xx status"),
        Rule("http.status-code", "POST on the route did not return 200"),
        Rule("http.content-type", "Content-Type differs from what negotiation requires"),
        Rule("http.charset", "Content-Type lacks charset=utf-8"),
        Rule("http.method-not-allowed", "Another method on the route did not give 405"),
        Rule("http.allow-header", "405 without `Allow: POST`"),
        Rule("http.not-found", "An unknown path under the API did not give 404"),
        Rule("http.error-body", "An error body is not an HttpError in the negotiated format"),
        Rule("json.syntax", "Body is not valid UTF-8 JSON within the nesting limit"),
        Rule("json.member-missing", "A contract member is absent"),
        Rule("json.member-unknown", "A member the contract does not have"),
        Rule("json.member-case", "A member present under another casing"),
        Rule("json.type", "A value of the wrong JSON type"),
        Rule("json.int-range", "An integer outside its range"),
        Rule("json.guid-format", "A GUID not in .NET's lowercase D format"),
        Rule("json.date-format", "A DateTime not in the contract's JSON date format"),
        Rule("json.member-order", "Members not in declaration order"),
        Rule("xml.syntax", "Not well-formed UTF-8 XML without DTD"),
        Rule("xml.root", "Root element name or namespace differs from the contract"),
        Rule("xml.namespace", "A member element in the wrong namespace"),
        Rule("xml.member-missing", "A member element is absent"),
        Rule("xml.member-unknown", "An element the contract does not have"),
        Rule("xml.member-order", "Member elements not in ordinal order"),
        Rule("xml.nil", "i:nil misused or in the wrong namespace"),
        Rule("xml.value-format", "A scalar's lexical form is wrong"),
        Rule("xml.schema", "The wire-profile XSD rejects the document"),
        Rule("cross.data-mismatch", "JSON and XML of the same state carry different data"),
        Rule("state.attempts-decreased", "SendingAttempts went down between consecutive calls"),
        Rule("state.sent-retried", "An invoice reported as sent was retried again"),
        Rule("state.not-failed-returned", "An invoice that was not failed was returned"),
        Rule("schemathesis.*", "Schemathesis' own response checks (from openapi.yaml)"),
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
        return f"Schemathesis check {rule_id.removeprefix(SCHEMATHESIS_PREFIX)} failed"
    return rule_id
