"""The HTTP servers ``python -m mock_server`` runs the app under: granian or gunicorn.

Both serve one app built once in the main process and share the state through the
database; worker processes are forked from the main process (the app is not rebuilt).

``granian`` (the default) is an HTTP server written in Rust: it parses requests and keeps
connections alive outside Python, so a worker spends its time on the retry call itself.
Header names go out in lower case (as HTTP/2 always sends them; HTTP/1.1 header names are
case-insensitive), and the ``drop-connection`` fault closes the connection before the
body is complete - sometimes after the status line has gone out.

``gunicorn`` (``--server gunicorn``) runs threaded (``gthread``) workers: one request per
connection, parsed in Python, so it serves fewer calls per second, but it hands the
app the client's socket. There the ``drop-connection`` fault closes the connection
before a single byte of the answer, and header names keep the case the app gives them.

Hostile clients: granian gives a client 5 s to send a request's headers and holds
thousands of idle connections per worker in Rust; gunicorn has a thread per connection
it takes in (see GUNICORN_THREADS). Either way 500 slow or idle connections leave a
normal client answered in milliseconds, and a latency fault sleeps on one thread of many.

The ``Server`` header: granian sends the app's in place of its own ``server: granian``,
and its own when the app sends none. gunicorn drops the app's (it counts ``Server`` as
hop-by-hop) and always sends its own, so the mock sets gunicorn's to the configured
value; with the header turned off gunicorn still sends ``Server: gunicorn``.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from mock_server.mock import current_mock_of

__all__ = ["SERVERS", "THREADS_PER_WORKER", "address", "free_to_listen", "serve"]

SERVERS = ("granian", "gunicorn")
WORKER_TIMEOUT_S = 300  # a retry call over 100,000 invoices takes seconds, not minutes
SHUTDOWN_TIMEOUT_S = 5
# Python threads per worker. A latency fault sleeps on its call's thread: with one thread,
# a worker answered nothing else meanwhile (the control API took 15 s under an 8 s latency
# fault). Threads that sleep or wait on a lock take no GIL; writers of one process queue on
# a thread lock before the database's (mock_server.writer_lock). More threads than calls
# in Python at once only contend for the GIL: 32 served 1,568-1,704 calls/s where 8 served
# 1,719 and 1 served 2,292 (bench/RESULTS.md, 2026-12-03). 8 leave a worker free threads
# with four calls delayed in it (tests/mock_server/test_hostile_clients.py).
THREADS_PER_WORKER = 8
# Connections a granian worker takes in at once (granian's backpressure); the rest wait in
# the listen queue. Idle and slow connections hold one each while Rust reads their headers:
# at 64 a worker, 128 half-open connections made the mock unreachable.
CONNECTIONS_PER_WORKER = 2048
LISTEN_BACKLOG = 4096
# A client gets this long to send a request's headers (slowloris), also between requests on
# a kept-alive connection; then its connection is closed.
HEADER_READ_TIMEOUT_MS = 5_000
# gunicorn (gthread) reads a request's headers on a worker thread, with no deadline: a
# client dripping its headers holds a thread for as long as it drips. So each worker has a
# thread for every connection it takes in (worker_connections = threads: it stops
# accepting when all are taken, and the other worker accepts), and enough of them that
# 500 slow clients leave threads free. Kept-alive connections would need connections
# beyond the threads: gunicorn closes each connection after its answer (keepalive 0).
GUNICORN_THREADS = 512


def address(host: str, port: int) -> str:
    """``host:port``, an IPv6 host in brackets (as URLs and gunicorn's bind want it)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def free_to_listen(host: str, port: int) -> int:
    """The port a listener on ``host:port`` gets (a free one for port 0).

    Raises OSError (port in use, unknown address) before any server starts.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        bound: int = probe.getsockname()[1]
        return bound


def serve(
    server: str,
    app: Flask,
    *,
    host: str,
    port: int,
    workers: int,
    ready: Callable[[], None],
    threads: int = THREADS_PER_WORKER,
) -> None:
    """Serve ``app`` on ``host:port`` until SIGTERM or SIGINT; ``ready`` runs once bound.
    ``threads`` are granian's Python threads per worker (gunicorn keeps a thread per
    connection)."""
    # Everything built so far (app, contract, writers, the invoices' fixed columns) lives
    # as long as the process: frozen, the collector no longer walks it in each full
    # collection, and forked workers share its pages instead of copying them when the
    # collector would touch them. Measured: 4-5% more calls per second, p99 no worse.
    gc.freeze()
    if server == "granian":
        _serve_granian(app, host=host, port=port, workers=workers, threads=threads, ready=ready)
    else:
        _serve_gunicorn(app, host=host, port=port, workers=workers, ready=ready)


def _serve_granian(
    app: Flask, *, host: str, port: int, workers: int, threads: int, ready: Callable[[], None]
) -> None:
    from granian.constants import HTTPModes, Interfaces  # noqa: PLC0415 - only when chosen
    from granian.http import HTTP1Settings  # noqa: PLC0415
    from granian.log import LogLevels  # noqa: PLC0415
    from granian.server import Server  # noqa: PLC0415

    server = Server(
        target="mock_server", address=host, port=port, interface=Interfaces.WSGI,
        workers=workers, blocking_threads=threads, backlog=LISTEN_BACKLOG,
        backpressure=CONNECTIONS_PER_WORKER, http=HTTPModes.http1, websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS),
        log_level=LogLevels.warning, respawn_failed_workers=True,
        workers_kill_timeout=SHUTDOWN_TIMEOUT_S,
    )  # fmt: skip
    # granian warns of more Python threads than twice the cores: here they mostly sleep.
    logging.getLogger("_granian").addFilter(_NotThreadCountWarning())
    # On Linux granian's workers bind the port themselves (SO_REUSEPORT) after its startup
    # hooks, so the URL is announced once a connection is accepted, not when hooks run.
    server.on_startup(lambda: _when_accepting(host, port, ready))
    # Workers are forked after the startup hooks: each uses the app built here.
    server.serve(target_loader=lambda _target: app)


ACCEPT_WAIT_S = 60


def _when_accepting(host: str, port: int, ready: Callable[[], None]) -> None:
    """Run ``ready`` on a thread once ``host:port`` accepts a connection (within 60 s).

    The workers are forked while the thread runs: a fork waits until the thread holds no
    lock (stderr's, the socket module's), or a worker could start with one held for good.
    """
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}
    target = (wildcard.get(host, host), port)
    not_forking = threading.Lock()
    os.register_at_fork(before=not_forking.acquire, after_in_parent=not_forking.release,
                        after_in_child=not_forking.release)  # fmt: skip

    def wait_then_announce() -> None:
        deadline = time.monotonic() + ACCEPT_WAIT_S
        while time.monotonic() < deadline:
            with not_forking:
                try:
                    socket.create_connection(target, timeout=1).close()
                except OSError:
                    pass
                else:
                    ready()
                    return
            time.sleep(0.01)

    threading.Thread(target=wait_then_announce, name="announce", daemon=True).start()


class _NotThreadCountWarning(logging.Filter):
    """Drops granian's warning about the number of Python threads (see THREADS_PER_WORKER)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for that warning alone."""
        return "Python threads" not in record.getMessage()


