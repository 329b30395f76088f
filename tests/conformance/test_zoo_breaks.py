"""Each zoo break does what it says: the mutation is visible on the wire, nothing else moves."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree
from werkzeug.test import Client, TestResponse

from conformance.rules import RULES
from contract.artifacts import load_contract, xsd_files
from contract.datacontract import XSI_NS
from contract.wire import comparable, read_json, read_xml
from contract.xsd_validator import xsd_schema
from tests.conformance.zoo import BREAKS, RESET_PATH, ROUTE, create_app

JSON = "application/json"
XML = "application/xml"
CORE_NS = "http://schemas.datacontract.org/2004/07/Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects"


def broken(name: str) -> Client:
    """A test client of the reference with break ``name`` on."""
    return Client(create_app(breaks=frozenset({name})))


def post(client: Client, accept: str | None = JSON) -> TestResponse:
    """POST the retry with an optional Accept header."""
    return client.post(ROUTE, headers={"Accept": accept} if accept else {})


def xml_root(client: Client) -> etree._Element:
    """The parsed XML answer of a retry."""
    return etree.fromstring(post(client, XML).data)


def local_names(element: etree._Element) -> list[str]:
    """The local names of an element's children."""
    return [etree.QName(child).localname for child in element]


def items(response: TestResponse) -> list[dict[str, Any]]:
    """The Data items of a retry answer in either format."""
    reader = read_xml if response.data[:1] == b"<" else read_json
    data: list[dict[str, Any]] = reader(response.data, load_contract())["Data"]
    return data


def _json_spelling(client: Client) -> None:
    body = post(client).data
    assert body.startswith(b'{"Success":true,') and b'"Sucess"' not in body


def _json_casing(client: Client) -> None:
    assert post(client).data.startswith(b'{"sucess":true,')


def _json_member_order(client: Client) -> None:
    document = post(client).json
    assert document is not None
    assert list(document) == ["Data", "Links", "ResponseCode", "ResponseMessage", "Sucess"]
    assert list(document["Data"][0]) == sorted(document["Data"][0])


def _json_type(client: Client) -> None:
    assert b'"SendingAttempts":"2"' in post(client).data


def _json_int_range(client: Client) -> None:
    assert b'"ResponseCode":2147483648,' in post(client).data


def _json_guid_format(client: Client) -> None:
    document = post(client).json
    assert document is not None
    guids = [item[k] for item in document["Data"] for k in ("PracticeId", "InvoiceId")]
    assert all(re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", g) for g in guids)
    assert any(re.search("[A-F]", guid) for guid in guids)


def _json_date_format(client: Client) -> None:
    assert b'"SendingTime":"2025-12-14T19:21:43.1992775+02:00"' in post(client).data


def _json_missing_member(client: Client) -> None:
    document = post(client).json
    assert document is not None and "Links" not in document and "Data" in document


def _json_extra_member(client: Client) -> None:
    assert post(client).data.endswith(b',"Total":6}')


def _xml_namespace(client: Client) -> None:
    item = xml_root(client).find(f"{{{CORE_NS}}}Data/{{{CORE_NS}}}InvoiceSendingStatusVo")
    assert item is not None
    assert {etree.QName(child).namespace for child in item} == {CORE_NS}


def _xml_root_name(client: Client) -> None:
    root = xml_root(client)
    assert root.tag == f"{{{CORE_NS}}}RestApiResultOfArrayOfInvoiceSendingStatusVo"


def _xml_member_order(client: Client) -> None:
    root = xml_root(client)
    assert local_names(root) == ["Sucess", "ResponseCode", "ResponseMessage", "Data", "Links"]
    assert local_names(root[3][0])[:3] == ["PracticeId", "EncounterId", "InvoiceId"]


def _xml_date_format(client: Client) -> None:
    assert b">2025-12-14 19:21:43.1992775+02:00</d2p1:SendingTime>" in post(client, XML).data


def _xml_nil(client: Client) -> None:
    attempts = [e for e in xml_root(client).iter() if etree.QName(e).localname == "SendingAttempts"]
    assert attempts and all(e.get(f"{{{XSI_NS}}}nil") == "true" and not e.text for e in attempts)


def _xml_missing_member(client: Client) -> None:
    assert local_names(xml_root(client)) == ["Data", "ResponseCode", "ResponseMessage", "Sucess"]


def _xml_extra_member(client: Client) -> None:
    assert local_names(xml_root(client))[-1] == "Total"


def _xml_syntax(client: Client) -> None:
    body = post(client, XML).data
    assert b" & more</ResponseMessage>" in body
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body)


