"""The data contracts XsdDataContractExporter exports for a type, before any XML is written.

The rules follow ``SchemaExporter`` and ``DataContractSet`` in .NET's
System.Runtime.Serialization: contracts are exported in the order the set first reaches
them (the root type, then each member's type depth-first in XML member order); built-in
XSD types are not exported; ``DateTimeOffset`` is (a struct in the System namespace).
:mod:`contract.compiler.emit.xsd` writes these as schema documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    DictionaryType,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    is_nullable,
)
from contract.datacontract import (
    ARRAYS_NS,
    SCHEMA_NS,
    QName,
    collection_name,
    contract_name,
    xml_member_order,
)

__all__ = ["ContractSet", "GenericInfo", "Particle", "TypeDef"]


@dataclass(frozen=True)
class Particle:
    """An ``xs:element`` inside a sequence.

    ``optional`` marks a data member (``minOccurs="0"`` in the exporter profile);
    ``repeated`` a collection item (``minOccurs="0" maxOccurs="unbounded"`` always);
    ``inline`` the members of an anonymous complex type (a dictionary entry).
    """

    name: str
    type: QName | None
    nillable: bool
    optional: bool = False
    repeated: bool = False
    inline: tuple[Particle, ...] = ()


@dataclass(frozen=True)
class GenericInfo:
    """The exporter's ``GenericType``/``GenericParameter`` annotation of a generic type."""

    name: str
    namespace: str
    parameters: tuple[GenericInfo, ...] = ()


@dataclass(frozen=True)
class TypeDef:
    """One exported data contract: a named complex type and its annotations."""

    name: QName
    particles: tuple[Particle, ...]
    generic: GenericInfo | None = None
    is_dictionary: bool = False
    is_value_type: bool = False


# DateTimeOffset is the one primitive the exporter writes as a complex type, a struct in the
# System namespace with two required members.
_DATETIMEOFFSET = TypeDef(
    contract_name(PrimitiveType(Primitive.DATETIMEOFFSET)),
    (
        Particle("DateTime", QName("dateTime", SCHEMA_NS), nillable=False),
        Particle("OffsetMinutes", QName("short", SCHEMA_NS), nillable=False),
    ),
    is_value_type=True,
)


def _generic_template(clr_type: ClrType) -> tuple[QName, tuple[ClrType, ...]] | None:
    """The open generic definition's name (``NameOf{0}{1}{#}``) and the arguments."""
    match clr_type:
        case ComplexRef(name=name, generic_args=args) if args:
            namespace = contract_name(clr_type).namespace
        case DictionaryType(key=key, value=value):
            name, namespace, args = "KeyValue", ARRAYS_NS, (key, value)
        case _:
            return None
    # An open generic's default name always ends in {#}, digest or not (GetDefaultStableLocalName).
    placeholders = "".join(f"{{{index}}}" for index in range(len(args)))
    return QName(f"{name}Of{placeholders}{{#}}", namespace), args


def _generic_info(clr_type: ClrType) -> GenericInfo:
    """``ExportGenericInfo``: collections are unwrapped to their item, counted as ArrayOf."""
    levels = 0
    while isinstance(clr_type, ArrayType | NullableType):
        # Nullable<T> names as T, as in contract_name.
        levels += isinstance(clr_type, ArrayType)
        clr_type = clr_type.item if isinstance(clr_type, ArrayType) else clr_type.inner
    levels += isinstance(clr_type, DictionaryType)  # a dictionary is a collection of KeyValue
    template = _generic_template(clr_type)
    parameters: tuple[GenericInfo, ...] = ()
    if template is None:
        name = contract_name(clr_type)
    else:
        name, parameters = template[0], tuple(_generic_info(arg) for arg in template[1])
    for _ in range(levels):
        name = collection_name(name)
    return GenericInfo(name.name, name.namespace, parameters)


class ContractSet:
    """The data contracts the exporter exports for a root type, in ``DataContractSet`` order."""

    def __init__(self, catalog: TypeCatalog) -> None:
        self._catalog = catalog
        self.types: dict[QName, TypeDef] = {}

    def add(self, clr_type: ClrType) -> None:
        """Add ``clr_type``'s contract, then the contracts it uses (built-ins are not exported)."""
        match clr_type:
            case PrimitiveType(primitive=Primitive.DATETIMEOFFSET):
                self.types.setdefault(_DATETIMEOFFSET.name, _DATETIMEOFFSET)
            case PrimitiveType():
                return
            case NullableType(inner=inner):
                self.add(inner)
            case ArrayType(item=item):
                if self._insert(clr_type):
                    self.add(item)
            case DictionaryType(key=key, value=value):
                if self._insert(clr_type):
                    self.add(key)
                    self.add(value)
            case ComplexRef():
                if self._insert(clr_type):
                    for member in xml_member_order(self._catalog[clr_type]):
                        self.add(member.type)

    def _insert(self, clr_type: ArrayType | DictionaryType | ComplexRef) -> bool:
        # Inserted before its members are visited, so recursive types terminate.
        name = contract_name(clr_type)
        if name in self.types:
            return False
        self.types[name] = self._define(clr_type, name)
        return True

    def _define(self, clr_type: ArrayType | DictionaryType | ComplexRef, name: QName) -> TypeDef:
        match clr_type:
            case ArrayType(item=item):
                particle = Particle(
                    contract_name(item).name,
                    contract_name(item),
                    nillable=is_nullable(item, self._catalog),
                    repeated=True,
                )
                return TypeDef(name, (particle,))
            case DictionaryType(key=key, value=value):
                entry = Particle(
                    name.name.removeprefix("ArrayOf"),
                    None,
                    nillable=False,
                    repeated=True,
                    inline=(self._plain("Key", key), self._plain("Value", value)),
                )
                return TypeDef(name, (entry,), is_dictionary=True)
            case ComplexRef():
                return self._define_class(clr_type, name)

    def _plain(self, member_name: str, clr_type: ClrType) -> Particle:
        return Particle(member_name, contract_name(clr_type), is_nullable(clr_type, self._catalog))

    def _define_class(self, ref: ComplexRef, name: QName) -> TypeDef:
        complex_type = self._catalog[ref]
        particles = tuple(
            Particle(
                member.name,
                contract_name(member.type),
                nillable=is_nullable(member.type, self._catalog),
                optional=True,
            )
            for member in xml_member_order(complex_type)
        )
        generic = _generic_info(ref) if ref.generic_args else None
        return TypeDef(name, particles, generic=generic, is_value_type=complex_type.is_value_type)
