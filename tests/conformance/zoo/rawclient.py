"""A bounded raw-socket HTTP client, to look at what a zoo target really puts on the wire.

It sends one request, then reads until the server closes, a byte limit is reached or a
total time budget runs out - whichever comes first - and reports which one it was, so a
hanging, dripping or flooding target can be inspected without ever blocking a test.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.conformance.zoo.reference import ROUTE

__all__ = ["RawAnswer", "dechunked", "raw_request"]


@dataclass(frozen=True)
class RawAnswer:
    """What came back: the head (status line and headers), the body bytes as received,
    and why reading stopped: None (the server closed), ``"timeout"``, ``"limit"`` or the
    name of the socket error (``"ConnectionResetError"``)."""

    head: bytes
    body: bytes
    stopped_by: str | None

    @property
    def status(self) -> int | None:
        """The status code, or None when the answer is not HTTP."""
        parts = self.head.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            return None
        return int(parts[1])

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        for line in self.head.decode("latin-1").split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


def raw_request(
    base_url: str,
    method: str = "POST",
    path: str = ROUTE,
    *,
    headers: tuple[tuple[str, str], ...] = (("Accept", "application/json"),),
    budget: float = 1.0,
    limit: int = 4 * 2**20,
) -> RawAnswer:
    """Send ``method path`` (empty body) and read for at most ``budget`` seconds and
    about ``limit`` bytes."""
    address = urlsplit(base_url)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {address.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += ["Content-Length: 0", "Connection: close", "", ""]
    received = bytearray()
    deadline = time.monotonic() + budget
    stopped_by: str | None = None
    with socket.create_connection((address.hostname, address.port), timeout=budget) as sock:
        try:
            sock.sendall("\r\n".join(lines).encode("latin-1"))
            stopped_by = _read(sock, received, deadline, limit)
        except TimeoutError:
            stopped_by = "timeout"
        except OSError as error:
            stopped_by = type(error).__name__
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    return RawAnswer(head, body, stopped_by)


def _read(sock: socket.socket, received: bytearray, deadline: float, limit: int) -> str | None:
    while len(received) < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "timeout"
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            return None
        received += chunk
    return "limit"


def dechunked(body: bytes) -> bytes:
    """A chunked body's data without its framing (chunk sizes may differ between hops)."""
    data, rest = b"", body
    while rest:
        size, _, rest = rest.partition(b"\r\n")
        length = int(size, 16)
        if length == 0:
            return data
        data, rest = data + rest[:length], rest[length + 2 :]
    raise AssertionError("the chunked body has no last chunk")