def _xml_stray_text(client: Client) -> None:
    root = xml_root(client)
    assert root[0].text == "stray text"
    assert not xsd_schema(xsd_files()).validate(root)


def _content_type_xml_as_json(client: Client) -> None:
    response = post(client, XML)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert read_xml(response.data, load_contract())["Sucess"] is True


def _negotiation_ignores_q(client: Client) -> None:
    response = post(client, "application/json;q=0.5, text/xml")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def _negotiation_no_accept_xml(client: Client) -> None:
    assert post(client, None).headers["Content-Type"] == "application/xml; charset=utf-8"
    assert client.get(ROUTE).data.startswith(b"<Error><Message>")


def _text_json_as_application_json(client: Client) -> None:
    response = post(client, "text/json")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert read_json(response.data, load_contract())["Sucess"] is True


def _charset_missing(client: Client) -> None:
    assert post(client).headers["Content-Type"] == "application/json"
    assert client.get(ROUTE).headers["Content-Type"] == "application/json"


def _post_status_202(client: Client) -> None:
    response = post(client)
    assert response.status_code == 202
    assert response.data == post(Client(create_app())).data


def _server_error(client: Client) -> None:
    response = post(client)
    assert (response.status_code, response.json) == (500, {"Message": "An error has occurred."})


def _method_get_allowed(client: Client) -> None:
    preview = client.get(ROUTE, headers={"Accept": JSON})
    assert preview.status_code == 200
    assert [item["Status"] for item in items(preview)] == ["Failed"] * 6
    assert post(client).data == post(Client(create_app())).data  # GET changed nothing
    assert client.put(ROUTE).headers["Allow"] == "POST"


def _method_no_allow_header(client: Client) -> None:
    response = client.get(ROUTE)
    assert (response.status_code, response.headers.get("Allow")) == (405, None)


def _not_found_html(client: Client) -> None:
    response = client.get("/api/v1/nothing", headers={"Accept": JSON})
    assert (response.status_code, response.headers["Content-Type"]) == (404, "text/html")
    assert b"HTTP Error 404.0 - Not Found" in response.data


def _not_found_200(client: Client) -> None:
    response = client.get("/api/v1/nothing", headers={"Accept": JSON})
    assert response.status_code == 200
    assert response.json is not None and list(response.json) == ["Message"]


def _json_xml_disagree(client: Client) -> None:
    from_json = items(post(client, JSON))
    client.post(RESET_PATH)
    from_xml = items(post(client, XML))
    reasons = {(j["Reason"], x["Reason"]) for j, x in zip(from_json, from_xml, strict=True)}
    assert reasons == {
        (None, None),
        ("External system timeout (> 30 s)", "External system rejected the invoice"),
    }
    for left, right in zip(from_json, from_xml, strict=True):
        left["Reason"] = right["Reason"]
    assert comparable(from_json) == comparable(from_xml)


def _consecutive(client: Client) -> tuple[dict[Any, Any], list[dict[str, Any]]]:
    first = {item["InvoiceId"]: item for item in items(post(client, XML))}
    return first, items(post(client, JSON))


def _attempts_decrease(client: Client) -> None:
    first, second = _consecutive(client)
    assert all(first[i["InvoiceId"]]["Status"] == "Failed" for i in second)
    assert all(i["SendingAttempts"] < first[i["InvoiceId"]]["SendingAttempts"] for i in second)


def _sent_retried(client: Client) -> None:
    first, second = _consecutive(client)
    again = [i for i in second if first[i["InvoiceId"]]["Status"] == "Sent"]
    assert len(again) == 2 and all(i["Status"] == "Sent" for i in again)


def _not_failed_returned(client: Client) -> None:
    first, second = _consecutive(client)
    assert [i["InvoiceId"] for i in second if i["InvoiceId"] not in first] != []


