"""Scalar text for both wire formats: one fast formatter per CLR primitive.

The formatters trust their input's type only as far as a cheap ``type(...) is`` check;
on anything else they raise, and the writer asks :func:`check_wire_value` for a message
that names the member.
"""

from __future__ import annotations

import base64
import enum
import json
import math
import re
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from contract.endpoint import JsonDateFormat
from contract.netdatetime import TICKS_PER_SECOND, DateTimeKind, NetDateTime
from contract.wire.charrefs import FORBIDDEN_CHARACTERS, FORBIDDEN_RANGES, character_reference
from contract.wire.values import INTEGER_RANGES, GuidText, UnsupportedTypeError

__all__ = [
    "ENCODE_BASESTRING",
    "JSON_EXTRA",
    "REMEMBERED_TEXTS",
    "Formatter",
    "XmlNewline",
    "escape_json_extra",
    "format_double",
    "json_formatter",
    "json_string",
    "remembered",
    "round_trip",
    "wall_clock_z",
    "xml_formatter",
    "xml_text",
    "xml_text_formatter",
]

Formatter = Callable[[Any], str]

REMEMBERED_TEXTS = 1024  # per string member of a writer


def remembered(write: Formatter) -> tuple[Callable[[Any], str | None], Formatter]:
    """A lookup of texts ``write`` already made, and ``write`` remembering its results.

    Strings of a response repeat (statuses, switches, failure reasons): escaping each
    once instead of once per item halves the time of writing 100,000 items. Up to
    :data:`REMEMBERED_TEXTS` texts are kept; only values ``write`` accepted are, so a
    value of the wrong type still reaches ``write`` and raises there.
    """
    texts: dict[Any, str] = {}

    def write_and_remember(value: Any) -> str:
        text = write(value)
        if len(texts) < REMEMBERED_TEXTS:
            texts[value] = text
        return text

    return texts.get, write_and_remember


_SECONDS_PER_DAY = 86_400

# --- dates -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _day_text(days: int) -> str:
    day = date.fromordinal(days + 1)
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}T"


@lru_cache(maxsize=64)
def _offset_text(offset_minutes: int) -> str:
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


_TICKS_PER_DAY = _SECONDS_PER_DAY * TICKS_PER_SECOND
# "HH:MM:" for each minute of the day and "SS" for each second: table lookups are
# several times faster than formatting three numbers per date.
_HOUR_MINUTE = tuple(f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60))
_SECOND = tuple(f"{second:02d}" for second in range(60))


def _wall_seconds_text(ticks: int) -> tuple[str, int]:
    days, tick_of_day = divmod(ticks, _TICKS_PER_DAY)
    second_of_day, fraction = divmod(tick_of_day, TICKS_PER_SECOND)
    minute, second = divmod(second_of_day, 60)
    return _day_text(days) + _HOUR_MINUTE[minute] + _SECOND[second], fraction


class _LastDate:
    """A one-entry memo of a date formatter, by identity.

    A retry response stamps every item with the same ``DateTime.Now`` object: formatting
    it once instead of once per item. One tuple is read and replaced whole, so threads
    sharing a writer never see a date paired with another date's text.
    """

    __slots__ = ("entry",)

    def __init__(self) -> None:
        self.entry: tuple[object, str] = (None, "")


_LAST_ROUND_TRIP = _LastDate()
_LAST_WALL_CLOCK_Z = _LastDate()


def round_trip(value: NetDateTime) -> str:
    """``NetDateTime.round_trip()`` without strftime: the XML (and Json.NET default) form."""
    last = _LAST_ROUND_TRIP.entry
    if last[0] is value:
        return last[1]
    text = _round_trip(value)
    _LAST_ROUND_TRIP.entry = (value, text)
    return text


def _round_trip(value: NetDateTime) -> str:
    if type(value) is not NetDateTime:
        raise TypeError("not a NetDateTime")
    text, fraction = _wall_seconds_text(value.ticks)
    if fraction:
        text += "." + f"{fraction:07d}".rstrip("0")
    kind = value.kind
    if kind is DateTimeKind.LOCAL:
        return text + _offset_text(value.offset_minutes)
    return text + "Z" if kind is DateTimeKind.UTC else text


def wall_clock_z(value: NetDateTime) -> str:
    """``NetDateTime.wall_clock_z()`` without strftime: the service's JSON date form."""
    last = _LAST_WALL_CLOCK_Z.entry
    if last[0] is value:
        return last[1]
    if type(value) is not NetDateTime:
        raise TypeError("not a NetDateTime")
    text = _wall_seconds_text(value.ticks)[0] + "Z"
    _LAST_WALL_CLOCK_Z.entry = (value, text)
    return text


