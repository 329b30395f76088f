"""Hostile targets: servers that misbehave at the byte level, to prove the suite stays safe.

Each :class:`Hostile` attacks a :class:`Scope` of requests and answers every other request
through a correct reference app of its own, so a suite sees exactly one kind of failure:
the reset (``POST /__reset``) always works, and a target that attacks only the retry
answers 404/405 correctly. Nothing large is held in memory: the huge body and the gzip
bomb are generated while they are sent, and every handler polls the server's stop event.
"""

from __future__ import annotations

import enum
import functools
import socket
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from wsgiref.types import WSGIApplication

from contract.endpoint import JSON_MEDIA_TYPES
from contract.negotiation import content_type_header, negotiate
from tests.conformance.zoo.rawhttp import (
    POLL_SECONDS,
    Connection,
    call_wsgi,
    head_bytes,
    reply_bytes,
    send_all,
)
from tests.conformance.zoo.reference import RESET_PATH, ROUTE, create_app

__all__ = [
    "BOMB_EXPANDED_BYTES",
    "DEEP_JSON_LEVELS",
    "DRIP_INTERVAL_SECONDS",
    "HOSTILE",
    "HUGE_BYTES",
    "GzipBomb",
    "Hostile",
    "Scope",
    "deep_json",
    "handler_for",
    "huge_body",
]

HUGE_BYTES = 300 * 2**20
BOMB_EXPANDED_BYTES = 2 * 2**30
DEEP_JSON_LEVELS = 100_000
DRIP_INTERVAL_SECONDS = 1.0
_PIECE = 64 * 1024
_BOMB_CHUNK = 2**20
_JSON_HEADER = ("Content-Type", content_type_header("application/json"))
IIS_500_PAGE = (
    b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>500 - Internal server error.'
    b'</title></head><body><div id="header"><h1>Server Error</h1></div><div id="content">'
    b"<h2>500 - Internal server error.</h2><h3>There is a problem with the resource you are "
    b"looking for, and it cannot be displayed.</h3></div></body></html>"
)


class Scope(enum.Enum):
    """Which requests a hostile target attacks (the others get correct answers)."""

    EVERY_REQUEST = "every request except POST /__reset"
    RETRY = "POST on the route"
    JSON_RETRY = "POST on the route when the answer is JSON"


Responder = Callable[[Connection, WSGIApplication], None]


@dataclass(frozen=True)
class Hostile:
    """A misbehaving target and the rule ids a correct suite reports for it."""

    name: str
    description: str
    expected_rules: frozenset[str]
    scope: Scope
    respond: Responder = field(repr=False, compare=False)

    @property
    def expected_rule(self) -> str:
        """The single expected rule id."""
        (rule,) = self.expected_rules
        return rule


# -- generated bodies -------------------------------------------------------------------


def huge_body(size: int) -> Iterator[bytes]:
    """``size`` bytes of one JSON envelope with a giant ResponseMessage, made piece by piece."""
    prefix = b'{"Sucess":true,"ResponseCode":0,"ResponseMessage":"'
    suffix = b'","Data":[],"Links":[]}'
    filler = b"x" * _PIECE
    yield prefix
    remaining = size - len(prefix) - len(suffix)
    while remaining > 0:
        yield filler[: min(remaining, _PIECE)]
        remaining -= _PIECE
    yield suffix