VISIBLE: dict[str, Callable[[Client], None]] = {
    "json-spelling": _json_spelling,
    "json-casing": _json_casing,
    "json-member-order": _json_member_order,
    "json-type": _json_type,
    "json-int-range": _json_int_range,
    "json-guid-format": _json_guid_format,
    "json-date-format": _json_date_format,
    "json-missing-member": _json_missing_member,
    "json-extra-member": _json_extra_member,
    "xml-namespace": _xml_namespace,
    "xml-root-name": _xml_root_name,
    "xml-member-order": _xml_member_order,
    "xml-date-format": _xml_date_format,
    "xml-nil": _xml_nil,
    "xml-missing-member": _xml_missing_member,
    "xml-extra-member": _xml_extra_member,
    "xml-syntax": _xml_syntax,
    "xml-stray-text": _xml_stray_text,
    "content-type-xml-as-json": _content_type_xml_as_json,
    "negotiation-ignores-q": _negotiation_ignores_q,
    "negotiation-no-accept-xml": _negotiation_no_accept_xml,
    "text-json-as-application-json": _text_json_as_application_json,
    "charset-missing": _charset_missing,
    "post-status-202": _post_status_202,
    "server-error": _server_error,
    "method-get-allowed": _method_get_allowed,
    "method-no-allow-header": _method_no_allow_header,
    "not-found-html": _not_found_html,
    "not-found-200": _not_found_200,
    "json-xml-disagree": _json_xml_disagree,
    "attempts-decrease": _attempts_decrease,
    "sent-retried": _sent_retried,
    "not-failed-returned": _not_failed_returned,
}


def test_every_break_has_a_visibility_check() -> None:
    assert sorted(VISIBLE) == sorted(BREAKS)


# A fixed script of requests whose answers make every break visible: the first calls
# (JSON, then XML: consecutive), a call after a reset, negotiation, errors.
_SCRIPT: tuple[tuple[str, str, str | None], ...] = (
    ("POST", ROUTE, JSON),
    ("POST", ROUTE, XML),
    ("POST", ROUTE, JSON),
    ("POST", RESET_PATH, None),
    ("POST", ROUTE, XML),
    ("POST", RESET_PATH, None),
    ("POST", ROUTE, None),
    ("POST", ROUTE, "application/json;q=0.5, text/xml"),
    ("POST", ROUTE, "text/json"),
    ("GET", ROUTE, JSON),
    ("GET", ROUTE, None),
    ("PUT", ROUTE, XML),
    ("GET", "/api/v1/nothing", JSON),
)


def wire(client: Client) -> list[tuple[int, str | None, str | None, bytes]]:
    """Status, Content-Type, Allow and body of every answer to :data:`_SCRIPT`."""
    answers = []
    for method, path, accept in _SCRIPT:
        response = client.open(path, method=method, headers={"Accept": accept} if accept else {})
        headers = response.headers
        answers.append(
            (response.status_code, headers.get("Content-Type"), headers.get("Allow"), response.data)
        )
    return answers


def test_wire_script_gives_the_same_answers_on_two_fresh_references() -> None:
    assert wire(Client(create_app())) == wire(Client(create_app()))


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_break_shows_its_mutation_on_the_wire(name: str) -> None:
    changed = [
        index
        for index, (got, correct) in enumerate(
            zip(wire(broken(name)), wire(Client(create_app())), strict=True)
        )
        if got != correct
    ]
    assert changed, f"break {name} answers every request of the script like the reference"
    VISIBLE[name](broken(name))  # and the change is the one its description names


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_break_expects_canonical_rule_ids_and_explains_itself(name: str) -> None:
    entry = BREAKS[name]
    assert entry.name == name
    assert entry.expected_rules and entry.expected_rules <= RULES.keys()
    assert len(entry.description) > 20


def test_break_expected_rule_is_the_single_rule_or_an_error_naming_the_break() -> None:
    assert BREAKS["json-casing"].expected_rule == "json.member-case"
    with pytest.raises(ValueError, match="json-spelling"):
        _ = BREAKS["json-spelling"].expected_rule


_JSON_ONLY = sorted(n for n in BREAKS if n.startswith("json-") and n != "json-xml-disagree")
_XML_ONLY = sorted(n for n in BREAKS if n.startswith("xml-"))


@pytest.mark.parametrize("name", _JSON_ONLY)
def test_json_break_leaves_the_xml_answer_untouched(name: str) -> None:
    assert post(broken(name), XML).data == post(Client(create_app()), XML).data


@pytest.mark.parametrize("name", _XML_ONLY)
def test_xml_break_leaves_the_json_answer_untouched(name: str) -> None:
    assert post(broken(name), JSON).data == post(Client(create_app()), JSON).data


@pytest.mark.parametrize("name", ["attempts-decrease", "not-failed-returned", "sent-retried"])
def test_state_break_leaves_the_first_call_after_a_reset_untouched(name: str) -> None:
    assert post(broken(name), XML).data == post(Client(create_app()), XML).data
