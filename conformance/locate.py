"""Where a failure's location lies in the body: line, column and a marked excerpt.

A failure names its place as a JSON pointer (``/Data/3/SendingAttempts``) or an XPath
with a line number (``/RestApiResult.../Data/InvoiceSendingStatusVo[4]/Status (line 1)``).
Web API writes both formats on one line, so the line alone does not find the place:
these functions turn the location back into an offset in the body. They are run only
for the failures a report shows, and stop scanning as soon as the place is passed, so
the first failures of a large body cost little. A location that does not resolve (a
member that is missing) resolves to its nearest existing parent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

__all__ = ["Position", "excerpt", "locate"]

_EXCERPT_CHARS = 160
_LINE_SUFFIX = re.compile(r" \(line \d+\)$")
_XML_SEGMENT = re.compile(r"([^/\[\]]+)(?:\[(\d+)\])?")
# Start tags in document order; comments, CDATA, PIs and the doctype are skipped whole.
_XML_MARKUP = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>|<([A-Za-z_][^\s/>]*)", re.DOTALL
)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_TOKEN = re.compile(
    rb'\s*(?:(")((?:[^"\\]|\\.)*)"|([{}\[\]:,])|(-?[0-9][0-9.eE+-]*|true|false|null))',
    re.DOTALL,
)


@dataclass(frozen=True)
class Position:
    """A place in a body: byte offset, 1-based line and column (in characters)."""

    offset: int
    line: int
    column: int


def locate(body: bytes, location: str, kind: str) -> Position | None:
    """The position of ``location`` in ``body`` (``kind`` is ``json`` or ``xml``), or None
    when the body does not parse that far or the location is not a path."""
    if kind == "json" and (location == "" or location.startswith("/")):
        offset = _json_offset(body, _pointer_parts(location))
    elif kind == "xml" and location.startswith("/"):
        offset = _xml_offset(body, _LINE_SUFFIX.sub("", location))
    else:
        return None
    return None if offset is None else _position(body, offset)


def excerpt(body: bytes, position: Position | None) -> tuple[str, str, str]:
    """Text before, at and after the position (at most 160 characters each way); the
    whole start when there is no position."""
    text = body.decode("utf-8", errors="replace")
    if position is None:
        return "", "", text[: 2 * _EXCERPT_CHARS]
    at = len(body[: position.offset].decode("utf-8", errors="replace"))
    end = _token_end(text, at)
    return text[max(0, at - _EXCERPT_CHARS) : at], text[at:end], text[end : end + _EXCERPT_CHARS]


def _token_end(text: str, at: int) -> int:
    """Where the token at ``at`` ends: a JSON string with its closing quote, an XML start
    tag with its ``>``, any other value at its delimiter; at most 80 characters."""
    limit = min(len(text), at + 80)
    if text.startswith('"', at):
        match = _JSON_STRING.match(text, at, limit)
        return match.end() if match else limit
    closer = ">" if text.startswith("<", at) else ",}]<\r\n"
    end = at + 1
    while end < limit and text[end] not in closer:
        end += 1
    return min(end + (closer == ">"), limit)


def _position(body: bytes, offset: int) -> Position:
    line_start = body.rfind(b"\n", 0, offset) + 1
    column = len(body[line_start:offset].decode("utf-8", errors="replace")) + 1
    return Position(offset, body.count(b"\n", 0, offset) + 1, column)


def _pointer_parts(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def _json_offset(body: bytes, parts: list[str]) -> int | None:
    """The offset of the value at ``parts`` (or of its nearest existing parent)."""
    scanner = _JsonScanner(body)
    try:
        return scanner.find(parts)
    except (IndexError, ValueError):
        return scanner.best


class _JsonScanner:
    """Walks JSON tokens only as far as needed to reach one path."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.position = 0
        self.best: int | None = None

    def _token(self) -> re.Match[bytes]:
        match = _JSON_TOKEN.match(self.body, self.position)
        if match is None:
            raise ValueError("not JSON")
        self.position = match.end()
        return match

    def _value_start(self) -> int:
        position = self.position
        while position < len(self.body) and self.body[position] in b" \t\r\n":
            position += 1
        return position

    def _at_end_of_array(self) -> bool:
        start = self._value_start()
        return self.body[start : start + 1] == b"]"

    def find(self, parts: list[str]) -> int | None:
        start = self._value_start()
        self.best = start
        if not parts:
            return start
        token = self._token()
        opener = token.group(3)
        if opener == b"{":
            return self._find_member(parts)
        if opener == b"[" and parts[0].isdigit():
            return self._find_item(int(parts[0]), parts[1:])
        return start

    def _find_member(self, parts: list[str]) -> int | None:
        wanted = parts[0].encode("utf-8")
        while True:
            token = self._token()
            if token.group(3) == b"}":
                return self.best
            if token.group(1) is None:
                continue  # a comma
            name = token.group(2)
            self._token()  # the colon
            if name == wanted:
                return self.find(parts[1:])
            self._skip_value()

    def _find_item(self, index: int, rest: list[str]) -> int | None:
        for _ in range(index):
            if self._at_end_of_array():
                return self.best
            self._skip_value()
            if self._token().group(3) != b",":
                return self.best
        return self.best if self._at_end_of_array() else self.find(rest)

    def _skip_value(self) -> None:
        depth = 0
        while True:
            token = self._token()
            bracket = token.group(3)
            if bracket in (b"{", b"["):
                depth += 1
            elif bracket in (b"}", b"]"):
                depth -= 1
            if depth == 0 and bracket not in (b":", b","):
                return


def _xml_offset(body: bytes, path: str) -> int | None:
    """The offset of the start tag the XPath names (or of its nearest existing parent)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return None
    segments = [_XML_SEGMENT.fullmatch(part) for part in path.strip("/").split("/")]
    if not segments or segments[0] is None or etree.QName(root).localname != segments[0][1]:
        return None
    element = root
    for segment in segments[1:]:
        child = _child(element, segment)
        if child is None:
            break
        element = child
    return _start_tag_offset(body, _document_index(root, element))


def _child(element: etree._Element, segment: re.Match[str] | None) -> etree._Element | None:
    if segment is None:
        return None
    children = [child for child in element if isinstance(child.tag, str)]
    if segment[2] is not None:
        index = int(segment[2]) - 1
        return children[index] if 0 <= index < len(children) else None
    return next((c for c in children if etree.QName(c).localname == segment[1]), None)


def _document_index(root: etree._Element, target: etree._Element) -> int:
    for index, element in enumerate(root.iter(etree.Element)):
        if element is target:
            return index
    return 0


def _start_tag_offset(body: bytes, index: int) -> int | None:
    seen = 0
    for match in _XML_MARKUP.finditer(body):
        if match.group(1) is None:
            continue
        if seen == index:
            return match.start()
        seen += 1
    return None
