"""SchemaBuilder: the JSON Schema and XML naming of CLR types beyond the retry endpoint's."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from contract.clr import (
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
)
from contract.compiler.emit.openapi_schema import SchemaBuilder, constraint_keywords
from contract.endpoint import EndpointContract, JsonDateFormat

POINT = ComplexRef("Acme.Geometry", "Point")
CATALOG = TypeCatalog(
    (
        ComplexType(
            POINT,
            (Member("X", PrimitiveType(Primitive.INT32)),),
            is_value_type=True,
        ),
    )
)
ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
SERIALIZATION_NS = "http://schemas.microsoft.com/2003/10/Serialization/"


def builder(*, date_format: JsonDateFormat = JsonDateFormat.ROUND_TRIP) -> SchemaBuilder:
    contract = EndpointContract(
        method="GET",
        route="api/points",
        documentation="",
        response_type=POINT,
        response_description="",
        catalog=CATALOG,
        json_date_format=date_format,
    )
    return SchemaBuilder(contract)


def accepts(schema: dict[str, Any], value: Any) -> bool:
    return Draft202012Validator(schema).is_valid(value)


@pytest.mark.parametrize(
    ("clr_type", "valid", "invalid"),
    [
        (PrimitiveType(Primitive.INT64), 2**63 - 1, 2**63),
        (PrimitiveType(Primitive.BYTE), 255, -1),
        (PrimitiveType(Primitive.INT16), -(2**15), 2**15),
        (NullableType(PrimitiveType(Primitive.INT32)), None, "1"),
        (PrimitiveType(Primitive.DECIMAL), 1.25, "1.25"),
        (PrimitiveType(Primitive.CHAR), "a", "ab"),
        (PrimitiveType(Primitive.STRING), None, 1),
        (PrimitiveType(Primitive.TIMESPAN), "1.02:03:04.5", "P1D"),
        (ArrayType(PrimitiveType(Primitive.STRING)), ["a", None], [1]),
        (
            DictionaryType(PrimitiveType(Primitive.STRING), PrimitiveType(Primitive.INT32)),
            {"a": 1},
            {"a": None},
        ),
    ],
    ids=repr,
)
def test_type_schema_accepts_the_json_net_form_and_rejects_others(
    clr_type: ClrType, valid: Any, invalid: Any
) -> None:
    schema = builder().type_schema(clr_type)
    assert accepts(schema, valid)
    assert not accepts(schema, invalid)


def test_type_schema_value_type_struct_is_not_nullable_but_its_nullable_is() -> None:
    schemas = builder()
    assert schemas.type_schema(POINT) == {"$ref": "#/components/schemas/Point"}
    nullable = schemas.type_schema(NullableType(POINT))
    assert nullable == {"anyOf": [{"$ref": "#/components/schemas/Point"}, {"type": "null"}]}


def test_type_schema_uri_parameter_form_never_allows_null() -> None:
    schema = builder().type_schema(PrimitiveType(Primitive.STRING), allow_null=False)
    assert not accepts(schema, None)


@pytest.mark.parametrize(
    ("date_format", "valid", "invalid"),
    [
        (JsonDateFormat.WALL_CLOCK_Z, "2025-12-14T19:20:43Z", "2025-12-14T19:20:43.5Z"),
        (JsonDateFormat.ROUND_TRIP, "2025-12-14T19:20:43.1992775+02:00", "2025-12-14 19:20"),
    ],
)
def test_type_schema_datetime_follows_the_contracts_date_format(
    date_format: JsonDateFormat, valid: str, invalid: str
) -> None:
    schema = builder(date_format=date_format).type_schema(PrimitiveType(Primitive.DATETIME))
    assert "format" not in schema
    assert schema["x-json-date-format"] == date_format.value
    assert accepts(schema, valid) and not accepts(schema, invalid)


def test_type_schema_collection_items_are_named_in_the_collections_namespace() -> None:
    # DataContractSerializer writes List<int> as <ArrayOfint xmlns=".../Arrays"><int>, and a
    # help page shows List<string> members as <Tags xmlns:d2p1=".../Arrays"><d2p1:string>.
    schema = builder().type_schema(ArrayType(PrimitiveType(Primitive.INT32)))
    assert schema["items"]["xml"] == {
        "name": "int",
        "namespace": "http://schemas.microsoft.com/2003/10/Serialization/Arrays",
    }


@pytest.mark.parametrize(
    ("clr_type", "name", "namespace"),
    [
        (PrimitiveType(Primitive.STRING), "string", SERIALIZATION_NS),
        (PrimitiveType(Primitive.GUID), "guid", SERIALIZATION_NS),
        (ArrayType(PrimitiveType(Primitive.STRING)), "ArrayOfstring", ARRAYS_NS),
        (
            PrimitiveType(Primitive.DATETIMEOFFSET),
            "DateTimeOffset",
            "http://schemas.datacontract.org/2004/07/System",
        ),
    ],
)
def test_root_schema_names_the_root_element_datacontractserializer_writes(
    clr_type: ClrType, name: str, namespace: str
) -> None:
    assert builder().root_schema(clr_type)["xml"]["name"] == name
    assert builder().root_schema(clr_type)["xml"]["namespace"] == namespace


def test_components_struct_members_required_and_xml_in_its_namespace() -> None:
    (point,) = builder().components().values()
    assert point["required"] == ["X"]
    assert point["properties"]["X"]["xml"] == {
        "name": "X",
        "namespace": "http://schemas.datacontract.org/2004/07/Acme.Geometry",
    }


def test_constraint_keywords_maps_every_annotation_and_anchors_the_pattern() -> None:
    constraints = Constraints(
        required=True, minimum=1, maximum=9, min_length=2, max_length=4, pattern="a|b"
    )
    assert constraint_keywords(constraints) == {
        "minimum": 1,
        "maximum": 9,
        "minLength": 2,
        "maxLength": 4,
        "pattern": "^(?:a|b)$",
    }
    assert constraint_keywords(Constraints(required=True)) == {}
