"""JSON into wire values: the golden ``.values.json`` form and the service's response bodies.

Both are Json.NET output and differ only in how dates look: the golden values use
Json.NET's round-trip form (7 fraction digits and the kind), the service writes the
contract's :class:`~contract.endpoint.JsonDateFormat`. The conversion is driven by the
contract's types and fails with the JSON pointer of the first mismatch.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

from contract.clr import (
    GUID_D_PATTERN,
    ArrayType,
    ClrType,
    ComplexRef,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    display_name,
    is_nullable,
)
from contract.endpoint import EndpointContract, JsonDateFormat
from contract.netdatetime import TICKS_PER_SECOND, DateTimeKind, NetDateTime
from contract.wire.values import (
    INTEGER_RANGES,
    UnsupportedTypeError,
    WireFormatError,
    WireValueError,
    json_pointer,
)

__all__ = ["read_json", "values_from_json"]

Path = tuple[str | int, ...]
DateParser = Callable[[str], NetDateTime]

_GUID = re.compile(GUID_D_PATTERN, re.IGNORECASE)
_WALL_CLOCK_Z = re.compile(JsonDateFormat.WALL_CLOCK_Z.pattern)
_SPECIAL_DOUBLES = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def values_from_json(data: Any, contract: EndpointContract) -> Any:
    """Wire values from the golden ``.values.json`` form (already parsed by ``json.loads``).

    Dates are Json.NET round-trip strings (``2025-12-14T19:20:43.1992775+02:00``), GUIDs
    strings; a mismatch raises :class:`WireValueError` with its JSON pointer.
    """
    return _Converter(contract.catalog, NetDateTime.parse).convert(data, _root(contract), ())


def read_json(body: bytes, contract: EndpointContract) -> Any:
    """Wire values from a JSON response body in the service's wire format.

    With ``JsonDateFormat.WALL_CLOCK_Z`` a date becomes a NetDateTime of UNSPECIFIED kind
    at whole-second precision (the ``Z`` is literal, not UTC). Every member must be
    present and no other; member order is not checked. Errors are
    :class:`WireFormatError` with a JSON pointer (and the line for syntax errors).
    """
    try:
        text = body.decode("utf-8")
        data = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_members,
        )
    except UnicodeDecodeError as error:
        raise WireFormatError(f"the body is not UTF-8: {error}", location="/") from None
    except json.JSONDecodeError as error:
        raise WireFormatError(
            f"invalid JSON: {error.msg}", location="/", line=error.lineno
        ) from None
    except ValueError as error:
        raise WireFormatError(str(error), location="/") from None
    parse_date = _service_date_parser(contract.json_date_format)
    try:
        return _Converter(contract.catalog, parse_date).convert(data, _root(contract), ())
    except WireValueError as error:
        raise WireFormatError(error.reason, location=error.pointer or "/") from None


def _root(contract: EndpointContract) -> ClrType:
    if contract.response_type is None:
        raise UnsupportedTypeError(f"{contract.operation_id} returns no response body")
    return contract.response_type


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"member {key!r} appears twice in one object")
        result[key] = value
    return result


def _parse_wall_clock_z(text: str) -> NetDateTime:
    if _WALL_CLOCK_Z.fullmatch(text) is None:
        raise ValueError(f"{text!r} is not in the service's yyyy-MM-ddTHH:mm:ssZ format")
    wall = NetDateTime.parse(text[:-1])
    return NetDateTime(wall.ticks - wall.ticks % TICKS_PER_SECOND, DateTimeKind.UNSPECIFIED)


def _service_date_parser(date_format: JsonDateFormat) -> DateParser:
    if date_format is JsonDateFormat.WALL_CLOCK_Z:
        return _parse_wall_clock_z
    return NetDateTime.parse


class _Converter:
    def __init__(self, catalog: TypeCatalog, parse_date: DateParser) -> None:
        self._catalog = catalog
        self._parse_date = parse_date

    def convert(self, data: Any, clr_type: ClrType, path: Path) -> Any:
        """The wire value of ``data`` read as ``clr_type``."""
        if data is None:
            if is_nullable(clr_type, self._catalog):
                return None
            _fail(f"null is not allowed for {display_name(clr_type)}", path)
        match clr_type:
            case NullableType(inner=inner):
                return self.convert(data, inner, path)
            case PrimitiveType(primitive=primitive):
                return self._scalar(data, primitive, path)
            case ArrayType(item=item):
                if not isinstance(data, list):
                    _fail(
                        f"expected an array for {display_name(clr_type)}, got {_json_kind(data)}",
                        path,
                    )
                return [self.convert(element, item, (*path, i)) for i, element in enumerate(data)]
            case ComplexRef():
                return self._complex(data, clr_type, path)
            case _:
                _fail(f"{display_name(clr_type)} is not supported", path)

    def _complex(self, data: Any, ref: ComplexRef, path: Path) -> dict[str, Any]:
        if not isinstance(data, dict):
            _fail(f"expected an object for {ref.name}, got {_json_kind(data)}", path)
        members = self._catalog[ref].members
        names = {member.name for member in members}
        for key in data:
            if key not in names:
                _fail(f"{ref.name} has no member {key!r}", (*path, key))
        for member in members:
            if member.name not in data:
                _fail(f"member {member.name!r} of {ref.name} is missing", (*path, member.name))
        return {m.name: self.convert(data[m.name], m.type, (*path, m.name)) for m in members}

    def _scalar(self, data: Any, primitive: Primitive, path: Path) -> Any:
        try:
            return _SCALARS[primitive](data, self._parse_date)
        except KeyError:
            _fail(f"{primitive.value} is not supported", path)
        except (TypeError, ValueError) as error:
            _fail(f"{error} (for {primitive.value}, got {data!r})", path)


def _integer(low: int, high: int) -> Callable[[Any, DateParser], int]:
    def convert(data: Any, _: DateParser) -> int:
        if type(data) is not int:
            raise TypeError(f"expected an integer, got {_json_kind(data)}")
        if not low <= data <= high:
            raise ValueError(f"{data} is outside [{low}, {high}]")
        return data

    return convert


def _of_type(expected: type, data: Any) -> Any:
    if type(data) is not expected:
        raise TypeError(
            f"expected {_JSON_KINDS.get(expected, expected.__name__)}, got {_json_kind(data)}"
        )
    return data


def _double(data: Any, _: DateParser) -> float:
    if isinstance(data, str) and data in _SPECIAL_DOUBLES:
        return _SPECIAL_DOUBLES[data]
    if isinstance(data, bool) or not isinstance(data, int | float | Decimal):
        raise TypeError(f"expected a number, got {_json_kind(data)}")
    return float(data)


def _decimal(data: Any, _: DateParser) -> Decimal:
    if isinstance(data, bool) or not isinstance(data, int | float | Decimal):
        raise TypeError(f"expected a number, got {_json_kind(data)}")
    return data if isinstance(data, Decimal) else Decimal(repr(data))


def _char(data: Any, _: DateParser) -> str:
    text: str = _of_type(str, data)
    if len(text) != 1:
        raise ValueError("a System.Char is exactly one character")
    return text


def _guid(data: Any, _: DateParser) -> uuid.UUID:
    text: str = _of_type(str, data)
    if _GUID.fullmatch(text) is None:
        raise ValueError("not a GUID in the 8-4-4-4-12 form")
    return uuid.UUID(text)


def _date(data: Any, parse_date: DateParser) -> NetDateTime:
    return parse_date(_of_type(str, data))


def _bytes(data: Any, _: DateParser) -> bytes:
    try:
        return base64.b64decode(_of_type(str, data), validate=True)
    except binascii.Error as error:
        raise ValueError(f"invalid base64: {error}") from None


_SCALARS: dict[Primitive, Callable[[Any, DateParser], Any]] = {
    **{primitive: _integer(*bounds) for primitive, bounds in INTEGER_RANGES.items()},
    Primitive.BOOLEAN: lambda data, _: _of_type(bool, data),
    Primitive.STRING: lambda data, _: _of_type(str, data),
    Primitive.URI: lambda data, _: _of_type(str, data),
    Primitive.DOUBLE: _double,
    Primitive.DECIMAL: _decimal,
    Primitive.CHAR: _char,
    Primitive.GUID: _guid,
    Primitive.DATETIME: _date,
    Primitive.BYTE_ARRAY: _bytes,
}

_JSON_KINDS: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    Decimal: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


def _json_kind(data: Any) -> str:
    return _JSON_KINDS.get(type(data), type(data).__name__)


def _fail(message: str, path: Path) -> NoReturn:
    raise WireValueError(message, pointer=json_pointer(path))
