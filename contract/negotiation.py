"""Web API 2's content negotiation (``DefaultContentNegotiator``) for the service's formatters.

The formatters, in order: JSON (``application/json``, ``text/json``, plus the
``X-Requested-With: XMLHttpRequest`` mapping to ``application/json``), then XML
(``application/xml``, ``text/xml``). For each formatter, the first of these that
matches is its candidate: the XHR mapping (only when there is no Accept value or the
single value ``*/*``), then the Accept values sorted by q (descending; at equal q a
literal type before ``type/*`` before ``*/*``; q=0 values skipped) against its media
types in order, then the request's Content-Type, then "can write the type" (its first
media type). The winner: a mapping match; else the best Accept match - literal, then
``type/*``, then ``*/*``, a later category or formatter winning only with a strictly
higher q; else the first Content-Type match; else the first formatter (JSON).

Header parsing follows System.Net.Http: media-range parameters other than ``q`` are
ignored, comparison is case-insensitive, a q that is not a plain decimal number counts
as 1, and one malformed entry makes the whole Accept header invalid, so it is ignored
as if absent (HttpHeaders keeps an unparsable line as an invalid value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contract.endpoint import JSON_MEDIA_TYPES, XML_MEDIA_TYPES

__all__ = [
    "FORMATTERS",
    "NEGOTIATION_CASES",
    "MediaRange",
    "NegotiationCase",
    "content_type_header",
    "negotiate",
    "parse_accept",
]

FORMATTERS: tuple[tuple[str, ...], ...] = (JSON_MEDIA_TYPES, XML_MEDIA_TYPES)

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_WS = r"[ \t]*"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_PARAMETER = re.compile(rf"{_WS};{_WS}({_TOKEN})(?:{_WS}={_WS}({_TOKEN}|{_QUOTED}))?")
_MEDIA_TYPE = re.compile(rf"{_WS}({_TOKEN}){_WS}/{_WS}({_TOKEN})")
_SEPARATOR = re.compile(rf"{_WS}(?:,{_WS})*")
_Q_VALUE = re.compile(r"[0-9]+\.?[0-9]*|\.[0-9]+")

_LITERAL, _SUBTYPE_RANGE, _ALL_RANGE = 2, 1, 0


@dataclass(frozen=True)
class MediaRange:
    """One parsed Accept value: lower-cased ``type/subtype`` and its quality."""

    type: str
    subtype: str
    quality: float

    @property
    def specificity(self) -> int:
        """2 for a literal type, 1 for ``type/*``, 0 for ``*/*``."""
        if self.subtype != "*":
            return _LITERAL
        return _ALL_RANGE if self.type == "*" else _SUBTYPE_RANGE

    def matches(self, media_type: str) -> bool:
        """Whether a supported media type (``application/json``) is in this range."""
        kind, subtype = media_type.split("/")
        if self.specificity == _ALL_RANGE:
            return True
        return self.type == kind and self.subtype in ("*", subtype)


def parse_accept(header: str | None) -> tuple[MediaRange, ...]:
    """The Accept values, or none when the header is absent or any entry is malformed."""
    if header is None:
        return ()
    ranges: list[MediaRange] = []
    position = _SEPARATOR.match(header, 0)
    index = position.end() if position else 0
    while index < len(header):
        parsed = _parse_media_range(header, index)
        if parsed is None:
            return ()
        media_range, index = parsed
        ranges.append(media_range)
        separator = _SEPARATOR.match(header, index)
        assert separator is not None  # the pattern matches the empty string
        if separator.end() < len(header) and "," not in header[index : separator.end()]:
            return ()
        index = separator.end()
    return tuple(ranges)


def _parse_media_range(header: str, index: int) -> tuple[MediaRange, int] | None:
    match = _MEDIA_TYPE.match(header, index)
    if match is None:
        return None
    kind, subtype = match.group(1).lower(), match.group(2).lower()
    index = match.end()
    quality: float | None = None
    while (parameter := _PARAMETER.match(header, index)) is not None:
        index = parameter.end()
        name, value = parameter.group(1), parameter.group(2)
        if name.lower() == "q" and quality is None:
            quality = _quality(value)
    if header[index:].lstrip(" \t")[:1] == ";":
        return None  # a parameter without a valid name or value
    return MediaRange(kind, subtype, 1.0 if quality is None else quality), index


def _quality(value: str | None) -> float:
    # double.TryParse(AllowDecimalPoint): a failed parse leaves the quality unset (1.0).
    if value is None or _Q_VALUE.fullmatch(value) is None:
        return 1.0
    return float(value)


@dataclass(frozen=True)
class _Match:
    media_type: str
    quality: float
    specificity: int


def _accept_match(ranges: list[MediaRange], supported: tuple[str, ...]) -> _Match | None:
    for media_range in ranges:
        if media_range.quality == 0:
            continue
        for media_type in supported:
            if media_range.matches(media_type):
                return _Match(media_type, media_range.quality, media_range.specificity)
    return None


def _best(current: _Match | None, candidate: _Match | None) -> _Match | None:
    # UpdateBestMatch: a candidate replaces the current best only with a strictly higher q.
    if candidate is None:
        return current
    if current is None or candidate.quality > current.quality:
        return candidate
    return current


def _content_type_match(content_type: str | None) -> str | None:
    ranges = parse_accept(content_type)
    if len(ranges) != 1:
        return None
    for supported in FORMATTERS:
        for media_type in supported:
            if ranges[0].matches(media_type):
                return media_type
    return None


def negotiate(
    accept: str | None, *, x_requested_with: str | None = None, content_type: str | None = None
) -> str:
    """The response media type Web API 2 picks for these request headers.

    ``accept`` is the Accept header as sent (one line), ``content_type`` the request's
    Content-Type (it only counts when no Accept value matches any formatter).
    """
    ranges = parse_accept(accept)
    mapping = _xhr_mapping_applies(ranges, x_requested_with)
    best = _best_accept_match(ranges, skip_json=mapping)
    # The XHR mapping (q=1) yields only to an Accept match of strictly higher quality.
    if mapping and (best is None or best.quality <= 1.0):
        return JSON_MEDIA_TYPES[0]
    if best is not None:
        return best.media_type
    return _content_type_match(content_type) or JSON_MEDIA_TYPES[0]


def _best_accept_match(ranges: tuple[MediaRange, ...], *, skip_json: bool) -> _Match | None:
    """SelectResponseMediaTypeFormatter over the formatters' Accept matches."""
    ordered = sorted(ranges, key=lambda r: (-r.quality, -r.specificity))
    best_by_kind: dict[int, _Match | None] = {
        _LITERAL: None,
        _SUBTYPE_RANGE: None,
        _ALL_RANGE: None,
    }
    for supported in FORMATTERS:
        if skip_json and supported is JSON_MEDIA_TYPES:
            continue  # the mapping is this formatter's match; it skips the Accept values
        found = _accept_match(ordered, supported)
        if found is not None:
            best_by_kind[found.specificity] = _best(best_by_kind[found.specificity], found)
    best: _Match | None = None
    for kind in (_LITERAL, _SUBTYPE_RANGE, _ALL_RANGE):
        best = _best(best, best_by_kind[kind])
    return best


