"""The retry model, seeding and the clock, without HTTP."""

from __future__ import annotations

import uuid

from contract.netdatetime import DateTimeKind, NetDateTime
from mock_server.clock import Clock, parse_utc_offset
from mock_server.invoices import seed_invoices
from mock_server.scenarios import Scenario, builtin_scenario
from mock_server.vocabulary import (
    ABANDONED,
    EXTERNAL_SYSTEMS,
    FAILED,
    FAILURE_REASONS,
    SENDING_TYPES,
    SENT,
)
from tests.mock_server.retry_model import draw, retry_failed

NOW = NetDateTime.parse("2025-12-14T19:20:43.1992775+02:00")
CLOCK = Clock(120, NOW)


def test_seed_invoices_same_seed_gives_same_invoices() -> None:
    assert seed_invoices(50, seed=7, clock=CLOCK) == seed_invoices(50, seed=7, clock=CLOCK)


def test_seed_invoices_other_seed_gives_other_ids() -> None:
    first = {i.invoice_id for i in seed_invoices(20, seed=1, clock=CLOCK)}
    second = {i.invoice_id for i in seed_invoices(20, seed=2, clock=CLOCK)}
    assert not first & second


def test_seed_invoices_use_the_documented_vocabulary() -> None:
    invoices = seed_invoices(200, seed=3, clock=CLOCK)
    assert {i.status for i in invoices} == {FAILED}
    assert {i.system for i in invoices} == set(EXTERNAL_SYSTEMS)
    assert {i.sending_type for i in invoices} == set(SENDING_TYPES)
    assert {i.reason for i in invoices} <= set(FAILURE_REASONS)
    assert all(1 <= i.sending_attempts <= 3 for i in invoices)
    assert len({i.practice_id for i in invoices}) <= 6


def test_seed_invoices_sending_times_are_local_in_the_past_with_seven_digits() -> None:
    invoices = seed_invoices(100, seed=4, clock=CLOCK)
    assert all(i.sending_time < NOW and i.sending_time.kind is DateTimeKind.LOCAL for i in invoices)
    assert any(i.sending_time.ticks % 10 for i in invoices), "the 100 ns digit is never used"


def test_running_clock_keeps_100ns_ticks_at_the_offset() -> None:
    now = Clock(120).now()
    assert now.kind is DateTimeKind.LOCAL
    assert now.offset_minutes == 120


def test_parse_utc_offset_reads_signs_and_rejects_garbage() -> None:
    assert parse_utc_offset("+02:00") == 120
    assert parse_utc_offset("-05:30") == -330
    for bad in ("2", "+2:00", "+15:00", "+01:75"):
        try:
            parse_utc_offset(bad)
        except ValueError as error:
            assert bad in str(error)
        else:
            raise AssertionError(f"{bad!r} was accepted")


def test_retry_failed_all_succeed_in_healthy() -> None:
    failed = seed_invoices(10, seed=1, clock=CLOCK)
    outcome = retry_failed(failed, builtin_scenario("healthy"), now=NOW)
    assert [i.invoice_id for i in outcome.invoices] == [i.invoice_id for i in failed]
    assert all(i.status == SENT and i.reason is None for i in outcome.invoices)
    assert all(i.sending_time == NOW for i in outcome.invoices)
    assert [i.sending_attempts for i in outcome.invoices] == [
        i.sending_attempts + 1 for i in failed
    ]


def test_retry_failed_all_failing_keeps_them_failed_with_a_reason() -> None:
    failed = seed_invoices(10, seed=1, clock=CLOCK)
    outcome = retry_failed(failed, builtin_scenario("all-failing"), now=NOW)
    assert all(i.status == FAILED and i.reason in FAILURE_REASONS for i in outcome.invoices)


def test_retry_failed_abandons_at_max_attempts() -> None:
    failed = seed_invoices(30, seed=1, clock=CLOCK)
    scenario = builtin_scenario("all-failing").with_options(max_attempts=3)
    outcome = retry_failed(failed, scenario, now=NOW)
    for before, after in zip(failed, outcome.invoices, strict=True):
        expected = ABANDONED if before.sending_attempts + 1 >= 3 else FAILED
        assert after.status == expected
        if expected == ABANDONED:
            assert after.reason is not None and after.reason.startswith(
                "Maximum sending attempts (3)"
            )


def test_retry_failed_consumes_scripted_outcomes_before_rates() -> None:
    failed = seed_invoices(2, seed=1, clock=CLOCK)
    target = failed[0].invoice_id
    scenario = Scenario("all-failing", default_success_rate=0.0, outcomes={target: (True,)})
    outcome = retry_failed(failed, scenario, now=NOW)
    assert [i.status for i in outcome.invoices] == [SENT, FAILED]
    assert outcome.scenario.outcomes == {}


def test_partial_rates_match_the_draws() -> None:
    failed = seed_invoices(300, seed=9, clock=CLOCK)
    scenario = builtin_scenario("partial").with_options(seed=9)
    outcome = retry_failed(failed, scenario, now=NOW)
    for before, after in zip(failed, outcome.invoices, strict=True):
        unit, _ = draw(9, before.invoice_id, before.sending_attempts + 1)
        accepted = unit < scenario.success_rate(before.system)
        assert (after.status == SENT) == accepted


def test_draw_is_fixed_by_seed_invoice_and_attempt() -> None:
    invoice = uuid.UUID("81409f7b-0b26-4f1b-aaa0-271b171c8c04")
    assert draw(1, invoice, 2) == draw(1, invoice, 2)
    assert draw(1, invoice, 2) != draw(1, invoice, 3)
    assert 0 <= draw(5, invoice, 1)[0] < 1


def test_scenario_json_round_trips() -> None:
    scenario = builtin_scenario("partial").with_options(
        seed=4, max_attempts=5, outcomes={uuid.UUID(int=1): (True, False)}
    )
    assert Scenario.from_json(scenario.to_json()) == scenario


def test_builtin_scenario_unknown_name_lists_the_known_ones() -> None:
    try:
        builtin_scenario("sunny")
    except KeyError as error:
        assert "healthy" in str(error) and "sunny" in str(error)
    else:
        raise AssertionError("an unknown scenario was accepted")
