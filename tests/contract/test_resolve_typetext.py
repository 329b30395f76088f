"""Type words and HelpPage model names: every reading, and the friendly name back."""

from __future__ import annotations

import pytest

from contract.clr import (
    ArrayType,
    ComplexRef,
    Constraints,
    DictionaryType,
    NullableType,
    Primitive,
    PrimitiveType,
)
from contract.compiler.typetext import (
    ARRAY_CLR_NAME,
    TypeTextError,
    friendly_name,
    model_name_readings,
    parse_annotations,
    parse_type_text,
    same_shape,
)

CORE = "Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects"
BILLING = "Com.Healthbridge.Hhas.Billing.Interface.ValueObjects"
INT = PrimitiveType(Primitive.INT32)
STRING = PrimitiveType(Primitive.STRING)
LIST = "System.Collections.Generic.List`1"


@pytest.mark.parametrize(
    ("word", "primitive"),
    [
        ("integer", Primitive.INT32),
        ("string", Primitive.STRING),
        ("boolean", Primitive.BOOLEAN),
        ("date", Primitive.DATETIME),
        ("globally unique identifier", Primitive.GUID),
        ("decimal number", Primitive.DECIMAL),
        ("time interval", Primitive.TIMESPAN),
        ("URI", Primitive.URI),
        ("byte", Primitive.BYTE),
        ("character", Primitive.CHAR),
    ],
)
def test_type_word_reads_as_its_clr_type(word: str, primitive: Primitive) -> None:
    assert parse_type_text(word) == [PrimitiveType(primitive)]


def test_qualified_generic_name_reads_as_envelope_of_list_only() -> None:
    name = (
        f"{CORE}.RestApiResultOfSystem.Collections.Generic.ListOf{BILLING}.InvoiceSendingStatusVo"
    )
    item = ComplexRef(BILLING, "InvoiceSendingStatusVo")
    assert model_name_readings(name) == [
        ComplexRef(CORE, "RestApiResult", (ArrayType(item, LIST),))
    ]


def test_short_generic_name_has_generic_and_plain_readings_most_generic_first() -> None:
    item = ComplexRef("", "InvoiceSendingStatusVo")
    assert model_name_readings("RestApiResultOfListOfInvoiceSendingStatusVo") == [
        ComplexRef("", "RestApiResult", (ArrayType(item, LIST),)),
        ComplexRef("", "RestApiResultOfList", (item,)),
        ComplexRef("", "RestApiResultOfListOfInvoiceSendingStatusVo"),
    ]


def test_nested_generics_with_and_separated_arguments_read_as_nested_types() -> None:
    readings = model_name_readings("PageOfDictionaryOfStringAndListOfInt32")
    assert readings[0] == ComplexRef("", "Page", (DictionaryType(STRING, ArrayType(INT, LIST)),))


def test_nullable_and_array_names_read_as_their_wrappers() -> None:
    assert model_name_readings("NullableOfInt32") == [NullableType(INT)]
    assert model_name_readings("Acme.Thing[]") == [
        ArrayType(ComplexRef("Acme", "Thing"), ARRAY_CLR_NAME)
    ]


def test_collection_and_dictionary_phrases_read_recursively() -> None:
    assert parse_type_text("Collection of Collection of integer") == [ArrayType(ArrayType(INT))]
    assert parse_type_text("Dictionary of string [key] and Collection of Acme.X [value]") == [
        DictionaryType(STRING, ArrayType(ComplexRef("Acme", "X")))
    ]


def test_type_word_unknown_is_an_error_naming_it() -> None:
    with pytest.raises(TypeTextError, match="unknown type word 'floating point'"):
        parse_type_text("floating point")


def test_name_that_is_no_type_name_is_an_error() -> None:
    with pytest.raises(TypeTextError, match=r"'Foo\.\.Bar' is not a type name"):
        model_name_readings("Foo..Bar")


def test_friendly_name_writes_helppage_style_names() -> None:
    item = ComplexRef(BILLING, "InvoiceSendingStatusVo")
    envelope = ComplexRef(CORE, "RestApiResult", (ArrayType(item),))
    assert friendly_name(envelope) == "RestApiResultOfListOfInvoiceSendingStatusVo"
    pair = ComplexRef("Acme", "Pair", (NullableType(INT), ArrayType(STRING, ARRAY_CLR_NAME)))
    assert friendly_name(pair) == "PairOfNullableOfInt32AndArrayOfString"


def test_same_shape_matches_unqualified_names_and_any_collection() -> None:
    assert same_shape(ComplexRef("", "X"), ComplexRef("Acme", "X"))
    assert same_shape(
        ArrayType(ComplexRef("Acme", "X"), ARRAY_CLR_NAME), ArrayType(ComplexRef("", "X"))
    )
    assert not same_shape(ComplexRef("Other", "X"), ComplexRef("Acme", "X"))


def test_annotations_parse_every_helppage_form() -> None:
    assert parse_annotations(
        ["Required", "Range: inclusive between 1.5 and 10", "Max length: 7", "Min length: 2"],
        where="m",
    ) == Constraints(required=True, minimum=1.5, maximum=10, min_length=2, max_length=7)
    assert parse_annotations(["Data type: EmailAddress"], where="m") == Constraints()


def test_parse_annotations_default_value_leaves_a_parameter_optional() -> None:
    # HelpPage writes "Default value is X" for a parameter with a default, never "Required".
    constraints = parse_annotations(
        ["Default value is 100", "Range: inclusive between 1 and 1000"], where="top"
    )
    assert constraints == Constraints(minimum=1, maximum=1000)
    assert not constraints.required
    with pytest.raises(TypeTextError, match="top: unknown annotation 'Defaults to 100'"):
        parse_annotations(["Defaults to 100"], where="top")
