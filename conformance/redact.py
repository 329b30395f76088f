"""Redaction: secrets never reach a report, a log line or the dry-run listing.

Values of headers that carry credentials by nature (Authorization, Cookie...) and every
value the user declared secret are replaced by ``***`` wherever text is rendered. A
target may echo a secret back in its body in whatever form, and the suite's own messages
escape what they quote, so a secret is masked however it is spelled: each of its
characters may be raw or escaped - as JSON (``\\u00e9``, ``\\/``), ``repr`` (``\\xe9``),
XML/HTML (``&amp;``, ``&#47;``, ``&#x2F;``), percent-encoding (``%2F``, ``%2f``, ``+``)
or a JSON Pointer (``~0``, ``~1``, also percent-encoded as in a URI fragment), a second
layer of escaping included (``\\\\u002f``, ``&amp;#47;``, ``%252F``). Its base64 is masked
too, standard or URL-safe, alone or inside a larger base64 text (the characters its bytes
determine, at each of the three byte alignments). A cut-off start of at least
:data:`MIN_PREFIX` characters is masked as well - a partial token is still a leak - with
an escape cut in half at the end of a snippet.

A secret shorter than :data:`MIN_PREFIX` characters is masked only whole (in every
spelling) and has no base64 forms: a start or a base64 fragment that short would match
unrelated text.
"""

from __future__ import annotations

import base64
import html.entities
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["MASK", "MIN_PREFIX", "SENSITIVE_HEADERS", "Redactor"]

MASK = "***"
MIN_PREFIX = 8
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)

# An escape's lead character may itself be escaped again (the repr of a JSON text doubles
# its backslashes, HTML of HTML writes ``&amp;#47;``, a URL encoded twice ``%252F``).
# Possessive and bounded, so that a long run of backslashes cannot backtrack; the lead
# characters themselves are spelled by repeating the layer (``\\\\``, ``&amp;amp;``, ``%25``).
_LAYERS = {"\\": r"\\{0,3}+", "&": r"(?:amp;){0,2}+", "%": r"(?:25){0,2}+"}
_SELF_ESCAPES = {"\\": r"\\", "&": "amp;", "%": "25"}
_SHORT_ESCAPES = {
    '"': '"', "'": "'", "/": "/", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t",
}  # fmt: skip
_POINTER_DIGITS = {"~": "0", "/": "1"}
_LEADS = "\\&%~+"  # the first character of every escaped spelling
_SCAN_DEPTH = 2  # positions the scan looks at: the first exactly, then one character loosely
# An escape cut in half where a snippet ends (``...``, a closing quote, the end of text):
# what follows a cut-off start, and would tell some bits of the next character.
_HALF_ESCAPE = (
    r"(?:\\{1,4}(?:u[0-9A-Fa-f]{0,3}|x[0-9A-Fa-f]?|U[0-9A-Fa-f]{0,7})?"
    r"|&(?:amp;){0,2}(?:#[xX]?[0-9A-Fa-f]{0,7}|[A-Za-z]{1,31})?"
    r"|%(?:25){0,2}(?:[uU][0-9A-Fa-f]{0,3}|[0-9A-Fa-f])?"
    r"|~)(?=\.\.\.|…|[\"'\s]|\Z)"
)


def _entity_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for name, value in html.entities.html5.items():
        if len(value) == 1 and name.endswith(";"):
            names[value].append(name)
    return names


_ENTITY_NAMES = _entity_names()


def _hex(value: int, width: int = 0) -> str:
    """A regex for ``value`` in hexadecimal, in any letter case: ``width`` digits exactly,
    or (width 0) after any few leading zeros."""
    digits = f"{value:x}"
    cased = "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)
    return "0" * (width - len(digits)) + cased if width else "0{0,6}" + cased


