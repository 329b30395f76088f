"""Web API 2's DefaultContentNegotiator for the JSON and XML formatters, rule by rule."""

from __future__ import annotations

import pytest

from contract.negotiation import (
    NEGOTIATION_CASES,
    MediaRange,
    NegotiationCase,
    content_type_header,
    negotiate,
    parse_accept,
)

JSON, TEXT_JSON, XML, TEXT_XML = "application/json", "text/json", "application/xml", "text/xml"

# (rule, Accept, X-Requested-With, Content-Type, expected) - derived from AspNetWebStack's
# DefaultContentNegotiator, MediaTypeWithQualityHeaderValueComparer and XmlHttpRequestHeaderMapping.
MATRIX = [
    ("no Accept -> first formatter (JSON)", None, None, None, JSON),
    ("empty Accept -> JSON", "", None, None, JSON),
    ("*/* -> JSON", "*/*", None, None, JSON),
    ("application/json literal", "application/json", None, None, JSON),
    ("text/json literal", "text/json", None, None, TEXT_JSON),
    ("application/xml literal", "application/xml", None, None, XML),
    ("text/xml literal -> text/xml", "text/xml", None, None, TEXT_XML),
    ("q ordering", "application/xml;q=0.9, application/json;q=0.8", None, None, XML),
    ("q ordering, reversed", "application/xml;q=0.8, application/json;q=0.9", None, None, JSON),
    ("equal q: literal beats */*", "*/*, application/xml", None, None, XML),
    ("equal q: literal beats type/*", "text/*, application/xml", None, None, XML),
    ("lower-q literal loses to higher-q wildcard", "application/xml;q=0.5, */*", None, None, JSON),
    ("text/* -> text/json (JSON formatter first)", "text/*", None, None, TEXT_JSON),
    ("application/* -> application/json", "application/*", None, None, JSON),
    ("q=0 excludes only its own entry", "application/json;q=0, */*", None, None, JSON),
    ("q=0 XML with a wildcard", "application/xml;q=0, */*;q=0.1", None, None, JSON),
    ("only q=0 -> JSON fallback", "application/xml;q=0", None, None, JSON),
    ("text/plain unacceptable -> JSON", "text/plain", None, None, JSON),
    ("junk entry invalidates the header", "application/xml, junk", None, None, JSON),
    ("junk parameter invalidates the header", "application/xml;", None, None, JSON),
    ("junk after a type invalidates the header", "application/xml junk", None, None, JSON),
    ("empty list entries are fine", ",application/xml,,", None, None, XML),
    ("case-insensitive type", "APPLICATION/XML", None, None, XML),
    ("case-insensitive q name", "application/xml;Q=0.9, text/json;q=0.8", None, None, XML),
    ("charset parameter ignored", "application/xml; charset=utf-8", None, None, XML),
    ("other parameters ignored", 'text/xml;level=1;foo="bar, baz"', None, None, TEXT_XML),
    ("unparsable q counts as 1", "application/json;q=0.5, application/xml;q=high", None, None, XML),
    ("quoted q counts as 1", 'application/json;q=0.5, application/xml;q="0.1"', None, None, XML),
    ("XHR, no Accept -> JSON", None, "XMLHttpRequest", None, JSON),
    ("XHR, */* -> JSON", "*/*", "XMLHttpRequest", None, JSON),
    ("XHR value matched case-insensitively", None, "xmlhttprequest", None, JSON),
    ("XHR does not beat an explicit Accept", "application/xml", "XMLHttpRequest", None, XML),
    ("XHR beats the request Content-Type", None, "XMLHttpRequest", "application/xml", JSON),
    ("other X-Requested-With ignored", None, "Fetch", "application/xml", XML),
    ("no Accept: request Content-Type decides", None, None, "text/xml; charset=utf-8", TEXT_XML),
    ("Accept match beats request Content-Type", "application/json", None, "application/xml", JSON),
]


@pytest.mark.parametrize(
    ("accept", "x_requested_with", "content_type", "expected"),
    [row[1:] for row in MATRIX],
    ids=[row[0] for row in MATRIX],
)
def test_negotiate_follows_web_api_rule(
    accept: str | None, x_requested_with: str | None, content_type: str | None, expected: str
) -> None:
    assert (
        negotiate(accept, x_requested_with=x_requested_with, content_type=content_type) == expected
    )


@pytest.mark.parametrize("case", NEGOTIATION_CASES, ids=[case.rule for case in NEGOTIATION_CASES])
def test_exported_cases_hold(case: NegotiationCase) -> None:
    got = negotiate(
        case.accept, x_requested_with=case.x_requested_with, content_type=case.content_type
    )
    assert got == case.expected, case.rule


def test_parse_accept_reads_quality_and_lowercases() -> None:
    assert parse_accept("Text/XML;q=0.25, */*") == (
        MediaRange("text", "xml", 0.25),
        MediaRange("*", "*", 1.0),
    )


def test_parse_accept_drops_whole_header_on_one_bad_entry() -> None:
    assert parse_accept("application/json, /xml") == ()


def test_content_type_header_adds_utf8_charset() -> None:
    assert content_type_header(TEXT_XML) == "text/xml; charset=utf-8"
