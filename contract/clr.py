"""The CLR side of a contract: the .NET types an action returns, as the emitters see them.

A help page names .NET types; every artifact we generate (OpenAPI, XSD, pydantic models,
serializers) is derived from this one description of them, so the artifacts cannot drift
from each other. Complex types are held in a :class:`TypeCatalog` and referred to by
:class:`ComplexRef`, which lets a type refer to itself or to types declared later.
"""

from __future__ import annotations

import enum
import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "GUID_D_PATTERN",
    "INTEGER_RANGES",
    "ArrayType",
    "ClrType",
    "ComplexRef",
    "ComplexType",
    "Constraints",
    "DictionaryType",
    "Member",
    "NullableType",
    "Primitive",
    "PrimitiveType",
    "TypeCatalog",
    "is_nullable",
    "python_attribute_name",
]


class Primitive(enum.Enum):
    """CLR types that DataContractSerializer and Json.NET write as scalars.

    The value is the CLR full name.
    """

    BOOLEAN = "System.Boolean"
    BYTE = "System.Byte"
    INT16 = "System.Int16"
    INT32 = "System.Int32"
    INT64 = "System.Int64"
    SINGLE = "System.Single"
    DOUBLE = "System.Double"
    DECIMAL = "System.Decimal"
    STRING = "System.String"
    CHAR = "System.Char"
    GUID = "System.Guid"
    DATETIME = "System.DateTime"
    DATETIMEOFFSET = "System.DateTimeOffset"
    TIMESPAN = "System.TimeSpan"
    URI = "System.Uri"
    BYTE_ARRAY = "System.Byte[]"
    OBJECT = "System.Object"

    @property
    def is_value_type(self) -> bool:
        """True for CLR structs, which can never be null (unless wrapped in Nullable<T>)."""
        return self not in _REFERENCE_PRIMITIVES


_REFERENCE_PRIMITIVES = frozenset(
    {Primitive.STRING, Primitive.URI, Primitive.BYTE_ARRAY, Primitive.OBJECT}
)

INTEGER_RANGES: dict[Primitive, tuple[int, int]] = {
    Primitive.BYTE: (0, 2**8 - 1),
    Primitive.INT16: (-(2**15), 2**15 - 1),
    Primitive.INT32: (-(2**31), 2**31 - 1),
    Primitive.INT64: (-(2**63), 2**63 - 1),
}
"""The lowest and highest value of each CLR integer type."""

GUID_D_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
"""``Guid.ToString("D")``, lowercase: how Json.NET and DataContractSerializer write a GUID."""


@dataclass(frozen=True)
class PrimitiveType:
    """A scalar CLR type."""

    primitive: Primitive


@dataclass(frozen=True)
class NullableType:
    """``Nullable<T>`` of a value type: the value may be null on the wire."""

    inner: ClrType


@dataclass(frozen=True)
class ArrayType:
    """A collection (``List<T>``, ``T[]``...): the help page's ``Collection of T``.

    ``clr_name`` is the generic type definition the action declared, kept for
    documentation; every collection has the same data contract (``ArrayOfT``).
    """

    item: ClrType
    clr_name: str = "System.Collections.Generic.List`1"


@dataclass(frozen=True)
class DictionaryType:
    """``Dictionary<K, V>``: the help page's ``Dictionary of K [key] and V [value]``."""

    key: ClrType
    value: ClrType


@dataclass(frozen=True)
class ComplexRef:
    """A reference to a class or struct in a :class:`TypeCatalog`.

    ``clr_namespace`` and ``name`` are the CLR namespace and the type's name without its
    generic arity (``RestApiResult``, not ``RestApiResult`1``); ``generic_args`` are the
    closed type arguments. ``contract_namespace`` is the data-contract namespace when the
    class sets one explicitly (``[DataContract(Namespace = "...")]``); None means the
    default, derived from ``clr_namespace``.
    """

    clr_namespace: str
    name: str
    generic_args: tuple[ClrType, ...] = ()
    contract_namespace: str | None = None

    @property
    def full_name(self) -> str:
        """The CLR full name in C#-like notation, for messages and documentation."""
        base = f"{self.clr_namespace}.{self.name}" if self.clr_namespace else self.name
        if not self.generic_args:
            return base
        return f"{base}<{', '.join(display_name(a) for a in self.generic_args)}>"


ClrType = PrimitiveType | NullableType | ArrayType | DictionaryType | ComplexRef


