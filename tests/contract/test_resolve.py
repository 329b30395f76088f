"""resolve_contract: the retry help page, variations of it, and pages it must refuse."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from contract.clr import (
    ArrayType,
    ComplexRef,
    Constraints,
    Member,
    Primitive,
    PrimitiveType,
)
from contract.compiler.helppage import (
    HelpPage,
    ModelRow,
    ModelTable,
    ResourceDescription,
    Sample,
    read_help_page,
)
from contract.compiler.resolve import ContractError, resolve_contract
from contract.endpoint import EndpointContract, JsonDateFormat
from tests.expected_contract import (
    BILLING_NS,
    CORE_NS,
    ENVELOPE,
    ITEM,
    expected_retry_contract,
)

PAGE_PATH = Path(__file__).parents[2] / "contract" / "source" / "retryallfailed.txt"
MEDIA_TYPES = ["application/json", "text/json", "application/xml", "text/xml"]


@pytest.fixture(scope="module")
def page() -> HelpPage:
    return read_help_page(PAGE_PATH)


@pytest.fixture(scope="module")
def resolved(page: HelpPage) -> EndpointContract:
    return resolve_contract(page)


def _response(page: HelpPage) -> ResourceDescription:
    assert page.response is not None
    return page.response


def _with_response(
    page: HelpPage, *, type_text: str | None = None, tables: tuple[ModelTable, ...] | None = None
) -> HelpPage:
    response = _response(page)
    changed = dataclasses.replace(
        response,
        type_text=response.type_text if type_text is None else type_text,
        tables=response.tables if tables is None else tables,
    )
    return dataclasses.replace(page, response=changed)


def _with_samples(page: HelpPage, *, json_text: str | None, xml_text: str | None) -> HelpPage:
    samples = (
        Sample(("application/json", "text/json"), json_text, 1),
        Sample(("application/xml", "text/xml"), xml_text, 2),
    )
    return dataclasses.replace(page, response_formats=samples)


def _sample(page: HelpPage, media_type: str) -> str:
    text = next(s.text for s in page.response_formats if media_type in s.media_types)
    assert text is not None
    return text


# -- the real page ----------------------------------------------------------------------------


def test_resolve_retry_page_gives_the_hand_built_contract(resolved: EndpointContract) -> None:
    assert dataclasses.replace(resolved, samples=()) == expected_retry_contract()


def test_resolve_retry_page_keeps_each_sample_under_every_media_type_of_its_group(
    resolved: EndpointContract,
) -> None:
    source = PAGE_PATH.read_text(encoding="utf-8")
    assert [media for media, _ in resolved.samples] == MEDIA_TYPES
    samples = dict(resolved.samples)
    assert samples["application/json"] == samples["text/json"]
    assert samples["application/xml"] == samples["text/xml"]
    assert samples["application/json"] in source and samples["application/xml"] in source
    assert json.loads(samples["application/json"])["ResponseMessage"] == "sample string 3"
    assert samples["application/xml"].startswith("<RestApiResultOfArrayOfInvoiceSendingStatusVo")


def test_resolve_types_without_tables_get_members_in_json_order_from_the_samples(
    resolved: EndpointContract,
) -> None:
    item = resolved.catalog[ITEM]
    assert [m.name for m in item.members][:3] == ["PracticeId", "EncounterId", "InvoiceId"]
    assert item.member("SendingTime").type == PrimitiveType(Primitive.DATETIME)
    assert item.member("SendingAttempts").type == PrimitiveType(Primitive.INT32)


def test_resolve_short_type_names_take_namespaces_from_the_xml_sample(page: HelpPage) -> None:
    response = _response(page)
    table = response.tables[0]
    rows = tuple(
        dataclasses.replace(
            row, type_text=row.type_text.replace(f"{BILLING_NS}.", "").replace(f"{CORE_NS}.", "")
        )
        for row in table.rows
    )
    assert rows[3].type_text == "Collection of InvoiceSendingStatusVo"
    short = "RestApiResultOfListOfInvoiceSendingStatusVo"
    short_page = _with_response(
        page, type_text=short, tables=(ModelTable(short, rows, table.line),)
    )
    resolved = resolve_contract(short_page)
    assert dataclasses.replace(resolved, samples=()) == expected_retry_contract()


def test_resolve_annotations_become_constraints(page: HelpPage) -> None:
    table = _response(page).tables[0]
    annotated = dataclasses.replace(
        table.rows[1],
        annotations=("Required", "Range: inclusive between 0 and 99"),
    )
    text_row = dataclasses.replace(
        table.rows[2],
        annotations=(
            "String length: inclusive between 1 and 20",
            "Matching regular expression pattern: ^a+$",
        ),
    )
    rows = (table.rows[0], annotated, text_row, *table.rows[3:])
    resolved = resolve_contract(
        _with_response(page, tables=(dataclasses.replace(table, rows=rows),))
    )
    envelope = resolved.catalog[ENVELOPE]
    assert envelope.member("ResponseCode").constraints == Constraints(
        required=True, minimum=0, maximum=99
    )
    assert envelope.member("ResponseMessage").constraints == Constraints(
        min_length=1, max_length=20, pattern="^a+$"
    )


# -- inference of scalar kinds and the date format -------------------------------------------

_NS = "http://schemas.datacontract.org/2004/07/Acme.Shop"


def _one_type_page(*, json_text: str | None, xml_text: str | None) -> HelpPage:
    """A page whose response type ``Acme.Shop.Thing`` has no table: samples only."""
    response = ResourceDescription("a thing", "Acme.Shop.Thing", (), 5)
    page = HelpPage("hand-built", "GET", "api/thing", "Gets a thing", (), None, (), response, ())
    return _with_samples(page, json_text=json_text, xml_text=xml_text)


def test_resolve_infers_every_object_generator_scalar_kind() -> None:
    json_text = json.dumps(
        {
            "Price": 4.0,
            "Ratio": 5.1,
            "Home": "http://webapihelppage6.com/",
            "Wait": "00:00:00.1234567",
            "Letter": "A",
            "Flags": [True, True],
        }
    )
    xml_text = (
        f'<Thing xmlns="{_NS}"><Flags xmlns:a="http://schemas.microsoft.com/2003/10/'
        'Serialization/Arrays"><a:boolean>true</a:boolean><a:boolean>true</a:boolean></Flags>'
        "<Home>http://webapihelppage6.com/</Home><Letter>65</Letter><Price>4</Price>"
        "<Ratio>5.1</Ratio><Wait>PT0.1234567S</Wait></Thing>"
    )
    resolved = resolve_contract(_one_type_page(json_text=json_text, xml_text=xml_text))
    thing = resolved.catalog[ComplexRef("Acme.Shop", "Thing")]
    assert [(m.name, m.type) for m in thing.members] == [
        ("Price", PrimitiveType(Primitive.DECIMAL)),
        ("Ratio", PrimitiveType(Primitive.DOUBLE)),
        ("Home", PrimitiveType(Primitive.URI)),
        ("Wait", PrimitiveType(Primitive.TIMESPAN)),
        ("Letter", PrimitiveType(Primitive.CHAR)),
        ("Flags", ArrayType(PrimitiveType(Primitive.BOOLEAN))),
    ]
    assert resolved.json_date_format is JsonDateFormat.ROUND_TRIP


def test_resolve_date_with_fraction_and_offset_in_json_is_round_trip() -> None:
    stamp = "2025-12-14T19:20:43.1992775+02:00"
    page = _one_type_page(
        json_text=json.dumps({"At": stamp}),
        xml_text=f'<Thing xmlns="{_NS}"><At>{stamp}</At></Thing>',
    )
    resolved = resolve_contract(page)
    assert resolved.json_date_format is JsonDateFormat.ROUND_TRIP
    assert resolved.catalog[ComplexRef("Acme.Shop", "Thing")].members == (
        Member("At", PrimitiveType(Primitive.DATETIME)),
    )


def test_resolve_wall_clock_z_json_against_local_xml_is_wall_clock_z() -> None:
    page = _one_type_page(
        json_text='{"At": "2025-12-14T19:20:43Z"}',
        xml_text=f'<Thing xmlns="{_NS}"><At>2025-12-14T19:20:43.5+02:00</At></Thing>',
    )
    assert resolve_contract(page).json_date_format is JsonDateFormat.WALL_CLOCK_Z


# -- errors -----------------------------------------------------------------------------------


def test_resolve_unknown_type_word_is_an_error_naming_it(page: HelpPage) -> None:
    table = _response(page).tables[0]
    rows = (dataclasses.replace(table.rows[0], type_text="quaternion"), *table.rows[1:])
    bad = _with_response(page, tables=(dataclasses.replace(table, rows=rows),))
    with pytest.raises(ContractError, match=r"unknown type word 'quaternion'"):
        resolve_contract(bad)


def test_resolve_unsigned_integer_word_is_an_error() -> None:
    row = ModelRow("Count", "", "unsigned integer", (), 3)
    response = ResourceDescription(
        "", "Acme.Shop.Thing", (ModelTable("Acme.Shop.Thing", (row,), 2),), 1
    )
    page = HelpPage("p", "GET", "api/x", "", (), None, (), response, ())
    with pytest.raises(ContractError, match="'unsigned integer' has no CLR type"):
        resolve_contract(page)


def test_resolve_generic_name_with_two_supported_readings_is_ambiguous() -> None:
    rows = (
        ModelRow("A", "", "Foo", (), 3),
        ModelRow("B", "", "Bar", (), 4),
        ModelRow("C", "", "FooAndBar", (), 5),
    )
    response = ResourceDescription(
        "", "PairOfFooAndBar", (ModelTable("PairOfFooAndBar", rows, 2),), 1
    )
    page = HelpPage("p", "GET", "api/x", "", (), None, (), response, ())
    with pytest.raises(ContractError) as raised:
        resolve_contract(page)
    message = str(raised.value)
    assert message.startswith(
        "p:2: in section 'Resource Description': the type name 'PairOfFooAndBar' is ambiguous: "
        "it can be read as"
    )
    assert (raised.value.section, raised.value.line) == ("Resource Description", 2)
    assert "Pair<Foo, Bar>" in message and "Pair<FooAndBar>" in message


def test_resolve_generic_name_reads_the_of_that_names_a_member_type() -> None:
    rows = (ModelRow("Items", "", "Collection of Acme.Thing", (), 3),)
    name = "Acme.PageOfSystem.Collections.Generic.IEnumerableOfAcme.Thing"
    response = ResourceDescription("", name, (ModelTable(name, rows, 2),), 1)
    thing = ResourceDescription("", "Acme.Thing", (ModelTable("Acme.Thing", (), 2),), 1)
    page = HelpPage("p", "GET", "api/x", "", (), None, (), response, ())
    resolved = resolve_contract(
        dataclasses.replace(
            page, response=dataclasses.replace(response, tables=(*response.tables, *thing.tables))
        )
    )
    thing_ref = ComplexRef("Acme", "Thing")
    item_list = ArrayType(thing_ref, "System.Collections.Generic.IEnumerable`1")
    assert resolved.response_type == ComplexRef("Acme", "Page", (item_list,))


def test_resolve_xml_root_that_is_not_the_data_contract_name_is_an_error(page: HelpPage) -> None:
    xml_text = _sample(page, "application/xml").replace(
        "RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm", "RestApiResultOfArrayOfX"
    )
    bad = _with_samples(page, json_text=_sample(page, "application/json"), xml_text=xml_text)
    with pytest.raises(ContractError) as raised:
        resolve_contract(bad)
    assert str(raised.value) == (
        f"{page.source}:2: in section 'Response Formats': the XML sample's root element is "
        f"{{http://schemas.datacontract.org/2004/07/{CORE_NS}}}RestApiResultOfArrayOfX "
        f"but the data contract name of {CORE_NS}.RestApiResult<List<InvoiceSendingStatusVo>> "
        f"is {{http://schemas.datacontract.org/2004/07/{CORE_NS}}}"
        "RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm"
    )


def test_resolve_datetime_member_without_samples_is_an_error() -> None:
    row = ModelRow("At", "", "date", (), 3)
    response = ResourceDescription(
        "", "Acme.Shop.Thing", (ModelTable("Acme.Shop.Thing", (row,), 2),), 1
    )
    page = HelpPage("p", "GET", "api/x", "", (), None, (), response, ())
    with pytest.raises(ContractError, match="cannot decide the JSON date format"):
        resolve_contract(page)


def test_resolve_json_and_xml_dates_with_different_wall_clocks_is_an_error() -> None:
    page = _one_type_page(
        json_text='{"At": "2025-12-14T17:20:43Z"}',
        xml_text=f'<Thing xmlns="{_NS}"><At>2025-12-14T19:20:43.5+02:00</At></Thing>',
    )
    with pytest.raises(ContractError, match="show different wall-clock times"):
        resolve_contract(page)


def test_resolve_type_without_table_or_json_sample_is_an_error(page: HelpPage) -> None:
    bad = _with_samples(page, json_text=None, xml_text=_sample(page, "application/xml"))
    with pytest.raises(ContractError, match=r"no model table for .*InvoiceSendingStatusVo"):
        resolve_contract(bad)


def test_resolve_json_member_missing_from_the_xml_sample_is_an_error(page: HelpPage) -> None:
    xml_text = _sample(page, "application/xml").replace(
        "<d2p1:Reason>sample string 4</d2p1:Reason>", ""
    )
    bad = _with_samples(page, json_text=_sample(page, "application/json"), xml_text=xml_text)
    with pytest.raises(ContractError, match="Reason: the member is in the JSON sample but not"):
        resolve_contract(bad)


def test_resolve_json_sample_members_unlike_the_table_is_an_error(page: HelpPage) -> None:
    json_text = _sample(page, "application/json").replace('"Sucess"', '"Success"')
    bad = _with_samples(page, json_text=json_text, xml_text=_sample(page, "application/xml"))
    with pytest.raises(ContractError, match="with members \\['Success'"):
        resolve_contract(bad)


def test_resolve_null_json_value_without_table_is_an_error() -> None:
    page = _one_type_page(json_text='{"Name": null}', xml_text=None)
    with pytest.raises(ContractError, match=r"Thing.Name: the JSON sample shows null"):
        resolve_contract(page)


def test_resolve_unknown_annotation_is_an_error(page: HelpPage) -> None:
    table = _response(page).tables[0]
    rows = (dataclasses.replace(table.rows[0], annotations=("Frobnicated",)), *table.rows[1:])
    bad = _with_response(page, tables=(dataclasses.replace(table, rows=rows),))
    with pytest.raises(ContractError, match="member 'Sucess': unknown annotation 'Frobnicated'"):
        resolve_contract(bad)


# -- namespaces the page does not give (rule 4's fallbacks) and located errors -------------


def _order_page(*other_rows: ModelRow, extra: tuple[ModelTable, ...] = ()) -> HelpPage:
    """GET of Acme.Shop.Order, whose Line member is an OrderLine named without a namespace."""
    rows = (ModelRow("Line", "", "OrderLine", (), 3), *other_rows)
    line_table = ModelTable("OrderLine", (ModelRow("Sku", "", "string", (), 6),), 5)
    tables = (ModelTable("Acme.Shop.Order", rows, 2), line_table, *extra)
    response = ResourceDescription("", "Acme.Shop.Order", tables, 1)
    return HelpPage("p", "GET", "api/x", "", (), None, (), response, ())


def test_resolve_unplaced_type_takes_the_one_namespace_of_the_pages_other_types() -> None:
    resolved = resolve_contract(_order_page())
    assert ComplexRef("Acme.Shop", "OrderLine") in resolved.catalog


def test_resolve_unplaced_type_takes_the_response_types_namespace_when_others_differ() -> None:
    other = ModelRow("Thing", "", "Acme.Other.Thing", (), 4)
    thing = ModelTable("Acme.Other.Thing", (ModelRow("Id", "", "integer", (), 8),), 7)
    resolved = resolve_contract(_order_page(other, extra=(thing,)))
    assert ComplexRef("Acme.Shop", "OrderLine") in resolved.catalog
    assert ComplexRef("Acme.Other", "Thing") in resolved.catalog


def test_resolve_unplaced_type_takes_the_callers_namespace_first() -> None:
    resolved = resolve_contract(_order_page(), clr_namespace="Given.Ns")
    assert ComplexRef("Given.Ns", "OrderLine") in resolved.catalog
    assert resolved.response_type == ComplexRef("Acme.Shop", "Order")


def test_resolve_unplaced_type_with_no_namespace_on_the_page_is_located_at_its_row() -> None:
    rows = (ModelRow("Line", "", "OrderLine", (), 3),)
    line_table = ModelTable("OrderLine", (ModelRow("Sku", "", "string", (), 6),), 5)
    tables = (ModelTable("Order", rows, 2), line_table)
    response = ResourceDescription("", "Order", tables, 1)
    page = HelpPage("p", "GET", "api/x", "", (), None, (), response, ())
    with pytest.raises(ContractError) as raised:
        resolve_contract(page)
    error = raised.value
    assert (error.section, error.line) == ("Resource Description", 1)
    assert str(error).startswith(
        "p:1: in section 'Resource Description': cannot tell the CLR namespace of Order"
    )
    assert "--clr-namespace" in error.reason


def test_resolve_bad_row_is_located_at_the_row() -> None:
    bad = ModelRow("Size", "", "quaternion", (), 4)
    with pytest.raises(ContractError) as raised:
        resolve_contract(_order_page(bad))
    assert (raised.value.section, raised.value.line) == ("Resource Description", 4)
    assert str(raised.value).startswith("p:4: in section 'Resource Description': unknown type")


def test_resolve_table_after_the_samples_is_located_in_the_formats_section() -> None:
    page = _order_page(ModelRow("Size", "", "quaternion", (), 40))
    samples = (Sample(("application/json", "text/json"), None, 30),)
    with pytest.raises(ContractError) as raised:
        resolve_contract(dataclasses.replace(page, response_formats=samples))
    assert (raised.value.section, raised.value.line) == ("Response Formats", 40)


def test_contract_error_without_a_place_names_only_the_source() -> None:
    error = ContractError("broken", source="page.txt")
    assert str(error) == "page.txt: broken"
    assert (error.section, error.line, error.reason) == (None, None, "broken")


def test_resolve_table_with_an_unreadable_type_name_is_located_at_the_table() -> None:
    bad = ModelTable("not a type", (ModelRow("Id", "", "integer", (), 9),), 8)
    with pytest.raises(ContractError) as raised:
        resolve_contract(_order_page(extra=(bad,)))
    assert (raised.value.section, raised.value.line) == ("Resource Description", 8)
    assert raised.value.reason == "unknown type word 'not a type'"
