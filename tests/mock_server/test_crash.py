"""The mock under crashes and shared databases: workers die with their master, one mock per db."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.mock_server.conftest import (
    REPO,
    ROUTE,
    LiveMock,
    free_port,
    live_mock,
    mock_on,
)

SERVERS = pytest.mark.parametrize("server", ["granian", "gunicorn"])
RESTART_WITHIN_S = 2.0


def _group_alive(group: int) -> bool:
    """Whether any process of process group ``group`` is still there."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _traffic(url: str, stop: threading.Event) -> None:
    """Retry calls until ``stop`` (each bounded): the master dies while workers are busy."""
    deadline = time.monotonic() + 10
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            httpx.post(url + ROUTE, timeout=1)
        except httpx.HTTPError:
            time.sleep(0.01)


def _kill_master(mock: LiveMock) -> None:
    """``kill -9`` of the master alone, under traffic, and reap it."""
    stop = threading.Event()
    client = threading.Thread(target=_traffic, args=(mock.url, stop))
    client.start()
    time.sleep(0.3)
    os.kill(mock.process.pid, signal.SIGKILL)
    mock.process.wait(timeout=10)
    stop.set()
    client.join(timeout=15)


@SERVERS
def test_kill_9_of_the_master_ends_its_workers_and_frees_port_and_db(
    server: str, tmp_path: Path
) -> None:
    database, port = str(tmp_path / "state.sqlite3"), free_port()
    args = ("--server", server, "--workers", "2", "--db", database)
    with mock_on(port, *args) as first:
        _kill_master(first)
        deadline = time.monotonic() + RESTART_WITHIN_S
        while _group_alive(first.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        orphaned = _group_alive(first.process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.process.pid, signal.SIGKILL)  # a failing run leaves no orphans
        assert not orphaned, "workers outlived their master"
    started = time.monotonic()
    with mock_on(port, *args) as second:
        assert httpx.get(second.url + "/__mock/scenario", timeout=5).status_code == 200
    assert time.monotonic() - started < RESTART_WITHIN_S + 3  # start-up itself takes ~1-2 s


def _start(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mock_server", "--port", str(free_port()), *args]
    return subprocess.run(
        command, check=False, cwd=REPO, capture_output=True, text=True, timeout=60
    )


def test_a_second_mock_on_the_same_db_refuses_naming_the_first(tmp_path: Path) -> None:
    database = str(tmp_path / "state.sqlite3")
    with live_mock("--db", database, "--scenario", "healthy") as first:
        result = _start("--db", database, "--reseed", "--scenario", "external-down")
        scenario = httpx.get(first.url + "/__mock/scenario", timeout=5).json()["name"]
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"pid {first.process.pid}" in lines[0] and f"port {first.port}" in lines[0]
    assert "--share-db" in lines[0]
    assert scenario == "healthy"  # the refused start changed nothing


def test_share_db_joins_and_serves_the_stored_state(tmp_path: Path) -> None:
    database = str(tmp_path / "state.sqlite3")
    with (
        live_mock("--db", database, "--scenario", "healthy") as first,
        live_mock("--db", database, "--share-db", "--workers", "1") as second,
    ):
        httpx.put(first.url + "/__mock/scenario", json={"name": "external-down"}, timeout=5)
        assert httpx.get(second.url + "/__mock/scenario", timeout=5).json()["name"] == (
            "external-down"
        )


def test_a_new_owner_is_refused_while_a_sharer_still_serves_the_db(tmp_path: Path) -> None:
    database = str(tmp_path / "state.sqlite3")
    with live_mock("--db", database, "--scenario", "healthy") as owner:
        sharer = live_mock("--db", database, "--share-db", "--workers", "1")
        with sharer as serving:
            owner.stop()  # the owner is gone; the sharer still serves the state
            refused = _start("--db", database, "--reseed", "--scenario", "external-down")
            scenario = httpx.get(serving.url + "/__mock/scenario", timeout=5).json()["name"]
            with live_mock("--db", database, "--share-db", "--workers", "1") as joined:
                assert httpx.get(joined.url + "/__mock/health", timeout=5).status_code == 200
    assert refused.returncode == 2
    (line,) = refused.stderr.splitlines()
    assert "--share-db" in line and "still served" in line
    assert scenario == "healthy"  # the refused start changed nothing
    with live_mock("--db", database) as new_owner:  # every sharer gone: the db is free
        assert httpx.get(new_owner.url + "/__mock/health", timeout=5).status_code == 200


def _banner(mock: LiveMock) -> str:
    mock.stop()
    assert mock.process.stderr is not None
    return mock.process.stderr.read().decode()


def test_banner_of_an_existing_db_shows_the_stored_state_and_what_was_not_applied(
    tmp_path: Path,
) -> None:
    database = str(tmp_path / "state.sqlite3")
    with live_mock("--db", database, "--scenario", "healthy", "--failed", "3") as mock:
        fresh = _banner(mock)
    with live_mock("--db", database, "--scenario", "all-failing", "--failed", "7") as mock:
        kept = _banner(mock)
    assert "(scenario healthy, granian" in fresh and "not applied" not in fresh
    assert "(scenario healthy, 3 failed, kept, granian" in kept
    assert "not applied: --scenario all-failing, --failed 7" in kept and "--reseed" in kept