def _backslash_bodies(char: str) -> list[str]:
    """What follows the backslash when JSON or Python escape ``char``: ``u00e9``, a JSON
    surrogate pair, ``xe9``, ``U0001f600``, or a short escape (``n``, ``/``, ``"``)."""
    code = ord(char)
    if code < 0x100:
        bodies = [f"{kind}{_hex(code, 2)}" for kind in ("x", "u00", "U000000")]
    elif code < 0x10000:
        bodies = [f"{kind}{_hex(code, 4)}" for kind in ("u", "U0000")]
    else:
        high, low = divmod(code - 0x10000, 0x400)
        pair = f"u{_hex(0xD800 + high, 4)}\\\\{{1,4}}u{_hex(0xDC00 + low, 4)}"
        bodies = [f"U{_hex(code, 8)}", pair]
    if char in _SHORT_ESCAPES:
        bodies.append(re.escape(_SHORT_ESCAPES[char]))
    return bodies


def _reference_bodies(char: str) -> list[str]:
    """What follows ``&`` in an XML/HTML reference to ``char``: ``#47;``, ``#x2F;`` (any
    case, leading zeros) or an HTML5 name (``sol;``, ``quot;``, ``apos;``)."""
    numeric = f"#(?:0{{0,6}}{ord(char)}|[xX]{_hex(ord(char))});"
    return [numeric] + [re.escape(name) for name in _ENTITY_NAMES.get(char, [])]


def _percent_bodies(char: str) -> list[str]:
    """What follows the first ``%`` when ``char`` is percent-encoded: its UTF-8 octets
    (``2F``, ``2f``, ``C3%A9``), or ``u00E9`` as legacy ASP.NET's ``UrlEncodeUnicode``."""
    code = ord(char)
    if code < 0x80:
        return [f"(?:[uU]00)?{_hex(code, 2)}"]
    octets = [_hex(octet, 2) for octet in char.encode("utf-8", "surrogatepass")]
    joined = f"%{_LAYERS['%']}".join(octets)
    return [joined, f"[uU]{_hex(code, 4)}"] if code < 0x10000 else [joined]


def _escapes(char: str) -> dict[str, list[str]]:
    """The escaped spellings of ``char`` as regexes of what follows their literal first
    character (a backslash, ``&`` or ``%``), by that character. Each regex has one way
    to match, so that :func:`_ends` can follow every way a text may spell a secret."""
    bodies = {
        "\\": _backslash_bodies(char),
        "&": _reference_bodies(char),
        "%": _percent_bodies(char),
    }
    found = {lead: [_LAYERS[lead] + _group(rests)] for lead, rests in bodies.items()}
    if char in _SELF_ESCAPES:
        found[char] += [_SELF_ESCAPES[char] * layers for layers in (1, 2, 3)]
    return found


def _spellings(chars: str) -> dict[str, list[str]]:
    """Every spelling of any of ``chars`` (one position of a secret), as regexes of what
    follows the first character, by that character: escaped; as a JSON Pointer segment
    spells ``~`` and ``/`` (``~0``, ``~1``, the ``~`` possibly escaped too); ``+`` for a
    space (``quote_plus``); raw, last."""
    found: dict[str, list[str]] = defaultdict(list)
    for char in chars:
        for lead, rests in _escapes(char).items():
            found[lead] += rests
        if char in _POINTER_DIGITS:
            for lead, rests in [*_escapes("~").items(), ("~", [""])]:
                found[lead] += [rest + _POINTER_DIGITS[char] for rest in rests]
        if char == " ":
            found["+"].append("")
        found[char].append("")
    return found


def _group(options: Iterable[str]) -> str:
    # A lone option needs no group (none has a top-level ``|``); leaving it bare lets the
    # regex parser factor a prefix shared by the branches it sits in.
    listed = list(dict.fromkeys(options))
    return listed[0] if len(listed) == 1 else "(?:" + "|".join(listed) + ")"


@lru_cache(maxsize=4096)
def _position(chars: str) -> str:
    """The regex for one position: any spelling of any of ``chars``."""
    return _group(re.escape(lead) + _group(rests) for lead, rests in _spellings(chars).items())


@lru_cache(maxsize=4096)
def _branches(chars: str) -> dict[str, list[re.Pattern[str]]]:
    """The spellings of one position compiled one by one, by first character."""
    return {lead: [re.compile(rest) for rest in rests] for lead, rests in _spellings(chars).items()}


