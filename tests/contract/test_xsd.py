"""The retry endpoint's schemas: equal to .NET's exporter, and strict about the wire."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

import contract
from contract.compiler.emit.xsd import XsdProfile, render_xsd_files, schema_file_name
from contract.datacontract import XSI_NS, clr_namespace_uri, contract_name
from contract.endpoint import EndpointContract
from contract.wire.charrefs import mark_forbidden_references
from contract.xsd_validator import ENTRY_SCHEMA, xsd_schema
from tests.conftest import golden_cases
from tests.contract.test_xsd_shape import (
    GOLDEN_XSD,
    XS,
    assert_same_schemas,
    golden_trees,
    shapes_by_namespace,
)

CONTRACT_DIR = Path(contract.__file__).parent
GOLDEN_XML = {case.name: case.xml_bytes for case in golden_cases()}
SAMPLE = GOLDEN_XML["01-helppage-sample"]


@pytest.fixture(scope="module")
def xsd_files(retry_contract: EndpointContract) -> dict[str, bytes]:
    return render_xsd_files(retry_contract)


@pytest.fixture(scope="module")
def wire_schema(xsd_files: dict[str, bytes]) -> etree.XMLSchema:
    return xsd_schema(xsd_files)


@pytest.fixture(scope="module")
def exporter_schema(
    xsd_files: dict[str, bytes], retry_contract: EndpointContract
) -> etree.XMLSchema:
    assert retry_contract.response_type is not None
    root_file = schema_file_name(contract_name(retry_contract.response_type).namespace)
    return xsd_schema(xsd_files, entry=f"{XsdProfile.EXPORTER.value}/{root_file}")


def _profile_trees(files: dict[str, bytes], profile: XsdProfile) -> list[etree._Element]:
    prefix = f"{profile.value}/"
    return [etree.fromstring(data) for path, data in files.items() if path.startswith(prefix)]


def _errors(schema: etree.XMLSchema, document: etree._Element) -> str:
    schema.validate(document)
    return str(schema.error_log)


def helppage_xml_sample() -> bytes:
    """The help page's XML sample: after ``application/xml, text/xml`` and ``Sample:``."""
    text = (CONTRACT_DIR / "source" / "retryallfailed.txt").read_text(encoding="utf-8")
    after = text.split("application/xml, text/xml", 1)[1].split("Sample:", 1)[1]
    start = after.index("<")
    root = re.match(r"<([\w:.]+)", after[start:])
    assert root is not None, "the XML sample does not start with an element"
    closing = f"</{root.group(1)}>"
    return after[start : after.index(closing, start) + len(closing)].encode("utf-8")


def _local(document: etree._Element, local_name: str) -> etree._Element:
    """The first element under ``document`` with this local name."""
    for element in document.iter():
        if etree.QName(element).localname == local_name:
            return element
    raise AssertionError(f"no {local_name} element in the document")


# 1. The exporter profile is what .NET exports.


def test_exporter_profile_has_the_shape_of_dotnet_exporter_output(
    xsd_files: dict[str, bytes],
) -> None:
    actual = shapes_by_namespace(_profile_trees(xsd_files, XsdProfile.EXPORTER))
    assert_same_schemas(actual, shapes_by_namespace(golden_trees()))


def test_wire_profile_differs_from_exporter_only_in_members_and_roots(
    xsd_files: dict[str, bytes], retry_contract: EndpointContract
) -> None:
    assert retry_contract.response_type is not None
    root = contract_name(retry_contract.response_type)
    expected = shapes_by_namespace(golden_trees())
    for shape in expected.values():
        for complex_type in shape["complex types"].values():
            complex_type["particles"] = tuple(
                (name, type_, "1" if max_occurs == "1" else min_occurs, max_occurs, *rest)
                for name, type_, min_occurs, max_occurs, *rest in complex_type["particles"]
            )
        shape["elements"] = {}
        shape["item order"] = [item for item in shape["item order"] if item[0] != "element"]
        if "guid" in shape["simple types"]:  # ASCII hex digits only (see the test below)
            base, facets = shape["simple types"]["guid"]
            ascii_only = tuple((f, v.replace(r"\d", "0-9")) for f, v in facets)
            shape["simple types"]["guid"] = (base, ascii_only)
    expected[root.namespace]["elements"] = {root.name: (root.clark(), "true")}
    expected[root.namespace]["item order"].insert(1, ("element", root.name))
    actual = shapes_by_namespace(_profile_trees(xsd_files, XsdProfile.WIRE))
    assert_same_schemas(actual, expected)


