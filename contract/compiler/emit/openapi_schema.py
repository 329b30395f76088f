"""JSON Schema (OpenAPI 3.1 dialect) for CLR types, as Json.NET and DataContractSerializer
write them; :mod:`contract.compiler.emit.openapi` assembles these into the document.

* Every member is ``required`` and no other is allowed: Json.NET writes every member.
* Null is allowed exactly where .NET allows it: reference types and ``Nullable<T>``
  (``type: [X, "null"]``, or ``anyOf`` with ``{type: "null"}`` beside a ``$ref``).
* Integers carry their CLR range; ``Guid`` its lowercase ``D`` pattern; ``DateTime`` the
  service's :class:`~contract.endpoint.JsonDateFormat` pattern and never ``format:
  date-time`` (neither format is RFC 3339 in meaning: see :mod:`contract.compiler.emit.openapi`).
* OpenAPI ``xml`` objects name every element DataContractSerializer writes, with the
  ``prefix`` it writes there (:mod:`contract.compiler.emit.xml_prefixes`) when that is not the
  default namespace; a collection's items are in the collection's namespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from contract.clr import (
    GUID_D_PATTERN,
    INTEGER_RANGES,
    ArrayType,
    ClrType,
    ComplexRef,
    ComplexType,
    Constraints,
    DictionaryType,
    Member,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    display_name,
    is_nullable,
)
from contract.compiler.emit.xml_prefixes import Site, element_prefixes
from contract.datacontract import QName, contract_name, root_element_name, xml_member_order
from contract.endpoint import EndpointContract, JsonDateFormat

__all__ = ["SCHEMAS_POINTER", "SchemaBuilder", "constraint_keywords"]

SCHEMAS_POINTER = "#/components/schemas/"
_COMPONENT_NAME = re.compile(r"[A-Za-z0-9._-]+")

_GUID_PATTERN = f"^{GUID_D_PATTERN}$"
_TIMESPAN_PATTERN = r"^-?(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{1,7})?$"


def _integer(fmt: str, primitive: Primitive) -> dict[str, Any]:
    low, high = INTEGER_RANGES[primitive]
    return {"type": "integer", "format": fmt, "minimum": low, "maximum": high}


# Json.NET's JSON form of each scalar (DateTime apart: it depends on the service).
_PRIMITIVE_SCHEMAS: dict[Primitive, dict[str, Any]] = {
    Primitive.BOOLEAN: {"type": "boolean"},
    Primitive.BYTE: _integer("uint8", Primitive.BYTE),
    Primitive.INT16: _integer("int16", Primitive.INT16),
    Primitive.INT32: _integer("int32", Primitive.INT32),
    Primitive.INT64: _integer("int64", Primitive.INT64),
    Primitive.SINGLE: {"type": "number", "format": "float"},
    Primitive.DOUBLE: {"type": "number", "format": "double"},
    Primitive.DECIMAL: {"type": "number", "format": "decimal"},
    Primitive.STRING: {"type": "string"},
    Primitive.CHAR: {"type": "string", "minLength": 1, "maxLength": 1},
    Primitive.GUID: {"type": "string", "format": "uuid", "pattern": _GUID_PATTERN},
    Primitive.TIMESPAN: {"type": "string", "pattern": _TIMESPAN_PATTERN},
    Primitive.URI: {"type": "string", "format": "uri-reference"},
    Primitive.BYTE_ARRAY: {"type": "string", "contentEncoding": "base64"},
    Primitive.OBJECT: {},
}

_DATE_FORMAT_NOTES = {
    JsonDateFormat.WALL_CLOCK_Z: (
        "JSON: yyyy-MM-ddTHH:mm:ssZ, the service's local wall-clock time with no fraction "
        "and a literal Z that does NOT mean UTC (hence no `format: date-time`). "
    ),
    JsonDateFormat.ROUND_TRIP: (
        "JSON: Json.NET's round-trip form, up to 7 fraction digits, Z for UTC, an offset "
        "for local time and none for unspecified kind (hence no `format: date-time`). "
    ),
}
_XML_DATE_NOTES = {
    Primitive.DATETIME: "XML: xs:dateTime with up to 7 fraction digits and the kind's offset.",
    Primitive.DATETIMEOFFSET: "XML: the DateTimeOffset data contract (DateTime, OffsetMinutes).",
}


class SchemaBuilder:
    """JSON Schemas for the CLR types of one contract, and the components they need.

    Component names are data-contract names; ``reserved_names`` are taken by components
    the caller adds (``HttpError``), so a contract type named like one is an error.
    """

    def __init__(
        self, contract: EndpointContract, *, reserved_names: frozenset[str] = frozenset()
    ) -> None:
        self._catalog: TypeCatalog = contract.catalog
        self._date_format = contract.json_date_format
        roots = [p.type for p in contract.parameters]
        if contract.response_type is not None:
            roots.insert(0, contract.response_type)
        self._types = _reachable(self._catalog, roots)
        self._names = _component_names(self._types, reserved_names)
        self._prefixes = element_prefixes(roots, self._catalog)

    def components(self) -> dict[str, Any]:
        """A schema for every complex type the contract uses, in first-use order."""
        return {self._names[t.ref]: self._complex_schema(t) for t in self._types}

    def type_schema(
        self, clr_type: ClrType, *, allow_null: bool = True, site: Site | None = None
    ) -> dict[str, Any]:
        """The JSON schema of a value of ``clr_type``, null allowed where .NET allows it
        (unless ``allow_null`` is false: a URI parameter is absent, never null); ``site``
        is where the value's element is in the XML document, if it is in one.
        """
        schema = self._non_null_schema(clr_type, site)
        nullable = allow_null and is_nullable(clr_type, self._catalog)
        return _or_null(schema) if nullable else schema

    def root_schema(self, clr_type: ClrType) -> dict[str, Any]:
        """The schema of a whole body: complex types by reference, others inline with
        the XML root element's name.

        DataContractSerializer writes a primitive (an XSD or Serialization-namespace
        type) as a root element in the Serialization namespace: ``<int xmlns=".../
        Serialization/">``.
        """
        if isinstance(clr_type, ComplexRef):
            return {"$ref": self.ref(clr_type)}
        site = ("root", clr_type)
        xml = self._xml_object(root_element_name(clr_type), clr_type, site)
        return {**self.type_schema(clr_type, site=site), "xml": xml}

    def ref(self, ref: ComplexRef) -> str:
        """The ``$ref`` to the component schema of a complex type."""
        return SCHEMAS_POINTER + self._names[ref]

    def _non_null_schema(self, clr_type: ClrType, site: Site | None) -> dict[str, Any]:
        match clr_type:
            case PrimitiveType(primitive=primitive):
                return self._primitive_schema(primitive)
            case NullableType(inner=inner):
                return self._non_null_schema(inner, site)
            case ArrayType(item=item):
                # DataContractSerializer writes the items in the collection's namespace.
                item_name = QName(contract_name(item).name, contract_name(clr_type).namespace)
                item_site = None if site is None else (*site, "items")
                item_xml = {"xml": self._xml_object(item_name, item, item_site)}
                items = self.type_schema(item, site=item_site)
                return {"type": "array", "items": {**items, **item_xml}}
            case DictionaryType(value=value):
                # Json.NET writes a dictionary as an object keyed by each key's string form.
                return {"type": "object", "additionalProperties": self.type_schema(value)}
            case ComplexRef():
                return {"$ref": self.ref(clr_type)}

    def _primitive_schema(self, primitive: Primitive) -> dict[str, Any]:
        if primitive in (Primitive.DATETIME, Primitive.DATETIMEOFFSET):
            return {
                "type": "string",
                "pattern": self._date_format.pattern,
                "description": _DATE_FORMAT_NOTES[self._date_format] + _XML_DATE_NOTES[primitive],
                "x-json-date-format": self._date_format.value,
            }
        return dict(_PRIMITIVE_SCHEMAS[primitive])

    def _complex_schema(self, complex_type: ComplexType) -> dict[str, Any]:
        name = contract_name(complex_type.ref)
        properties = {
            m.name: self._property_schema(m, complex_type.ref) for m in complex_type.members
        }
        return {
            "description": _complex_description(complex_type, name),
            "x-clr-type": complex_type.ref.full_name,
            "type": "object",
            "required": [m.name for m in complex_type.members],
            "properties": properties,
            "additionalProperties": False,
            "xml": self._xml_object(name, complex_type.ref, ("type", complex_type.ref)),
            "x-xml-member-order": [m.name for m in xml_member_order(complex_type)],
        }

    def _property_schema(self, member: Member, declaring: ComplexRef) -> dict[str, Any]:
        site = ("member", declaring, member.name)
        type_schema = self.type_schema(member.type, site=site)
        notes = [member.description, type_schema.pop("description", "")]
        schema: dict[str, Any] = {}
        if any(notes):
            schema["description"] = " ".join(note for note in notes if note)
        schema.update(type_schema)
        schema.update(constraint_keywords(member.constraints))
        schema["x-clr-type"] = display_name(member.type)
        # The member element lives in the declaring type's namespace, whatever its type's.
        element = QName(member.name, contract_name(declaring).namespace)
        schema["xml"] = self._xml_object(element, member.type, site)
        schema["x-xml-type"] = contract_name(member.type).clark()
        return schema

    def _xml_object(self, name: QName, clr_type: ClrType, site: Site | None) -> dict[str, Any]:
        """Name, namespace, the serializer's prefix (none for the default namespace or
        where it varies) and ``wrapped`` for a collection."""
        xml: dict[str, Any] = {"name": name.name, "namespace": name.namespace}
        prefix = None if site is None else self._prefixes.get(site)
        if prefix:
            xml["prefix"] = prefix
        if isinstance(clr_type, ArrayType):
            xml["wrapped"] = True
        return xml


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null: a ``type`` list where there is one (3.1 style), else ``anyOf``."""
    if not schema:
        return schema  # System.Object: anything, null included
    if "type" in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def constraint_keywords(constraints: Constraints) -> dict[str, Any]:
    """The JSON Schema keywords of a help page's annotations (``Required`` is separate)."""
    keywords: dict[str, Any] = {
        "minimum": constraints.minimum,
        "maximum": constraints.maximum,
        "minLength": constraints.min_length,
        "maxLength": constraints.max_length,
    }
    if constraints.pattern is not None:
        # RegularExpressionAttribute accepts only a match of the whole value; JSON Schema's
        # pattern searches, so anchor it.
        keywords["pattern"] = f"^(?:{constraints.pattern})$"
    return {key: value for key, value in keywords.items() if value is not None}


