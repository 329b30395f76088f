"""A Hypothesis state machine over explicit seeds, retries, resets, scenarios and faults.

The oracle is :class:`~tests.mock_server.retry_model.RetryModel`, kept by the test: each
retry must return exactly the invoices the model holds as failed, each with one more
attempt and the frozen clock's ``SendingTime``; a succeeded invoice never comes back; a
faulted or ``external-down`` call changes nothing; after every step the mock's invoices
are exactly the model's. A mutant store that does not count attempts makes it fail.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

import mock_server.sqlite_store
from contract.artifacts import load_contract
from contract.netdatetime import NetDateTime
from contract.wire import WireFormatError, read_json, read_xml
from mock_server.sqlite_retry import Outcomes, draw_outcomes, write_outcomes
from tests.mock_server.conftest import FROZEN, make_app, retry
from tests.mock_server.retry_model import (
    ABANDONED,
    FAILED,
    SENT,
    Expected,
    RetryModel,
    check_retried,
    check_state,
    json_wall_clock,
)

SCENARIOS = ["healthy", "all-failing", "partial", "empty", "external-down"]
FAULTS = ["http-500", "envelope-failure", "malformed-body", "latency"]
CLOCK = NetDateTime.parse(FROZEN)
EARLIER = "2025-01-02T03:04:05.1234567+02:00"
CONTRACT = load_contract()

invoices = st.lists(
    st.tuples(
        st.uuids(version=4), st.integers(0, 5), st.sampled_from([FAILED, FAILED, SENT, ABANDONED])
    ),
    max_size=8,
    unique_by=lambda invoice: invoice[0],
)


class MockStateMachine(RuleBasedStateMachine):
    """Drives one mock (frozen clock) through the test client and checks it against a model."""

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="mock-sm-"))
        self.client = make_app(self.directory, FAILED=5).test_client()
        # The start state is read once: reset must come back to exactly it.
        self.start = self._state()
        self.model = RetryModel.from_state(self.start)

    def teardown(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _state(self) -> list[dict[str, Any]]:
        state: list[dict[str, Any]] = self.client.get("/__mock/invoices").json["invoices"]
        return state

    @rule(given=invoices)
    def seed(self, given: list[tuple[uuid.UUID, int, str]]) -> None:
        body = [
            {"InvoiceId": str(key), "SendingAttempts": attempts, "Status": status,
             "Reason": None if status == SENT else "Member not found on scheme",
             "SendingTime": EARLIER}
            for key, attempts, status in given
        ]  # fmt: skip
        response = self.client.post("/__mock/seed", json={"invoices": body})
        assert response.status_code == 200, response.json
        self.model.invoices = {
            str(key): Expected(attempts, status, EARLIER) for key, attempts, status in given
        }
        check_state(self.model, self._state())

    @rule()
    def reset(self) -> None:
        assert self.client.post("/__mock/reset").status_code == 200
        self.model = RetryModel.from_state(self.start)
        check_state(self.model, self._state())

    @rule(name=st.sampled_from(SCENARIOS))
    def scenario(self, name: str) -> None:
        body = {"name": name, "reseed": False}
        assert self.client.put("/__mock/scenario", json=body).status_code == 200
        self.model.scenario = name
        check_state(self.model, self._state())

    @rule(kind=st.sampled_from(FAULTS), calls=st.integers(1, 2))
    def fault(self, kind: str, calls: int) -> None:
        body: dict[str, Any] = {"kind": kind, "calls": calls}
        if kind == "latency":
            body["latency_ms"] = 0
        assert self.client.post("/__mock/faults", json=body).status_code == 201
        self.model.faults.append((kind, calls))

    @rule(accept=st.sampled_from(["application/json", "application/xml"]))
    def retry(self, accept: str) -> None:
        fired = self.model.fire_faults()
        decisive = next((kind for kind in fired if kind != "latency"), None)
        response = retry(self.client, accept)
        if decisive == "http-500":
            assert response.status_code == 500
        elif decisive == "envelope-failure" or self.model.scenario == "external-down":
            # malformed-body cuts every 200, the envelope-failure answer too.
            self._check_unchanged_envelope(response.data, accept, cut="malformed-body" in fired)
        elif decisive == "malformed-body":
            self._learn_from_cut_retry(response.data, accept)
        else:
            envelope = _read(response.data, accept)
            assert envelope["Sucess"] is True
            now = json_wall_clock(CLOCK) if accept == "application/json" else CLOCK
            statuses = check_retried(self.model, envelope["Data"], now=now)
            self.model.retried(statuses, at=FROZEN)
        check_state(self.model, self._state())

    def _check_unchanged_envelope(self, body: bytes, accept: str, *, cut: bool) -> None:
        if cut:
            with pytest.raises(WireFormatError):
                _read(body, accept)
            return
        envelope = _read(body, accept)
        assert envelope["Sucess"] is False and envelope["Data"] == []

    def _learn_from_cut_retry(self, body: bytes, accept: str) -> None:
        """The call ran but its answer was cut: only the outcomes are read from the state."""
        with pytest.raises(WireFormatError):
            _read(body, accept)
        held = {str(inv["InvoiceId"]): inv["Status"] for inv in self._state()}
        self.model.retried({key: held[key] for key in self.model.failed_ids()}, at=FROZEN)


def _read(body: bytes, accept: str) -> Any:
    return (read_json if accept == "application/json" else read_xml)(body, CONTRACT)


MockStateMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=20, deadline=None
)
test_mock_state_machine = MockStateMachine.TestCase


def _never_counting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mutant store: retries, but neither returns nor keeps the new attempt."""

    def draw(db: sqlite3.Connection, *args: Any) -> Outcomes:
        outcomes = draw_outcomes(db, *args)
        retried = [(*item[:7], item[7] - 1, item[8]) for item in outcomes.retried]
        return Outcomes(retried, outcomes.kept, outcomes.changed)

    def write(db: sqlite3.Connection, outcomes: Outcomes, now: Any) -> None:
        write_outcomes(db, outcomes, now)
        groups = [*outcomes.kept.values(), *outcomes.changed.values()]
        positions = [(position,) for group in groups for position in group]
        db.executemany("UPDATE invoices SET attempts = attempts - 1 WHERE position = ?", positions)

    monkeypatch.setattr(mock_server.sqlite_store, "draw_outcomes", draw)
    monkeypatch.setattr(mock_server.sqlite_store, "write_outcomes", write)