def test_render_xsd_files_lays_out_one_file_per_namespace_per_profile(
    xsd_files: dict[str, bytes],
) -> None:
    golden_names = sorted(path.name for path in GOLDEN_XSD.glob("*.xsd"))
    for profile in XsdProfile:
        names = sorted(p.split("/", 1)[1] for p in xsd_files if p.startswith(f"{profile.value}/"))
        assert names == golden_names, f"{profile.value}/ holds {names}"
    assert ENTRY_SCHEMA in xsd_files


# 2. Every real response is valid.


@pytest.mark.parametrize("name", sorted(GOLDEN_XML))
def test_golden_wire_xml_is_valid_for_both_profiles(
    name: str, wire_schema: etree.XMLSchema, exporter_schema: etree.XMLSchema
) -> None:
    # Case 11 holds the service's references to forbidden characters: marked, lxml reads it.
    document = etree.fromstring(mark_forbidden_references(GOLDEN_XML[name]).body)
    assert wire_schema.validate(document), _errors(wire_schema, document)
    assert exporter_schema.validate(document), _errors(exporter_schema, document)


def test_helppage_xml_sample_is_valid_for_both_profiles(
    wire_schema: etree.XMLSchema, exporter_schema: etree.XMLSchema
) -> None:
    document = etree.fromstring(helppage_xml_sample())
    assert etree.QName(document).localname.startswith("RestApiResultOf")
    assert wire_schema.validate(document), _errors(wire_schema, document)
    assert exporter_schema.validate(document), _errors(exporter_schema, document)


# 3. The wire profile is stricter.


@pytest.mark.parametrize("member", ["Reason", "ResponseCode", "Links", "SendingTime"])
def test_document_missing_a_member_fails_wire_but_passes_exporter(
    member: str, wire_schema: etree.XMLSchema, exporter_schema: etree.XMLSchema
) -> None:
    document = etree.fromstring(SAMPLE)
    element = _local(document, member)
    element.getparent().remove(element)  # type: ignore[union-attr]
    assert not wire_schema.validate(document), f"wire accepted a document without {member}"
    assert exporter_schema.validate(document), _errors(exporter_schema, document)


@pytest.mark.parametrize(
    ("first", "second"), [("ResponseCode", "ResponseMessage"), ("Status", "System")]
)
def test_document_with_members_out_of_order_fails_both_profiles(
    first: str, second: str, wire_schema: etree.XMLSchema, exporter_schema: etree.XMLSchema
) -> None:
    document = etree.fromstring(SAMPLE)
    _local(document, first).addprevious(_local(document, second))
    assert not wire_schema.validate(document), f"wire accepted {second} before {first}"
    assert not exporter_schema.validate(document), f"exporter accepted {second} before {first}"


def test_document_with_nil_on_a_value_type_member_fails_both_profiles(
    wire_schema: etree.XMLSchema, exporter_schema: etree.XMLSchema
) -> None:
    document = etree.fromstring(SAMPLE)
    attempts = _local(document, "SendingAttempts")
    attempts.text = None
    attempts.set(f"{{{XSI_NS}}}nil", "true")
    assert not wire_schema.validate(document), "wire accepted a nil SendingAttempts"
    assert not exporter_schema.validate(document), "exporter accepted a nil SendingAttempts"


def test_document_with_nil_on_a_reference_member_passes_wire(
    wire_schema: etree.XMLSchema,
) -> None:
    document = etree.fromstring(SAMPLE)
    reason = _local(document, "Reason")
    reason.text = None
    reason.set(f"{{{XSI_NS}}}nil", "true")
    assert wire_schema.validate(document), _errors(wire_schema, document)


def test_document_with_an_unknown_root_fails_wire(wire_schema: etree.XMLSchema) -> None:
    document = etree.fromstring(SAMPLE)
    document.tag = f"{{{etree.QName(document).namespace}}}RestApiResult"
    assert not wire_schema.validate(document), "wire accepted root RestApiResult"


def test_document_rooted_at_an_inner_type_fails_wire_but_passes_exporter(
    xsd_files: dict[str, bytes], wire_schema: etree.XMLSchema
) -> None:
    """The exporter declares a top-level element per type; only the response may be a root."""
    data = copy.deepcopy(_local(etree.fromstring(SAMPLE), "Data"))
    item_namespace = etree.QName(data[0]).namespace
    assert item_namespace is not None
    data.tag = f"{{{item_namespace}}}ArrayOf{etree.QName(data[0]).localname}"
    exporter = xsd_schema(xsd_files, entry=f"exporter/{schema_file_name(item_namespace)}")
    assert exporter.validate(data), _errors(exporter, data)
    assert not wire_schema.validate(data), "wire accepted a bare item list as the response"


def test_document_with_an_extra_member_fails_wire(wire_schema: etree.XMLSchema) -> None:
    document = etree.fromstring(SAMPLE)
    extra = _local(document, "Sucess")
    extra.addnext(etree.Element(f"{{{etree.QName(extra).namespace}}}Success"))
    assert not wire_schema.validate(document), "wire accepted an undeclared member"


