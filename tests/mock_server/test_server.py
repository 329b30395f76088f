"""The mock as users run it: ``python -m mock_server`` under gunicorn on loopback."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from mock_server.__main__ import parse_options
from tests.mock_server.conftest import FROZEN, REPO, ROUTE, live_mock

CALLS_PER_CLIENT = 4
CLIENTS = 16


def _post(url: str, accept: str = "application/json") -> httpx.Response:
    return httpx.post(url + ROUTE, headers={"Accept": accept}, timeout=30)


def test_parallel_clients_never_get_the_same_failure_retried_twice() -> None:
    with live_mock("--workers", "3", "--scenario", "all-failing", "--failed", "8") as mock:
        start = {
            inv["InvoiceId"]: inv["SendingAttempts"]
            for inv in httpx.get(mock.url + "/__mock/invoices").json()["invoices"]
        }

        def client(_: int) -> list[httpx.Response]:
            return [_post(mock.url) for _ in range(CALLS_PER_CLIENT)]

        with ThreadPoolExecutor(CLIENTS) as pool:
            responses = [r for batch in pool.map(client, range(CLIENTS)) for r in batch]

    assert {r.status_code for r in responses} == {200}
    pairs = []
    for response in responses:
        data = response.json()["Data"]
        assert {item["InvoiceId"] for item in data} == set(start)
        rounds = {item["SendingAttempts"] - start[item["InvoiceId"]] for item in data}
        assert len(rounds) == 1, f"one call mixed attempts of different rounds: {rounds}"
        pairs += [(item["InvoiceId"], item["SendingAttempts"]) for item in data]
    assert len(pairs) == len(set(pairs)), "an (invoice, attempt) pair was returned twice"
    assert len(pairs) == len(start) * CLIENTS * CALLS_PER_CLIENT


def test_drop_connection_closes_the_socket_and_the_server_keeps_serving() -> None:
    with live_mock("--workers", "1") as mock:
        httpx.post(mock.url + "/__mock/faults", json={"kind": "drop-connection"})
        with pytest.raises(httpx.TransportError):
            _post(mock.url)
        assert _post(mock.url).status_code == 200
        journal = httpx.get(mock.url + "/__mock/journal").json()["journal"]
    assert journal[0]["status"] is None and journal[0]["fault"] == "drop-connection"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_mock_cleanly_and_removes_its_temporary_database(sig: int) -> None:
    with live_mock("--workers", "2") as mock:
        code = mock.stop(sig)
        assert mock.process.stderr is not None
        stderr = mock.process.stderr.read().decode()
    assert code == 0, stderr
    match = re.search(r"state in (\S+)\)", stderr)
    assert match is not None, stderr
    assert not Path(match[1]).exists()


def test_db_keeps_state_across_a_restart_unless_reseeded(tmp_path: Path) -> None:
    database = str(tmp_path / "state.sqlite3")
    with live_mock("--db", database, "--scenario", "healthy", "--failed", "4") as mock:
        assert len(_post(mock.url).json()["Data"]) == 4
    with live_mock("--db", database, "--scenario", "healthy", "--failed", "4") as mock:
        state = httpx.get(mock.url + "/__mock/invoices").json()
        assert state["count"] == 4 and state["failed"] == 0
        assert _post(mock.url).json()["Data"] == []
    with live_mock("--db", database, "--failed", "4", "--reseed") as mock:
        assert httpx.get(mock.url + "/__mock/invoices").json()["failed"] == 4


def test_frozen_clock_gives_identical_bodies_on_every_start() -> None:
    args = ("--clock", FROZEN, "--seed", "3", "--scenario", "all-failing", "--failed", "3")
    bodies = []
    for _ in range(2):
        with live_mock(*args) as mock:
            bodies.append((_post(mock.url).content, _post(mock.url, "application/xml").content))
    assert bodies[0] == bodies[1]
    assert b'"SendingTime":"2025-12-14T19:20:43Z"' in bodies[0][0]
    assert b"<d2p1:SendingTime>2025-12-14T19:20:43.1992775+02:00</d2p1:SendingTime>" in bodies[0][1]


def _raw_post_without_length(port: int) -> bytes:
    request = f"POST {ROUTE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.encode())
        return connection.makefile("rb").read()


def test_live_http_behaviour_matches_web_api() -> None:
    with live_mock("--workers", "1") as mock:
        no_length = _raw_post_without_length(mock.port)
        get = httpx.get(mock.url + "/API/V1/billing/invoices/retryallfailed/")
        xml = _post(mock.url, "text/xml")
    assert no_length.startswith(b"HTTP/1.1 411 ")
    assert get.status_code == 405 and get.headers["Allow"] == "POST"
    assert xml.headers["Content-Type"] == "text/xml; charset=utf-8"


def test_bad_option_through_the_entry_point_exits_2_without_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "--port", "70000"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--port" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--workers", "0"], "--workers"),
        (["--failed", "-1"], "--failed"),
        (["--scenario", "sunny"], "--scenario"),
        (["--clock", "yesterday"], "--clock"),
        (["--timezone", "+25:00"], "--timezone"),
        (["--success-rate", "2"], "--success-rate"),
        (["--max-attempts", "0"], "--max-attempts"),
        (["--no-cors", "--cors-origins", "http://a"], "--no-cors"),
        (["--db", "/nonexistent/dir/state.sqlite3"], "--db"),
        (["--seed", "x"], "--seed"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_options(args)
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err
