"""Schemas for a contract other than the retry endpoint's: nothing is specific to it.

``Page<List<string>>`` in ``Acme.Paging`` with a ``Nullable<int>``, a
``Dictionary<string, string[]>``, a ``DateTimeOffset``, a ``List<int>`` and a generic
``Pair<int, string>`` from another namespace. The expected annotations follow .NET's
``SchemaExporter``/``DataContract`` sources: an open generic's name template always ends in
``{#}``; a collection argument is named ``ArrayOf`` + its item; dictionaries carry
``IsDictionary`` and an anonymous ``Key``/``Value`` entry; list items are nillable only when
the item type is.
"""

from __future__ import annotations

import pytest
from lxml import etree

from contract.clr import (
    ArrayType,
    ComplexRef,
    ComplexType,
    DictionaryType,
    Member,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
)
from contract.compiler.emit.xsd import XsdProfile, render_xsd_files, schema_file_name
from contract.datacontract import (
    ARRAYS_NS,
    SCHEMA_NS,
    SERIALIZATION_NS,
    XSI_NS,
    clr_namespace_uri,
    contract_name,
)
from contract.endpoint import EndpointContract
from contract.xsd_validator import xsd_schema
from tests.contract.test_xsd_shape import XS

STRING = PrimitiveType(Primitive.STRING)
INT = PrimitiveType(Primitive.INT32)
PAIR = ComplexRef("Acme.Common", "Pair", (INT, STRING))
PAGE = ComplexRef("Acme.Paging", "Page", (ArrayType(STRING),))
HEADERS = DictionaryType(STRING, ArrayType(STRING, clr_name="System.String[]"))
SER = f"{{{SERIALIZATION_NS}}}"


def page_contract() -> EndpointContract:
    catalog = TypeCatalog(
        (
            ComplexType(
                PAGE,
                (
                    Member("Items", ArrayType(STRING)),
                    Member("Total", NullableType(INT)),
                    Member("Headers", HEADERS),
                    Member("Stamp", PrimitiveType(Primitive.DATETIMEOFFSET)),
                    Member("Sizes", ArrayType(INT)),
                    Member("Pair", PAIR),
                ),
            ),
            ComplexType(PAIR, (Member("First", INT), Member("Second", STRING))),
        )
    )
    return EndpointContract(
        method="GET",
        route="api/pages",
        documentation="",
        response_type=PAGE,
        response_description="",
        catalog=catalog,
    )


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return render_xsd_files(page_contract())


def _schema_tree(files: dict[str, bytes], profile: XsdProfile, namespace: str) -> etree._Element:
    return etree.fromstring(files[f"{profile.value}/{schema_file_name(namespace)}"])


def _complex_type(schema: etree._Element, name: str) -> etree._Element:
    found = schema.find(f"{XS}complexType[@name='{name}']")
    assert found is not None, f"no complex type {name} in {schema.get('targetNamespace')}"
    return found


def instance(*, total: str | None = "3", with_total: bool = True) -> etree._Element:
    """A response document written the way DataContractSerializer writes one."""
    page = contract_name(PAGE)
    pair = contract_name(PAIR)
    entry = contract_name(HEADERS).name.removeprefix("ArrayOf")
    system = clr_namespace_uri("System")
    total_xml = (
        ""
        if not with_total
        else "<Total i:nil='true'/>"
        if total is None
        else f"<Total>{total}</Total>"
    )
    text = f"""<{page.name} xmlns="{page.namespace}" xmlns:i="{XSI_NS}">
      <Headers xmlns:a="{ARRAYS_NS}"><a:{entry}><a:Key>Accept</a:Key>
        <a:Value><a:string>text/xml</a:string><a:string i:nil="true"/></a:Value></a:{entry}>
        <a:{entry}><a:Key>Empty</a:Key><a:Value i:nil="true"/></a:{entry}></Headers>
      <Items xmlns:a="{ARRAYS_NS}"><a:string>one</a:string><a:string i:nil="true"/></Items>
      <Pair xmlns:b="{pair.namespace}"><b:First>1</b:First><b:Second i:nil="true"/></Pair>
      <Sizes xmlns:a="{ARRAYS_NS}"><a:int>1</a:int><a:int>2</a:int></Sizes>
      <Stamp xmlns:s="{system}"><s:DateTime>2020-01-01T10:00:00Z</s:DateTime>
        <s:OffsetMinutes>120</s:OffsetMinutes></Stamp>
      {total_xml}
    </{page.name}>"""
    return etree.fromstring(text.encode("utf-8"))