def test_document_with_a_malformed_guid_fails_wire(wire_schema: etree.XMLSchema) -> None:
    document = etree.fromstring(SAMPLE)
    _local(document, "InvoiceId").text = "not-a-guid"
    assert not wire_schema.validate(document), "wire accepted a malformed Guid"


# 4. Generated files: deterministic, self-describing, free of copied names.


def test_render_xsd_files_twice_gives_identical_bytes(retry_contract: EndpointContract) -> None:
    assert render_xsd_files(retry_contract) == render_xsd_files(retry_contract)


def test_every_file_says_it_is_generated_and_by_which_command(
    xsd_files: dict[str, bytes],
) -> None:
    for path, data in xsd_files.items():
        assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n'), path
        comment = etree.fromstring(data).getroottree().getroot().getprevious()
        assert isinstance(comment, etree._Comment), f"{path} has no leading comment"
        assert "python -m contract generate" in (comment.text or ""), f"{path}: {comment.text!r}"


def test_every_file_loads_on_its_own(xsd_files: dict[str, bytes]) -> None:
    for path in xsd_files:
        assert isinstance(xsd_schema(xsd_files, entry=path), etree.XMLSchema), path


def test_no_contract_source_spells_the_generic_name_digest() -> None:
    digest = "8ZwS41wm"
    sources = sorted(CONTRACT_DIR.rglob("*.py"))
    assert sources, "no Python sources found under contract/"
    offenders = [str(p) for p in sources if digest in p.read_text(encoding="utf-8")]
    assert not offenders, f"the digest must be computed, but is written in {offenders}"


# Errors.


def test_xsd_schema_with_unknown_entry_names_it(xsd_files: dict[str, bytes]) -> None:
    with pytest.raises(ValueError, match=r"missing\.xsd"):
        xsd_schema(xsd_files, entry="missing.xsd")


def test_xsd_schema_with_path_outside_the_set_is_refused(xsd_files: dict[str, bytes]) -> None:
    with pytest.raises(ValueError, match="must be relative"):
        xsd_schema({**xsd_files, "../escape.xsd": b"<x/>"})


def test_xsd_schema_with_broken_file_reports_the_entry() -> None:
    with pytest.raises(ValueError, match="does not load"):
        xsd_schema({"response.xsd": b"<xs:schema xmlns:xs='urn:not-xsd'/>"})


def test_render_xsd_files_void_action_is_an_entry_schema_that_accepts_nothing(
    retry_contract: EndpointContract,
) -> None:
    files = render_xsd_files(replace(retry_contract, response_type=None))
    assert list(files) == [ENTRY_SCHEMA]
    assert b"204 No Content" in files[ENTRY_SCHEMA]
    validator = xsd_schema(files)
    assert not validator.validate(etree.fromstring(SAMPLE))


def test_schema_file_name_rule() -> None:
    assert schema_file_name(clr_namespace_uri("Acme.Billing")) == "Acme.Billing.xsd"
    assert schema_file_name(clr_namespace_uri("")) == "_global.xsd"
    assert schema_file_name(clr_namespace_uri("A B")) == "A_B.xsd"
    assert schema_file_name("http://schemas.microsoft.com/2003/10/Serialization/") == (
        "serialization.xsd"
    )
    assert schema_file_name("http://schemas.microsoft.com/2003/10/Serialization/Arrays") == (
        "arrays.xsd"
    )
    assert schema_file_name("urn:acme:types") == "urn_acme_types.xsd"


def test_every_wire_schema_declares_only_the_response_root(
    xsd_files: dict[str, bytes], retry_contract: EndpointContract
) -> None:
    assert retry_contract.response_type is not None
    root = contract_name(retry_contract.response_type)
    declared = [
        f"{{{tree.get('targetNamespace')}}}{element.get('name')}"
        for tree in _profile_trees(xsd_files, XsdProfile.WIRE)
        for element in tree.iterfind(f"{XS}element")
    ]
    assert declared == [root.clark()]


def test_guid_with_a_non_ascii_digit_fails_wire_but_passes_exporter(
    wire_schema: etree.XMLSchema, exporter_schema: etree.XMLSchema
) -> None:
    # XSD's \d is any Unicode decimal digit; .NET's Guid parsing takes ASCII hex only.
    document = etree.fromstring(SAMPLE)
    guid = _local(document, "InvoiceId")
    guid.text = "\u0663" + (guid.text or "")[1:]
    assert not wire_schema.validate(document), "wire accepted an Arabic-Indic digit in a GUID"
    assert exporter_schema.validate(document), _errors(exporter_schema, document)