@dataclass(frozen=True)
class GzipBomb:
    """A gzip member whose content is ``expanded`` spaces, built from repeated deflate blocks.

    Each megabyte of spaces is compressed once and ended with a full flush, which resets
    the compressor, so the same ~1 KB block stands for every later megabyte; the trailer's
    CRC is computed while streaming. Only a few KB are ever held.
    """

    expanded: int

    def __post_init__(self) -> None:
        if self.expanded <= 0 or self.expanded % _BOMB_CHUNK:
            raise ValueError(f"the expanded size must be a positive multiple of {_BOMB_CHUNK}")

    @property
    def compressed_size(self) -> int:
        """The exact number of bytes :meth:`pieces` yields."""
        first, block, end = _bomb_blocks()
        count = self.expanded // _BOMB_CHUNK
        return 10 + len(first) + (count - 1) * len(block) + len(end) + 8

    def pieces(self) -> Iterator[bytes]:
        """The gzip stream: header, deflate blocks, final block, CRC32 and size."""
        first, block, end = _bomb_blocks()
        chunk = b" " * _BOMB_CHUNK
        yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no name, mtime 0, best compression
        crc = 0
        for index in range(self.expanded // _BOMB_CHUNK):
            crc = zlib.crc32(chunk, crc)
            yield first if index == 0 else block
        yield end + struct.pack("<II", crc, self.expanded & 0xFFFFFFFF)


@functools.cache
def _bomb_blocks() -> tuple[bytes, bytes, bytes]:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * _BOMB_CHUNK
    first = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    block = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    return first, block, deflater.flush(zlib.Z_FINISH)


def deep_json(levels: int) -> bytes:
    """``[[[...]]]`` nested ``levels`` deep: valid JSON that no recursive parser survives."""
    return b"[" * levels + b"]" * levels


# -- responders -------------------------------------------------------------------------


def _stream(connection: Connection, head: bytes, pieces: Iterator[bytes]) -> None:
    if not send_all(connection, head):
        return
    for piece in pieces:
        if not send_all(connection, piece):
            return


def _peer_closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def _hang(connection: Connection, app: WSGIApplication) -> None:
    # Read nothing more and answer nothing, until the client gives up or the server stops.
    while not connection.stopped and not _peer_closed(connection.sock):
        connection.stop.wait(POLL_SECONDS)


def _drip(connection: Connection, app: WSGIApplication) -> None:
    head = head_bytes(200, (_JSON_HEADER, ("Content-Length", str(10 * 2**20))))
    if not send_all(connection, head):
        return
    while send_all(connection, b" "):
        if connection.stop.wait(DRIP_INTERVAL_SECONDS):
            return


def _huge(connection: Connection, app: WSGIApplication) -> None:
    head = head_bytes(200, (_JSON_HEADER, ("Content-Length", str(HUGE_BYTES))))
    _stream(connection, head, huge_body(HUGE_BYTES))


def _gzip_bomb(connection: Connection, app: WSGIApplication) -> None:
    bomb = GzipBomb(BOMB_EXPANDED_BYTES)
    headers = (
        _JSON_HEADER,
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(bomb.compressed_size)),
    )
    _stream(connection, head_bytes(200, headers), bomb.pieces())


def _correct(connection: Connection, app: WSGIApplication) -> None:
    send_all(connection, reply_bytes(call_wsgi(app, connection.request, connection.address)))


def _invalid_utf8(connection: Connection, app: WSGIApplication) -> None:
    reply = call_wsgi(app, connection.request, connection.address)
    # A Latin-1 "é" (0xE9) inside a UTF-8 string: what a mis-encoded message looks like.
    body = reply.body.replace(b'"ResponseMessage":"', b'"ResponseMessage":"d\xe9clin\xe9 ', 1)
    kept = tuple((k, v) for k, v in reply.headers if k.lower() != "content-length")
    head = head_bytes(reply.status, (*kept, ("Content-Length", str(len(body)))))
    send_all(connection, head + body)


def _truncated(connection: Connection, app: WSGIApplication) -> None:
    body = (b'{"Sucess":true,"ResponseCode":0,"ResponseMessage":"' + b"x" * 100)[:100]
    if send_all(connection, head_bytes(200, (_JSON_HEADER, ("Content-Length", "1000"))) + body):
        connection.sock.shutdown(socket.SHUT_WR)


def _html_500(connection: Connection, app: WSGIApplication) -> None:
    headers = (("Content-Type", "text/html"), ("Content-Length", str(len(IIS_500_PAGE))))
    send_all(connection, head_bytes(500, headers, "Internal Server Error") + IIS_500_PAGE)


def _deep_json(connection: Connection, app: WSGIApplication) -> None:
    body = deep_json(DEEP_JSON_LEVELS)
    media_type = _media_type(connection)
    headers = (
        ("Content-Type", content_type_header(media_type)),
        ("Content-Length", str(len(body))),
    )
    send_all(connection, head_bytes(200, headers) + body)


def _reset(connection: Connection, app: WSGIApplication) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _redirect_to(location: Callable[[Connection], str]) -> Responder:
    def respond(connection: Connection, app: WSGIApplication) -> None:
        headers = (("Location", location(connection)), ("Content-Length", "0"))
        send_all(connection, head_bytes(302, headers))

    return respond


