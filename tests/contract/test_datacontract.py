"""DataContract names computed from CLR types, checked against names .NET is known to write."""

from __future__ import annotations

import base64
import hashlib

import pytest
from lxml import etree

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    ComplexType,
    DictionaryType,
    Member,
    NullableType,
    Primitive,
    PrimitiveType,
)
from contract.datacontract import (
    ARRAYS_NS,
    SCHEMA_NS,
    SERIALIZATION_NS,
    QName,
    clr_namespace_uri,
    contract_name,
    declared_prefix,
    namespace_to_declare,
    namespaces_digest,
    root_element_name,
    xml_member_order,
)
from tests.conftest import GOLDEN_DIR
from tests.expected_contract import BILLING_NS, CORE_NS, ENVELOPE, ITEM, LINK

STRING = PrimitiveType(Primitive.STRING)
OBJECT = PrimitiveType(Primitive.OBJECT)
INT = PrimitiveType(Primitive.INT32)


def test_envelope_name_equals_the_root_element_dotnet_writes() -> None:
    root = etree.fromstring((GOLDEN_DIR / "wire" / "01-helppage-sample.xml").read_bytes())
    assert contract_name(ENVELOPE).clark() == root.tag


@pytest.mark.parametrize(
    ("clr_type", "expected"),
    [
        # wire-format.md: Dictionary<string, string[]>.
        (
            DictionaryType(STRING, ArrayType(STRING)),
            QName("ArrayOfKeyValueOfstringArrayOfstringty7Ep6D1", ARRAYS_NS),
        ),
        # Seen in public WSDLs exported by WCF: Dictionary<string, object[]>.
        (
            DictionaryType(STRING, ArrayType(OBJECT)),
            QName("ArrayOfKeyValueOfstringArrayOfanyTypety7Ep6D1", ARRAYS_NS),
        ),
        # Dictionary<string, object>: both arguments built in, so no digest.
        (DictionaryType(STRING, OBJECT), QName("ArrayOfKeyValueOfstringanyType", ARRAYS_NS)),
        # List<string> and List<Guid>: items in built-in namespaces go to the Arrays namespace.
        (ArrayType(STRING), QName("ArrayOfstring", ARRAYS_NS)),
        (ArrayType(PrimitiveType(Primitive.GUID)), QName("ArrayOfguid", ARRAYS_NS)),
        # List<T> of a class stays in the class's namespace.
        (ArrayType(ITEM), QName("ArrayOfInvoiceSendingStatusVo", clr_namespace_uri(BILLING_NS))),
        (ArrayType(LINK), QName("ArrayOfRestApiLink", clr_namespace_uri(CORE_NS))),
        # KeyValuePair<string, int>, a generic struct with built-in arguments.
        (
            ComplexRef("System.Collections.Generic", "KeyValuePair", (STRING, INT)),
            QName(
                "KeyValuePairOfstringint",
                "http://schemas.datacontract.org/2004/07/System.Collections.Generic",
            ),
        ),
        # Nullable<int> is named after int.
        (NullableType(INT), QName("int", SCHEMA_NS)),
        (PrimitiveType(Primitive.GUID), QName("guid", SERIALIZATION_NS)),
    ],
)
def test_contract_name_matches_known_dotnet_names(clr_type: ClrType, expected: QName) -> None:
    assert contract_name(clr_type) == expected


def test_dictionary_of_a_class_with_an_explicit_namespace_matches_a_published_wcf_name() -> None:
    # A public WSDL exported by WCF names Dictionary<string, ServiceEdgePredefinition>, where
    # the class's [DataContract] sets Namespace = "http://www.sones.com" (not derived from
    # its CLR namespace), ArrayOfKeyValueOfstringServiceEdgePredefinition7AF3f8r2.
    value = ComplexRef(
        "Sones.Library", "ServiceEdgePredefinition", contract_namespace="http://www.sones.com"
    )
    assert contract_name(DictionaryType(STRING, value)) == QName(
        "ArrayOfKeyValueOfstringServiceEdgePredefinition7AF3f8r2", ARRAYS_NS
    )


def test_complex_ref_explicit_contract_namespace_replaces_the_derived_one() -> None:
    explicit = ComplexRef("Sones.Library", "Edge", contract_namespace="http://www.sones.com")
    assert contract_name(explicit) == QName("Edge", "http://www.sones.com")
    assert ComplexRef("Acme", "T") == ComplexRef("Acme", "T", contract_namespace=None)


