"""Scalar texts of the serializer's exact form into wire values, fast: the fast path's half.

Each converter takes the raw bytes a pattern of :mod:`contract.wire.xml_canonical`
admitted and returns what :func:`contract.wire._xml_lexical.lexical_value` (or, for
text, the parser) gives for them. The patterns admit only forms these converters read
exactly like the walker: integers within range without sign ``+`` or spaces, ``true``/
``false``/``1``/``0``, lowercase ``D`` GUIDs, and :data:`ROUND_TRIP_PATTERN` dates.
Repeated texts and GUIDs (statuses, practices) are converted once per reader.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from contract.clr import INTEGER_RANGES, Primitive
from contract.netdatetime import TICKS_PER_SECOND, DateTimeKind, NetDateTime

__all__ = ["DATE_GROUPS", "DATE_PATTERN", "ROUND_TRIP_PATTERN", "Converters", "integer_pattern"]

# Calendar dates every parser accepts: days 29-31 only in months that always have them,
# 29 February only in Gregorian leap years (divisible by 4; centuries only by 400),
# year 0001-9999, times within the day.
_DATE = (
    r"(?!0000)[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
)
_LEAP = r"(?:0[48]|[2468][048]|[13579][26])"
_LEAP_DAY = rf"(?:[0-9]{{2}}{_LEAP}|{_LEAP}00)-02-29"
_MINUTE = rf"(?:{_DATE}|{_LEAP_DAY})T(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_ZONE = r"(?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)"
ROUND_TRIP_PATTERN = _MINUTE + r":[0-5][0-9](?:\.[0-9]{1,7})?" + _ZONE + "?"
"""A .NET round-trip date and time :meth:`NetDateTime.parse` always accepts (a subset)."""
DATE_GROUPS = 4
DATE_PATTERN = f"({_MINUTE}):([0-5][0-9])(?:\\.([0-9]{{1,7}}))?({_ZONE})?".encode()
""":data:`ROUND_TRIP_PATTERN` in :data:`DATE_GROUPS` groups, as the date converter takes
them: the minute (``2025-12-14T19:20``), the second, the fraction, the zone."""

_REMEMBERED = 4096  # texts and GUIDs kept per reader
_REFERENCE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_REMEMBERED_MINUTES = 1 << 16  # three months of minutes
_FRACTION_SCALE = [10 ** (7 - digits) for digits in range(8)]
_ZONES: dict[bytes | None, tuple[DateTimeKind, int]] = {
    None: (DateTimeKind.UNSPECIFIED, 0),
    b"Z": (DateTimeKind.UTC, 0),
    b"+02:00": (DateTimeKind.LOCAL, 120),  # the service's own zone
}
_NEW = object.__new__
_SET = object.__setattr__
_UUID = uuid.UUID
_UNKNOWN = uuid.SafeUUID.unknown


def _at_most(bound: int) -> str:
    """Decimal numerals from 0 to ``bound``: fewer digits than it has, or as many and
    below it at the first digit that differs, or ``bound`` itself."""
    digits = str(bound)
    forms = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for index, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - index - 1
            forms.append(f"{digits[:index]}[0-{int(digit) - 1}][0-9]{{{rest}}}")
    return "(?:" + "|".join([*forms, digits]) + ")"


def integer_pattern(low: int, high: int) -> bytes:
    """The integers in [low, high] (0 <= high, low <= 0), digit by digit: no sign ``+``."""
    negative = [f"-{_at_most(-low)}"] if low < 0 else []
    return ("(?:" + "|".join([*negative, _at_most(high)]) + ")").encode()


def _referenced(match: re.Match[str]) -> str:
    hexadecimal, decimal, name = match.groups()
    if name is not None:
        return _ENTITIES[name]
    return chr(int(hexadecimal, 16) if hexadecimal is not None else int(decimal))


def xml_text(raw: bytes) -> str:
    """Character data as a parser reads it: newlines normalized, then references resolved.

    A reference to no character (``&#x110000;``) raises ValueError; the parser refuses
    such a body anyway.
    """
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _REFERENCE.sub(_referenced, text)
    return text


class Converters:
    """The converters one generated reader uses, by name, with their memories."""

    def __init__(self) -> None:
        texts: dict[bytes, str] = {}
        guids: dict[bytes, uuid.UUID] = {}
        minutes: dict[bytes, int] = {}

        def text(raw: bytes) -> str:
            known = texts.get(raw)
            if known is None:
                known = xml_text(raw)
                if len(texts) < _REMEMBERED:
                    texts[raw] = known
            return known

        def guid(raw: bytes) -> uuid.UUID:
            # Called when KNOWN_G did not know ``raw``. What uuid.UUID(text) builds,
            # without its checks (the pattern made them).
            value = _NEW(_UUID)
            _SET(value, "int", int(raw.replace(b"-", b""), 16))
            _SET(value, "is_safe", _UNKNOWN)
            if len(guids) < _REMEMBERED:
                guids[raw] = value
            return value

        def date(minute: bytes, second: bytes, fraction: bytes | None, zone: bytes | None) -> Any:
            ticks = minutes.get(minute)
            if ticks is None:
                ticks = NetDateTime.parse(minute.decode() + ":00").ticks
                if len(minutes) < _REMEMBERED_MINUTES:
                    minutes[minute] = ticks
            ticks += int(second) * TICKS_PER_SECOND
            if fraction is not None:
                ticks += int(fraction) * _FRACTION_SCALE[len(fraction)]
            kind, offset = _ZONES.get(zone) or _zone(zone or b"")
            value = _NEW(NetDateTime)
            # What NetDateTime(ticks, kind, offset) builds, without its checks (the
            # pattern made them).
            _SET(value, "__dict__", {"ticks": ticks, "kind": kind, "offset_minutes": offset})
            return value

        booleans = {b"true": True, b"false": False, b"1": True, b"0": False}
        self.namespace: dict[str, Any] = {
            "I": int, "B": booleans.__getitem__, "G": guid, "D": date, "T": text,
            "KNOWN_G": guids.get, "KNOWN_T": texts.get,
        }  # fmt: skip

    @staticmethod
    def name(primitive: Primitive) -> str:
        """The name of the converter of ``primitive`` in :attr:`namespace`."""
        if primitive in INTEGER_RANGES:
            return "I"
        names = {Primitive.BOOLEAN: "B", Primitive.GUID: "G", Primitive.DATETIME: "D",
                 Primitive.STRING: "T", Primitive.URI: "T"}  # fmt: skip
        return names[primitive]

    def call(self, primitive: Primitive, raw: str) -> str:
        """An expression converting the expression ``raw`` (bytes) with ``primitive``'s
        converter; a remembered text or GUID is looked up inline, without a call."""
        name = self.name(primitive)
        if name in ("T", "G"):
            return f"(KNOWN_{name}({raw}) or {name}({raw}))"
        return f"{name}({raw})"

    def compile(self, expression: str) -> Any:
        """``def build(m)`` returning ``expression`` of the match's groups ``g``."""
        source = f"def build(m):\n    g = m.groups()\n    return {expression}\n"
        code = compile(source, "<contract.wire.xml_canonical generated>", "exec")
        scope = dict(self.namespace)
        exec(code, scope)  # generated from the contract, never from input
        return scope["build"]


def _zone(zone: bytes) -> tuple[DateTimeKind, int]:
    minutes = int(zone[1:3]) * 60 + int(zone[4:6])
    return DateTimeKind.LOCAL, (-minutes if zone[:1] == b"-" else minutes)
