"""The mock as users run it: ``python -m mock_server`` under granian or gunicorn on loopback."""

from __future__ import annotations

import gc
import http.client
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from flask import Flask

from mock_server import servers
from mock_server.__main__ import parse_options
from tests.mock_server.conftest import CORRUPT, FROZEN, REPO, ROUTE, live_mock

CONSOLE_SCRIPT = Path(sys.executable).parent / "retry-mock"

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


SERVERS = pytest.mark.parametrize("server", ["granian", "gunicorn"])


@SERVERS
def test_drop_connection_closes_the_socket_and_the_server_keeps_serving(server: str) -> None:
    with live_mock("--workers", "1", "--server", server) as mock:
        httpx.post(mock.url + "/__mock/faults", json={"kind": "drop-connection"})
        with pytest.raises(httpx.TransportError):
            _post(mock.url)
        assert _post(mock.url).status_code == 200
        journal = httpx.get(mock.url + "/__mock/journal").json()["journal"]
    assert journal[0]["status"] is None and journal[0]["fault"] == "drop-connection"


def _raw_post(port: int, *, length: bool = True) -> bytes:
    """Everything the server sends for one POST of the route (``Content-Length: 0`` unless
    ``length`` is false: no length header at all)."""
    headers = "Host: 127.0.0.1\r\n" + ("Content-Length: 0\r\n" if length else "")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(f"POST {ROUTE} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n".encode())
        return connection.makefile("rb").read()


def test_gunicorn_drops_before_any_byte_and_keeps_header_case() -> None:
    with live_mock("--workers", "1", "--server", "gunicorn") as mock:
        answered = _raw_post(mock.port)
        httpx.post(mock.url + "/__mock/faults", json={"kind": "drop-connection"})
        dropped = _raw_post(mock.port)
    assert dropped == b""
    assert b"\r\nContent-Type: application/json; charset=utf-8\r\n" in answered


def test_granian_keeps_the_connection_alive_between_calls() -> None:
    with live_mock("--workers", "1") as mock:
        connection = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
        statuses, sockets = [], []
        for _ in range(3):
            connection.request("POST", ROUTE, headers={"Content-Length": "0"})
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            sockets.append(connection.sock)
        connection.close()
    assert statuses == [200, 200, 200]
    assert sockets[0] is not None and sockets == [sockets[0]] * 3


def test_port_in_use_exits_2_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = _run(sys.executable, "-m", "mock_server", "--port", str(taken.getsockname()[1]))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("retry-mock: error: cannot listen on 127.0.0.1:")


@SERVERS
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_mock_cleanly_and_removes_its_temporary_database(
    server: str, sig: int
) -> None:
    with live_mock("--workers", "2", "--server", server) as mock:
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


@SERVERS
def test_live_http_behaviour_matches_web_api(server: str) -> None:
    with live_mock("--workers", "1", "--server", server) as mock:
        no_length = _raw_post(mock.port, length=False)
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
        (["--failed", "100001"], "--failed must be at most 100,000"),
        (["--db", "/"], "--db / is a directory"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_options(args)
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=REPO, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def _unusable_databases(tmp_path: Path) -> list[tuple[Path, str]]:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(CORRUPT)
    return [
        (tmp_path, "is a directory"),
        (notes, "is not a SQLite database"),
        (broken, "file is not a database"),
    ]


def test_unusable_db_exits_2_with_one_line_naming_path_and_reason(tmp_path: Path) -> None:
    for database, reason in _unusable_databases(tmp_path):
        result = _run(sys.executable, "-m", "mock_server", "--port", "0", "--db", database)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"retry-mock: error: --db {database}")
        assert reason in lines[0]


def _announced_port(process: subprocess.Popen[bytes]) -> int:
    """The port in the ``retry mock: http://...`` line (within 60 s)."""
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    text, deadline = b"", time.monotonic() + 60
    while (match := re.search(rb"retry mock: http://127\.0\.0\.1:(\d+) ", text)) is None:
        assert time.monotonic() < deadline and process.poll() is None, text.decode()
        selector.select(timeout=1)
        text += process.stderr.read() or b""
    selector.close()
    return int(match[1])


def test_port_0_prints_the_port_actually_bound_and_serves_on_it() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "--port", "0", "--workers", "1"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        port = _announced_port(process)
        response = httpx.get(f"http://127.0.0.1:{port}/__mock/scenario", timeout=30)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        assert process.stderr is not None
        process.stderr.close()
    assert port != 0
    assert response.json()["name"] == "partial"


def test_console_script_help_lists_the_options_and_exits_0() -> None:
    result = _run(CONSOLE_SCRIPT, "--help")
    assert result.returncode == 0, result.stderr
    for option in ("--port", "--db", "--failed", "--scenario", "--clock", "--workers"):
        assert option in result.stdout


def test_console_script_bad_option_exits_2_with_one_line() -> None:
    result = _run(CONSOLE_SCRIPT, "--workers", "0")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "retry-mock: error: argument --workers: must be 1 or more, got 0 (see retry-mock --help)"
    ]


def test_serving_freezes_what_the_app_built_before_workers_fork(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen: list[int] = []
    monkeypatch.setattr(
        servers, "_serve_granian", lambda *args, **kwargs: frozen.append(gc.get_freeze_count())
    )
    try:
        servers.serve("granian", Flask(__name__), host="127.0.0.1", port=0, workers=1,
                      ready=lambda: None)  # fmt: skip
    finally:
        gc.unfreeze()
    assert frozen and frozen[0] > 0


@pytest.mark.parametrize(("threads", "control_waits"), [("1", True), ("3", False)])
def test_threads_decide_whether_a_latency_fault_holds_up_the_control_api(
    threads: str, control_waits: bool
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "--port", "0", "--workers", "1",
         "--threads", threads],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{_announced_port(process)}"
        fault = {"kind": "latency", "latency_ms": 2000, "calls": 1}
        httpx.post(f"{url}/__mock/faults", json=fault, timeout=30).raise_for_status()
        with ThreadPoolExecutor(1) as pool:
            delayed = pool.submit(httpx.post, url + ROUTE, content=b"", timeout=30)
            time.sleep(0.5)  # the delayed retry is asleep on a worker thread by now
            started = time.monotonic()
            httpx.get(f"{url}/__mock/scenario", timeout=30).raise_for_status()
            waited = time.monotonic() - started
            assert delayed.result().status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        assert process.stderr is not None
        process.stderr.close()
    assert (waited > 0.8) is control_waits, f"the control call took {waited:.2f} s"


def test_threads_must_be_a_positive_whole_number() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "--threads", "0"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "retry-mock: error: argument --threads: must be 1 or more, got 0 (see retry-mock --help)"
    ]
