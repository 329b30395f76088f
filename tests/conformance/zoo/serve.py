"""Run zoo targets on loopback for the length of a ``with`` block.

Every server binds 127.0.0.1 on a free port, serves from a daemon thread and is always
stopped on exit - listening socket closed, open connections shut down, threads joined
with a timeout - so a test can never leak a server, even when it fails.
"""

from __future__ import annotations

import contextlib
import socketserver
import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.types import WSGIApplication

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.conformance.zoo.hostile import HOSTILE, handler_for
from tests.conformance.zoo.rawhttp import RawServer
from tests.conformance.zoo.reference import create_app

__all__ = ["serve_hostile", "serve_reference", "serve_wsgi", "serving"]

_JOIN_SECONDS = 5.0
_POLL_SECONDS = 0.05


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request log lines, speaking HTTP/1.1 (so that
    a body without Content-Length goes out chunked)."""

    protocol_version = "HTTP/1.1"

    def log(self, type: str, message: str, *args: Any) -> None:
        """Drop werkzeug's access and error log lines."""


def _start(serve_forever: Any, name: str) -> threading.Thread:
    # A short poll interval: shutdown() waits up to one interval for the loop to notice.
    thread = threading.Thread(
        target=serve_forever, kwargs={"poll_interval": _POLL_SECONDS}, name=name, daemon=True
    )
    thread.start()
    return thread


@contextlib.contextmanager
def serving(server: socketserver.TCPServer, name: str) -> Iterator[str]:
    """Run ``server`` (bound to 127.0.0.1) on a daemon thread; yields
    ``http://127.0.0.1:PORT``; always shut down, closed and joined."""
    thread = _start(server.serve_forever, name)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(_JOIN_SECONDS)


@contextlib.contextmanager
def serve_wsgi(app: WSGIApplication) -> Iterator[str]:
    """Serve a WSGI app (threaded, HTTP/1.1); yields ``http://127.0.0.1:PORT``."""
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
    )
    with serving(server, "zoo-wsgi") as url:
        yield url


@contextlib.contextmanager
def serve_reference(
    *, breaks: frozenset[str] = frozenset(), variations: frozenset[str] = frozenset()
) -> Iterator[str]:
    """Serve a fresh reference app with the named breaks and variations switched on."""
    with serve_wsgi(create_app(breaks=breaks, variations=variations)) as base_url:
        yield base_url


@contextlib.contextmanager
def serve_hostile(name: str) -> Iterator[str]:
    """Serve the hostile target ``name`` (see ``HOSTILE``); yields its base URL.

    Unknown names raise ``ValueError`` listing the known ones.
    """
    hostile = HOSTILE.get(name)
    if hostile is None:
        raise ValueError(f"unknown hostile target {name!r}; known: {sorted(HOSTILE)}")
    server = RawServer(handler_for(hostile))
    thread = _start(server.serve_forever, f"zoo-hostile-{name}")
    try:
        yield server.base_url
    finally:
        server.stop()
        thread.join(_JOIN_SECONDS)
