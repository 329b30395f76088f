"""Generated fast readers: per complex and array type, one function that builds a
conformant node's wire values in one go, or declines.

The walker (:mod:`contract.wire.json_walk`) makes a few Python calls per value and
builds a path per member; on a 100,000-item body that is seconds. The functions
generated here, once per contract, unpack an object's members into locals, compare the
member names (exact names, exact order) as one tuple, test the cheap scalars inline
(``x.__class__ is int`` and the range, ``is str``, ``is bool``, null where allowed),
call the walker's own converters for the others (GUIDs, dates...) and build the dict.

They never describe a problem: any doubt and they return ``BAD``, and the walker walks
that node itself. So their one claim - soundness, a node they build is one the walker
builds the same from and finds no problem in - is what the tests check on generated
bodies. Member names reach the code as constants, never as source text.
"""

from __future__ import annotations

from typing import Any

from contract.clr import (
    INTEGER_RANGES,
    ArrayType,
    ClrType,
    ComplexRef,
    Constraints,
    DictionaryType,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    is_nullable,
)
from contract.wire.json_parse import JsonObject
from contract.wire.json_scalars import BAD, DateForm, integer_bounds, scalar_for
from contract.wire.json_walk import FastNode

__all__ = ["fast_nodes", "nesting_depth"]

_INLINE = {
    Primitive.BOOLEAN: "{x}.__class__ is not bool",
    Primitive.STRING: "{x}.__class__ is not str",
    Primitive.URI: "{x}.__class__ is not str",
}


class _Unsupported(Exception):
    """A type the generated code does not read (a dictionary): the walker reads it."""


def fast_nodes(catalog: TypeCatalog, root: ClrType, dates: DateForm) -> dict[ClrType, FastNode]:
    """A generated reader for every complex and array type ``root`` reaches, by type;
    empty when one of them holds a dictionary."""
    generator = _Generator(catalog, dates)
    try:
        generator.value(root, "v", Constraints())
    except _Unsupported:
        return {}
    return generator.compile()


def nesting_depth(
    catalog: TypeCatalog, clr: ClrType, seen: frozenset[ClrType] = frozenset()
) -> int | None:
    """Brackets a conformant value of ``clr`` nests at most; None when unbounded (a
    recursive type, or ``System.Object``, which holds any JSON)."""
    match clr:
        case NullableType(inner=inner):
            return nesting_depth(catalog, inner, seen)
        case ArrayType(item=item):
            inner_depth = nesting_depth(catalog, item, seen)
            return None if inner_depth is None else 1 + inner_depth
        case ComplexRef() if clr in seen:
            return None
        case ComplexRef():
            depths = [nesting_depth(catalog, m.type, seen | {clr}) for m in catalog[clr].members]
            return (
                None if None in depths else 1 + max((d for d in depths if d is not None), default=0)
            )
        case PrimitiveType(primitive=Primitive.OBJECT) | DictionaryType():
            return None
    return 0


class _Generator:
    def __init__(self, catalog: TypeCatalog, dates: DateForm) -> None:
        self._catalog = catalog
        self._dates = dates
        self._constants: dict[str, Any] = {"BAD": BAD, "JSON_OBJECT": JsonObject}
        self._names: dict[ClrType, str] = {}
        self._lines: list[str] = []

    def _constant(self, value: object) -> str:
        name = f"C{len(self._constants)}"
        self._constants[name] = value
        return name

    def value(self, clr: ClrType, x: str, limits: Constraints) -> list[str]:
        """Statements that leave the wire value of ``x`` in ``x``, or return BAD."""
        nullable = is_nullable(clr, self._catalog)
        while isinstance(clr, NullableType):
            clr = clr.inner
        match clr:
            case PrimitiveType(primitive=primitive) if primitive in INTEGER_RANGES:
                low, high = integer_bounds(primitive, limits)
                return self._test(
                    f"{x}.__class__ is not int or not {low} <= {x} <= {high}", x, nullable=nullable
                )
            case PrimitiveType(primitive=primitive) if primitive in _INLINE:
                return self._test(_INLINE[primitive].format(x=x), x, nullable=nullable)
            case PrimitiveType(primitive=primitive):
                converter = self._constant(scalar_for(primitive, limits, self._dates).convert)
                return self._convert(converter, x, nullable=nullable)
            case ArrayType() | ComplexRef():
                return self._convert(self._node(clr), x, nullable=nullable)
        raise _Unsupported(repr(clr))

    @staticmethod
    def _test(condition: str, x: str, *, nullable: bool) -> list[str]:
        if nullable:
            condition = f"{x} is not None and ({condition})"
        return [f"if {condition}:", "    return BAD"]

    @staticmethod
    def _convert(function: str, x: str, *, nullable: bool) -> list[str]:
        lines = [f"{x} = {function}({x})", f"if {x} is BAD:", "    return BAD"]
        return [f"if {x} is not None:", *(f"    {line}" for line in lines)] if nullable else lines

    def _node(self, clr: ArrayType | ComplexRef) -> str:
        """The name of the function for ``clr``, generated on first use (a recursive
        type calls itself by name)."""
        if clr in self._names:
            return self._names[clr]
        name = self._names[clr] = f"f{len(self._names)}"
        body = self._array(clr.item) if isinstance(clr, ArrayType) else self._complex(clr)
        self._lines += [f"def {name}(v):", *(f"    {line}" for line in body)]
        return name

    def _array(self, item: ClrType) -> list[str]:
        check = self.value(item, "x", Constraints())
        return [
            "if v.__class__ is not list:", "    return BAD",
            "out = []", "add = out.append",
            "for x in v:", *(f"    {line}" for line in check), "    add(x)",
            "return out",
        ]  # fmt: skip

    def _complex(self, ref: ComplexRef) -> list[str]:
        members = self._catalog[ref].members
        lines = [
            f"if v.__class__ is not JSON_OBJECT or len(v) != {len(members)}:",
            "    return BAD",
        ]
        if members:
            names = tuple(m.name for m in members)
            pairs = ", ".join(f"(k{i}, x{i})" for i in range(len(members)))
            keys = ", ".join(f"k{i}" for i in range(len(members)))
            lines += [
                f"{pairs}, = v",
                f"if ({keys},) != {self._constant(names)}:",
                "    return BAD",
            ]
        for i, member in enumerate(members):
            lines += self.value(member.type, f"x{i}", member.constraints)
        entries = ", ".join(f"{self._constant(m.name)}: x{i}" for i, m in enumerate(members))
        return [*lines, f"return {{{entries}}}"]

    def compile(self) -> dict[ClrType, FastNode]:
        """The generated functions, by the type each reads."""
        source = "\n".join(self._lines)
        exec(compile(source, "<contract.wire.json_fast generated>", "exec"), self._constants)
        return {clr: self._constants[name] for clr, name in self._names.items()}
