"""The cross and state checks read bodies as the contract's generated pydantic model
(``contract.models``, shared with the mock): typed fields, or not run."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
from pydantic import model_validator

from conformance.checks.base import Evidence, ProbeRecord, SuiteState
from conformance.checks.state import check_state_progress
from conformance.client import Exchange, Request, Response
from conformance.contract_view import load_suite_contract
from conformance.failures import NotRun
from conformance.options import DEFAULT_SUCCESS_STATUSES, Settings
from conformance.redact import Redactor
from contract.artifacts import load_contract
from contract.models import RESPONSE_MODEL, InvoiceSendingStatusVo
from tests.conftest import golden_cases

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
