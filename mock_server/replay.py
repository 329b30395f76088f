"""Replay of a HAR file: staging's recorded answers, offline (``retry-mock --replay FILE``).

A request's shape is its method, its path (compared case-insensitively, as Web API
routes are; the query is not part of it) and the media type Web API's negotiation picks
for its Accept, X-Requested-With and Content-Type. Each shape answers with its recorded
responses in recording order, then repeats the last (``repeat``, the default) or starts
over (``loop``). The body is the recorded bytes and the headers are as recorded, but for
Content-Length, which always states the length sent (a redacted body may be shorter).
A shape the file never recorded gets a 404 HttpError naming the shapes it has.

:func:`load_har` reads the file; anything it cannot use is a :class:`HarError` whose
message names the problem in one line.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mock_server.forward import HOP_BY_HOP
from mock_server.proxy import http_error_reply
from mock_server.webapi import media_type_of

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["REPLAY_MODES", "HarError", "Recorded", "ReplayApp", "Shape", "load_har", "shape_of"]

REPLAY_MODES = ("repeat", "loop")
Shape = tuple[str, str, str]


class HarError(ValueError):
    """A HAR file replay cannot use; the message says what is wrong, on one line."""


@dataclass(frozen=True)
class Recorded:
    """One recorded answer: status line, headers and body bytes."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def shape_of(method: str, path: str, headers: dict[str, str]) -> Shape:
    """The shape of a request: method, folded path, negotiated media type."""
    environ = {"HTTP_ACCEPT": headers.get("accept"), "CONTENT_TYPE": headers.get("content-type"),
               "HTTP_X_REQUESTED_WITH": headers.get("x-requested-with")}  # fmt: skip
    media_type = media_type_of(environ).split(";", 1)[0].strip().lower()
    return method.upper(), path.rstrip("/").lower() or "/", media_type


def _field(value: Any, name: str, kind: type, where: str) -> Any:
    if not isinstance(value, dict) or name not in value:
        raise HarError(f"{where}: missing {name}")
    found = value[name]
    if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
        raise HarError(f"{where}.{name}: expected {kind.__name__}, got {type(found).__name__}")
    return found


def _headers(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    headers = _field(value, "headers", list, where)
    found = []
    for index, header in enumerate(headers):
        at = f"{where}.headers[{index}]"
        found.append((_field(header, "name", str, at), _field(header, "value", str, at)))
    return tuple(found)


def _body(response: Any, where: str) -> bytes:
    content = _field(response, "content", dict, where)
    text = content.get("text", "")
    if not isinstance(text, str):
        raise HarError(f"{where}.content.text: expected str")
    if content.get("encoding") != "base64":
        return text.encode("utf-8")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise HarError(f"{where}.content.text: not base64 ({error})") from None


def _entry(entry: Any, where: str) -> tuple[Shape, Recorded]:
    request = _field(entry, "request", dict, where)
    response = _field(entry, "response", dict, where)
    method = _field(request, "method", str, f"{where}.request")
    url = _field(request, "url", str, f"{where}.request")
    path = entry.get("_path") if isinstance(entry.get("_path"), str) else urlsplit(url).path
    sent = {k.lower(): v for k, v in _headers(request, f"{where}.request")}
    recorded = Recorded(
        _field(response, "status", int, f"{where}.response"),
        str(response.get("statusText", "")),
        _headers(response, f"{where}.response"),
        _body(response, f"{where}.response"),
    )
    return shape_of(method, path, sent), recorded


def load_har(path: Path) -> dict[Shape, list[Recorded]]:
    """The recorded answers of a HAR 1.2 file, by request shape, in recording order."""
    try:
        document = json.loads(path.read_bytes())
    except OSError as error:
        raise HarError(f"cannot read it: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise HarError(f"not JSON: {error}") from None
    log = _field(document, "log", dict, "the file")
    version = _field(log, "version", str, "log")
    if version != "1.2":
        raise HarError(f"not HAR 1.2: log.version is {version!r}")
    entries = _field(log, "entries", list, "log")
    if not entries:
        raise HarError("log.entries is empty: nothing to replay")
    shapes: dict[Shape, list[Recorded]] = {}
    for index, entry in enumerate(entries):
        shape, recorded = _entry(entry, f"log.entries[{index}]")
        shapes.setdefault(shape, []).append(recorded)
    return shapes


def describe(shape: Shape) -> str:
    """``POST /path (application/json)``."""
    method, path, media_type = shape
    return f"{method} {path} ({media_type})"


class ReplayApp:
    """The WSGI app answering from recorded answers (see the module)."""

    def __init__(self, shapes: dict[Shape, list[Recorded]], *, mode: str = "repeat") -> None:
        if mode not in REPLAY_MODES:
            raise ValueError(f"replay mode must be one of {REPLAY_MODES}, got {mode!r}")
        self._shapes, self._mode = shapes, mode
        self._served: dict[Shape, int] = {}
        self._lock = threading.Lock()

    def next_answer(self, shape: Shape) -> Recorded | None:
        """The answer ``shape`` gets now (None when never recorded); advances its turn."""
        answers = self._shapes.get(shape)
        if not answers:
            return None
        with self._lock:
            turn = self._served.get(shape, 0)
            self._served[shape] = turn + 1
        return answers[turn % len(answers) if self._mode == "loop" else min(turn, len(answers) - 1)]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items()
                   if k.startswith("HTTP_")}  # fmt: skip
        if "CONTENT_TYPE" in environ:
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        shape = shape_of(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/", headers)
        answer = self.next_answer(shape)
        if answer is None:
            known = "; ".join(describe(s) for s in self._shapes)
            message = (f"retry-mock --replay: no recorded answer for {describe(shape)}; "
                       f"the file has: {known}")  # fmt: skip
            line, error_headers, body = http_error_reply(environ, 404, message)
            start_response(line, error_headers)
            return [body]
        start_response(f"{answer.status} {answer.reason}".strip(), _as_recorded(answer))
        return [answer.body]


def _as_recorded(answer: Recorded) -> list[tuple[str, str]]:
    """The recorded headers, hop-by-hop ones aside, Content-Length stating the body sent."""
    length = str(len(answer.body))
    kept = [(k, length if k.lower() == "content-length" else v) for k, v in answer.headers
            if k.lower() not in HOP_BY_HOP]  # fmt: skip
    if not any(k.lower() == "content-length" for k, _ in kept):
        kept.append(("Content-Length", length))
    return kept