@lru_cache(maxsize=1024)
def _sequence(positions: tuple[str, ...]) -> re.Pattern[str]:
    """The compiled regex for these positions one after the other; the regex engine
    backtracks through every spelling, so a match is found if there is one."""
    return re.compile("".join(_position(chars) for chars in positions))


def _ends(text: str, offsets: set[int], chars: str) -> set[int]:
    """Where one position ends, spelled in any way, after any of ``offsets``."""
    ends = set()
    for offset in offsets:
        for rest in _branches(chars).get(text[offset : offset + 1], ()):
            if found := rest.match(text, offset + 1):
                ends.add(found.end())
    return ends


@dataclass(frozen=True)
class _Target:
    """A string to hide: the characters each position may hold, and the characters that
    may stand just before or after it and hold some of its bits (a base64 form)."""

    positions: tuple[str, ...]
    before: str = ""
    after: str = ""

    @property
    def required(self) -> int:
        """Positions a match needs: all of a short target, else a start of MIN_PREFIX."""
        return min(len(self.positions), MIN_PREFIX)


def _targets(secret: str) -> list[_Target]:
    """The secret, and its base64 at each byte alignment when it is long enough."""
    targets = [_Target(tuple(secret))]
    if len(secret) >= MIN_PREFIX:
        data = secret.encode("utf-8", "surrogatepass")
        targets += [_base64_target(data, offset) for offset in range(3)]
    return targets


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_URL_SAFE = {"+": "-", "/": "_"}


def _url_safe(chars: Iterable[str]) -> str:
    """``chars`` and their URL-safe base64 counterparts: the two alphabets in one."""
    found = set(chars)
    return "".join(sorted(found | {_URL_SAFE[char] for char in found & _URL_SAFE.keys()}))


