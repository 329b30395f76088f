"""The OpenAPI document against the wire: golden bodies, the help page's samples, the XSDs."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contract.compiler.emit.openapi import build_openapi, render_openapi
from contract.datacontract import contract_name
from contract.endpoint import EndpointContract
from contract.wire.charrefs import mark_forbidden_references
from tests.conftest import GOLDEN_DIR, golden_cases

HELP_PAGE = Path(__file__).parents[2] / "contract" / "source" / "retryallfailed.txt"
DOCUMENT_URI = "urn:test:openapi"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
XS = "http://www.w3.org/2001/XMLSchema"
_SAMPLE_HEADING = re.compile(r"^([\w.+-]+/[\w.+-]+(?:, [\w.+-]+/[\w.+-]+)*)\nSample:\n", re.M)


def help_page_samples() -> tuple[tuple[str, str], ...]:
    """(media type, sample text) for each media type the help page's Response Formats name."""
    formats = HELP_PAGE.read_text(encoding="utf-8").split("Response Formats\n", 1)[1]
    parts = _SAMPLE_HEADING.split(formats)
    return tuple(
        (media_type, body.strip())
        for heading, body in zip(parts[1::2], parts[2::2], strict=True)
        for media_type in heading.split(", ")
    )


def escape_pointer(token: str) -> str:
    """A JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def response_validator(
    document: dict[str, Any], *, media_type: str = "application/json"
) -> Draft202012Validator:
    """A Draft 2020-12 validator for the 200 body of the document's one operation."""
    ((path, item),) = document["paths"].items()
    ((method, _),) = item.items()
    tokens = [path, method, "responses", "200", "content", media_type, "schema"]
    pointer = "/paths/" + "/".join(escape_pointer(token) for token in tokens)
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry)


@pytest.fixture(scope="module")
def retry_validator(retry_contract: EndpointContract) -> Draft202012Validator:
    return response_validator(build_openapi(retry_contract))


def error_messages(validator: Draft202012Validator, body: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(body)]


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_openapi_200_schema_accepts_golden_json_body(
    retry_validator: Draft202012Validator, case: Any
) -> None:
    assert error_messages(retry_validator, json.loads(case.json_bytes)) == []


@pytest.mark.parametrize("media_type", ["application/json", "text/json"])
def test_openapi_200_schema_accepts_help_page_json_sample(
    retry_contract: EndpointContract, media_type: str
) -> None:
    validator = response_validator(build_openapi(retry_contract), media_type=media_type)
    sample = dict(help_page_samples())[media_type]
    assert error_messages(validator, json.loads(sample)) == []