@dataclass(frozen=True)
class Constraints:
    """Validation annotations a help page lists under "Additional information"."""

    required: bool = False
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when the member carries no annotation at all."""
        return self == Constraints()


@dataclass(frozen=True)
class Member:
    """A data member: the wire name is the CLR property name."""

    name: str
    type: ClrType
    description: str = ""
    constraints: Constraints = field(default_factory=Constraints)


@dataclass(frozen=True)
class ComplexType:
    """A class or struct with data members, in declaration order (Json.NET's order)."""

    ref: ComplexRef
    members: tuple[Member, ...]
    description: str = ""
    is_value_type: bool = False

    def member(self, name: str) -> Member:
        """The member called ``name``; KeyError names the type when there is none."""
        for candidate in self.members:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.ref.full_name} has no member {name!r}")


class TypeCatalog:
    """Every complex type a contract uses, by reference."""

    def __init__(self, types: tuple[ComplexType, ...] = ()) -> None:
        self._types: dict[ComplexRef, ComplexType] = {}
        for complex_type in types:
            self.add(complex_type)

    def add(self, complex_type: ComplexType) -> None:
        """Register a type; a second, different definition of the same reference is an error."""
        existing = self._types.get(complex_type.ref)
        if existing is not None and existing != complex_type:
            raise ValueError(f"two different definitions of {complex_type.ref.full_name}")
        self._types[complex_type.ref] = complex_type

    def __getitem__(self, ref: ComplexRef) -> ComplexType:
        try:
            return self._types[ref]
        except KeyError:
            raise KeyError(f"the contract does not describe {ref.full_name}") from None

    def __contains__(self, ref: object) -> bool:
        return ref in self._types

    def __iter__(self) -> Iterator[ComplexType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TypeCatalog) and self._types == other._types

    def __hash__(self) -> int:
        return hash(frozenset(self._types.items()))

    def __repr__(self) -> str:
        return f"TypeCatalog({tuple(self._types.values())!r})"

    def reachable_from(self, root: ClrType) -> list[ComplexType]:
        """The complex types ``root`` uses, directly or through members, in first-use order."""
        seen: dict[ComplexRef, ComplexType] = {}
        self._visit(root, seen)
        return list(seen.values())

    def _visit(self, clr_type: ClrType, seen: dict[ComplexRef, ComplexType]) -> None:
        for ref in _complex_refs_in(clr_type):
            if ref in seen:
                continue
            complex_type = self[ref]
            seen[ref] = complex_type
            for member in complex_type.members:
                self._visit(member.type, seen)


def _complex_refs_in(clr_type: ClrType) -> Iterator[ComplexRef]:
    match clr_type:
        case ComplexRef():
            yield clr_type
        case NullableType(inner=inner):
            yield from _complex_refs_in(inner)
        case ArrayType(item=item):
            yield from _complex_refs_in(item)
        case DictionaryType(key=key, value=value):
            yield from _complex_refs_in(key)
            yield from _complex_refs_in(value)
        case PrimitiveType():
            return


def is_nullable(clr_type: ClrType, catalog: TypeCatalog) -> bool:
    """Whether a value of this type may be null: reference types and ``Nullable<T>``."""
    match clr_type:
        case PrimitiveType(primitive=primitive):
            return not primitive.is_value_type
        case NullableType():
            return True
        case ComplexRef():
            return not catalog[clr_type].is_value_type
        case ArrayType() | DictionaryType():
            return True


def display_name(clr_type: ClrType, *, full: bool = False) -> str:
    """A short C#-like name for messages: ``List<InvoiceSendingStatusVo>``, ``int?``; with
    ``full``, complex types carry their CLR namespace (``Acme.Billing.InvoiceVo``)."""
    match clr_type:
        case PrimitiveType(primitive=primitive):
            return primitive.value.removeprefix("System.")
        case NullableType(inner=inner):
            return f"{display_name(inner, full=full)}?"
        case ArrayType(item=item):
            return f"List<{display_name(item, full=full)}>"
        case DictionaryType(key=key, value=value):
            return f"Dictionary<{display_name(key, full=full)}, {display_name(value, full=full)}>"
        case ComplexRef() if full:
            return clr_type.full_name
        case ComplexRef():
            args = ", ".join(display_name(a) for a in clr_type.generic_args)
            return f"{clr_type.name}<{args}>" if args else clr_type.name


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def python_attribute_name(member_name: str) -> str:
    """The snake_case attribute a generated pydantic model uses for a wire member name.

    ``SendingAttempts`` → ``sending_attempts``, ``HRef`` → ``h_ref``; a result that is a
    Python keyword or starts with a digit gets a trailing/leading underscore.
    """
    snake = _CAMEL_BOUNDARY.sub("_", member_name).lower()
    snake = re.sub(r"\W", "_", snake)
    if snake[:1].isdigit():
        snake = f"_{snake}"
    if keyword.iskeyword(snake) or keyword.issoftkeyword(snake):
        snake = f"{snake}_"
    return snake
