"""The hardened client against raw-socket targets: every misbehaviour ends as a failure
with its transport rule, within the deadline and without buffering past the size limit."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import Callable

import pytest

from conformance.client import HardenedClient, Request
from conformance.options import Settings
from conformance.redact import Redactor
from tests.conformance.support import HUNG, free_port, guarded, raw_target

TIMEOUT = 1.0
LIMIT = 64 * 1024


def _head(status: str = "200 OK", *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _send(url: str) -> tuple[str | None, bytes | None]:
    settings = Settings(base_url=url, timeout=TIMEOUT, max_bytes=LIMIT)
    with HardenedClient(settings, Redactor()) as client:
        exchange = client.send(Request("GET", url + "/x", (("Accept", "application/json"),)))
    rule = exchange.failure.rule if exchange.failure else None
    body = exchange.response.body if exchange.response else None
    return rule, body


def _hang(connection: socket.socket) -> None:
    time.sleep(TIMEOUT * 3)


def _drip(connection: socket.socket) -> None:
    connection.sendall(_head("200 OK", "Content-Length: 100"))
    for _ in range(20):
        connection.sendall(b" ")
        time.sleep(0.2)


def _drip_headers(connection: socket.socket) -> None:
    for byte in _head("200 OK", "X-Slow: " + "a" * 50):
        connection.sendall(bytes([byte]))
        time.sleep(0.05)


def _huge(connection: socket.socket) -> None:
    connection.sendall(_head("200 OK", f"Content-Length: {300 * 1024 * 1024}"))
    block = b"x" * 65536
    for _ in range(300 * 16):
        connection.sendall(block)


def _gzip_bomb(connection: socket.socket) -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    connection.sendall(
        _head("200 OK", "Content-Encoding: gzip", f"Content-Length: {len(bomb)}") + bomb
    )


def _bad_gzip(connection: socket.socket) -> None:
    connection.sendall(
        _head("200 OK", "Content-Encoding: gzip", "Content-Length: 10") + b"not gzip!!"
    )


def _truncated(connection: socket.socket) -> None:
    connection.sendall(_head("200 OK", "Content-Length: 1000") + b'{"Sucess":')


def _reset(connection: socket.socket) -> None:
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def _redirect_away(connection: socket.socket) -> None:
    connection.sendall(
        _head("302 Found", "Location: http://elsewhere.example/", "Content-Length: 0")
    )


def _deflate(connection: socket.socket) -> None:
    body = zlib.compress(b'{"ok": true}')
    connection.sendall(
        _head("200 OK", "Content-Encoding: deflate", f"Content-Length: {len(body)}") + body
    )


@pytest.mark.parametrize(
    ("behave", "rule"),
    [
        (_hang, "transport.timeout"),
        (_drip, "transport.timeout"),
        (_drip_headers, "transport.timeout"),
        (_huge, "transport.too-large"),
        (_gzip_bomb, "transport.decompression"),
        (_bad_gzip, "transport.decompression"),
        (_truncated, "transport.connection"),
        (_reset, "transport.connection"),
        (_redirect_away, "transport.redirect"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_client_turns_hostile_target_into_its_transport_rule_without_hanging(
    behave: Callable[[socket.socket], None], rule: str
) -> None:
    with raw_target(behave) as url:
        finished, sent = guarded(lambda: _send(url))
    assert finished, HUNG
    assert sent == (rule, None)  # the rule proves which limit cut the exchange


def test_client_decodes_zlib_deflate_body_itself() -> None:
    with raw_target(_deflate) as url:
        rule, body = _send(url)
    assert rule is None
    assert body == b'{"ok": true}'


def test_client_reports_refused_connection_as_unreached() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(base_url=url, timeout=TIMEOUT)
    with HardenedClient(settings, Redactor()) as client:
        exchange = client.send(Request("GET", url + "/x"))
    assert exchange.failure is not None
    assert exchange.failure.rule == "transport.connection"
    assert exchange.reached is False
