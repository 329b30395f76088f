"""A Hypothesis state machine over seed / retry / reset / scenario / fault steps.

Invariants: no invoice is lost or duplicated by a retry, attempts only grow, an invoice
that was sent is never retried, and a call returns exactly the invoices that were failed
before it (in order) - or, when a fault answered, leaves the state untouched.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from contract.artifacts import load_contract
from contract.wire import WireFormatError, read_json, read_xml
from tests.mock_server.conftest import make_app, retry

SCENARIOS = ["healthy", "all-failing", "partial", "empty", "external-down"]
FAULTS = ["http-500", "envelope-failure", "malformed-body", "latency"]


class MockStateMachine(RuleBasedStateMachine):
    """Drives one mock through the test client and checks it against its own state."""

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="mock-sm-"))
        self.client = make_app(self.directory, FAILED=5).test_client()
        self.contract = load_contract()
        self.attempts: dict[str, int] = {}
        self.sent: set[str] = set()
        self._remember(self._state())

    def teardown(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _state(self) -> list[dict[str, Any]]:
        invoices: list[dict[str, Any]] = self.client.get("/__mock/invoices").json["invoices"]
        return invoices

    def _remember(self, state: list[dict[str, Any]]) -> None:
        self.attempts = {inv["InvoiceId"]: inv["SendingAttempts"] for inv in state}
        self.sent = {inv["InvoiceId"] for inv in state if inv["Status"] == "Sent"}

    @rule(count=st.integers(0, 12), seed=st.integers(0, 3))
    def seed(self, count: int, seed: int) -> None:
        assert (
            self.client.post("/__mock/seed", json={"count": count, "seed": seed}).status_code == 200
        )
        self._remember(self._state())

    @rule()
    def reset(self) -> None:
        assert self.client.post("/__mock/reset").status_code == 200
        self._remember(self._state())

    @rule(name=st.sampled_from(SCENARIOS), reseed=st.booleans())
    def scenario(self, name: str, reseed: bool) -> None:
        body = {"name": name, "reseed": reseed, "failed": 6}
        assert self.client.put("/__mock/scenario", json=body).status_code == 200
        self._remember(self._state())

    @rule(kind=st.sampled_from(FAULTS), calls=st.integers(1, 2))
    def fault(self, kind: str, calls: int) -> None:
        body = {"kind": kind, "calls": calls, "latency_ms": 0}
        assert self.client.post("/__mock/faults", json=body).status_code == 201

    @rule(accept=st.sampled_from(["application/json", "application/xml"]))
    def retry(self, accept: str) -> None:
        before = self._state()
        response = retry(self.client, accept)
        after = self._state()
        assert sorted(inv["InvoiceId"] for inv in after) == sorted(
            inv["InvoiceId"] for inv in before
        )
        assert len({inv["InvoiceId"] for inv in after}) == len(after), "an invoice was duplicated"
        envelope = self._read(response.status_code, response.data, accept)
        retried = [] if envelope is None else envelope["Data"]
        if envelope is not None and envelope["Sucess"]:
            failed_before = [inv["InvoiceId"] for inv in before if inv["Status"] == "Failed"]
            assert [str(item["InvoiceId"]) for item in retried] == failed_before
            assert not {str(item["InvoiceId"]) for item in retried} & self.sent, "sent retried"
        elif envelope is not None or response.status_code != 200:
            assert after == before, "a faulted or failed call changed the state"
        self._check_attempts_grew(after)
        self._remember(after)

    def _read(self, status: int, body: bytes, accept: str) -> Any:
        """The envelope's wire values, or None for a 500 or a truncated body."""
        if status != 200:
            assert status == 500
            return None
        try:
            return (read_json if accept == "application/json" else read_xml)(body, self.contract)
        except WireFormatError:
            return None  # the malformed-body fault: the retry ran, its answer was cut

    def _check_attempts_grew(self, after: list[dict[str, Any]]) -> None:
        for invoice in after:
            assert invoice["SendingAttempts"] >= self.attempts[invoice["InvoiceId"]]

    @invariant()
    def sent_invoices_stay_sent(self) -> None:
        statuses = {inv["InvoiceId"]: inv["Status"] for inv in self._state()}
        assert all(statuses.get(invoice) == "Sent" for invoice in self.sent)


MockStateMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=20, deadline=None
)
test_mock_state_machine = MockStateMachine.TestCase