def _errors(schema: etree.XMLSchema, document: etree._Element) -> str:
    schema.validate(document)
    return str(schema.error_log)


def test_general_contract_renders_a_file_per_namespace(files: dict[str, bytes]) -> None:
    namespaces = [
        contract_name(PAGE).namespace,
        contract_name(PAIR).namespace,
        ARRAYS_NS,
        clr_namespace_uri("System"),
        SERIALIZATION_NS,
    ]
    expected = {f"{p.value}/{schema_file_name(ns)}" for p in XsdProfile for ns in namespaces}
    assert set(files) == expected | {"response.xsd"}
    assert "exporter/arrays.xsd" in files


@pytest.mark.parametrize("total", ["3", None])
def test_instance_document_is_valid_for_both_profiles(
    files: dict[str, bytes], total: str | None
) -> None:
    document = instance(total=total)
    wire = xsd_schema(files)
    exporter = xsd_schema(
        files, entry=f"exporter/{schema_file_name(contract_name(PAGE).namespace)}"
    )
    assert wire.validate(document), _errors(wire, document)
    assert exporter.validate(document), _errors(exporter, document)


def test_instance_without_the_nullable_member_fails_wire_only(files: dict[str, bytes]) -> None:
    document = instance(with_total=False)
    exporter = xsd_schema(
        files, entry=f"exporter/{schema_file_name(contract_name(PAGE).namespace)}"
    )
    assert not xsd_schema(files).validate(document), "wire accepted a page without Total"
    assert exporter.validate(document), _errors(exporter, document)


def test_instance_with_nil_int_in_a_list_of_int_fails(files: dict[str, bytes]) -> None:
    document = instance()
    size = document.find(f"{{{contract_name(PAGE).namespace}}}Sizes")
    assert size is not None
    size[0].text = None
    size[0].set(f"{{{XSI_NS}}}nil", "true")
    assert not xsd_schema(files).validate(document), "wire accepted a nil int item"


def test_nullable_int_member_is_a_nillable_xs_int(files: dict[str, bytes]) -> None:
    page = _schema_tree(files, XsdProfile.EXPORTER, contract_name(PAGE).namespace)
    total = _complex_type(page, contract_name(PAGE).name).find(
        f"{XS}sequence/{XS}element[@name='Total']"
    )
    assert total is not None
    assert (total.get("type"), total.get("nillable"), total.get("minOccurs")) == (
        "xs:int",
        "true",
        "0",
    )


def test_generic_annotation_names_the_open_type_and_its_arguments(files: dict[str, bytes]) -> None:
    page = _schema_tree(files, XsdProfile.EXPORTER, contract_name(PAGE).namespace)
    generic = _complex_type(page, contract_name(PAGE).name).find(
        f"{XS}annotation/{XS}appinfo/{SER}GenericType"
    )
    assert generic is not None
    assert (generic.get("Name"), generic.get("Namespace")) == (
        "PageOf{0}{#}",
        clr_namespace_uri("Acme.Paging"),
    )
    parameters = [(p.get("Name"), p.get("Namespace")) for p in generic]
    assert parameters == [("ArrayOfstring", ARRAYS_NS)]


def test_generic_of_built_in_arguments_keeps_the_digest_placeholder(
    files: dict[str, bytes],
) -> None:
    """``Pair<int, string>`` has no digest in its name, yet its template still ends in {#}."""
    assert contract_name(PAIR).name == "PairOfintstring"
    common = _schema_tree(files, XsdProfile.EXPORTER, contract_name(PAIR).namespace)
    generic = _complex_type(common, "PairOfintstring").find(
        f"{XS}annotation/{XS}appinfo/{SER}GenericType"
    )
    assert generic is not None
    assert generic.get("Name") == "PairOf{0}{1}{#}"
    assert [(p.get("Name"), p.get("Namespace")) for p in generic] == [
        ("int", SCHEMA_NS),
        ("string", SCHEMA_NS),
    ]


