"""Fast acceptance of response bodies: "this body breaks no rule", decided in bulk.

The precise walkers (:mod:`conformance.json_body`, :mod:`conformance.xml_body`) make a
handful of Python calls and build a UUID or date object per value, which is too slow
for 100,000-item responses. This module generates, once per contract, one function per
complex and array type that only answers yes or no: exact member names in exact order,
``type(v) is int`` and range, precompiled ``fullmatch`` regexes for GUIDs and dates,
nulls where the type allows them - no object construction.

The rule it implements is soundness: an acceptor says yes only for a body the precise
walker finds no failure in. Every check here is the walker's check or stricter; when in
doubt (a comment between elements, ``i:nil="false"``, an unusual but valid lexical form,
a type this module does not handle) it says no, and the caller runs the precise walker,
which then produces the exact failures - or none.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, cast

from lxml import etree

from contract.clr import (
    GUID_D_PATTERN,
    ArrayType,
    ClrType,
    ComplexRef,
    Constraints,
    NullableType,
    Primitive,
    PrimitiveType,
    is_nullable,
)
from contract.datacontract import XSI_NS, contract_name, xml_member_order
from contract.endpoint import EndpointContract, JsonDateFormat
from contract.netdatetime import NetDateTime
from contract.wire.values import INTEGER_RANGES

__all__ = ["ROUND_TRIP_PATTERN", "JsonAcceptor", "XmlAcceptor", "json_acceptor", "xml_acceptor"]

JsonAcceptor = Callable[[bytes], bool]
XmlAcceptor = Callable[[etree._Element], bool]

_GUID = re.compile(GUID_D_PATTERN).fullmatch
# Calendar dates every parser accepts: days 29-31 only in months that always have them,
# 29 February only in Gregorian leap years (divisible by 4; centuries only by 400),
# year 0001-9999, times within the day.
_DATE = (
    r"(?!0000)[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
)
_LEAP = r"(?:0[48]|[2468][048]|[13579][26])"
_LEAP_DAY = rf"(?:[0-9]{{2}}{_LEAP}|{_LEAP}00)-02-29"
_DAY = rf"(?:{_DATE}|{_LEAP_DAY})T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
_ZONE = r"(?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)"
ROUND_TRIP_PATTERN = _DAY + r"(?:\.[0-9]{1,7})?" + _ZONE + "?"
"""A .NET round-trip date and time :meth:`NetDateTime.parse` always accepts (a subset)."""
_WALL_CLOCK_Z = re.compile(_DAY + "Z").fullmatch
_ROUND_TRIP = re.compile(ROUND_TRIP_PATTERN).fullmatch
_JSON_DATES = {JsonDateFormat.WALL_CLOCK_Z: _WALL_CLOCK_Z, JsonDateFormat.ROUND_TRIP: _ROUND_TRIP}
_NEVER = re.compile(r"(?!)").fullmatch  # a format without a fast form: the exact check only
# At most 20 digits: int() of a longer string may raise (Python's digit limit).
_XML_INT = re.compile(r"-?[0-9]{1,20}").fullmatch
_XML_BOOLEANS = frozenset({"true", "false", "1", "0"})
_NIL = f"{{{XSI_NS}}}nil"
# Counted in C: every attribute whose local name is nil must be xsi:nil.
_NIL_NAMES = etree.XPath("count(//@*[local-name() = 'nil'])")
_NILLED = etree.XPath("//@*[local-name() = 'nil']/..")
_XSI_NILS = etree.XPath("count(//@xsi:nil)", namespaces={"xsi": XSI_NS})
_FLOATS = frozenset({Primitive.DOUBLE, Primitive.SINGLE, Primitive.DECIMAL})
# Written as a JSON string / XML text and read back without a lexical check by the walkers.
_PLAIN_TEXT = frozenset(Primitive) - {Primitive.BOOLEAN, Primitive.GUID, Primitive.DATETIME}
_PLAIN_TEXT -= _FLOATS | set(INTEGER_RANGES) | {Primitive.OBJECT}


def _clark(namespace: str, local: str) -> str:
    # lxml's tag form; an element in no namespace has no braces.
    return f"{{{namespace}}}{local}" if namespace else local


class _Unsupported(Exception):
    """The contract has a type the generated code does not check: always fall back."""


def _json_date_exact(pattern: str) -> Callable[[str], bool]:
    # The walker's own rule, for the rare value the fast regex leaves open (29 February).
    def exact(text: str) -> bool:
        if not re.match(pattern, text):
            return False
        try:
            NetDateTime.parse(text)
        except ValueError:
            return False
        return True

    return exact


def _xml_date_exact(text: str | None) -> bool:
    try:
        NetDateTime.parse((text or "").strip(" \t\r\n"))
    except ValueError:
        return False
    return True


class _Generator:
    """Emits one function per complex/array type; expressions test a named variable."""

    def __init__(self, contract: EndpointContract, constants: dict[str, Any]) -> None:
        self.catalog = contract.catalog
        self.constants = constants
        self.functions: dict[object, str] = {}
        self.lines: list[str] = []
        self._visiting: set[object] = set()
        self._count = 0

    def constant(self, value: object) -> str:
        name = f"C{len(self.constants)}"
        self.constants[name] = value
        return name

    def function(self, key: object, emit: Callable[[str], list[str]]) -> str:
        """The name of the generated function for ``key``; recursive types are refused
        (their nesting is unbounded, which the depth rule cares about)."""
        if key in self.functions:
            return self.functions[key]
        if key in self._visiting:
            raise _Unsupported("recursive type")
        self._visiting.add(key)
        self._count += 1
        name = f"f{self._count}"
        body = emit(name)
        self._visiting.discard(key)
        self.functions[key] = name
        self.lines += body
        return name

    def compile(self, entry: str) -> Callable[..., bool]:
        source = "\n".join(self.lines)
        exec(compile(source, "<conformance.fastcheck generated>", "exec"), self.constants)
        function: Callable[..., bool] = self.constants[entry]
        return function


class _JsonGenerator(_Generator):
    """Objects arrive as tuples of (key, value) pairs (``object_pairs_hook=tuple``), so
    duplicate keys stay visible; arrays as lists."""

    def __init__(self, contract: EndpointContract) -> None:
        super().__init__(contract, {})
        self.date_format = contract.json_date_format

    def value(self, clr: ClrType, var: str, limits: Constraints) -> str:
        inner = self._non_null(clr, var, limits)
        return f"({var} is None or {inner})" if is_nullable(clr, self.catalog) else inner

    def _non_null(self, clr: ClrType, var: str, limits: Constraints) -> str:
        match clr:
            case NullableType(inner=inner):
                return self._non_null(inner, var, limits)
            case ArrayType(item=item):
                return f"({var}.__class__ is list and {self.array(item)}({var}))"
            case ComplexRef():
                return f"{self.complex(clr)}({var})"
            case PrimitiveType(primitive=primitive):
                return self._scalar(primitive, var, limits)
        raise _Unsupported(f"type {clr!r}")

    def _scalar(self, primitive: Primitive, var: str, limits: Constraints) -> str:
        if primitive in INTEGER_RANGES:
            low, high = INTEGER_RANGES[primitive]
            low = max(low, int(limits.minimum)) if limits.minimum is not None else low
            high = min(high, int(limits.maximum)) if limits.maximum is not None else high
            return f"({var}.__class__ is int and {low} <= {var} <= {high})"
        if primitive is Primitive.BOOLEAN:
            return f"({var}.__class__ is bool)"
        if primitive in _FLOATS:
            return f"({var}.__class__ is int or {var}.__class__ is float)"
        if primitive is Primitive.GUID:
            return f"({var}.__class__ is str and {self.constant(_GUID)}({var}) is not None)"
        if primitive is Primitive.DATETIME:
            fast = self.constant(_JSON_DATES.get(self.date_format, _NEVER))
            exact = self.constant(_json_date_exact(self.date_format.pattern))
            return f"({var}.__class__ is str and ({fast}({var}) is not None or {exact}({var})))"
        if primitive in _PLAIN_TEXT:
            return f"({var}.__class__ is str)"
        raise _Unsupported(primitive.value)  # System.Object: any JSON, unbounded depth

    def array(self, item: ClrType) -> str:
        def emit(name: str) -> list[str]:
            check = self.value(item, "e", Constraints())
            return [f"def {name}(v):", "    for e in v:", f"        if not {check}:",
                    "            return False", "    return True"]  # fmt: skip

        return self.function(("array", item), emit)

    def complex(self, ref: ComplexRef) -> str:
        def emit(name: str) -> list[str]:
            members = self.catalog[ref].members
            keys = tuple(m.name for m in members)
            pairs = ", ".join(f"(k{i}, x{i})" for i in range(len(keys)))
            checks = [self.value(m.type, f"x{i}", m.constraints) for i, m in enumerate(members)]
            names = ", ".join(f"k{i}" for i in range(len(keys)))
            return [
                f"def {name}(v):",
                f"    if v.__class__ is not tuple or len(v) != {len(keys)}:",
                "        return False",
                *([f"    {pairs}, = v", f"    if ({names},) != {self.constant(keys)}:",
                   "        return False"] if keys else []),
                "    return " + " and ".join(["True", *checks]),
            ]  # fmt: skip

        return self.function(("complex", ref), emit)


def _json_depth(clr: ClrType, contract: EndpointContract) -> int:
    """Brackets a conformant value of ``clr`` nests at most (recursion was refused)."""
    match clr:
        case NullableType(inner=inner):
            return _json_depth(inner, contract)
        case ArrayType(item=item):
            return 1 + _json_depth(item, contract)
        case ComplexRef():
            members = contract.catalog[clr].members
            return 1 + max((_json_depth(m.type, contract) for m in members), default=0)
    return 0


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    # A 100,000-item body is a million acyclic objects: the cyclic collector would run
    # over them again and again while they are built, for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_CACHE: dict[tuple[str, int, int], tuple[EndpointContract, Any]] = {}


def _cached(kind: str, contract: EndpointContract, depth: int, build: Callable[[], Any]) -> Any:
    # Generated once per contract object (a run has one); kept with the contract itself
    # so a recycled id() can never return another contract's functions.
    key = (kind, id(contract), depth)
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not contract:
        hit = _CACHE[key] = (contract, build())
    return hit[1]


def json_acceptor(contract: EndpointContract, *, max_depth: int) -> JsonAcceptor | None:
    """A function that says True only for a JSON body with no ``json.*`` failure under
    ``contract`` (read with ``max_depth``), or None when this contract cannot be checked
    fast. Generated once per contract."""
    acceptor: JsonAcceptor | None = _cached(
        "json", contract, max_depth, lambda: _json_acceptor(contract, max_depth)
    )
    return acceptor


def _json_acceptor(contract: EndpointContract, max_depth: int) -> JsonAcceptor | None:
    if contract.response_type is None:
        return None
    generator = _JsonGenerator(contract)
    try:
        root = generator.value(contract.response_type, "v", Constraints())
    except _Unsupported:
        return None
    # A conformant body nests no deeper than its type: the walker's depth rule holds.
    if _json_depth(contract.response_type, contract) > max_depth:
        return None
    generator.lines += ["def accept(v):", f"    return {root}"]
    check = generator.compile("accept")

    def accept(body: bytes) -> bool:
        with _collector_paused():
            return _parse_and_check(body)

    def _parse_and_check(body: bytes) -> bool:
        try:
            # Strict UTF-8 as the walker decodes (json.loads(bytes) would guess UTF-16).
            document = json.loads(
                body.decode("utf-8"), object_pairs_hook=tuple, parse_constant=_refuse
            )
        except (ValueError, RecursionError):
            return False
        return bool(check(document))

    return accept


class _XmlGenerator(_Generator):
    """Elements are checked by exact child tag lists (``{namespace}local``): comments,
    processing instructions and attributes other than a lone ``i:nil="true"`` are
    left to the precise walker."""

    def __init__(self, contract: EndpointContract) -> None:
        super().__init__(contract, {"NIL": _NIL})

    def value(self, clr: ClrType, var: str) -> str:
        # Only an attribute named nil matters to the walker. ``accept`` has made sure
        # every such attribute is xsi:nil and collected its elements in ``N`` (a set
        # lookup is far cheaper than ``get`` per element).
        inner = self._content(clr, var)
        if is_nullable(clr, self.catalog):
            nil = f"({var}.get(NIL) == 'true' and len({var}) == 0 and {var}.text is None)"
            return f"(({inner}) if {var} not in N else {nil})"
        return f"({var} not in N and {inner})"

    def _content(self, clr: ClrType, var: str) -> str:
        match clr:
            case NullableType(inner=inner):
                return self._content(inner, var)
            case ArrayType(item=item):
                return f"{self.array(item)}({var}, N)"
            case ComplexRef():
                return f"{self.complex(clr)}({var}, N)"
            case PrimitiveType(primitive=primitive):
                return f"(len({var}) == 0 and {self._text(primitive, f'{var}.text')})"
        raise _Unsupported(f"type {clr!r}")

    def _text(self, primitive: Primitive, text: str) -> str:
        if primitive in INTEGER_RANGES:
            low, high = INTEGER_RANGES[primitive]
            return (
                f"((t := {text}) is not None and {self.constant(_XML_INT)}(t) is not None"
                f" and {low} <= int(t) <= {high})"
            )
        if primitive is Primitive.BOOLEAN:
            return f"({text} in {self.constant(_XML_BOOLEANS)})"
        if primitive is Primitive.GUID:
            return f"({self.constant(_GUID)}({text} or '') is not None)"
        if primitive is Primitive.DATETIME:
            fast, exact = self.constant(_ROUND_TRIP), self.constant(_xml_date_exact)
            return f"((t := {text}) is not None and ({fast}(t) is not None or {exact}(t)))"
        return "True"  # text of any other scalar is read as it is

    def array(self, item: ClrType) -> str:
        def emit(name: str) -> list[str]:
            tag = self.constant(_clark(contract_name(item).namespace, contract_name(item).name))
            check = self.value(item, "e")
            return [f"def {name}(v, N):", "    for e in v:",
                    f"        if e.tag != {tag} or not {check}:",
                    "            return False", "    return True"]  # fmt: skip

        return self.function(("array", item), emit)

    def complex(self, ref: ComplexRef) -> str:
        def emit(name: str) -> list[str]:
            namespace = contract_name(ref).namespace
            members = xml_member_order(self.catalog[ref])
            tags = [_clark(namespace, m.name) for m in members]
            checks = [self.value(m.type, f"x{i}") for i, m in enumerate(members)]
            names = ", ".join(f"x{i}" for i in range(len(members)))
            read = ", ".join(f"x{i}.tag" for i in range(len(members)))
            return [
                f"def {name}(v, N):",
                f"    if len(v) != {len(members)}:",
                "        return False",
                *([f"    {names}, = v", f"    if ({read},) != {self.constant(tuple(tags))}:",
                   "        return False"] if members else []),
                "    return " + " and ".join(["True", *checks]),
            ]  # fmt: skip

        return self.function(("complex", ref), emit)


def xml_acceptor(contract: EndpointContract) -> XmlAcceptor | None:
    """A function that says True only for a parsed root element the precise walker finds
    no ``xml.*`` failure in (the XSD is the caller's separate step), or None when this
    contract cannot be checked fast. Generated once per contract."""
    acceptor: XmlAcceptor | None = _cached("xml", contract, 0, lambda: _xml_acceptor(contract))
    return acceptor


def _xml_acceptor(contract: EndpointContract) -> XmlAcceptor | None:
    if contract.response_type is None:
        return None
    generator = _XmlGenerator(contract)
    try:
        root = generator.value(contract.response_type, "v")
    except _Unsupported:
        return None
    name = contract_name(contract.response_type)
    tag = generator.constant(_clark(name.namespace, name.name))
    generator.lines += ["def check(v, N):", f"    return v.tag == {tag} and {root}"]
    check = generator.compile("check")

    def accept(root: etree._Element) -> bool:
        if _NIL_NAMES(root) != _XSI_NILS(root):
            return False
        # The list keeps the proxies alive, so lxml hands out these same objects below.
        nils = cast(list[etree._Element], _NILLED(root))
        with _collector_paused():
            return bool(check(root, set(nils)))

    return accept
