"""JSON scalars into wire values: one converter per CLR primitive, and what a miss means.

A converter takes the parsed JSON value and returns the wire value, or :data:`BAD` when
the value does not convert (no exception: a 100,000-item body has a million scalars).
The JSON reader's walker and its generated fast path call the same converters, so a
rule on a scalar's form exists once. :class:`Scalar` also says what the walker reports
for a miss: ``json.type`` when the JSON type is wrong, else the scalar's own rule
(``json.int-range``, ``json.guid-format``, ``json.date-format``).

GUIDs: only the lowercase ``D`` form (``Guid.ToString("D")``, what Json.NET writes) is a
GUID here; an upper-case, braced or hyphen-less GUID is a ``json.guid-format`` problem,
although Json.NET itself would read it. The reader describes what the service writes.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from contract.clr import GUID_D_PATTERN, Constraints, Primitive
from contract.endpoint import JsonDateFormat
from contract.netdatetime import TICKS_PER_SECOND, NetDateTime
from contract.wire.values import INTEGER_RANGES

__all__ = [
    "BAD",
    "DATE_FORMS",
    "ROUND_TRIP",
    "WALL_CLOCK_Z",
    "DateForm",
    "Scalar",
    "describe",
    "integer_bounds",
    "scalar_for",
    "short",
]

Converter = Callable[[Any], Any]


class _Bad:
    """The marker a converter returns for a value it cannot convert."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BAD"


BAD: Any = _Bad()

_GUID = re.compile(GUID_D_PATTERN).fullmatch
_WALL_CLOCK_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z").fullmatch
_MEMO_SIZE = 4096
_SPECIAL_DOUBLES = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
_FLOATS = frozenset({Primitive.DOUBLE, Primitive.SINGLE})
_NEW, _UNKNOWN = object.__new__, uuid.SafeUUID.unknown
# UUID's slots, set through their descriptors (UUID.__setattr__ refuses assignment).
_SET_INT, _SET_SAFE = vars(uuid.UUID)["int"].__set__, vars(uuid.UUID)["is_safe"].__set__


def describe(value: Any) -> str:
    """A JSON value as a report shows it: ``number 5``, ``string "x"``, ``object``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {json.dumps(value)}"
    if isinstance(value, int | float | Decimal):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {short(value)}"
    return "array" if isinstance(value, list) else "object"


def short(text: str) -> str:
    """``text`` as a JSON string, cut to 60 characters."""
    return json.dumps(text if len(text) <= 60 else text[:57] + "...", ensure_ascii=False)


@dataclass(frozen=True)
class DateForm:
    """How dates are written in one JSON form: the converter and its description."""

    convert: Converter
    shown: str
    example: str

    def received(self, value: Any) -> str:
        """What a report shows for a string that is no date in this form."""
        return f"{short(value)}, not {self.shown}"


@dataclass(frozen=True)
class Scalar:
    """A primitive as the reader reads it: ``convert`` (wire value or BAD), the JSON type
    it is written as (``kind``, ``is_kind``), and the rule and expectation of a value of
    that type that still does not convert."""

    primitive: Primitive
    convert: Converter
    kind: str
    is_kind: Callable[[Any], bool]
    rule: str = "json.type"
    expected: str = ""
    received: Callable[[Any], str] = field(default=describe)


def _memoized(parse: Callable[[str], Any]) -> Converter:
    """``parse`` for strings (BAD for anything else), with a memo of recent texts.

    One body repeats one timestamp or one practice's GUID thousands of times, and the
    values are immutable, so items may share one. The memo is emptied when full, which
    keeps it small and costs a body of distinct texts one lookup and insert per value.
    """
    memo: dict[str, Any] = {}

    def convert(value: Any) -> Any:
        if value.__class__ is not str:
            return BAD
        known = memo.get(value)
        if known is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            known = memo[value] = parse(value)
        return known

    return convert


def _parse_guid(value: str) -> Any:
    # uuid.UUID(text) again strips braces, "urn:uuid:" and hyphens from text already
    # proven to be the D form; setting the two slots directly builds the equal object
    # (int, is_safe unknown) in half the time, which a 100,000-item body notices.
    if _GUID(value) is None:
        return BAD
    guid = _NEW(uuid.UUID)
    _SET_INT(guid, int(value.replace("-", ""), 16))
    _SET_SAFE(guid, _UNKNOWN)
    return guid


def _wall_clock_z(value: str) -> Any:
    """``yyyy-MM-ddTHH:mm:ssZ``: the wall-clock time (the ``Z`` is literal, not UTC), so a
    NetDateTime of UNSPECIFIED kind at whole seconds; the calendar decides validity."""
    if _WALL_CLOCK_Z(value) is None:
        return BAD
    day = _day(value[:10])
    hour, minute, second = int(value[11:13]), int(value[14:16]), int(value[17:19])
    if day is BAD or hour > 23 or minute > 59 or second > 59:
        return BAD
    return NetDateTime((((day * 24 + hour) * 60 + minute) * 60 + second) * TICKS_PER_SECOND)


@functools.lru_cache(maxsize=1024)
def _day(text: str) -> Any:
    """Days from 0001-01-01 to ``yyyy-MM-dd``, or BAD for a day the calendar lacks."""
    try:
        return date(int(text[:4]), int(text[5:7]), int(text[8:10])).toordinal() - 1
    except ValueError:
        return BAD


def _round_trip(value: str) -> Any:
    try:
        return NetDateTime.parse(value)
    except ValueError:
        return BAD


_guid = _memoized(_parse_guid)


WALL_CLOCK_Z = DateForm(_memoized(_wall_clock_z), "yyyy-MM-ddTHH:mm:ssZ", "2025-12-14T19:20:43Z")
ROUND_TRIP = DateForm(
    _memoized(_round_trip), "a .NET round-trip date", "2025-12-14T19:20:43.1992775+02:00"
)
DATE_FORMS = {JsonDateFormat.WALL_CLOCK_Z: WALL_CLOCK_Z, JsonDateFormat.ROUND_TRIP: ROUND_TRIP}


def _number(value: Any) -> bool:
    return value.__class__ in (int, float, Decimal)


def _double(value: Any) -> Any:
    if _number(value):
        return float(value)
    return _SPECIAL_DOUBLES.get(value, BAD) if value.__class__ is str else BAD


def _decimal(value: Any) -> Any:
    if value.__class__ is float:  # the values form, parsed without parse_float
        return Decimal(repr(value))
    return Decimal(value) if _number(value) else BAD


def _char(value: Any) -> Any:
    return value if value.__class__ is str and len(value) == 1 else BAD


def _bytes(value: Any) -> Any:
    try:
        return base64.b64decode(value, validate=True) if value.__class__ is str else BAD
    except binascii.Error:
        return BAD


def _of(kind: type) -> Callable[[Any], bool]:
    return lambda value: value.__class__ is kind


def _as_is(kind: type) -> Converter:
    return lambda value: value if value.__class__ is kind else BAD


def integer_bounds(primitive: Primitive, limits: Constraints) -> tuple[int, int]:
    """The lowest and highest value of an integer member: its CLR range, narrowed by the
    help page's ``Range`` annotation."""
    low, high = INTEGER_RANGES[primitive]
    low = max(low, int(limits.minimum)) if limits.minimum is not None else low
    high = min(high, int(limits.maximum)) if limits.maximum is not None else high
    return low, high


