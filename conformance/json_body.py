"""The JSON body against the contract: a walker driven by the contract's type catalog.

Parsing is hardened first: the bytes must be UTF-8, the nesting depth is measured by a
bracket scan BEFORE ``json.loads`` (deep nesting is a ``json.syntax`` failure, never a
RecursionError), NaN/Infinity are refused. Then every object is compared member by member
with its contract type, so each failure names its rule and a JSON pointer.

Speed: a conformant body is accepted first by a check generated from the contract
(:mod:`conformance.fastcheck`: no per-value objects, no bracket scan - a conformant body
nests only as deep as its type); only a body it does not accept is walked here, so the
failures reported are always the walker's.
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal
from typing import Any

from conformance.failures import JsonFailure
from conformance.fastcheck import json_acceptor
from conformance.reading import BodyReading
from contract.clr import (
    GUID_D_PATTERN,
    ArrayType,
    ClrType,
    ComplexRef,
    Constraints,
    NullableType,
    Primitive,
    PrimitiveType,
    display_name,
    is_nullable,
)
from contract.endpoint import EndpointContract, JsonDateFormat
from contract.netdatetime import NetDateTime
from contract.wire.values import INTEGER_RANGES, json_pointer

__all__ = [
    "GUID_D_FORMAT",
    "JsonObject",
    "JsonReading",
    "JsonSyntaxError",
    "parse_json",
    "read_json_body",
]

GUID_D_FORMAT = re.compile(f"^{GUID_D_PATTERN}$")
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_FLOAT_TYPES = frozenset({Primitive.DOUBLE, Primitive.SINGLE, Primitive.DECIMAL})


class JsonSyntaxError(ValueError):
    """The body is not JSON the suite will read; ``location`` says where."""

    def __init__(self, message: str, location: str) -> None:
        super().__init__(message)
        self.location = location


class JsonObject(list[tuple[str, Any]]):
    """A JSON object as its members in document order (duplicates kept)."""


class JsonReading(BodyReading[JsonFailure]):
    """A JSON body read against the contract (see :class:`BodyReading`)."""


def parse_json(body: bytes, *, max_depth: int) -> Any:
    """Decode and parse with the hardening above; objects become ``JsonObject`` pair lists."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonSyntaxError(f"invalid UTF-8 ({error.reason})", f"byte {error.start}") from None
    _check_depth(text, max_depth)
    try:
        return json.loads(
            text, object_pairs_hook=JsonObject, parse_float=Decimal, parse_constant=_refuse
        )
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise JsonSyntaxError(_decode_message(error, text), where) from None
    except ValueError as error:
        raise JsonSyntaxError(str(error), "") from None


def _decode_message(error: json.JSONDecodeError, text: str) -> str:
    """A complete sentence: ``error.msg`` alone ends mid-phrase ("Unterminated string
    starting at"), its position lives in separate fields."""
    if not text.strip():
        return "invalid JSON: the body is empty"
    what = error.msg.removesuffix(" at")
    message = (
        f"invalid JSON at line {error.lineno} column {error.colno}: {what} at char {error.pos}"
    )
    if _cut_off(error, text):
        message += f" (body cut off? it ends at char {len(text)})"
    return message


def _cut_off(error: json.JSONDecodeError, text: str) -> bool:
    # The body ends inside a string or a literal, or right where more was expected.
    rest = text[error.pos :].rstrip()
    return (
        error.msg.startswith("Unterminated")
        or not rest
        or any(word.startswith(rest) for word in ("true", "false", "null"))
    )


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_depth(text: str, max_depth: int) -> None:
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonSyntaxError(
                    f"nesting deeper than {max_depth} levels", f"offset {token.start()}"
                )
        elif char in "]}":
            depth -= 1


def read_json_body(
    body: bytes, contract: EndpointContract, *, max_depth: int = 64, fast: bool = True
) -> JsonReading:
    """Every ``json.*`` failure of ``body`` as the contract's response, and its values.

    A generated fast check (:mod:`conformance.fastcheck`) accepts a conformant body in
    bulk; any other body (every body when ``fast`` is false) goes through the precise
    walker, which names every failure. Both give the same failures.
    """
    accept = json_acceptor(contract, max_depth=max_depth) if fast else None
    if accept is not None and accept(body):
        return JsonReading(_pending=lambda: _read_precisely(body, contract, max_depth).values)
    return _read_precisely(body, contract, max_depth)


def _read_precisely(body: bytes, contract: EndpointContract, max_depth: int) -> JsonReading:
    reading = JsonReading()
    try:
        document = parse_json(body, max_depth=max_depth)
    except JsonSyntaxError as error:
        reading.failures.append(_failure("json.syntax", "UTF-8 JSON", str(error), error.location))
        return reading
    assert contract.response_type is not None
    reading.values = _Walker(contract, reading.failures).walk(
        document, contract.response_type, (), Constraints()
    )
    return reading


def _failure(rule: str, expected: str, received: str, location: str) -> JsonFailure:
    return JsonFailure(rule=rule, expected=expected, received=received, location=location or "/")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {json.dumps(value)}"
    if isinstance(value, int | Decimal):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {_short(value)}"
    return "object" if isinstance(value, JsonObject) else "array"


def _json_kind(primitive: Primitive, value: Any) -> tuple[str, bool]:
    """What JSON type ``primitive`` is written as, and whether ``value`` is one."""
    if primitive is Primitive.BOOLEAN:
        return "a boolean", isinstance(value, bool)
    if primitive in _FLOAT_TYPES:
        return "a number", isinstance(value, int | Decimal) and not isinstance(value, bool)
    return f"a string ({primitive.value})", isinstance(value, str)


