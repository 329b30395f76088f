"""DataContract names computed from CLR types, checked against names .NET is known to write."""

from __future__ import annotations

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
    namespaces_digest,
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


def test_digest_of_a_user_namespace_matches_a_published_wcf_name() -> None:
    # A public WSDL names Dictionary<string, ServiceEdgePredefinition>, a class in the
    # explicit namespace http://www.sones.com,
    # ArrayOfKeyValueOfstringServiceEdgePredefinition7AF3f8r2.
    digest = namespaces_digest([2], [SCHEMA_NS, "http://www.sones.com"])
    assert digest == "7AF3f8r2"


def test_digest_spells_base64_slash_and_plus_as_names_allow() -> None:
    # Over 200 namespaces the raw base64 digests contain both "/" and "+".
    text_namespaces = [f"urn:n{i}" for i in range(200)]
    digests = [namespaces_digest([1], [ns]) for ns in text_namespaces]
    assert all("/" not in d and "+" not in d and "=" not in d for d in digests)
    assert any("_S" in d for d in digests)
    assert any("_P" in d for d in digests)


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