def _integer(primitive: Primitive, limits: Constraints) -> Scalar:
    low, high = integer_bounds(primitive, limits)

    def convert(value: Any) -> Any:
        return value if value.__class__ is int and low <= value <= high else BAD

    expected = f"an integer in [{low}, {high}]"
    kind = f"an integer ({primitive.value})"
    return Scalar(primitive, convert, kind, _of(int), "json.int-range", expected, str)


def _text_scalar(primitive: Primitive, dates: DateForm) -> Scalar:
    kind = f"a string ({primitive.value})"
    if primitive is Primitive.GUID:
        guid = 'a lowercase "D" GUID like "aa122594-478b-4b0a-ab1f-2fdd307930b5"'
        return Scalar(primitive, _guid, kind, _of(str), "json.guid-format", guid, short)
    if primitive is Primitive.DATETIME:
        expected = f"{dates.shown} (like {dates.example})"
        return Scalar(
            primitive, dates.convert, kind, _of(str), "json.date-format", expected, dates.received
        )
    if primitive is Primitive.CHAR:
        return Scalar(primitive, _char, kind, _of(str), expected="exactly one character")
    if primitive is Primitive.BYTE_ARRAY:
        return Scalar(primitive, _bytes, kind, _of(str), expected="base64 text")
    return Scalar(primitive, _as_is(str), kind, _of(str))


@functools.lru_cache(maxsize=256)
def scalar_for(primitive: Primitive, limits: Constraints, dates: DateForm) -> Scalar:
    """How a member of ``primitive`` (with its help-page ``limits``) is read."""
    if primitive in INTEGER_RANGES:
        return _integer(primitive, limits)
    if primitive is Primitive.BOOLEAN:
        return Scalar(primitive, _as_is(bool), "a boolean", _of(bool))
    if primitive in _FLOATS:
        return Scalar(primitive, _double, "a number", lambda value: _double(value) is not BAD)
    if primitive is Primitive.DECIMAL:
        return Scalar(primitive, _decimal, "a number", _number)
    if primitive is Primitive.OBJECT:
        return Scalar(primitive, lambda value: value, "any JSON", lambda value: True)
    return _text_scalar(primitive, dates)
