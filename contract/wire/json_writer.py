"""Json.NET's JSON, byte for byte, as Web API's JsonMediaTypeFormatter writes it.

Compact (no whitespace), members in declaration order, every member written (null as
``null``), strings escaped as Json.NET's default ``StringEscapeHandling`` does and
non-ASCII written as raw UTF-8, ``DateTime`` in the contract's
:class:`~contract.endpoint.JsonDateFormat`. Compiled once per contract into closures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
)
from contract.endpoint import JsonDateFormat
from contract.wire._codegen import generate_member_writer
from contract.wire._scalars import json_formatter, json_string, remembered
from contract.wire._splice import Splicer
from contract.wire.values import UnsupportedTypeError

__all__ = ["compile_json_writer"]

Writer = Callable[[Any], str]


class _Compiler:
    def __init__(self, catalog: TypeCatalog, date_format: JsonDateFormat, splicer: Splicer) -> None:
        self._catalog = catalog
        self._splicer = splicer
        self._date_format = date_format
        self._generating: set[ComplexRef] = set()

    def value(self, clr_type: ClrType) -> Writer:
        """A writer for a value of ``clr_type``, null included."""
        match clr_type:
            case PrimitiveType(primitive=primitive):
                write = json_formatter(primitive, self._date_format)
                return _or_null(write, nullable=not primitive.is_value_type)
            case NullableType(inner=inner):
                return _or_null(self.value(inner), nullable=True)
            case ArrayType(item=item):
                return _or_null(self._array(item), nullable=True)
            case ComplexRef():
                return self._complex(clr_type)
            case _:
                raise UnsupportedTypeError(f"contract.wire cannot serialize {clr_type}")

    def _array(self, item: ClrType) -> Writer:
        write_item = self.value(item)
        spliced = self._splicer.write_items

        def write(value: Any) -> str:
            if type(value) is not list:
                raise TypeError("not a list")
            token = spliced(value, write_item, separator=",")
            if token is not None:
                return "[" + token + "]"
            return "[" + ",".join([write_item(element) for element in value]) + "]"

        return write

    def _complex(self, ref: ComplexRef) -> Writer:
        if ref in self._generating:
            # The type contains itself: generate this level when it is first written.
            generated: list[Writer] = []

            def write(value: Any) -> str:
                if not generated:
                    generated.append(self._complex(ref))
                return generated[0](value)

            return write
        self._generating.add(ref)
        try:
            return self._generate(ref)
        finally:
            self._generating.discard(ref)

    def _generate(self, ref: ComplexRef) -> Writer:
        complex_type = self._catalog[ref]
        constants: dict[str, Any] = {"NULL": "null", "END": "}", "EMPTY": "{}"}
        expressions: list[str] = [] if complex_type.members else ["EMPTY"]
        for index, member in enumerate(complex_type.members):
            opener = "{" if index == 0 else ","
            constants[f"P{index}"] = opener + json_string(member.name) + ":"
            expressions += [f"P{index}", self._member_expression(index, member.type, constants)]
        expressions += ["END"] if complex_type.members else []
        keys = [member.name for member in complex_type.members]
        null = None if complex_type.is_value_type else "NULL"
        positions = range(len(keys))  # JSON writes the members in declaration order
        return generate_member_writer(keys, expressions, constants, null=null, positions=positions)

    def _member_expression(self, index: int, clr_type: ClrType, constants: dict[str, Any]) -> str:
        """Source writing member ``x{index}``, using names it adds to ``constants``."""
        x = f"x{index}"
        if clr_type in (PrimitiveType(Primitive.STRING), PrimitiveType(Primitive.URI)):
            # A text written before is looked up; json_string writes the others.
            constants[f"M{index}"], constants[f"W{index}"] = remembered(json_string)
            return f"(NULL if {x} is None else (M{index}({x}) or W{index}({x})))"
        if isinstance(clr_type, PrimitiveType) and clr_type.primitive.is_value_type:
            # A scalar that cannot be null skips the null check: its formatter rejects None.
            constants[f"F{index}"] = json_formatter(clr_type.primitive, self._date_format)
        else:
            constants[f"F{index}"] = self.value(clr_type)
        return f"F{index}({x})"


def _or_null(write: Writer, *, nullable: bool) -> Writer:
    def write_or_null(value: Any) -> str:
        if value is None:
            if nullable:
                return "null"
            raise ValueError("null for a non-nullable type")
        return write(value)

    return write_or_null


def compile_json_writer(
    root_type: ClrType,
    catalog: TypeCatalog,
    date_format: JsonDateFormat,
    *,
    splicer: Splicer | None = None,
) -> Writer:
    """A function writing a value of ``root_type`` as the JSON document text.

    Large collections go to ``splicer``'s sink while it is collecting.
    """
    return _Compiler(catalog, date_format, splicer or Splicer()).value(root_type)