def _complex_description(complex_type: ComplexType, name: QName) -> str:
    lead = f"{complex_type.description} " if complex_type.description else ""
    return (
        f"{lead}Data contract {name.name} in {name.namespace}. Every member is always "
        "written: JSON in declaration order (the order of properties) with null as null; "
        'XML in ordinal name order (x-xml-member-order) with null as i:nil="true".'
    )


def _reachable(catalog: TypeCatalog, roots: Iterable[ClrType]) -> list[ComplexType]:
    seen: dict[ComplexRef, ComplexType] = {}
    for root in roots:
        for complex_type in catalog.reachable_from(root):
            seen.setdefault(complex_type.ref, complex_type)
    return list(seen.values())


def _component_names(
    types: list[ComplexType], reserved_names: frozenset[str]
) -> dict[ComplexRef, str]:
    """Component names are data-contract names; two types sharing one are an error."""
    names: dict[ComplexRef, str] = {}
    owners = {name: f"the document's own {name}" for name in sorted(reserved_names)}
    for complex_type in types:
        name = contract_name(complex_type.ref).name
        if not _COMPONENT_NAME.fullmatch(name):
            raise ValueError(f"data contract name {name!r} cannot name an OpenAPI component")
        if name in owners:
            raise ValueError(
                f"{complex_type.ref.full_name} and {owners[name]} share the data contract "
                f"name {name!r}; OpenAPI component names must be unique"
            )
        owners[name] = complex_type.ref.full_name
        names[complex_type.ref] = name
    return names