def test_dictionary_is_an_annotated_list_of_anonymous_key_value_entries(
    files: dict[str, bytes],
) -> None:
    arrays = _schema_tree(files, XsdProfile.EXPORTER, ARRAYS_NS)
    dictionary = _complex_type(arrays, contract_name(HEADERS).name)
    flag = dictionary.find(f"{XS}annotation/{XS}appinfo/{SER}IsDictionary")
    assert flag is not None and flag.text == "true"
    entry = dictionary.find(f"{XS}sequence/{XS}element")
    assert entry is not None
    assert entry.get("name") == contract_name(HEADERS).name.removeprefix("ArrayOf")
    assert (entry.get("minOccurs"), entry.get("maxOccurs"), entry.get("nillable")) == (
        "0",
        "unbounded",
        None,
    )
    members = [
        (m.get("name"), m.get("type"), m.get("nillable"), m.get("minOccurs"))
        for m in entry.iterfind(f"{XS}complexType/{XS}sequence/{XS}element")
    ]
    assert members == [
        ("Key", "xs:string", "true", None),
        ("Value", "tns:ArrayOfstring", "true", None),
    ]


def test_lists_of_primitives_live_in_the_arrays_namespace(files: dict[str, bytes]) -> None:
    arrays = _schema_tree(files, XsdProfile.EXPORTER, ARRAYS_NS)
    items = {
        name: _complex_type(arrays, name).find(f"{XS}sequence/{XS}element")
        for name in ("ArrayOfstring", "ArrayOfint")
    }
    string_item, int_item = items["ArrayOfstring"], items["ArrayOfint"]
    assert string_item is not None and int_item is not None
    assert (string_item.get("name"), string_item.get("nillable")) == ("string", "true")
    assert (int_item.get("name"), int_item.get("nillable")) == ("int", None)


def test_datetimeoffset_is_the_system_value_type(files: dict[str, bytes]) -> None:
    system = _schema_tree(files, XsdProfile.EXPORTER, clr_namespace_uri("System"))
    offset = _complex_type(system, "DateTimeOffset")
    flag = offset.find(f"{XS}annotation/{XS}appinfo/{SER}IsValueType")
    assert flag is not None and flag.text == "true"
    members = [
        (m.get("name"), m.get("type"), m.get("minOccurs")) for m in offset.iter(f"{XS}element")
    ]
    assert members == [("DateTime", "xs:dateTime", None), ("OffsetMinutes", "xs:short", None)]


def test_wire_root_of_a_primitive_response_is_the_serialization_element() -> None:
    contract = EndpointContract(
        method="GET",
        route="api/count",
        documentation="",
        response_type=INT,
        response_description="",
        catalog=TypeCatalog(),
    )
    files = render_xsd_files(contract)
    document = etree.fromstring(f'<int xmlns="{SERIALIZATION_NS}">5</int>'.encode())
    assert xsd_schema(files).validate(document)
    wrong = etree.fromstring(f'<string xmlns="{SERIALIZATION_NS}">5</string>'.encode())
    assert not xsd_schema(files).validate(wrong), "wire accepted a string root for an int"


def test_clashing_file_names_are_refused() -> None:
    upper = ComplexRef("Acme", "A")
    lower = ComplexRef("acme", "B")
    root = ComplexRef("Acme", "Root")
    catalog = TypeCatalog(
        (
            ComplexType(root, (Member("A", upper), Member("B", lower))),
            ComplexType(upper, ()),
            ComplexType(lower, ()),
        )
    )
    contract = EndpointContract("GET", "x", "", root, "", catalog)
    with pytest.raises(ValueError, match="same schema file"):
        render_xsd_files(contract)


def test_unknown_complex_type_is_reported_by_name() -> None:
    contract = EndpointContract("GET", "x", "", ComplexRef("Acme", "Missing"), "", TypeCatalog())
    with pytest.raises(KeyError, match=r"Acme\.Missing"):
        render_xsd_files(contract)
