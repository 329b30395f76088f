"""What a run keeps of a probe once it is over: what later checks declared they read, for
as long as they need it, and never the body."""

from __future__ import annotations

from conformance.checks.base import ProbeRecord, SuiteState, whole_document
from conformance.checks.cross import JSON_PROBE
from conformance.checks.invoices import invoice_facts
from conformance.checks.state import PREVIOUS_PROBE
from conformance.client import Exchange, Request, Response
from conformance.contract_view import load_suite_contract
from conformance.options import Settings, build_settings
from conformance.plan import POST_PROBES, build_plan
from conformance.redact import Redactor
from conformance.runner import _kept_for_later
from tests.conftest import golden_cases

SAMPLE = golden_cases()[0]


def _state() -> SuiteState:
    return SuiteState(load_suite_contract(), Settings(base_url="http://127.0.0.1"), Redactor())


def _record(state: SuiteState, probe: str) -> ProbeRecord:
    headers = (("Content-Type", "application/json; charset=utf-8"),)
    exchange = Exchange(
        Request("POST", "http://127.0.0.1/x"), Response(200, headers, SAMPLE.json_bytes, 0.0)
    )
    state.journal[probe] = ProbeRecord(exchange, after_reset=True)
    return state.journal[probe]


def test_finished_probe_keeps_what_later_checks_read_and_drops_its_body() -> None:
    state = _state()
    exchange = _record(state, PREVIOUS_PROBE).exchange
    facts = state.kept(PREVIOUS_PROBE, invoice_facts)
    state.finish(PREVIOUS_PROBE, [invoice_facts])
    record = state.journal[PREVIOUS_PROBE]
    assert record.exchange.response is not None and record.exchange.response.body == b""
    assert (record.exchange.request, record.after_reset) == (exchange.request, True)
    assert facts and state.kept(PREVIOUS_PROBE, invoice_facts) == facts
    assert state.kept(PREVIOUS_PROBE, whole_document) is None  # not declared: not kept


def test_finishing_again_with_nothing_to_keep_releases_what_was_kept() -> None:
    state = _state()
    _record(state, JSON_PROBE)
    state.finish(JSON_PROBE, [whole_document])
    assert state.kept(JSON_PROBE, whole_document) is not None
    state.finish(JSON_PROBE)
    assert state.kept(JSON_PROBE, whole_document) is None


def test_plan_keeps_the_json_body_for_the_cross_check_and_facts_for_the_state_checks() -> None:
    settings = build_settings(
        base_url="http://127.0.0.1", allow_side_effects=True, reset="POST /r", max_calls=POST_PROBES
    )
    keeps, last_reader = _kept_for_later(build_plan(settings, load_suite_contract().endpoint))
    assert keeps == {JSON_PROBE: (whole_document,), PREVIOUS_PROBE: (invoice_facts,)}
    assert last_reader == {JSON_PROBE: "post-xml", PREVIOUS_PROBE: "post-again"}


def test_plan_without_the_reading_probe_keeps_nothing() -> None:
    settings = build_settings(
        base_url="http://127.0.0.1", allow_side_effects=True, reset="POST /r", max_calls=1
    )
    assert _kept_for_later(build_plan(settings, load_suite_contract().endpoint)) == ({}, {})