def _base64_target(data: bytes, offset: int) -> _Target:
    """The base64 characters fully set by ``data`` when it starts ``offset`` bytes into
    a 3-byte group, with the characters that share bits with it at either end."""
    start, end = -(-8 * offset // 6), 8 * (offset + len(data)) // 6
    core = _base64(bytes(offset) + data)[start:end]
    before = after = ""
    if offset:
        head = bytes(offset - 1)
        before = _url_safe(_base64(head + bytes([x]) + data)[start - 1] for x in range(256))
    if 8 * (offset + len(data)) % 6:
        padded = bytes(offset) + data
        after = _url_safe(_base64(padded + bytes([y]))[end] for y in range(256))
    return _Target(tuple(_url_safe(char) for char in core), before, after)


_CUT_ESCAPE = re.compile(_HALF_ESCAPE)


def _match_end(text: str, start: int, target: _Target) -> int:
    """Where the longest spelling of ``target`` - whole, or a start of at least
    :attr:`~_Target.required` positions - that begins at ``start`` ends; ``start`` if
    there is none. A whole match takes the base64 character holding its last bits; a
    cut-off one takes an escape cut in half after it."""
    if not (head := _sequence(target.positions[: target.required]).match(text, start)):
        return start
    if whole := _sequence(target.positions).match(text, start):
        end = whole.end()
        return end + 1 if text[end : end + 1] and text[end] in target.after else end
    end = _longest_start(text, start, target, head.end())
    half = _CUT_ESCAPE.match(text, end)
    return half.end() if half else end


def _longest_start(text: str, start: int, target: _Target, at_least: int) -> int:
    # Follow every spelling position by position (a regex would stop at its first way
    # through: ``~`` then ``0`` versus ``~0``) and keep the furthest end.
    offsets, furthest = {start}, at_least
    for index, chars in enumerate(target.positions):
        offsets = _ends(text, offsets, chars)
        if not offsets:
            break
        if index + 1 >= target.required:
            furthest = max(furthest, *offsets)
    return furthest


def _scan_rests(target: _Target) -> Iterator[tuple[str, str]]:
    """Per first character, the scan's regex for the rest of ``target``: the first
    position exactly, then the next character loosely (raw, or the first character of
    an escape) - a cheap filter; :func:`_match_end` decides."""
    loose = "".join(f"[{re.escape(_LEADS + chars)}]" for chars in target.positions[1:_SCAN_DEPTH])
    for lead, rests in _spellings(target.positions[0]).items():
        yield lead, _group(rests) + loose


@dataclass(frozen=True)
class _Tables:
    """The search for a set of secrets.

    ``scan`` finds the places where some target may start. It has one top-level branch
    per first character, each starting with that literal: the regex engine skips other
    characters without trying any branch, and tries each first character only once.
    ``by_lead`` holds, per first character, the targets that can start with it."""

    scan: re.Pattern[str] | None
    by_lead: dict[str, list[_Target]]


def _scan_branch(lead: str, rests: list[str]) -> str:
    """One top-level branch of the scan: ``lead``, then the layers of escaping that most
    of its rests share, once (the regex parser does not factor groups), then the rests."""
    layer = _LAYERS.get(lead)
    if layer is None:
        return re.escape(lead) + _group(rests)
    layered = [rest.removeprefix(layer) for rest in rests if rest.startswith(layer)]
    options = [rest for rest in rests if not rest.startswith(layer)]
    if layered:
        options.insert(0, layer + _group(layered))
    return re.escape(lead) + _group(options)


@lru_cache(maxsize=32)
def _tables(secrets: tuple[str, ...]) -> _Tables:
    """The tables for ``secrets``; cached, as a run may build several redactors."""
    scans: dict[str, list[str]] = defaultdict(list)
    by_lead: dict[str, list[_Target]] = defaultdict(list)
    for target in dict.fromkeys(target for secret in secrets for target in _targets(secret)):
        for lead, rest in _scan_rests(target):
            scans[lead].append(rest)
            by_lead[lead].append(target)
    branches = [_scan_branch(lead, rests) for lead, rests in scans.items()]
    scan = re.compile("|".join(branches)) if branches else None
    return _Tables(scan, dict(by_lead))


class Redactor:
    """Replaces known secrets in text and masks sensitive or user-supplied headers.

    A secret is masked in every spelling the module docstring lists; where two matches
    overlap, their union is masked, so one secret inside another leaves nothing behind."""

    def __init__(self, secrets: Iterable[str] = (), *, secret_headers: Iterable[str] = ()) -> None:
        self._tables = _tables(tuple(sorted({secret for secret in secrets if secret})))
        self._headers = SENSITIVE_HEADERS | {name.lower() for name in secret_headers}

    def text(self, text: str) -> str:
        """``text`` with every secret - whole, escaped, or its cut-off start - replaced."""
        parts: list[str] = []
        done = 0
        for start, end in self._spans(text):
            parts += [text[done:start], MASK]
            done = end
        return "".join(parts) + text[done:]

    def header(self, name: str, value: str) -> str:
        """The value to print for header ``name``: masked whole for a sensitive name."""
        if name.lower() in self._headers:
            return MASK
        return self.text(value)

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Every header with its printable value."""
        return [(name, self.header(name, value)) for name, value in headers]

    def _spans(self, text: str) -> Iterator[tuple[int, int]]:
        # Every start where a target matches is tried - also inside a previous match, as a
        # secret may begin inside another and end past it - and overlapping spans merge.
        scan = self._tables.scan
        current: tuple[int, int] | None = None
        position = 0
        while scan is not None and (hit := scan.search(text, position)) is not None:
            position = hit.start() + 1
            start, end = self._longest(text, hit.start())
            if start == end:  # the scan's loose positions let more through than match
                continue
            if current is not None and start < current[1]:
                current = (current[0], max(current[1], end))
                continue
            if current is not None:
                yield current
            current = (start, end)
        if current is not None:
            yield current

    def _longest(self, text: str, start: int) -> tuple[int, int]:
        # The longest match of any target at ``start`` (empty if none), taking in the
        # base64 character before it that holds some of its bits.
        first, last = start, start
        for target in self._tables.by_lead.get(text[start], ()):
            end = _match_end(text, start, target)
            if end == start:
                continue
            last = max(last, end)
            if start and text[start - 1] in target.before:
                first = start - 1
        return first, last
