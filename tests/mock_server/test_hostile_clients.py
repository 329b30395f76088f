"""The mock under hostile clients: slow and idle connections, latency faults, a stuck writer."""

from __future__ import annotations

import contextlib
import http.client
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server.writer_lock import WRITER_TIMEOUT_S
from tests.mock_server.conftest import ROUTE, live_mock, make_app, retry

SERVERS = pytest.mark.parametrize("server", ["granian", "gunicorn"])
ATTACKERS = 500
P99_LIMIT_S = 0.1
PROBES = 100


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@contextlib.contextmanager
def _slow_clients(port: int, count: int) -> Iterator[None]:
    """``count`` connections: half idle, half dripping a request's headers a byte at a time."""
    sockets: list[socket.socket] = []
    stop = threading.Event()
    for index in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=2)
        if index % 2:
            connection.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(connection)

    def drip() -> None:
        deadline = time.monotonic() + 30
        while not stop.wait(0.5) and time.monotonic() < deadline:
            for connection in sockets[1::2]:
                with contextlib.suppress(OSError):
                    connection.send(b"X")

    dripper = threading.Thread(target=drip)
    dripper.start()
    try:
        yield
    finally:
        stop.set()
        dripper.join(timeout=5)
        for connection in sockets:
            connection.close()


def _probe_latencies(port: int) -> list[float]:
    """Times of :data:`PROBES` health checks, each on a new connection (bounded).

    http.client, not httpx: a new httpx client builds an SSL context first (tens of ms).
    """
    samples = []
    for _ in range(PROBES):
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/__mock/health")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        except OSError:
            samples.append(float("inf"))
            if samples.count(float("inf")) >= 3:  # unreachable: fail now, not in minutes
                break
            continue
        finally:
            connection.close()
        samples.append(time.monotonic() - started)
    return samples


@SERVERS
def test_500_slow_or_idle_connections_leave_a_normal_client_answered_fast(server: str) -> None:
    with (
        live_mock("--server", server, "--workers", "2") as mock,
        _slow_clients(mock.port, ATTACKERS),
    ):
        time.sleep(0.5)  # the server has taken the connections in
        samples = _probe_latencies(mock.port)
    print(f"{server}: p99 {_p99(samples) * 1000:.1f} ms under {ATTACKERS} slow connections")
    assert _p99(samples) < P99_LIMIT_S, f"p99 {_p99(samples) * 1000:.0f} ms"


@SERVERS
def test_a_latency_fault_delays_only_its_own_call(server: str) -> None:
    with live_mock("--server", server, "--workers", "2") as mock:
        fault = {"kind": "latency", "share": 1.0, "latency_ms": 10_000}
        httpx.post(mock.url + "/__mock/faults", json=fault, timeout=5).raise_for_status()
        delayed = [
            threading.Thread(target=_ignore_errors, args=(mock.url + ROUTE,)) for _ in range(4)
        ]
        for thread in delayed:
            thread.start()
        time.sleep(0.5)  # the delayed calls sleep in the workers now
        times = []
        # One client, built before timing: building one takes tens of ms (its SSL context).
        with httpx.Client(timeout=1) as control:
            for _ in range(10):
                started = time.monotonic()
                with contextlib.suppress(httpx.TimeoutException):  # counted as too slow below
                    control.get(mock.url + "/__mock/scenario").raise_for_status()
                times.append(time.monotonic() - started)
        httpx.delete(mock.url + "/__mock/faults", timeout=15)
    for thread in delayed:
        thread.join(timeout=15)
    print(f"{server}: control API at most {max(times) * 1000:.1f} ms under a 10 s latency fault")
    assert max(times) < P99_LIMIT_S, f"control API took {max(times) * 1000:.0f} ms"


def _ignore_errors(url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(url, timeout=12)


_HOLD = """
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def _lock_held_elsewhere(database: Path, seconds: float) -> Iterator[None]:
    """The writer lock of ``database`` held by a helper process (as by a stopped worker)."""
    lock = database.with_name(database.name + "-lock")
    helper = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE
    )
    try:
        assert helper.stdout is not None and helper.stdout.readline() == b"held\n"
        yield
    finally:
        helper.kill()
        helper.wait(timeout=10)
        if helper.stdout is not None:
            helper.stdout.close()


def test_a_stuck_writer_gives_writers_503_within_the_bound_and_never_blocks_reads(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    with _lock_held_elsewhere(tmp_path / "mock.sqlite3", WRITER_TIMEOUT_S + 20):
        started = time.monotonic()
        assert client.get("/__mock/scenario").status_code == 200
        assert client.get("/__mock/invoices").status_code == 200
        read = time.monotonic() - started
        started = time.monotonic()
        response = retry(client, "application/xml")
        waited = time.monotonic() - started
    assert read < P99_LIMIT_S
    assert response.status_code == 503
    assert response.mimetype == "application/xml" and b"<Message>" in response.data
    assert WRITER_TIMEOUT_S - 0.5 <= waited <= WRITER_TIMEOUT_S + 1.5
    assert retry(client).status_code == 200  # the lock is free again: nothing stays stuck


@SERVERS
def test_a_stuck_writer_never_freezes_reads_of_a_live_mock(server: str, tmp_path: Path) -> None:
    database = tmp_path / "state.sqlite3"
    with live_mock("--server", server, "--workers", "1", "--db", str(database)) as mock:
        with _lock_held_elsewhere(database, WRITER_TIMEOUT_S + 20):
            writers = [
                threading.Thread(target=_ignore_errors, args=(mock.url + ROUTE,)) for _ in range(3)
            ]
            for writer in writers:
                writer.start()
            time.sleep(0.3)  # the writers wait for the lock in the one worker now
            with httpx.Client(timeout=2) as reader:  # built before timing (see above)
                started = time.monotonic()
                scenario = reader.get(mock.url + "/__mock/scenario")
                read = time.monotonic() - started
            started = time.monotonic()
            busy = httpx.post(mock.url + ROUTE, headers={"Accept": "application/json"}, timeout=10)
            waited = time.monotonic() - started
        for writer in writers:
            writer.join(timeout=15)
    print(f"{server}: read {read * 1000:.1f} ms, 503 after {waited:.2f} s with the lock held")
    assert scenario.status_code == 200 and read < P99_LIMIT_S
    assert busy.status_code == 503 and busy.json() == {"Message": busy.json()["Message"]}
    assert waited <= WRITER_TIMEOUT_S + 1.5
