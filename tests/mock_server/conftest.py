"""Fixtures for the mock's tests: an app on a temporary database, its client, a live server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mock_server import create_app

ROUTE = "/api/v1/billing/invoices/retryallfailed"
FROZEN = "2025-12-14T19:20:43.1992775+02:00"
REPO = Path(__file__).resolve().parents[2]
# A valid SQLite header followed by pages of garbage: only opening it shows it is broken.
CORRUPT = b"SQLite format 3\x00" + b"garbage!" * 512


def make_app(tmp_path: Path, **config: Any) -> Flask:
    """A mock on its own database under ``tmp_path`` with a frozen clock."""
    settings: dict[str, Any] = {"DATABASE": tmp_path / "mock.sqlite3", "CLOCK": FROZEN}
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The default mock (scenario partial, 20 failed invoices, seed 1)."""
    return make_app(tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


def retry(client: FlaskClient, accept: str | None = None, **headers: str) -> TestResponse:
    """POST the retry route as browsers and HTTP libraries do (Content-Length: 0)."""
    if accept is not None:
        headers["Accept"] = accept
    return client.post(ROUTE, headers=headers, environ_base={"CONTENT_LENGTH": "0"})


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveMock:
    """A ``python -m mock_server`` process listening on 127.0.0.1."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            raise


@contextlib.contextmanager
def live_mock(*args: str) -> Iterator[LiveMock]:
    """Start the mock with ``args`` on a free port, wait until it answers, always stop it."""
    with mock_on(free_port(), *args) as server:
        yield server


@contextlib.contextmanager
def mock_on(port: int, *args: str) -> Iterator[LiveMock]:
    """``python -m mock_server --port PORT ARGS``, once it answers; always stopped."""
    command = [sys.executable, "-m", "mock_server", "--port", str(port), *args]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    server = LiveMock(process, port)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            server.stop()
        if process.stderr is not None:
            process.stderr.close()


def _wait_until_answering(server: LiveMock) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            stderr = server.process.stderr.read().decode() if server.process.stderr else ""
            raise RuntimeError(f"the mock exited with {server.process.returncode}: {stderr}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(server.url + "/__mock/health", timeout=1).raise_for_status()
            return
        time.sleep(0.1)
    raise RuntimeError(f"the mock did not answer on port {server.port} within 60 s")
