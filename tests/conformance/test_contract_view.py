"""The suite's copy of the wire XSD: only the facets the XML walker checks more strictly go."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from conformance.contract_view import SuiteContract, load_suite_contract
from conformance.contract_view import without_walker_checked_facets as trimmed
from conformance.xml_body import read_xml_body
from contract.clr import GUID_D_PATTERN
from contract.xsd_validator import xsd_schema
from tests.conftest import golden_cases

XS = "{http://www.w3.org/2001/XMLSchema}"
SAMPLE_ID = b"81409f7b-0b26-4f1b-aaa0-271b171c8c04"


@pytest.fixture(scope="module")
def suite_contract() -> SuiteContract:
    return load_suite_contract()


def _patterns(content: bytes) -> dict[str, list[str]]:
    """Pattern facets by simple type name."""
    schema = etree.fromstring(content)
    return {
        str(simple.get("name")): [p.get("value") or "" for p in simple.iter(f"{XS}pattern")]
        for simple in schema.iter(f"{XS}simpleType")
    }


def test_only_the_guid_pattern_is_left_out(suite_contract: SuiteContract) -> None:
    files = suite_contract.xsd_files
    kept = trimmed(files)
    changed = {path for path in files if kept[path] != files[path]}
    assert changed == {"wire/serialization.xsd", "exporter/serialization.xsd"}
    for path in changed:
        before, after = _patterns(files[path]), _patterns(kept[path])
        assert before["guid"] and after["guid"] == []
        assert {name: value for name, value in after.items() if name != "guid"} == {
            name: value for name, value in before.items() if name != "guid"
        }


@given(st.from_regex(GUID_D_PATTERN, fullmatch=True))
def test_every_guid_the_walker_accepts_matches_the_left_out_facet(text: str) -> None:
    wire = _patterns(load_suite_contract().xsd_files["wire/serialization.xsd"])["guid"]
    # XSD patterns are anchored; this one uses only classes and counts, read alike by re.
    assert all(re.fullmatch(pattern, text) for pattern in wire)


@pytest.mark.parametrize(
    "bad_id",
    [SAMPLE_ID[:-1] + b"g", b"not-a-guid", b"{" + SAMPLE_ID + b"}", b""],
)
def test_a_guid_the_facet_refuses_gives_the_same_failures_with_and_without_it(
    bad_id: bytes, suite_contract: SuiteContract
) -> None:
    body = golden_cases()[0].xml_bytes.replace(SAMPLE_ID, bad_id, 1)
    full = xsd_schema(suite_contract.xsd_files)
    with_facet = read_xml_body(body, suite_contract.endpoint, schema=full).failures
    without = read_xml_body(body, suite_contract.endpoint, schema=suite_contract.xsd).failures
    assert [f.rule for f in without] == ["xml.value-format"]
    assert [str(failure) for failure in without] == [str(failure) for failure in with_facet]
