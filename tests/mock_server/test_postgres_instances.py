"""A team's shared mock: two instances of ``python -m mock_server`` (2 workers each) on one
PostgreSQL database, the password in ``PGPASSWORD``, 16 clients at once.

Every call of the scenario ``all-failing`` retries every invoice, so each acknowledged
body names, per invoice, the attempt number that call gave it: two bodies naming the same
attempt of one invoice would be one failure retried twice. The final state must hold
every acknowledged attempt, and each invoice's attempts must have grown by exactly one per
committed call (the journal, written in the call's own transaction, counts those).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import POSTGRES
from tests.mock_server.conftest import ROUTE, LiveMock, free_port, mock_on
from tests.postgres_support import PASSWORD, Cluster

pytestmark = POSTGRES

CLIENTS = 16
INVOICES = 30
PHASE_CALLS = 25  # retry calls per client in the first phase
KILL_PHASE_CALLS = 400  # at most, in the second: it runs until 1.5 s after the kill
PHASE_SECONDS = 20.0  # each phase at most this long


@pytest.fixture
def database_url(postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new database, its URL without the password; the password in PGPASSWORD."""
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    return postgres_cluster.url(postgres_cluster.create_database())


@contextlib.contextmanager
def instance(url: str, *args: str) -> Iterator[LiveMock]:
    """One instance of the mock on ``url`` (2 workers), always stopped."""
    with mock_on(free_port(), "--db", url, "--workers", "2", *args) as mock:
        yield mock


@dataclass
class Traffic:
    """What the clients saw: acknowledged attempts per invoice, statuses, failed sends."""

    attempts: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    unanswered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, response: httpx.Response, *, retry: bool) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if retry and response.status_code == 200:
                body = response.json()
                self.retries += 1
                for invoice in body["Data"]:
                    self.attempts[invoice["InvoiceId"]].append(invoice["SendingAttempts"])


def _client(
    urls: list[str], number: int, traffic: Traffic, stop: threading.Event, calls: int
) -> None:
    """Retry calls, every fifth a control call, until ``stop`` or the bounds; a client whose
    instance stops answering goes on with the next one (as a load balancer would)."""
    deadline = time.monotonic() + PHASE_SECONDS
    target = number % len(urls)
    with httpx.Client(timeout=10) as client:
        for call in range(calls):
            if stop.is_set() or time.monotonic() > deadline:
                return
            url = urls[target]
            try:
                if call % 5 == 4:
                    traffic.answered(_control(client, url, number + call), retry=False)
                traffic.answered(client.post(url + ROUTE, content=b""), retry=True)
            except httpx.TransportError:
                with traffic.lock:
                    traffic.unanswered += 1
                target = (target + 1) % len(urls)


def _control(client: httpx.Client, url: str, number: int) -> httpx.Response:
    kind = number % 3
    if kind == 0:
        return client.get(url + "/__mock/invoices")
    if kind == 1:
        return client.get(url + "/__mock/journal", params={"limit": 3})
    fault = {"kind": "latency", "latency_ms": 5, "calls": 1}
    return client.post(url + "/__mock/faults", json=fault)


def _run_clients(urls: list[str], traffic: Traffic, *, kill: LiveMock | None = None) -> None:
    stop = threading.Event()
    calls = PHASE_CALLS if kill is None else KILL_PHASE_CALLS
    threads = [threading.Thread(target=_client, args=(urls, n, traffic, stop, calls))
               for n in range(CLIENTS)]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        if kill is not None:
            time.sleep(1.5)  # mid-traffic
            os.killpg(kill.process.pid, signal.SIGKILL)
            kill.process.wait(timeout=10)
            time.sleep(1.5)  # the clients of the killed instance go on with the other
            stop.set()
    finally:
        for thread in threads:
            thread.join(timeout=PHASE_SECONDS + 30)
        stop.set()


