"""OpenAPI ``xml.prefix``: the prefixes DataContractSerializer writes, place by place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from contract.clr import (
    ArrayType,
    ComplexRef,
    ComplexType,
    Member,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
)
from contract.compiler.emit.openapi import build_openapi
from contract.compiler.emit.xml_prefixes import element_prefixes
from contract.compiler.generate import render_all
from contract.endpoint import EndpointContract
from contract.wire.xml_writer import compile_xml_writer
from tests.conftest import GOLDEN_DIR

REPO = Path(__file__).parents[2]
PAGES = Path(__file__).parent / "helppage" / "pages"
GOLDEN_SAMPLE = GOLDEN_DIR / "wire" / "01-helppage-sample.xml"
STRING = PrimitiveType(Primitive.STRING)
INT32 = PrimitiveType(Primitive.INT32)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema behind ``$ref``s and the non-null branch of ``anyOf``."""
    while True:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        else:
            return schema


def check_prefixes(
    document: dict[str, Any], element: etree._Element, schema: dict[str, Any], path: str
) -> list[str]:
    """Assert that every element's prefix is the one its xml object gives; return them."""
    target = _resolve(document, schema)
    xml = schema.get("xml") or target["xml"]
    local = etree.QName(element).localname
    assert xml["name"] == local, f"{path}: the document names {xml['name']!r}"
    assert element.prefix == xml.get("prefix"), (
        f"{path}: the wire writes prefix {element.prefix!r}, the document {xml.get('prefix')!r}"
    )
    found = [element.prefix] if element.prefix else []
    for index, child in enumerate(c for c in element if isinstance(c.tag, str)):
        if "properties" in target:
            child_schema = target["properties"][etree.QName(child).localname]
        else:
            child_schema = target["items"]
        found += check_prefixes(document, child, child_schema, f"{path}/{index}")
    return found


def _body_schema(document: dict[str, Any], *, request: bool) -> dict[str, Any]:
    ((_, item),) = document["paths"].items()
    ((_, operation),) = item.items()
    holder = operation["requestBody"] if request else operation["responses"]["200"]
    schema: dict[str, Any] = holder["content"]["application/xml"]["schema"]
    return schema


def test_openapi_yaml_prefixes_are_the_golden_xml_prefixes_element_by_element() -> None:
    document = yaml.safe_load((REPO / "openapi.yaml").read_text(encoding="utf-8"))
    root = etree.fromstring(GOLDEN_SAMPLE.read_bytes())
    found = check_prefixes(document, root, _body_schema(document, request=False), "")
    assert set(found) == {"d2p1"}, "the golden sample writes its items with d2p1"


def test_openapi_yaml_uses_exactly_the_prefixes_the_golden_xml_uses() -> None:
    text = (REPO / "openapi.yaml").read_text(encoding="utf-8")
    in_document = {line.split(":", 1)[1].strip() for line in text.splitlines() if "prefix:" in line}
    golden = etree.fromstring(GOLDEN_SAMPLE.read_bytes())
    on_wire = {element.prefix for element in golden.iter() if element.prefix}
    assert in_document == on_wire == {"d2p1"}


def test_openapi_documents_that_prefixes_are_not_significant() -> None:
    document = yaml.safe_load((REPO / "openapi.yaml").read_text(encoding="utf-8"))
    note = document["x-xml-prefixes"]
    assert "not significant" in note and "d{depth}p{n}" in note and "'i'" in note


def test_post_note_request_prefixes_are_the_help_page_xml_sample_prefixes() -> None:
    # The page's XML sample writes the List<string> member's items as d2p1:string.
    files = render_all(PAGES / "post-note.txt")
    document = yaml.safe_load(files["openapi.yaml"])
    sample = document["paths"]["/api/v1/billing/invoices/{invoiceId}/notes"]["post"]
    xml_text = sample["requestBody"]["content"]["application/xml"]["examples"]["helpPage"]
    root = etree.fromstring(xml_text["value"].encode())
    found = check_prefixes(document, root, _body_schema(document, request=True), "")
    assert found == ["d2p1", "d2p1"]


def _nested_contract() -> EndpointContract:
    """Two namespaces, primitive lists at three depths, a nullable, a type inside itself."""
    outer, wrapper = ComplexRef("A", "Outer"), ComplexRef("A", "Wrapper")
    inner, node = ComplexRef("B", "Inner"), ComplexRef("B", "Node")
    codes = Member("Codes", ArrayType(INT32))
    catalog = TypeCatalog(
        (
            ComplexType(
                outer,
                (
                    Member("Items", ArrayType(inner)),
                    Member("Wrap", wrapper),
                    Member("Tags", ArrayType(STRING)),
                    Member("Count", NullableType(INT32)),
                ),
            ),
            ComplexType(wrapper, (codes,)),
            ComplexType(inner, (Member("Node", node), codes)),
            ComplexType(node, (Member("Next", node), Member("Name", STRING))),
        )
    )
    return EndpointContract(
        method="GET",
        route="api/x",
        documentation="",
        response_type=outer,
        response_description="",
        catalog=catalog,
    )


def test_document_prefixes_agree_with_the_wire_writer_on_a_nested_contract() -> None:
    contract = _nested_contract()
    node = {"Next": {"Next": None, "Name": "b"}, "Name": "a"}
    inner = {"Node": node, "Codes": [1, 2]}
    value = {"Items": [inner, inner], "Wrap": {"Codes": [3]}, "Tags": ["x"], "Count": 3}
    assert contract.response_type is not None
    written = compile_xml_writer(contract.response_type, contract.catalog)(value)
    document = build_openapi(contract)
    root = etree.fromstring(written.encode())
    found = check_prefixes(document, root, _body_schema(document, request=False), "")
    assert {"d2p1", "d3p1", "d4p1"} <= set(found), found


def test_element_prefixes_gives_none_where_one_place_gets_two_prefixes() -> None:
    # Inner is an item under Items (d2p1) but, as the root of another document, unprefixed.
    contract = _nested_contract()
    inner = ComplexRef("B", "Inner")
    assert contract.response_type is not None
    alone = element_prefixes([contract.response_type], contract.catalog)
    assert alone[("type", inner)] == "d2p1"
    both = element_prefixes([contract.response_type, inner], contract.catalog)
    assert both[("type", inner)] is None