def item_member(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(body: dict[str, Any]) -> None:
        body["Data"][0][name] = value

    return mutate


def envelope_member(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(body: dict[str, Any]) -> None:
        body[name] = value

    return mutate


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "missing envelope member": lambda body: body.pop("ResponseCode"),
    "missing item member": lambda body: body["Data"][0].pop("SendingType"),
    "extra envelope member": envelope_member("Extra", 1),
    "extra link member": lambda body: body["Links"][0].update(Title="x"),
    "wrong-case name": lambda body: body.update(sucess=body.pop("Sucess")),
    "uppercase guid": item_member("PracticeId", "AA122594-478B-4B0A-AB1F-2FDD307930B5"),
    "guid in braces": item_member("InvoiceId", "{81409f7b-0b26-4f1b-aaa0-271b171c8c04}"),
    "guid without dashes": item_member("EncounterId", "d1d59b72742f44fd818a1ad4958da0fc"),
    "date with fraction and offset": item_member(
        "SendingTime", "2025-12-14T19:20:43.1992775+02:00"
    ),
    "date with fraction": item_member("SendingTime", "2025-12-14T19:20:43.1992775Z"),
    "date with offset": item_member("SendingTime", "2025-12-14T19:20:43+02:00"),
    "date without kind": item_member("SendingTime", "2025-12-14T19:20:43"),
    "int above int32": item_member("SendingAttempts", 2**31),
    "int below int32": envelope_member("ResponseCode", -(2**31) - 1),
    "fractional int": envelope_member("ResponseCode", 1.5),
    "null int": item_member("SendingAttempts", None),
    "null bool": envelope_member("Sucess", None),
    "null guid": item_member("PracticeId", None),
    "null date": item_member("SendingTime", None),
    "string for bool": envelope_member("Sucess", "true"),
    "object for string": envelope_member("ResponseMessage", {}),
    "object for list": envelope_member("Links", {}),
}


@pytest.mark.parametrize("mutation", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_openapi_200_schema_rejects_mutated_golden_body(
    retry_validator: Draft202012Validator, mutation: Callable[[dict[str, Any]], None]
) -> None:
    body = copy.deepcopy(json.loads(golden_cases()[0].json_bytes))
    assert retry_validator.is_valid(body), "the unmutated body must pass"
    mutation(body)
    assert not retry_validator.is_valid(body)


def test_openapi_200_schema_accepts_nulls_of_reference_types(
    retry_validator: Draft202012Validator,
) -> None:
    body = json.loads(golden_cases()[0].json_bytes)
    body["Data"][0]["Reason"] = None
    body["Data"].append(None)  # List<T> of a class may hold null: Json.NET writes null
    body["Links"] = None
    assert error_messages(retry_validator, body) == []


def test_openapi_examples_are_the_help_page_samples(retry_contract: EndpointContract) -> None:
    samples = help_page_samples()
    assert {media_type for media_type, _ in samples} == set(retry_contract.response_media_types)
    document = build_openapi(dataclasses.replace(retry_contract, samples=samples))
    ((_, item),) = document["paths"].items()
    content = item["post"]["responses"]["200"]["content"]
    for media_type, sample in samples:
        example = content[media_type]["examples"]["helpPage"]["value"]
        expected = json.loads(sample) if "json" in media_type else sample
        assert example == expected, media_type
    json_example = content["application/json"]["examples"]["helpPage"]["value"]
    assert error_messages(response_validator(document), json_example) == []


def components(contract: EndpointContract) -> dict[str, Any]:
    schemas: dict[str, Any] = build_openapi(contract)["components"]["schemas"]
    return schemas


def test_openapi_schema_xml_names_are_the_datacontract_names(
    retry_contract: EndpointContract,
) -> None:
    schemas = components(retry_contract)
    for complex_type in retry_contract.catalog:
        name = contract_name(complex_type.ref)
        xml = schemas[name.name]["xml"]
        assert (xml["name"], xml["namespace"]) == (name.name, name.namespace)


def test_openapi_envelope_xml_name_is_the_root_of_the_help_page_xml_sample(
    retry_contract: EndpointContract,
) -> None:
    schemas = components(retry_contract)
    root = etree.fromstring(dict(help_page_samples())["application/xml"].encode())
    qname = etree.QName(root)
    assert schemas[qname.localname]["xml"] == {
        "name": qname.localname,
        "namespace": qname.namespace,
    }


def resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    """The component a property or item schema refers to (directly or beside null), if any."""
    for candidate in [schema, *schema.get("anyOf", [])]:
        if "$ref" in candidate:
            resolved: dict[str, Any] = schemas[candidate["$ref"].rsplit("/", 1)[1]]
            return resolved
    return None


def clark(xml: dict[str, Any]) -> str:
    return f"{{{xml['namespace']}}}{xml['name']}"


def check_element(element: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Assert that a DataContractSerializer element has the shape the schema's xml describes."""
    children = list(element)
    names = [etree.QName(child).localname for child in children]
    assert names == schema["x-xml-member-order"], element.getroottree().getpath(element)
    for child in children:
        prop = schema["properties"][etree.QName(child).localname]
        assert child.tag == clark(prop["xml"])
        if child.get(XSI_NIL) == "true":
            continue
        if prop["xml"].get("wrapped"):
            for item in child:
                assert item.tag == clark(prop["items"]["xml"])
                component = resolve(prop["items"], schemas)
                if component is not None and item.get(XSI_NIL) != "true":
                    check_element(item, component, schemas)
        elif (component := resolve(prop, schemas)) is not None:
            check_element(child, component, schemas)


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_openapi_xml_objects_describe_golden_xml(
    retry_contract: EndpointContract, case: Any
) -> None:
    schemas = components(retry_contract)
    # Case 11 holds the service's references to forbidden characters: marked, lxml reads it.
    root = etree.fromstring(mark_forbidden_references(case.xml_bytes).body)
    envelope = schemas[etree.QName(root).localname]
    assert root.tag == clark(envelope["xml"])
    check_element(root, envelope, schemas)


def golden_xsd_types() -> dict[str, Any]:
    """Every named complexType of the exporter's XSDs, by Clark name."""
    types = {}
    for path in sorted((GOLDEN_DIR / "xsd").glob("*.xsd")):
        schema = etree.parse(str(path)).getroot()
        target = schema.get("targetNamespace")
        for complex_type in schema.iterfind(f"{{{XS}}}complexType"):
            types[f"{{{target}}}{complex_type.get('name')}"] = complex_type
    return types


def test_openapi_components_match_golden_xsd_types(retry_contract: EndpointContract) -> None:
    xsd_types = golden_xsd_types()
    for name, schema in components(retry_contract).items():
        if name == "HttpError":
            continue
        complex_type = xsd_types[clark(schema["xml"])]
        elements = complex_type.findall(f"{{{XS}}}sequence/{{{XS}}}element")
        assert [e.get("name") for e in elements] == schema["x-xml-member-order"], name
        for element in elements:
            prefix, _, local = element.get("type").rpartition(":")
            xsd_type = f"{{{element.nsmap[prefix or None]}}}{local}"
            assert schema["properties"][element.get("name")]["x-xml-type"] == xsd_type


def test_render_openapi_with_samples_loads_back_and_keeps_the_xml_sample_readable(
    retry_contract: EndpointContract,
) -> None:
    contract = dataclasses.replace(retry_contract, samples=help_page_samples())
    text = render_openapi(contract)
    assert yaml.safe_load(text) == build_openapi(contract)
    assert "value: |-\n" in text, "multi-line samples are literal blocks"