def _short(text: str) -> str:
    return json.dumps(text if len(text) <= 60 else text[:57] + "...", ensure_ascii=False)


class _Walker:
    def __init__(self, contract: EndpointContract, failures: list[JsonFailure]) -> None:
        self._catalog = contract.catalog
        self._date_format = contract.json_date_format
        self._failures = failures

    def _fail(self, rule: str, expected: str, received: str, path: tuple[str | int, ...]) -> None:
        self._failures.append(_failure(rule, expected, received, json_pointer(path)))

    def walk(
        self, value: Any, clr: ClrType, path: tuple[str | int, ...], limits: Constraints
    ) -> Any:
        if value is None:
            if not is_nullable(clr, self._catalog):
                self._fail(
                    "json.type", f"a {display_name(clr)} (a value type, never null)", "null", path
                )
            return None
        return self._value(value, clr, path, limits)

    def _value(
        self, value: Any, clr: ClrType, path: tuple[str | int, ...], limits: Constraints
    ) -> Any:
        match clr:
            case NullableType(inner=inner):
                return self.walk(value, inner, path, limits)
            case ArrayType(item=item):
                if not isinstance(value, list) or isinstance(value, JsonObject):
                    self._fail("json.type", f"an array ({display_name(clr)})", _kind(value), path)
                    return None
                return [self.walk(v, item, (*path, i), Constraints()) for i, v in enumerate(value)]
            case ComplexRef():
                return self._complex(value, clr, path)
            case PrimitiveType(primitive=primitive):
                return self._scalar(value, primitive, path, limits)
        return None  # DictionaryType: no contract of this kit uses one

    def _complex(self, value: Any, ref: ComplexRef, path: tuple[str | int, ...]) -> Any:
        if not isinstance(value, JsonObject):
            self._fail("json.type", f"an object ({ref.name})", _kind(value), path)
            return None
        members = self._catalog[ref].members
        names = [m.name for m in members]
        present: dict[str, Any] = {}
        for key, item in value:
            if key in present:
                self._fail(
                    "json.member-unknown",
                    f"one {key!r} member",
                    f"a second {key!r} member",
                    (*path, key),
                )
            present.setdefault(key, item)
        by_folded = {k.lower(): k for k in present if k not in names}
        result: dict[str, Any] = {}
        clean = True
        for member in members:
            key = member.name if member.name in present else by_folded.pop(member.name.lower(), "")
            if not key:
                self._fail(
                    "json.member-missing",
                    f"member {member.name!r}",
                    "no such member",
                    (*path, member.name),
                )
                clean = False
                continue
            if key != member.name:
                self._fail(
                    "json.member-case", f"member {member.name!r}", f"member {key!r}", (*path, key)
                )
                clean = False
            result[member.name] = self.walk(
                present[key], member.type, (*path, key), member.constraints
            )
        for key in by_folded.values():
            self._fail(
                "json.member-unknown", f"only the members {names}", f"member {key!r}", (*path, key)
            )
            clean = False
        order = [key for key, _ in value]
        if clean and order != names and len(order) == len(names):
            self._fail("json.member-order", f"declaration order {names}", f"order {order}", path)
        return result

    def _scalar(
        self, value: Any, primitive: Primitive, path: tuple[str | int, ...], limits: Constraints
    ) -> Any:
        if primitive in INTEGER_RANGES:
            return self._integer(value, primitive, path, limits)
        if primitive is Primitive.OBJECT:
            return value
        expected, ok = _json_kind(primitive, value)
        if not ok:
            self._fail("json.type", expected, _kind(value), path)
            return None
        if primitive is Primitive.GUID:
            return self._guid(value, path)
        if primitive is Primitive.DATETIME:
            return self._date(value, path)
        return value

    def _integer(
        self, value: Any, primitive: Primitive, path: tuple[str | int, ...], limits: Constraints
    ) -> Any:
        if type(value) is not int:
            self._fail("json.type", f"an integer ({primitive.value})", _kind(value), path)
            return None
        low, high = INTEGER_RANGES[primitive]
        low = max(low, int(limits.minimum)) if limits.minimum is not None else low
        high = min(high, int(limits.maximum)) if limits.maximum is not None else high
        if not low <= value <= high:
            self._fail("json.int-range", f"an integer in [{low}, {high}]", str(value), path)
        return value

    def _guid(self, value: str, path: tuple[str | int, ...]) -> Any:
        if not GUID_D_FORMAT.fullmatch(value):  # match() would let a final "\n" through
            self._fail(
                "json.guid-format",
                'a lowercase "D" GUID like "aa122594-478b-4b0a-ab1f-2fdd307930b5"',
                _short(value),
                path,
            )
            return None
        return uuid.UUID(value)

    def _date(self, value: str, path: tuple[str | int, ...]) -> Any:
        fmt = self._date_format
        shown = (
            "yyyy-MM-ddTHH:mm:ssZ"
            if fmt is JsonDateFormat.WALL_CLOCK_Z
            else "a .NET round-trip date"
        )
        if re.match(fmt.pattern, value):
            try:
                return NetDateTime.parse(value)
            except ValueError:
                pass
        self._fail("json.date-format", f"{shown} (like 2025-12-14T19:20:43Z)", _short(value), path)
        return None
