"""XML Schema lexical forms of the CLR scalars, as DataContractSerializer reads them.

:func:`lexical_value` gives a scalar's wire value and, when the text is no valid form,
what was expected (the ``expected`` of an ``xml.value-format`` problem). Surrounding XML
whitespace is allowed (``xs:int`` collapses it); GUIDs are the service's lowercase ``D``
form only.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from contract.clr import GUID_D_PATTERN, Primitive
from contract.netdatetime import NetDateTime
from contract.wire.values import INTEGER_RANGES, UnsupportedTypeError

__all__ = ["lexical_value"]

_XML_SPACE = " \t\r\n"
_INT = re.compile(r"[+-]?[0-9]+").fullmatch
_GUID = re.compile(GUID_D_PATTERN).fullmatch  # fullmatch: match() would let a "\n" through
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)").fullmatch
_DOUBLE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?").fullmatch
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_SPECIAL_DOUBLES = {"INF": float("inf"), "-INF": float("-inf"), "NaN": float("nan")}


def lexical_value(primitive: Primitive, text: str) -> tuple[Any, str]:
    """The value of ``text`` (a non-string scalar), and what was expected when it is no
    valid form (then the value is None)."""
    trimmed = text.strip(_XML_SPACE)
    if primitive in INTEGER_RANGES:
        return _integer(trimmed, *INTEGER_RANGES[primitive])
    parse = _PARSERS.get(primitive)
    if parse is None:
        raise UnsupportedTypeError(f"contract.wire cannot read {primitive.value}")
    read, expected = parse
    try:
        return read(trimmed), ""
    except (ValueError, KeyError):
        return None, expected


def _integer(text: str, low: int, high: int) -> tuple[int | None, str]:
    # Over 4,300 digits int() raises (Python's digit limit); such a number is out of
    # range unless it is mostly leading zeros, which no serializer writes.
    ok = _INT(text) is not None and len(text.lstrip("+-")) <= 4300 and low <= int(text) <= high
    return (int(text), "") if ok else (None, f"an integer in [{low}, {high}]")


def _guid(text: str) -> uuid.UUID:
    if _GUID(text) is None:
        raise ValueError("not a lowercase D-format GUID")
    return uuid.UUID(text)


def _double(text: str) -> float:
    if text in _SPECIAL_DOUBLES:
        return _SPECIAL_DOUBLES[text]
    if _DOUBLE(text) is None:
        raise ValueError("not an xs:double")
    return float(text)


def _decimal(text: str) -> Decimal:
    if _DECIMAL(text) is None:
        raise ValueError("not an xs:decimal")
    return Decimal(text)


def _char(text: str) -> str:
    value, _ = _integer(text, 0, 0xFFFF)
    if value is None:
        raise ValueError("not a UTF-16 code unit")
    return chr(value)


def _bytes(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error as error:
        raise ValueError(str(error)) from None


_PARSERS: dict[Primitive, tuple[Callable[[str], Any], str]] = {
    Primitive.BOOLEAN: (_BOOLEANS.__getitem__, "true or false"),
    Primitive.GUID: (_guid, "a lowercase D-format GUID"),
    Primitive.DATETIME: (
        NetDateTime.parse,
        "an xs:dateTime like 2025-12-14T19:20:43.1992775+02:00",
    ),
    Primitive.DOUBLE: (_double, "an xs:double"),
    Primitive.SINGLE: (_double, "an xs:float"),
    Primitive.DECIMAL: (_decimal, "an xs:decimal"),
    Primitive.CHAR: (_char, "a char as its UTF-16 code (0 to 65535)"),
    Primitive.BYTE_ARRAY: (_bytes, "base64 (xs:base64Binary)"),
}