def _xhr_mapping_applies(ranges: tuple[MediaRange, ...], x_requested_with: str | None) -> bool:
    # XmlHttpRequestHeaderMapping: substring, case-insensitive; only with no Accept or */*.
    if x_requested_with is None or "xmlhttprequest" not in x_requested_with.lower():
        return False
    return not ranges or (len(ranges) == 1 and ranges[0].specificity == _ALL_RANGE)


def content_type_header(media_type: str) -> str:
    """The Content-Type the formatters send: the negotiated type with ``charset=utf-8``."""
    return f"{media_type}; charset=utf-8"


@dataclass(frozen=True)
class NegotiationCase:
    """A request's negotiation headers, the media type Web API answers, and the rule shown."""

    rule: str
    accept: str | None
    expected: str
    x_requested_with: str | None = None
    content_type: str | None = None


NEGOTIATION_CASES: tuple[NegotiationCase, ...] = (
    NegotiationCase("no Accept: first formatter that can write the type", None, "application/json"),
    NegotiationCase("*/* matches JSON first", "*/*", "application/json"),
    NegotiationCase("literal JSON", "application/json", "application/json"),
    NegotiationCase("literal text/json", "text/json", "text/json"),
    NegotiationCase("literal XML", "application/xml", "application/xml"),
    NegotiationCase("literal text/xml answered as text/xml", "text/xml", "text/xml"),
    NegotiationCase(
        "higher q wins", "application/xml;q=0.9, application/json;q=0.8", "application/xml"
    ),
    NegotiationCase("higher q wins over order", "application/json;q=0.5, text/xml", "text/xml"),
    NegotiationCase("equal q: literal beats */*", "*/*, application/xml", "application/xml"),
    NegotiationCase("equal q: literal beats type/*", "text/*, application/xml", "application/xml"),
    NegotiationCase(
        "wildcard wins only with higher q", "application/xml;q=0.5, */*", "application/json"
    ),
    NegotiationCase("text/*: JSON formatter's text/json first", "text/*", "text/json"),
    NegotiationCase("application/*: JSON first", "application/*", "application/json"),
    NegotiationCase(
        "q=0 skips only that entry: */* still matches JSON",
        "application/json;q=0, */*",
        "application/json",
    ),
    NegotiationCase(
        "q=0 on XML, wildcard matches JSON", "application/xml;q=0, */*;q=0.1", "application/json"
    ),
    NegotiationCase(
        "only q=0 entries: fall back to JSON", "application/xml;q=0", "application/json"
    ),
    NegotiationCase("unacceptable type: fall back to JSON", "text/plain", "application/json"),
    NegotiationCase(
        "a malformed entry voids the header", "application/xml, garbage", "application/json"
    ),
    NegotiationCase("empty entries are skipped", " , application/xml ,", "application/xml"),
    NegotiationCase("case-insensitive", "APPLICATION/XML", "application/xml"),
    NegotiationCase(
        "parameters other than q ignored", "application/xml; charset=utf-8; v=2", "application/xml"
    ),
    NegotiationCase("invalid q counts as 1", "application/json;q=0.5, text/xml;q=abc", "text/xml"),
    NegotiationCase(
        "XHR with no Accept: JSON", None, "application/json", x_requested_with="XMLHttpRequest"
    ),
    NegotiationCase(
        "XHR with */*: JSON", "*/*", "application/json", x_requested_with="xmlhttprequest"
    ),
    NegotiationCase(
        "XHR does not override an explicit type",
        "application/xml",
        "application/xml",
        x_requested_with="XMLHttpRequest",
    ),
    NegotiationCase(
        "no Accept match: request Content-Type",
        None,
        "application/xml",
        content_type="application/xml; charset=utf-8",
    ),
    NegotiationCase(
        "Content-Type text/xml answered as text/xml",
        "text/plain",
        "text/xml",
        content_type="text/xml",
    ),
    NegotiationCase(
        "Accept match beats Content-Type", "*/*", "application/json", content_type="application/xml"
    ),
    NegotiationCase(
        "XHR mapping beats Content-Type",
        None,
        "application/json",
        x_requested_with="XMLHttpRequest",
        content_type="text/xml",
    ),
)
