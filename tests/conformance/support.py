"""Helpers for the conformance suite's tests: run the CLI, record requests, raw targets."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import WSGIApplication

from tests.conformance.zoo.serve import serving

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")
HANG_GUARD_SECONDS = 60.0
HUNG = "the suite hung: the deadline did not cut the request"
ROUTE = "/api/v1/billing/invoices/retryallfailed"


def guarded(call: Callable[[], T], *, timeout: float = HANG_GUARD_SECONDS) -> tuple[bool, T | None]:
    """Run ``call`` in a daemon thread and wait at most ``timeout`` seconds.

    Returns whether it finished, and its result. A hang guard, not a speed claim: the
    limit is far past any deadline a test sets, so only a request the deadline failed to
    cut can reach it (assert on the flag with :data:`HUNG`). An exception of ``call`` is
    raised here.
    """
    outcome: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # handed to the test's thread
            errors.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return not thread.is_alive(), (outcome[0] if outcome else None)


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = HANG_GUARD_SECONDS
) -> subprocess.CompletedProcess[str]:
    """``python -m conformance ARGS`` run in this process: ``conformance.__main__.main(argv)``.

    What it printed comes back as from a process (``returncode``, ``stdout``, ``stderr``);
    argparse's usage errors exit 2 as they would. ``env`` replaces the environment for the
    run and is restored after it. An exception the CLI lets through fails the test: a
    user would have seen a traceback. The run is bounded by the hang guard (``timeout``).
    """
    from conformance.__main__ import main  # noqa: PLC0415 - keeps this module light

    stdout, stderr = io.StringIO(), io.StringIO()

    def run() -> int:
        with (
            _environment(env),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            try:
                return main(list(args))
            except SystemExit as exit_:
                return exit_.code if isinstance(exit_.code, int) else 2

    finished, code = guarded(run, timeout=timeout)
    assert finished, HUNG
    assert code is not None
    return subprocess.CompletedProcess(
        ["retry-conformance", *args], code, stdout.getvalue(), stderr.getvalue()
    )


@contextlib.contextmanager
def _environment(env: dict[str, str] | None) -> Iterator[None]:
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class RecordedRequest:
    """What a :class:`RecordingTarget` received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class RecordingTarget:
    """A loopback HTTP server that logs every request and answers 200 ``{}``."""

    url: str
    requests: list[RecordedRequest] = field(default_factory=list)

    def posts_to_route(self) -> int:
        """How many POSTs reached the retry route."""
        return sum(r.method == "POST" and r.path == ROUTE for r in self.requests)


@contextlib.contextmanager
def recording_target() -> Iterator[RecordingTarget]:
    """Serve a :class:`RecordingTarget` on 127.0.0.1:<free port>; always stopped."""
    log: list[RecordedRequest] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            log.append(RecordedRequest(self.command, self.path, dict(self.headers.items())))
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

        def log_message(self, format: str, *args: object) -> None:
            return

    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler), "recording-target") as url:
        target = RecordingTarget(url)
        target.requests = log
        yield target


@contextlib.contextmanager
def raw_target(behave: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback TCP server whose every connection is handed to ``behave`` (after the
    request head was read); yields the base URL; always stopped."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=_handle, args=(connection, behave, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def _handle(
    connection: socket.socket, behave: Callable[[socket.socket], None], stop: threading.Event
) -> None:
    with connection, contextlib.suppress(OSError):
        connection.settimeout(10)
        head = b""
        while b"\r\n\r\n" not in head and not stop.is_set():
            chunk = connection.recv(4096)
            if not chunk:
                return
            head += chunk
        behave(connection)


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextlib.contextmanager
def serve_app(app: WSGIApplication) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1:<free port>; yields the base URL; always stopped."""
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    with serving(server, "serve-app") as url:
        yield url