def test_state_machine_catches_a_mock_that_never_counts_attempts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _never_counting(monkeypatch)
    quick = settings(
        max_examples=20, stateful_step_count=10, deadline=None, database=None,
        phases=[Phase.generate], suppress_health_check=list(HealthCheck),
        derandomize=True,  # the same examples every run: this test must not be flaky
    )  # fmt: skip
    with pytest.raises(AssertionError, match="SendingAttempts"):
        run_state_machine_as_test(MockStateMachine, settings=quick)


def _model() -> RetryModel:
    return RetryModel({
        "a": Expected(1, FAILED, EARLIER), "b": Expected(2, SENT, EARLIER),
        "c": Expected(3, FAILED, EARLIER),
    })  # fmt: skip


def _item(key: str, attempts: int, *, at: NetDateTime = CLOCK) -> dict[str, Any]:
    return {"InvoiceId": key, "SendingAttempts": attempts, "SendingTime": at, "Status": FAILED}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([_item("a", 1), _item("c", 3)], "SendingAttempts 1, expected 1 + 1"),
        ([_item("a", 2), _item("c", 5)], "SendingAttempts 5, expected 3 + 1"),
        ([_item("a", 2, at=NetDateTime.parse(EARLIER)), _item("c", 4)], "SendingTime"),
        ([_item("a", 2), _item("b", 3), _item("c", 4)], "retried again: ['b']"),
        ([_item("a", 2)], "not the failed invoices"),
        ([_item("c", 4), _item("a", 2)], "not the failed invoices"),
    ],
    ids=["not-counted", "counted-twice", "old-time", "sent-again", "one-missing", "reordered"],
)
def test_check_retried_rejects_a_wrong_retry(data: list[dict[str, Any]], words: str) -> None:
    with pytest.raises(AssertionError, match=words.replace("[", r"\[").replace("+", r"\+")):
        check_retried(_model(), data, now=CLOCK)


def test_check_retried_accepts_the_right_retry_and_the_model_follows() -> None:
    model = _model()
    model.scenario = "all-failing"
    statuses = check_retried(model, [_item("a", 2), _item("c", 4)], now=CLOCK)
    model.retried(statuses, at=FROZEN)
    assert model.invoices["a"] == Expected(2, FAILED, FROZEN)
    assert model.invoices["b"] == Expected(2, SENT, EARLIER)
    assert model.failed_ids() == ["a", "c"]


def test_check_state_rejects_an_invoice_not_retried_that_changed() -> None:
    state = [
        {"InvoiceId": key, "SendingAttempts": inv.attempts, "Status": inv.status,
         "SendingTime": inv.sending_time}
        for key, inv in _model().invoices.items()
    ]  # fmt: skip
    state[1]["SendingAttempts"] = 3
    with pytest.raises(AssertionError, match="b: the mock holds"):
        check_state(_model(), state)