# --- text escaping -----------------------------------------------------------------------


class XmlNewline(enum.Enum):
    """The ``NewLineChars`` of the service's XmlWriter: ``Environment.NewLine`` of its host.

    With ``NewLineHandling.Replace`` (the default) every ``\\n``, ``\\r`` and ``\\r\\n`` in
    element text is written as these characters: ``CRLF`` on Windows, where the real
    service runs; ``LF`` for a service hosted on Mono on Linux.
    """

    CRLF = "crlf"
    LF = "lf"

    @property
    def chars(self) -> str:
        """The characters written for each newline."""
        return "\r\n" if self is XmlNewline.CRLF else "\n"


# Characters XmlUtf8RawTextWriter does not copy as they are in element text; with LF a
# "\n" is written as it is, so only "\r" needs the newline replacement.
_XML_SPECIAL = {
    XmlNewline.CRLF: re.compile(f"[&<>\r\n{FORBIDDEN_RANGES}]"),
    XmlNewline.LF: re.compile(f"[&<>\r{FORBIDDEN_RANGES}]"),
}
# One newline as NewLineHandling.Replace sees it: "\r\n" is one, not two.
_NEWLINES = {XmlNewline.CRLF: re.compile("\r\n?|\n"), XmlNewline.LF: re.compile("\r\n?")}


def _char_reference(match: re.Match[str]) -> str:
    # CheckCharacters=false: the writer emits a reference with uppercase hex digits.
    return character_reference(match.group())


def xml_text_formatter(newline: XmlNewline = XmlNewline.CRLF) -> Formatter:
    """Element text as Web API's XmlWriter writes it, on a host whose newline is ``newline``.

    ``&``, ``<``, ``>`` become entities (quotes stay literal); every ``\\n``, ``\\r`` and
    ``\\r\\n`` becomes ``newline.chars`` (``NewLineHandling.Replace``); characters XML 1.0
    forbids become ``&#xN;`` references in upper-case hex (``CheckCharacters = false``).
    """
    return _XML_TEXT[newline]


def _xml_text(newline: XmlNewline) -> Formatter:
    special = _XML_SPECIAL[newline].search
    newlines, chars = _NEWLINES[newline], newline.chars

    def write(text: Any) -> str:
        if type(text) is not str:
            raise TypeError("not a str")
        if special(text) is None:
            return text
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = newlines.sub(chars, text)
        return FORBIDDEN_CHARACTERS.sub(_char_reference, text)

    return write


_XML_TEXT = {newline: _xml_text(newline) for newline in XmlNewline}
xml_text: Formatter = _XML_TEXT[XmlNewline.CRLF]
"""Element text as the Windows service writes it (see :func:`xml_text_formatter`)."""


ENCODE_BASESTRING: Callable[[str], str] = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)
JSON_EXTRA = re.compile("[\x85\u2028\u2029]")


def escape_json_extra(quoted: str) -> str:
    """Escape U+0085, U+2028 and U+2029 in a JSON string literal, as Json.NET does."""
    return JSON_EXTRA.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def json_string(text: str) -> str:
    """A JSON string literal as Json.NET's default ``StringEscapeHandling`` writes it.

    ``"`` and ``\\`` escaped, ``\\b \\t \\n \\f \\r`` short, other controls ``\\u00xx``
    (lowercase hex), and U+0085, U+2028, U+2029 escaped too; everything else raw.
    """
    if type(text) is not str:
        raise TypeError("not a str")
    quoted = ENCODE_BASESTRING(text)
    return quoted if JSON_EXTRA.search(quoted) is None else escape_json_extra(quoted)


# --- numbers -----------------------------------------------------------------------------


def format_double(value: float) -> str:
    """.NET's ``double.ToString("R")`` layout for Python's shortest round-trip digits.

    Exponent form (``1E+20``, ``1E-05``) below 1e-4 or from 1e15 (1e17 when 16-17
    digits are needed); ``NaN``/``Infinity`` are left to the caller.
    """
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent_text = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    significant = all_digits.lstrip("0")
    exponent = int(exponent_text or 0) + len(whole) - 1 - (len(all_digits) - len(significant))
    digits = significant.rstrip("0")
    limit = 15 if len(digits) <= 15 else 17
    if -5 < exponent < limit:
        return sign + _plain(digits, exponent)
    rest = "." + digits[1:] if len(digits) > 1 else ""
    return f"{sign}{digits[0]}{rest}E{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def _plain(digits: str, exponent: int) -> str:
    if exponent < 0:
        return "0." + "0" * (-exponent - 1) + digits
    whole = digits[: exponent + 1].ljust(exponent + 1, "0")
    fraction = digits[exponent + 1 :]
    return whole + ("." + fraction if fraction else "")


