"""The HTTP servers ``python -m mock_server`` runs the app under: granian or gunicorn.

Both serve one app built once in the main process and share the state through the
database; worker processes are forked from the main process (the app is not rebuilt).

``granian`` (the default) is an HTTP server written in Rust: it parses requests and keeps
connections alive outside Python, so a worker spends its time on the retry call itself.
Header names go out in lower case (as HTTP/2 always sends them; HTTP/1.1 header names are
case-insensitive), and the ``drop-connection`` fault closes the connection before the
body is complete - sometimes after the status line has gone out.

``gunicorn`` (``--server gunicorn``) runs synchronous workers: one request per
connection, parsed in Python, so it serves fewer calls per second, but it hands the
app the client's socket. There the ``drop-connection`` fault closes the connection
before a single byte of the answer, and header names keep the case the app gives them.

The ``Server`` header: granian sends the app's in place of its own ``server: granian``,
and its own when the app sends none. gunicorn drops the app's (it counts ``Server`` as
hop-by-hop) and always sends its own, so the mock sets gunicorn's to the configured
value; with the header turned off gunicorn still sends ``Server: gunicorn``.
"""

from __future__ import annotations

import gc
import socket
from collections.abc import Callable
from typing import Any

from flask import Flask

from mock_server.mock import current_mock_of

__all__ = ["SERVERS", "address", "free_to_listen", "serve"]

SERVERS = ("granian", "gunicorn")
WORKER_TIMEOUT_S = 300  # a retry call over 100,000 invoices takes seconds, not minutes
SHUTDOWN_TIMEOUT_S = 5
# Python threads per granian worker. One, as a gunicorn sync worker: calls queue on the
# database's one writer anyway, and a second thread only added GIL handovers (measured:
# a fifth fewer calls per second). A latency fault holds its worker as under gunicorn.
THREADS_PER_WORKER = 1
# Requests a granian worker takes in at once; the rest wait in the listen queue. More than
# one per thread, so a request never waits on its connection's previous one.
REQUESTS_PER_WORKER = 64


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
    server: str, app: Flask, *, host: str, port: int, workers: int, ready: Callable[[], None]
) -> None:
    """Serve ``app`` on ``host:port`` until SIGTERM or SIGINT; ``ready`` runs once bound."""
    # Everything built so far (app, contract, writers, the invoices' fixed columns) lives
    # as long as the process: frozen, the collector no longer walks it in each full
    # collection, and forked workers share its pages instead of copying them when the
    # collector would touch them. Measured: 4-5% more calls per second, p99 no worse.
    gc.freeze()
    if server == "granian":
        _serve_granian(app, host=host, port=port, workers=workers, ready=ready)
    else:
        _serve_gunicorn(app, host=host, port=port, workers=workers, ready=ready)


def _serve_granian(
    app: Flask, *, host: str, port: int, workers: int, ready: Callable[[], None]
) -> None:
    from granian.constants import HTTPModes, Interfaces  # noqa: PLC0415 - only when chosen
    from granian.log import LogLevels  # noqa: PLC0415
    from granian.server import Server  # noqa: PLC0415

    server = Server(
        target="mock_server", address=host, port=port, interface=Interfaces.WSGI,
        workers=workers, blocking_threads=THREADS_PER_WORKER,
        backpressure=REQUESTS_PER_WORKER, http=HTTPModes.http1, websockets=False,
        log_level=LogLevels.warning, respawn_failed_workers=True,
        workers_kill_timeout=SHUTDOWN_TIMEOUT_S,
    )  # fmt: skip
    server.on_startup(ready)
    # Workers are forked after the startup hooks: each uses the app built here.
    server.serve(target_loader=lambda _target: app)


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
        "bind": address(host, port), "workers": workers, "worker_class": "sync",
        "preload_app": True,
        "timeout": WORKER_TIMEOUT_S, "graceful_timeout": SHUTDOWN_TIMEOUT_S,
        "accesslog": None, "errorlog": "-", "loglevel": "warning",
        "when_ready": lambda _server: ready(),
    }  # fmt: skip