def _first_namespace_whose_digest_has(character: str) -> tuple[str, str]:
    """The first urn:n{i} whose raw base64 digest holds ``character``, and that base64."""
    for index in range(10_000):
        namespace = f"urn:n{index}"
        text = f" 1 {namespace}".encode()
        digest = hashlib.md5(text, usedforsecurity=False).digest()[:6]
        raw = base64.b64encode(digest).decode("ascii").rstrip("=")
        if character in raw:
            return namespace, raw
    raise AssertionError(f"no namespace below urn:n10000 gives a digest with {character!r}")


@pytest.mark.parametrize(("character", "spelling"), [("/", "_S"), ("+", "_P")])
def test_digest_spells_base64_slash_and_plus_as_documented(character: str, spelling: str) -> None:
    namespace, raw = _first_namespace_whose_digest_has(character)
    expected = raw.replace("/", "_S").replace("+", "_P")
    assert spelling in expected
    assert namespaces_digest([1], [namespace]) == expected


def test_generic_name_without_user_namespace_gets_no_digest() -> None:
    assert contract_name(ComplexRef("Acme", "Page", (STRING,))).name == "PageOfstring"


def test_generic_name_with_user_namespace_gets_a_digest_of_it() -> None:
    name = contract_name(ComplexRef("Acme", "Page", (ITEM,))).name
    expected_suffix = namespaces_digest([1], [clr_namespace_uri(BILLING_NS)])
    assert name == "PageOfInvoiceSendingStatusVo" + expected_suffix


def test_clr_namespace_uri_prefixes_the_datacontract_base() -> None:
    assert clr_namespace_uri(CORE_NS) == (
        "http://schemas.datacontract.org/2004/07/"
        "Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects"
    )


def test_xml_member_order_is_ordinal_so_capitals_sort_first() -> None:
    members = tuple(Member(name, STRING) for name in ("b", "Sucess", "a", "B", "Data"))
    complex_type = ComplexType(ComplexRef("Acme", "T"), members)
    assert [m.name for m in xml_member_order(complex_type)] == ["B", "Data", "Sucess", "a", "b"]


@pytest.mark.parametrize(
    ("clr_type", "expected"),
    [
        # <int xmlns="http://schemas.microsoft.com/2003/10/Serialization/">1</int>, as the
        # help page's sample of an Int32 response shows.
        (INT, QName("int", SERIALIZATION_NS)),
        (NullableType(INT), QName("int", SERIALIZATION_NS)),
        (STRING, QName("string", SERIALIZATION_NS)),
        (PrimitiveType(Primitive.GUID), QName("guid", SERIALIZATION_NS)),
        (ArrayType(STRING), QName("ArrayOfstring", ARRAYS_NS)),
    ],
)
def test_root_element_name_of_a_primitive_is_in_the_serialization_namespace(
    clr_type: ClrType, expected: QName
) -> None:
    assert root_element_name(clr_type) == expected


def test_root_element_name_of_the_envelope_is_the_golden_root() -> None:
    root = etree.fromstring((GOLDEN_DIR / "wire" / "01-helppage-sample.xml").read_bytes())
    assert root_element_name(ENVELOPE).clark() == root.tag


def test_namespace_prefixes_agree_with_the_golden_xml() -> None:
    # <Data xmlns:d2p1="...Billing..."> at depth 2: the first declaration on that element.
    root = etree.fromstring((GOLDEN_DIR / "wire" / "01-helppage-sample.xml").read_bytes())
    data = root.find(f"{{{clr_namespace_uri(CORE_NS)}}}Data")
    assert data is not None
    items_type = ArrayType(ITEM)
    declared = namespace_to_declare(clr_namespace_uri(CORE_NS), items_type)
    assert declared == clr_namespace_uri(BILLING_NS)
    assert data[0].prefix == declared_prefix(2, 1)
    assert data.nsmap[declared_prefix(2, 1)] == declared


def test_namespace_to_declare_skips_primitives_and_the_containers_namespace() -> None:
    core = clr_namespace_uri(CORE_NS)
    assert namespace_to_declare(core, STRING) is None
    assert namespace_to_declare(core, NullableType(PrimitiveType(Primitive.GUID))) is None
    assert namespace_to_declare(core, ArrayType(LINK)) is None
    assert namespace_to_declare(core, ArrayType(STRING)) == ARRAYS_NS
