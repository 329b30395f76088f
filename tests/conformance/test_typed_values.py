"""Typed values of a body: ``SuiteState.model`` reads a clean body as the contract's generated
pydantic model (``contract.models``, shared with the mock); the cross and state checks read
the readers' wire values directly, at the precision both formats keep (what
``contract.wire.values.comparable`` keeps), with the same failures and messages."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import model_validator

from conformance.checks.base import Document, Evidence, ProbeRecord, SuiteState, whole_document
from conformance.checks.cross import check_cross_format
from conformance.checks.state import check_state_progress
from conformance.client import Exchange, Request, Response
from conformance.contract_view import load_suite_contract
from conformance.failures import CrossFailure, NotRun
from conformance.json_body import read_json_body
from conformance.options import DEFAULT_SUCCESS_STATUSES, ResetRequest, Settings
from conformance.reading import BodyReading
from conformance.redact import Redactor
from conformance.xml_body import read_xml_body
from contract.artifacts import load_contract
from contract.models import RESPONSE_MODEL, InvoiceSendingStatusVo
from contract.netdatetime import TICKS_PER_SECOND, NetDateTime
from contract.wire.values import comparable
from tests.conftest import GoldenCase, golden_cases

SAMPLE = golden_cases()[0]
JSON_TYPE = (("Content-Type", "application/json; charset=utf-8"),)


def _exchange(body: bytes) -> Exchange:
    response = Response(200, JSON_TYPE, body, 0.0)
    return Exchange(Request("POST", "http://127.0.0.1/x"), response)


def _state(model: type[RESPONSE_MODEL] | None = RESPONSE_MODEL) -> SuiteState:
    contract = dataclasses.replace(load_suite_contract(), response_model=model)
    return SuiteState(contract, Settings(base_url="http://127.0.0.1"), Redactor())


class _Rejecting(RESPONSE_MODEL):
    @model_validator(mode="after")
    def _never(self) -> _Rejecting:
        raise ValueError("rejected for the test")


def test_bundled_contract_carries_the_generated_response_model() -> None:
    assert load_suite_contract().response_model is RESPONSE_MODEL


def test_a_contract_with_another_response_type_has_no_model() -> None:
    other = dataclasses.replace(load_contract(), response_type=None)
    assert load_suite_contract(other).response_model is None


def test_clean_body_reads_as_the_model_with_typed_fields() -> None:
    model = _state().model(_exchange(SAMPLE.json_bytes))
    assert isinstance(model, RESPONSE_MODEL)
    assert model.data is not None
    first = model.data[0]
    assert isinstance(first, InvoiceSendingStatusVo)
    wire = json.loads(SAMPLE.json_bytes)["Data"][0]
    assert first.invoice_id == uuid.UUID(wire["InvoiceId"])
    assert (first.status, first.sending_attempts) == (wire["Status"], wire["SendingAttempts"])


def test_body_that_broke_a_rule_has_no_model() -> None:
    document = json.loads(SAMPLE.json_bytes)
    del document["Links"]
    assert _state().model(_exchange(json.dumps(document).encode())) is None


def test_values_that_do_not_validate_as_the_model_have_none() -> None:
    assert _state(_Rejecting).model(_exchange(SAMPLE.json_bytes)) is None


def test_without_a_model_the_typed_checks_have_nothing_to_read() -> None:
    assert _state(None).model(_exchange(SAMPLE.json_bytes)) is None


def _evidence(state: SuiteState, first: bytes, second: bytes) -> Evidence:
    state.journal["post-xml"] = ProbeRecord(_exchange(first), after_reset=True)
    state.journal["post-again"] = ProbeRecord(_exchange(second), after_reset=False)
    return Evidence("post-again", state.journal["post-again"].exchange, state)


def _fewer_attempts() -> bytes:
    document = json.loads(SAMPLE.json_bytes)
    item = next(i for i in document["Data"] if i["Status"] not in DEFAULT_SUCCESS_STATUSES)
    item["SendingAttempts"] -= 1
    return json.dumps(document, separators=(",", ":")).encode()


def test_state_check_compares_typed_attempts_between_calls() -> None:
    evidence = _evidence(_state(), SAMPLE.json_bytes, _fewer_attempts())
    failures = list(check_state_progress(evidence))
    assert [f.rule for f in failures] == ["state.attempts-decreased"]
    assert failures[0].location.endswith("/SendingAttempts")


def test_state_check_without_a_model_is_not_run() -> None:
    evidence = _evidence(_state(None), SAMPLE.json_bytes, _fewer_attempts())
    with pytest.raises(NotRun, match="gave no body that passed its own rules"):
        list(check_state_progress(evidence))


def test_state_check_reads_wire_values_without_validating_them_again() -> None:
    # A model that rejects everything: the check still runs, on the readers' values.
    evidence = _evidence(_state(_Rejecting), SAMPLE.json_bytes, _fewer_attempts())
    assert [f.rule for f in check_state_progress(evidence)] == ["state.attempts-decreased"]


def test_state_failure_points_at_the_invoice_in_data_when_a_null_item_comes_first() -> None:
    document = json.loads(_fewer_attempts())
    document["Data"].insert(0, None)
    evidence = _evidence(_state(), SAMPLE.json_bytes, json.dumps(document).encode())
    (failure,) = check_state_progress(evidence)
    changed = next(
        index
        for index, item in enumerate(document["Data"])
        if item is not None and item["Status"] not in DEFAULT_SUCCESS_STATUSES
    )
    assert failure.location == f"/Data/{changed}/SendingAttempts"


# --- cross.data-mismatch on wire values: what ``comparable`` tells apart, nothing else ------

CROSS_CASES = [case for case in golden_cases() if case.values.get("Data")]


def _cross(from_json: Any, from_xml: Any) -> list[CrossFailure]:
    settings = Settings(base_url="http://127.0.0.1", reset=ResetRequest("POST", "/__reset"))
    state = SuiteState(load_suite_contract(), settings, Redactor())
    for probe, kind, values in (("post-json", "json", from_json), ("post-xml", "xml", from_xml)):
        exchange = Exchange(Request("POST", "http://127.0.0.1/x"), None)
        reading: BodyReading[Any] = BodyReading()
        reading.values = values
        document = Document(kind, reading)
        state.journal[probe] = ProbeRecord(
            exchange, after_reset=True, kept={whole_document: document}
        )
    return list(check_cross_format(Evidence("post-xml", state.journal["post-xml"].exchange, state)))


def _read_both(case: GoldenCase) -> tuple[Any, Any]:
    endpoint = load_suite_contract().endpoint
    from_json = read_json_body(case.json_bytes, endpoint).values
    return from_json, read_xml_body(case.xml_bytes, endpoint).values


def _later(value: NetDateTime, seconds: int) -> NetDateTime:
    return dataclasses.replace(value, ticks=value.ticks + seconds * TICKS_PER_SECOND)


_EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "reason": (lambda item: item.__setitem__("Reason", "another reason"), "/Reason"),
    "attempts": (lambda item: item.__setitem__("SendingAttempts", 7), "/SendingAttempts"),
    "id": (lambda item: item.__setitem__("PracticeId", uuid.UUID(int=7)), "/PracticeId"),
    "date": (
        lambda item: item.__setitem__("SendingTime", _later(item["SendingTime"], 5)),
        "/SendingTime",
    ),
}


@pytest.mark.parametrize("case", CROSS_CASES, ids=lambda case: case.name)
def test_cross_check_finds_no_difference_between_the_two_renderings_of_one_value(
    case: GoldenCase,
) -> None:
    from_json, from_xml = _read_both(case)
    assert comparable(from_json) == comparable(from_xml)
    assert _cross(from_json, from_xml) == []


@pytest.mark.parametrize("edit", sorted(_EDITS))
@pytest.mark.parametrize("case", CROSS_CASES, ids=lambda case: case.name)
def test_cross_check_reports_a_changed_member_where_comparable_tells_them_apart(
    case: GoldenCase, edit: str
) -> None:
    from_json, from_xml = _read_both(case)
    change, member = _EDITS[edit]
    last = len(from_xml["Data"]) - 1
    change(from_xml["Data"][last])
    (failure,) = _cross(from_json, from_xml)
    assert (failure.rule, failure.location) == ("cross.data-mismatch", f"/Data/{last}{member}")
    left, right = (comparable(v["Data"][last][member[1:]]) for v in (from_json, from_xml))
    shown = (left.round_trip(), right.round_trip()) if edit == "date" else (left, right)
    assert (failure.expected, failure.received) == (
        f"JSON has {shown[0]!r}",
        f"XML has {shown[1]!r}",
    )


def test_cross_check_takes_a_date_later_by_less_than_the_skew_as_the_same() -> None:
    from_json, from_xml = _read_both(CROSS_CASES[0])
    item = from_xml["Data"][0]
    item["SendingTime"] = _later(item["SendingTime"], 1)
    assert _cross(from_json, from_xml) == []


def test_cross_check_pairs_items_by_invoice_id_not_by_position() -> None:
    from_json, from_xml = _read_both(CROSS_CASES[0])
    from_xml["Data"].reverse()
    assert len(from_xml["Data"]) > 1
    assert _cross(from_json, from_xml) == []


def test_cross_check_shows_a_missing_item_as_the_members_of_the_other_in_declaration_order() -> (
    None
):
    from_json, from_xml = _read_both(CROSS_CASES[0])
    from_xml["Data"][0] = None
    from_json["Data"][0] = dict(reversed(from_json["Data"][0].items()))
    (failure,) = _cross(from_json, from_xml)
    model = InvoiceSendingStatusVo.model_validate(comparable(from_json["Data"][0]))
    assert failure.location == "/Data/0"
    assert failure.expected == f"JSON has {model.model_dump(by_alias=True)!r}"
    assert failure.received == "XML has None"
