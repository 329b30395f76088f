"""One process, many threads: the server of the proxy and of replay.

Both keep their state in memory (the journal, the HAR being written, each shape's turn),
so they run in one process, werkzeug's threaded server, speaking HTTP/1.1. The handler
sends exactly the app's headers: no Server or Date of its own, so that a proxied or
replayed answer carries the upstream's. SIGTERM stops it like Ctrl-C.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["make_plain_server", "serve_until_stopped"]


class _ExactHandler(WSGIRequestHandler):
    """Werkzeug's handler adding no header of its own and logging nothing."""

    protocol_version = "HTTP/1.1"

    def send_response(self, code: int, message: str | None = None) -> None:
        """The status line only (http.server would add Server and Date)."""
        self.send_response_only(code, message)

    def log(self, type: str, message: str, *args: Any) -> None:
        """No access log: the proxy prints its own lines."""


def make_plain_server(app: WSGIApplication, host: str, port: int) -> BaseWSGIServer:
    """A threaded server of ``app`` bound to ``host:port`` (0: a free port)."""
    return make_server(host, port, app, threaded=True, request_handler=_ExactHandler)


def serve_until_stopped(server: BaseWSGIServer, ready: Callable[[], None]) -> None:
    """Serve until SIGTERM or SIGINT, calling ``ready`` once listening."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    ready()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stderr.flush()