def _state(url: str) -> dict[str, int]:
    invoices = httpx.get(url + "/__mock/invoices", timeout=10).json()["invoices"]
    return {invoice["InvoiceId"]: invoice["SendingAttempts"] for invoice in invoices}


def _committed_retries(url: str) -> int:
    journal = httpx.get(url + "/__mock/journal", timeout=10).json()["journal"]
    return sum(entry["path"] == ROUTE and entry["status"] == 200 for entry in journal)


def _assert_once_each(traffic: Traffic, start: dict[str, int], final: dict[str, int]) -> None:
    assert not [status for status in traffic.statuses if status >= 500], traffic.statuses
    assert set(traffic.attempts) == set(start)
    for invoice, attempts in traffic.attempts.items():
        doubled = [n for n, count in Counter(attempts).items() if count > 1]
        assert not doubled, f"{invoice}: attempts {doubled} acknowledged twice"
        assert max(attempts) <= final[invoice], f"{invoice}: an acknowledged attempt is lost"


def test_two_instances_of_two_workers_never_retry_one_failure_twice(database_url: str) -> None:
    args = ("--scenario", "all-failing", "--failed", str(INVOICES), "--seed", "3")
    with instance(database_url, *args) as first, instance(database_url, *args) as second:
        urls = [first.url, second.url]
        start = _state(first.url)
        assert len(start) == INVOICES and _state(second.url) == start, "the second joined"
        traffic = Traffic()
        _run_clients(urls, traffic)
        final = _state(second.url)
        _assert_once_each(traffic, start, final)
        assert traffic.unanswered == 0 and traffic.retries > CLIENTS * 10
        for invoice, attempts in final.items():
            assert attempts == start[invoice] + traffic.retries, "a retry went missing"
        assert _committed_retries(first.url) == traffic.retries

        # A kill -9 of one instance mid-traffic: every acknowledged state is kept.
        before, killed = Traffic(), second
        _run_clients(urls, before, kill=killed)
        after = _state(first.url)
        _assert_once_each(before, final, after)
        committed = _committed_retries(first.url) - traffic.retries
        assert before.retries <= committed
        for invoice, attempts in after.items():
            assert attempts == final[invoice] + committed, "a committed retry went missing"
        assert killed.process.poll() is not None and before.unanswered > 0


def test_faults_and_scenarios_set_through_one_instance_apply_on_the_next_call_everywhere(
    database_url: str,
) -> None:
    with (
        instance(database_url, "--scenario", "healthy", "--failed", "3") as first,
        instance(database_url, "--scenario", "empty", "--workers", "1") as second,
    ):
        fault = {"kind": "http-500", "calls": 1}
        assert httpx.post(first.url + "/__mock/faults", json=fault).status_code == 201
        assert httpx.post(second.url + ROUTE, content=b"").status_code == 500
        answer = httpx.post(first.url + ROUTE, content=b"")
        assert answer.status_code == 200 and len(answer.json()["Data"]) == 3
        scenario = {"name": "external-down"}
        assert httpx.put(second.url + "/__mock/scenario", json=scenario).status_code == 200
        assert httpx.post(first.url + ROUTE, content=b"").json()["Sucess"] is False
        banner = _banner(second)
    assert "(scenario healthy, 3 failed, kept, granian, state in postgresql://mock@" in banner
    assert "not applied: --scenario empty" in banner and PASSWORD not in banner


def _banner(mock: LiveMock) -> str:
    mock.stop()
    assert mock.process.stderr is not None
    return mock.process.stderr.read().decode()


def test_reseed_through_a_new_instance_resets_the_state_every_instance_serves(
    database_url: str,
) -> None:
    with instance(database_url, "--scenario", "all-failing", "--failed", "4") as first:
        httpx.post(first.url + ROUTE, content=b"")
        with instance(database_url, "--reseed", "--scenario", "healthy", "--failed", "2"):
            assert httpx.get(first.url + "/__mock/scenario").json()["name"] == "healthy"
            assert len(_state(first.url)) == 2
