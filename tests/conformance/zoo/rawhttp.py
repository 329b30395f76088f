"""A raw-socket HTTP/1.1 server for targets that misbehave below the level WSGI allows.

It reads one request per connection, hands the socket to a handler function and always
closes the connection afterwards. ``call_wsgi`` runs a WSGI app for a raw request, so a
hostile target can answer the requests it does not attack correctly.

Shutdown is bounded: a stop event every handler polls, the connections shut down to
unblock any handler still reading or writing, and the handler threads joined with a
timeout.
"""

from __future__ import annotations

import contextlib
import io
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit
from wsgiref.types import WSGIApplication

from tests.conformance.zoo.mutation import Reply

__all__ = [
    "POLL_SECONDS",
    "Connection",
    "RawRequest",
    "RawServer",
    "call_wsgi",
    "head_bytes",
    "read_request",
    "reply_bytes",
    "send_all",
]

POLL_SECONDS = 0.05
_MAX_HEAD = 64 * 1024
_MAX_BODY = 1 << 20
_JOIN_SECONDS = 2.0


@dataclass(frozen=True)
class RawRequest:
    """One parsed request: method, request target, lower-cased headers and the body."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        """The decoded path of the target, without the query."""
        return unquote(urlsplit(self.target).path)

    def header(self, name: str) -> str | None:
        """Header ``name`` (case-insensitive), or None."""
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Connection:
    """What a handler gets: the socket, the request, the server's stop event and address."""

    sock: socket.socket
    request: RawRequest
    stop: threading.Event
    address: tuple[str, int]

    @property
    def stopped(self) -> bool:
        """Whether the server is shutting down (handlers must return promptly)."""
        return self.stop.is_set()


def _receive(sock: socket.socket, stop: threading.Event) -> bytes | None:
    # Poll so that a client that never sends cannot keep the handler past shutdown.
    while not stop.is_set():
        try:
            return sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return None
    return None


def read_request(sock: socket.socket, stop: threading.Event) -> RawRequest | None:
    """Read one request (head and Content-Length body); None when the client gave up."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = _receive(sock, stop)
        if not chunk or len(data) > _MAX_HEAD:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = min(int(headers.get("content-length", "0") or 0), _MAX_BODY)
    while len(body) < length:
        chunk = _receive(sock, stop)
        if not chunk:
            return None
        body += chunk
    return RawRequest(parts[0].upper(), parts[1], headers, body[:length])


def send_all(connection: Connection, data: bytes) -> bool:
    """Send ``data``; False when the peer went away or the server is stopping."""
    view = memoryview(data)
    while view:
        if connection.stopped:
            return False
        try:
            sent = connection.sock.send(view)
        except TimeoutError:
            continue
        except OSError:
            return False
        view = view[sent:]
    return True


def call_wsgi(app: WSGIApplication, request: RawRequest, address: tuple[str, int]) -> Reply:
    """Run ``app`` for ``request`` and collect its whole reply."""
    environ = _environ(request, address)
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = int(status.split(" ", 1)[0]), headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Reply(captured["status"], tuple(captured["headers"]), body)


def _environ(request: RawRequest, address: tuple[str, int]) -> dict[str, Any]:
    split = urlsplit(request.target)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(split.path),
        "QUERY_STRING": split.query,
        "SERVER_NAME": address[0],
        "SERVER_PORT": str(address[1]),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(request.body)),
    }
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ[key] = value
        elif key != "CONTENT_LENGTH":  # the length of the body actually read is set above
            environ[f"HTTP_{key}"] = value
    return environ


_REASONS = {200: "OK", 302: "Found", 404: "Not Found", 405: "Method Not Allowed"}


def head_bytes(status: int, headers: tuple[tuple[str, str], ...], reason: str = "") -> bytes:
    """The status line and headers of a response, ``Connection: close`` included."""
    reason = reason or _REASONS.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers)]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply_bytes(reply: Reply) -> bytes:
    """A whole :class:`Reply` on the wire (the body as is, after its headers)."""
    headers = reply.headers
    if reply.header("Content-Length") is None:
        headers = (*headers, ("Content-Length", str(len(reply.body))))
    return head_bytes(reply.status, headers) + reply.body


Handler = Callable[[Connection], None]


class RawServer(socketserver.TCPServer):
    """A threaded TCP server on 127.0.0.1 (free port) that gives each request to ``handler``.

    ``stop()`` ends it: no new connections, open ones shut down, threads joined.
    """

    allow_reuse_address = True

    def __init__(self, handler: Handler) -> None:
        super().__init__(("127.0.0.1", 0), socketserver.BaseRequestHandler)
        self._handler = handler
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._open: dict[threading.Thread, socket.socket] = {}

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve each connection on its own (tracked, daemon) thread."""
        thread = threading.Thread(
            target=self._serve, args=(request,), name="zoo-connection", daemon=True
        )
        with self._lock:
            self._open[thread] = request
        thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(POLL_SECONDS)
            request = read_request(sock, self._stop)
            if request is not None:
                address = self.server_address[:2]
                self._handler(
                    Connection(sock, request, self._stop, (str(address[0]), int(address[1])))
                )
        finally:
            with contextlib.suppress(OSError):
                sock.close()
            with self._lock:
                self._open.pop(threading.current_thread(), None)

    def stop(self) -> None:
        """Stop serving, unblock every open connection and join the threads (bounded)."""
        self._stop.set()
        self.shutdown()
        self.server_close()
        with self._lock:
            open_now = dict(self._open)
        for sock in open_now.values():
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in open_now:
            thread.join(_JOIN_SECONDS)
