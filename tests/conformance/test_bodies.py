"""The contract-driven body walkers: golden bodies pass, each mutation gives its rule at
its location, and hostile bodies are syntax failures, not exceptions; the service's own
references to forbidden characters are read with a note, both newline and empty-element
forms read alike, and the cross-format check takes XML's newlines as JSON's."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.base import Evidence, ProbeRecord, SuiteState
from conformance.checks.cross import JSON_PROBE, check_cross_format
from conformance.client import Exchange, Request, Response
from conformance.contract_view import SuiteContract, load_suite_contract
from conformance.json_body import read_json_body
from conformance.options import ResetRequest, Settings
from conformance.redact import Redactor
from conformance.xml_body import read_xml_body
from tests.conftest import GoldenCase, golden_cases

SAMPLE = golden_cases()[0]
ROOT = "/RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm"


@pytest.fixture(scope="module")
def suite_contract() -> SuiteContract:
    return load_suite_contract()


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_golden_bodies_break_no_rule(case: GoldenCase, suite_contract: SuiteContract) -> None:
    json_reading = read_json_body(case.json_bytes, suite_contract.endpoint)
    xml_reading = read_xml_body(case.xml_bytes, suite_contract.endpoint, schema=suite_contract.xsd)
    assert json_reading.failures == []
    assert xml_reading.failures == []
    assert json_reading.values["Sucess"] == xml_reading.values["Sucess"]


def _json(edit: Callable[[Any], object]) -> bytes:
    document = json.loads(SAMPLE.json_bytes)
    edit(document)
    return json.dumps(document).encode()


def _set(member: str, value: object) -> Callable[[Any], object]:
    return lambda d: d.__setitem__(member, value)


def _item(index: int, member: str, value: object) -> Callable[[Any], object]:
    return lambda d: d["Data"][index].__setitem__(member, value)


@pytest.mark.parametrize(
    ("edit", "rule", "location"),
    [
        (lambda d: d.__setitem__("sucess", d.pop("Sucess")), "json.member-case", "/sucess"),
        (lambda d: d.pop("Links"), "json.member-missing", "/Links"),
        (_set("Extra", 1), "json.member-unknown", "/Extra"),
        (_set("ResponseCode", "2"), "json.type", "/ResponseCode"),
        (_item(0, "SendingAttempts", None), "json.type", "/Data/0/SendingAttempts"),
        (_set("ResponseCode", 2**31), "json.int-range", "/ResponseCode"),
        (
            _item(1, "InvoiceId", "81409F7B-0B26-4F1B-AAA0-271B171C8C04"),
            "json.guid-format",
            "/Data/1/InvoiceId",
        ),
        (
            _item(0, "SendingTime", "2025-12-14T19:20:43+02:00"),
            "json.date-format",
            "/Data/0/SendingTime",
        ),
        (_set("Links", {}), "json.type", "/Links"),
        (lambda d: d.__setitem__("Sucess", d.pop("Sucess")), "json.member-order", "/"),
    ],
)
def test_json_mutation_gives_its_rule_at_its_pointer(
    edit: Callable[[Any], object], rule: str, location: str, suite_contract: SuiteContract
) -> None:
    failures = read_json_body(_json(edit), suite_contract.endpoint).failures
    assert [(f.rule, f.location) for f in failures] == [(rule, location)]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"Sucess": tr',
        b"\xff\xfe{}",
        b"<html>500</html>",
        b'{"a": NaN}',
    ],
    ids=["deep", "truncated", "invalid-utf8", "html", "nan"],
)
def test_hostile_json_is_a_syntax_failure(body: bytes, suite_contract: SuiteContract) -> None:
    failures = read_json_body(body, suite_contract.endpoint).failures
    assert [f.rule for f in failures] == ["json.syntax"]


_CUT = b'{"Sucess":true,"ResponseCode":0,"ResponseMessage":"' + b"x" * 1200


@pytest.mark.parametrize(
    ("body", "received"),
    [
        (
            _CUT,
            "invalid JSON at line 1 column 51: Unterminated string starting at char 50"
            " (body cut off? it ends at char 1251)",
        ),
        (
            b'{"Sucess": tr',
            "invalid JSON at line 1 column 12: Expecting value at char 11"
            " (body cut off? it ends at char 13)",
        ),
        (
            b'{"Sucess":true,\n"ResponseCode":0',
            "invalid JSON at line 2 column 17: Expecting ',' delimiter at char 32"
            " (body cut off? it ends at char 32)",
        ),
        (b'{"Sucess":true} {}', "invalid JSON at line 1 column 17: Extra data at char 16"),
        (b"", "invalid JSON: the body is empty"),
    ],
    ids=["cut-in-string", "cut-in-literal", "cut-after-value", "extra-data", "empty"],
)
def test_json_syntax_failure_reads_as_a_whole_sentence_with_its_position(
    body: bytes, received: str, suite_contract: SuiteContract
) -> None:
    (failure,) = read_json_body(body, suite_contract.endpoint).failures
    assert (failure.rule, failure.received) == ("json.syntax", received)
    assert f"Received: {received} / Contract: UTF-8 JSON" in failure.message


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        (b"<Sucess>true</Sucess>", b"", "xml.member-missing"),
        (b"<Sucess>true</Sucess>", b"<Sucess>true</Sucess><Extra/>", "xml.member-unknown"),
        (b"<Sucess>true</Sucess>", b"<Sucess>yes</Sucess>", "xml.value-format"),
        (b"<ResponseCode>2</ResponseCode>", b'<ResponseCode i:nil="true" />', "xml.nil"),
        (
            b"<ResponseCode>2</ResponseCode><ResponseMessage>sample string 3</ResponseMessage>",
            b"<ResponseMessage>sample string 3</ResponseMessage><ResponseCode>2</ResponseCode>",
            "xml.member-order",
        ),
        (b"<Sucess>true</Sucess>", b'<Sucess xmlns="urn:other">true</Sucess>', "xml.namespace"),
        (b"RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm", b"RestApiResult", "xml.root"),
        (b"<Links>", b'<Links note="x">', "xml.schema"),
        (b"<RestApiResultOf", b'<!DOCTYPE x [<!ENTITY e "e">]><RestApiResultOf', "xml.syntax"),
    ],
)
def test_xml_mutation_gives_its_rule_only(
    old: bytes, new: bytes, rule: str, suite_contract: SuiteContract
) -> None:
    body = SAMPLE.xml_bytes.replace(old, new)
    assert body != SAMPLE.xml_bytes
    failures = read_xml_body(body, suite_contract.endpoint, schema=suite_contract.xsd).failures
    assert {f.rule for f in failures} == {rule}
    assert all("line" in f.location for f in failures)


def test_xml_ignores_prefixes_whitespace_and_declaration(suite_contract: SuiteContract) -> None:
    body = SAMPLE.xml_bytes.replace(b"d2p1", b"billing").replace(b"><", b">\n  <")
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + body
    reading = read_xml_body(body, suite_contract.endpoint, schema=suite_contract.xsd)
    assert reading.failures == []
    assert reading.values["Data"][0]["SendingAttempts"] == 8


CASES = {case.name[:2]: case for case in golden_cases()}
NOTE = (
    "the body holds character references to characters XML 1.0 forbids (&#x0; at line 1): "
    "the service's own output (CheckCharacters = false), but strict XML parsers refuse such "
    "bodies"
)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "walker"])
def test_forbidden_character_references_are_read_with_a_note_not_a_failure(
    fast: bool, suite_contract: SuiteContract
) -> None:
    forbidden = CASES["11"]
    reading = read_xml_body(
        forbidden.xml_bytes, suite_contract.endpoint, schema=suite_contract.xsd, fast=fast
    )
    assert reading.failures == []
    assert reading.notes == [NOTE]
    reasons = [item["Reason"] for item in reading.values["Data"]]
    assert reasons == ["nul\x00soh\x01us\x1fdel\x7f", "vt\x0bff\x0c", "nonchar\ufffe\uffff"]


def test_the_note_names_the_first_reference_and_its_line(suite_contract: SuiteContract) -> None:
    body = SAMPLE.xml_bytes.replace(b"><", b">\n<").replace(
        b"sample string 4", b"sample&#x1F; string 4", 1
    )
    reading = read_xml_body(body, suite_contract.endpoint, schema=suite_contract.xsd)
    assert reading.failures == []
    line = body[: body.index(b"&#x1F;")].count(b"\n") + 1
    assert reading.notes == [NOTE.replace("&#x0; at line 1", f"&#x1F; at line {line}")]
    assert line > 1


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_bodies_without_forbidden_references_have_no_note(
    case: GoldenCase, suite_contract: SuiteContract
) -> None:
    reading = read_xml_body(case.xml_bytes, suite_contract.endpoint, schema=suite_contract.xsd)
    assert reading.notes == ([NOTE] if case.name.startswith("11") else [])
    assert read_json_body(case.json_bytes, suite_contract.endpoint).notes == []


@pytest.mark.parametrize(
    "body",
    [
        CASES["11"].xml_bytes.replace(b"&#x1;", b"&#xD800;"),  # no character at all
        CASES["11"].xml_bytes.replace(b"&#x1;", b"&#x1"),  # unterminated
        CASES["11"].xml_bytes.replace(b"</d2p1:Reason>", b"</d2p1:Reasons>", 1),
        CASES["01"].xml_bytes.replace(b"sample string 4", b"sample \x01 string 4"),  # raw
    ],
    ids=["surrogate", "unterminated", "mismatched-tag", "raw-control"],
)
def test_truly_malformed_xml_is_still_a_syntax_failure(
    body: bytes, suite_contract: SuiteContract
) -> None:
    reading = read_xml_body(body, suite_contract.endpoint, schema=suite_contract.xsd)
    assert [f.rule for f in reading.failures] == ["xml.syntax"]


def _short_empty_form(body: bytes) -> bytes:
    return re.sub(rb"<([\w:]+)></\1>", rb"<\1 />", body)


@pytest.mark.parametrize(
    "variant",
    [
        lambda body: body,
        lambda body: body.replace(b"\r\n", b"\n"),
        _short_empty_form,
        lambda body: _short_empty_form(body.replace(b"\r\n", b"\n")),
    ],
    ids=["as-written", "lf", "short-empty", "lf-short-empty"],
)
@pytest.mark.parametrize("name", ["06", "09", "10"])
def test_both_newline_and_empty_forms_break_no_rule_and_read_alike(
    variant: Callable[[bytes], bytes], name: str, suite_contract: SuiteContract
) -> None:
    case = CASES[name]
    expected = read_xml_body(case.xml_bytes, suite_contract.endpoint, fast=False).values
    for fast in (True, False):
        reading = read_xml_body(
            variant(case.xml_bytes), suite_contract.endpoint, schema=suite_contract.xsd, fast=fast
        )
        assert (reading.failures, reading.notes) == ([], [])
        assert reading.values == expected


def test_the_short_empty_form_is_really_exercised() -> None:
    body = CASES["09"].xml_bytes
    assert b"<d2p1:Reason></d2p1:Reason>" in body
    assert b"<d2p1:Reason />" in _short_empty_form(body)


def _exchange(body: bytes, media_type: str) -> Exchange:
    response = Response(200, (("Content-Type", f"{media_type}; charset=utf-8"),), body, 0.0)
    return Exchange(Request("POST", "http://127.0.0.1/x"), response)


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"], ids=["crlf", "lf"])
def test_cross_format_check_sees_no_mismatch_between_crlf_xml_and_lf_json(
    newline: bytes, suite_contract: SuiteContract
) -> None:
    case = CASES["10"]
    assert b"\\r\\n" in case.json_bytes and b"\r\n" in case.xml_bytes  # both forms exercised
    settings = Settings(base_url="http://127.0.0.1", reset=ResetRequest("POST", "/__reset"))
    state = SuiteState(suite_contract, settings, Redactor())
    json_exchange = _exchange(case.json_bytes, "application/json")
    xml_exchange = _exchange(case.xml_bytes.replace(b"\r\n", newline), "application/xml")
    state.journal[JSON_PROBE] = ProbeRecord(json_exchange, after_reset=True)
    state.journal["post-xml"] = ProbeRecord(xml_exchange, after_reset=True)
    assert list(check_cross_format(Evidence("post-xml", xml_exchange, state))) == []


def test_cross_format_check_still_sees_a_real_text_mismatch(suite_contract: SuiteContract) -> None:
    case = CASES["10"]
    settings = Settings(base_url="http://127.0.0.1", reset=ResetRequest("POST", "/__reset"))
    state = SuiteState(suite_contract, settings, Redactor())
    json_exchange = _exchange(case.json_bytes, "application/json")
    xml_body = case.xml_bytes.replace(b"crlf\r\nhere", b"crlf here")
    xml_exchange = _exchange(xml_body, "application/xml")
    state.journal[JSON_PROBE] = ProbeRecord(json_exchange, after_reset=True)
    state.journal["post-xml"] = ProbeRecord(xml_exchange, after_reset=True)
    failures = list(check_cross_format(Evidence("post-xml", xml_exchange, state)))
    assert [(f.rule, f.location) for f in failures] == [("cross.data-mismatch", "/Data/1/Reason")]
