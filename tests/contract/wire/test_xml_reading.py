"""The one XML reader's problems: rule ids, places and the decisions both callers share.

``read_xml`` raises the first problem of :func:`read_xml_document`, and the suite reports
them all; these tests pin the decisions so that the two can never drift apart again:
the service's references to forbidden characters are read (with a note), anything else
malformed is ``xml.syntax``; a missing member is placed at the member that follows it.
"""

from __future__ import annotations

import pytest

from conformance.xml_body import read_xml_body
from contract.endpoint import EndpointContract
from contract.wire import WireFormatError, read_xml
from contract.wire.xml_reader import read_xml_document
from tests.conftest import golden_cases

CASES = {case.name[:2]: case for case in golden_cases()}
FORBIDDEN = CASES["11"].xml_bytes
SAMPLE = CASES["01"].xml_bytes
ROOT = "/RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm"


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "walker"])
def test_forbidden_references_are_read_by_read_xml_and_the_suite_alike(
    fast: bool, retry_contract: EndpointContract
) -> None:
    reading = read_xml_document(FORBIDDEN, retry_contract, fast=fast)
    assert reading.problems == []
    assert len(reading.notes) == 1 and "&#x0; at line 1" in reading.notes[0]
    suite = read_xml_body(FORBIDDEN, retry_contract, fast=fast)
    assert (suite.failures, suite.notes) == ([], reading.notes)
    assert suite.values == reading.values == read_xml(FORBIDDEN, retry_contract)
    assert reading.values["Data"][1]["Reason"] == "vt\x0bff\x0c"


@pytest.mark.parametrize(
    "body",
    [
        FORBIDDEN.replace(b"&#x1;", b"&#xD800;"),
        FORBIDDEN.replace(b"&#x1;", b"&#X1;"),
        SAMPLE.replace(b"sample string 4", b"sample \x01 string 4"),
    ],
    ids=["no-character", "upper-case-x", "raw-control"],
)
def test_other_malformations_are_syntax_for_read_xml_and_the_suite_alike(
    body: bytes, retry_contract: EndpointContract
) -> None:
    (problem,) = read_xml_document(body, retry_contract).problems
    assert (problem.rule, problem.location) == ("xml.syntax", "/")
    assert problem.line == 1
    assert [f.rule for f in read_xml_body(body, retry_contract).failures] == ["xml.syntax"]
    with pytest.raises(WireFormatError, match=r"not well-formed XML.*\[xml\.syntax\]"):
        read_xml(body, retry_contract)


def test_a_missing_member_is_placed_at_the_member_that_follows_it(
    retry_contract: EndpointContract,
) -> None:
    body = SAMPLE.replace(b"<ResponseCode>2</ResponseCode>", b"")
    (problem,) = read_xml_document(body, retry_contract).problems
    assert (problem.rule, problem.location) == ("xml.member-missing", f"{ROOT}/ResponseMessage")
    assert "member <ResponseCode>" in problem.received and "before <ResponseMessage>" in (
        problem.received
    )


def test_the_last_missing_member_is_placed_at_its_parent(retry_contract: EndpointContract) -> None:
    body = SAMPLE.replace(b"<Sucess>true</Sucess>", b"")
    (problem,) = read_xml_document(body, retry_contract).problems
    assert (problem.rule, problem.location, problem.line) == ("xml.member-missing", ROOT, 1)


def test_text_in_element_only_content_is_a_schema_problem_with_its_place(
    retry_contract: EndpointContract,
) -> None:
    body = SAMPLE.replace(b"<Links>", b"<Links>stray text")
    (problem,) = read_xml_document(body, retry_contract).problems
    assert (problem.rule, problem.location) == ("xml.schema", f"{ROOT}/Links")
    assert problem.received == "unexpected text 'stray text'"


def test_every_problem_of_a_body_is_listed_in_document_order(
    retry_contract: EndpointContract,
) -> None:
    body = SAMPLE.replace(b"<Sucess>true<", b"<Sucess>yes<").replace(
        b"<d2p1:SendingAttempts>8<", b"<d2p1:SendingAttempts>eight<", 1
    )
    problems = read_xml_document(body, retry_contract).problems
    assert [(p.rule, p.location) for p in problems] == [
        ("xml.value-format", f"{ROOT}/Data/InvoiceSendingStatusVo[1]/SendingAttempts"),
        ("xml.value-format", f"{ROOT}/Sucess"),
    ]
    with pytest.raises(WireFormatError, match=r"'eight' is not a valid System\.Int32"):
        read_xml(body, retry_contract)