def _same_host(connection: Connection) -> str:
    host, port = connection.address
    return f"http://{host}:{port}{ROUTE}"


def _garbage(connection: Connection, app: WSGIApplication) -> None:
    send_all(connection, b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff not an HTTP response\r\n\r\n")


def _media_type(connection: Connection) -> str:
    request = connection.request
    return negotiate(
        request.header("accept"),
        x_requested_with=request.header("x-requested-with"),
        content_type=request.header("content-type"),
    )


def _attacked(hostile: Hostile, connection: Connection) -> bool:
    request = connection.request
    path = request.path.rstrip("/").lower()
    if path == RESET_PATH:
        return False
    if hostile.scope is Scope.EVERY_REQUEST:
        return True
    if path != ROUTE or request.method != "POST":
        return False
    return hostile.scope is Scope.RETRY or _media_type(connection) in JSON_MEDIA_TYPES


def handler_for(hostile: Hostile) -> Callable[[Connection], None]:
    """The connection handler of a hostile target, with its own fresh reference app."""
    app = create_app()

    def handle(connection: Connection) -> None:
        respond = hostile.respond if _attacked(hostile, connection) else _correct
        respond(connection, app)

    return handle


def _hostile(name: str, rule: str, scope: Scope, description: str, respond: Responder) -> Hostile:
    return Hostile(name, description, frozenset({rule}), scope, respond)


HOSTILE: dict[str, Hostile] = {
    h.name: h
    for h in (
        _hostile(
            "hang",
            "transport.timeout",
            Scope.EVERY_REQUEST,
            "reads the request, never answers, keeps the connection open",
            _hang,
        ),
        _hostile(
            "drip",
            "transport.timeout",
            Scope.EVERY_REQUEST,
            "200 headers (Content-Length 10 MiB), then one space per second for ever: "
            "only a total deadline cuts it",
            _drip,
        ),
        _hostile(
            "huge",
            "transport.too-large",
            Scope.EVERY_REQUEST,
            f"200 with a {HUGE_BYTES} byte JSON body, generated while sent",
            _huge,
        ),
        _hostile(
            "gzip-bomb",
            "transport.decompression",
            Scope.EVERY_REQUEST,
            f"200, Content-Encoding: gzip, ~2 MB that inflate to {BOMB_EXPANDED_BYTES} "
            "bytes of spaces",
            _gzip_bomb,
        ),
        _hostile(
            "invalid-utf8",
            "json.syntax",
            Scope.JSON_RETRY,
            "the retry's JSON with a Latin-1 byte 0xE9 in ResponseMessage (XML answers "
            "stay correct)",
            _invalid_utf8,
        ),
        _hostile(
            "truncated",
            "transport.connection",
            Scope.EVERY_REQUEST,
            "Content-Length 1000, 100 bytes of body, then the connection closes",
            _truncated,
        ),
        _hostile(
            "html-500",
            "http.server-error",
            Scope.RETRY,
            "the retry gets 500 with IIS's HTML error page (text/html); expects the suite "
            "to judge a 5xx only as http.server-error, not also http.error-body",
            _html_500,
        ),
        _hostile(
            "deep-json",
            "json.syntax",
            Scope.JSON_RETRY,
            f"the retry's JSON answer is [[[...]]] {DEEP_JSON_LEVELS} levels deep "
            "(no RecursionError allowed)",
            _deep_json,
        ),
        _hostile(
            "connection-reset",
            "transport.connection",
            Scope.EVERY_REQUEST,
            "reads the request, then resets the connection (RST)",
            _reset,
        ),
        _hostile(
            "redirect-off-host",
            "transport.redirect",
            Scope.EVERY_REQUEST,
            "302 to http://example.invalid/ (must not be followed)",
            _redirect_to(lambda connection: "http://example.invalid/"),
        ),
        _hostile(
            "redirect-same-host",
            "transport.redirect",
            Scope.EVERY_REQUEST,
            "302 to the route on the same host (a loop if followed)",
            _redirect_to(_same_host),
        ),
        _hostile(
            "garbage",
            "transport.connection",
            Scope.EVERY_REQUEST,
            "answers bytes that are not HTTP, then closes",
            _garbage,
        ),
    )
}
"""Every hostile target by name."""