def _serve_gunicorn(
    app: Flask, *, host: str, port: int, workers: int, ready: Callable[[], None]
) -> None:
    from gunicorn.app.base import BaseApplication  # noqa: PLC0415 - only when chosen

    _gunicorn_server_header(app)

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        """gunicorn serving one prebuilt app (``preload_app``: workers fork from it)."""

        def load_config(self) -> None:
            for key, value in _gunicorn_options(host, port, workers, ready).items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    _Gunicorn().run()


def _gunicorn_server_header(app: Flask) -> None:
    """Make gunicorn's own ``Server`` header the configured one (see the module)."""
    from gunicorn.http import wsgi  # noqa: PLC0415 - only when chosen

    value = dict(current_mock_of(app).settings.site_headers).get("Server")
    # Each response reads the module's SERVER; the workers fork after this assignment.
    if value is not None and hasattr(wsgi, "SERVER"):
        wsgi.SERVER = value


def _gunicorn_options(
    host: str, port: int, workers: int, ready: Callable[[], None]
) -> dict[str, Any]:
    return {
        "bind": address(host, port), "workers": workers, "worker_class": "gthread",
        "threads": GUNICORN_THREADS, "worker_connections": GUNICORN_THREADS,
        "keepalive": 0, "backlog": LISTEN_BACKLOG, "preload_app": True,
        "timeout": WORKER_TIMEOUT_S, "graceful_timeout": SHUTDOWN_TIMEOUT_S,
        "accesslog": None, "errorlog": "-", "loglevel": "warning",
        "when_ready": lambda _server: ready(),
    }  # fmt: skip