def _int_formatter(low: int, high: int) -> Formatter:
    def write(value: Any) -> str:
        if type(value) is not int or not low <= value <= high:
            raise ValueError("integer out of range")
        return str(value)

    return write


def _xml_bool(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    raise TypeError("not a bool")


def _guid(value: Any) -> str:
    # The Guid "D" format, lowercase; faster than UUID.__str__. GuidText is that text.
    if type(value) is GuidText:
        return value
    if type(value) is not uuid.UUID:
        raise TypeError("not a UUID")
    h = value.int.to_bytes(16, "big").hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _decimal_text(value: Any) -> str:
    if type(value) is int:
        return str(value)
    if type(value) is not Decimal or not value.is_finite():
        raise TypeError("not a finite Decimal")
    return format(value, "f")


def _xml_double(value: Any) -> str:
    if type(value) is int:
        value = float(value)
    if type(value) is not float:
        raise TypeError("not a float")
    if math.isnan(value):
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "INF" if value > 0 else "-INF"
    return format_double(value)


def _bytes(value: Any) -> str:
    if type(value) is not bytes:
        raise TypeError("not bytes")
    return base64.b64encode(value).decode("ascii")


def _xml_char(value: Any) -> str:
    # DataContractSerializer writes a System.Char as its UTF-16 code (an xs:int).
    if type(value) is not str or len(value) != 1:
        raise TypeError("not one character")
    return str(ord(value))


_XML_FORMATTERS: dict[Any, Formatter] = {
    "BOOLEAN": _xml_bool,
    "DOUBLE": _xml_double,
    "DECIMAL": _decimal_text,
    "CHAR": _xml_char,
    "GUID": _guid,
    "DATETIME": round_trip,
    "BYTE_ARRAY": _bytes,
}
_XML_TEXTS = frozenset({"STRING", "URI"})


def xml_formatter(primitive: Any, newline: XmlNewline = XmlNewline.CRLF) -> Formatter:
    """The function giving a primitive's XML element text, already escaped.

    Strings and URIs are written with ``newline`` (see :func:`xml_text_formatter`).
    """
    if primitive in INTEGER_RANGES:
        return _int_formatter(*INTEGER_RANGES[primitive])
    if primitive.name in _XML_TEXTS:
        return xml_text_formatter(newline)
    try:
        return _XML_FORMATTERS[primitive.name]
    except KeyError:
        raise UnsupportedTypeError(f"contract.wire cannot serialize {primitive.value}") from None


def _json_bool(value: Any) -> str:
    return _xml_bool(value)


def _json_double(value: Any) -> str:
    text = _xml_double(value)
    # Json.NET's default FloatFormatHandling.String quotes the special values.
    special = {"NaN": '"NaN"', "INF": '"Infinity"', "-INF": '"-Infinity"'}
    if text in special:
        return special[text]
    return text if any(c in text for c in ".E") else text + ".0"


def _json_decimal(value: Any) -> str:
    text = _decimal_text(value)
    return text if "." in text else text + ".0"


def _json_guid(value: Any) -> str:
    if type(value) is GuidText:
        return '"' + value + '"'
    if type(value) is not uuid.UUID:
        raise TypeError("not a UUID")
    h = value.int.to_bytes(16, "big").hex()
    return f'"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"'


def _json_bytes(value: Any) -> str:
    return '"' + _bytes(value) + '"'


def _json_char(value: Any) -> str:
    if type(value) is not str or len(value) != 1:
        raise TypeError("not one character")
    return json_string(value)


def _json_wall_clock_z(value: Any) -> str:
    return '"' + wall_clock_z(value) + '"'


def _json_round_trip(value: Any) -> str:
    return '"' + round_trip(value) + '"'


def json_formatter(primitive: Any, date_format: JsonDateFormat) -> Formatter:
    """The function giving a primitive's JSON token (string literals include quotes)."""
    if primitive in INTEGER_RANGES:
        return _int_formatter(*INTEGER_RANGES[primitive])
    formatters: dict[str, Formatter] = {
        "BOOLEAN": _json_bool,
        "DOUBLE": _json_double,
        "DECIMAL": _json_decimal,
        "STRING": json_string,
        "URI": json_string,
        "CHAR": _json_char,
        "GUID": _json_guid,
        "DATETIME": _json_wall_clock_z
        if date_format is JsonDateFormat.WALL_CLOCK_Z
        else _json_round_trip,
        "BYTE_ARRAY": _json_bytes,
    }
    try:
        return formatters[primitive.name]
    except KeyError:
        raise UnsupportedTypeError(f"contract.wire cannot serialize {primitive.value}") from None
