"""HAR 1.2 files as the proxy records them (:class:`HarRecorder`); replay reads them.

A response's ``content.text`` holds the body exactly as the upstream sent it - still
compressed when it carried a Content-Encoding - so that replay gives back the same
bytes: UTF-8 text as is, anything else in base64 (``encoding: "base64"``).

Every secret is redacted as the suite redacts (:class:`conformance.redact.Redactor`):
header values by name (Authorization, Cookie, Set-Cookie... and every ``--redact-header``),
cookie values, and each secret value seen so far in every string of every entry, in
every escaped or base64 spelling. When a new secret shows up, the entries already kept
are redacted again. A compressed body whose decoded text holds a secret is stored
decoded and redacted instead (its Content-Encoding and Content-Length headers dropped).

The file is rewritten atomically (a temporary file, then ``os.replace``) after each
entry, so a crash or Ctrl-C leaves the last complete file.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.redact import MASK, Redactor

__all__ = ["CREATOR", "Exchanged", "HarRecorder", "content_of", "redact_strings"]

CREATOR = {"name": "retry-mock proxy", "version": "1.0"}
_COOKIE_HEADERS = {"cookie": ";", "set-cookie": "\n"}


@dataclass(frozen=True)
class Exchanged:
    """One proxied exchange as the wire had it (before any redaction)."""

    started: datetime
    milliseconds: float
    method: str
    url: str
    path: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    reason: str
    http_version: str
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes
    decoded_body: bytes


def content_of(body: bytes) -> dict[str, Any]:
    """``text`` (and ``encoding: base64`` unless UTF-8) and ``size`` of a body."""
    try:
        return {"size": len(body), "text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"size": len(body), "text": base64.b64encode(body).decode("ascii"),
                "encoding": "base64"}  # fmt: skip


def redact_strings(value: Any, text: Callable[[str], str]) -> Any:
    """``value`` with ``text`` applied to every string in it (dict keys aside)."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {key: redact_strings(item, text) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_strings(item, text) for item in value]
    return value


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _headers(headers: tuple[tuple[str, str], ...], redactor: Redactor) -> list[dict[str, str]]:
    return [{"name": name, "value": redactor.header(name, value)} for name, value in headers]


def _cookies(headers: tuple[tuple[str, str], ...], name: str) -> list[dict[str, str]]:
    cookies = []
    for key, value in headers:
        if key.lower() == name:
            for part in value.split(_COOKIE_HEADERS[name]):
                cookie = part.split(";", 1)[0].partition("=")[0].strip()
                if cookie:
                    cookies.append({"name": cookie, "value": MASK})
    return cookies


def _request(exchanged: Exchanged, redactor: Redactor) -> dict[str, Any]:
    headers = exchanged.request_headers
    query = urlsplit(exchanged.url).query
    request: dict[str, Any] = {
        "method": exchanged.method, "url": exchanged.url, "httpVersion": "HTTP/1.1",
        "headers": _headers(headers, redactor), "cookies": _cookies(headers, "cookie"),
        "queryString": [{"name": k, "value": v}
                        for k, v in parse_qsl(query, keep_blank_values=True)],
        "headersSize": -1, "bodySize": len(exchanged.request_body),
    }  # fmt: skip
    if exchanged.request_body or exchanged.method in {"POST", "PUT", "PATCH"}:
        mime = _header(headers, "content-type") or ""
        request["postData"] = {"mimeType": mime, "params": [], **content_of(exchanged.request_body)}
        request["postData"].pop("size")
    return request


def _response(exchanged: Exchanged, redactor: Redactor) -> dict[str, Any]:
    headers, body = exchanged.response_headers, exchanged.response_body
    decoded = exchanged.decoded_body
    if body != decoded and redactor.text(decoded.decode("utf-8", "replace")) != decoded.decode(
        "utf-8", "replace"
    ):
        dropped = {"content-encoding", "content-length"}
        headers = tuple((k, v) for k, v in headers if k.lower() not in dropped)
        body = decoded
    content = {"mimeType": _header(headers, "content-type") or "", **content_of(body)}
    return {
        "status": exchanged.status, "statusText": exchanged.reason,
        "httpVersion": exchanged.http_version, "headers": _headers(headers, redactor),
        "cookies": _cookies(headers, "set-cookie"), "content": content,
        "redirectURL": _header(headers, "location") or "", "headersSize": -1,
        "bodySize": len(body),
    }  # fmt: skip


def har_entry(exchanged: Exchanged, redactor: Redactor) -> dict[str, Any]:
    """The HAR 1.2 entry of ``exchanged``, every secret ``redactor`` knows masked."""
    wait = round(exchanged.milliseconds, 3)
    entry = {
        "startedDateTime": exchanged.started.isoformat(timespec="milliseconds"),
        "time": wait, "request": _request(exchanged, redactor),
        "response": _response(exchanged, redactor), "cache": {},
        "timings": {"blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": wait,
                    "receive": 0, "ssl": -1},
        "_path": exchanged.path,
    }  # fmt: skip
    return dict(redact_strings(entry, redactor.text))


class HarRecorder:
    """Keeps the redacted entries and rewrites ``path`` atomically after each one."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._entries: list[dict[str, Any]] = []
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._write()

    def add(self, exchanged: Exchanged, redactor: Redactor, secrets: frozenset[str]) -> None:
        """Record ``exchanged``; ``secrets`` are every secret seen so far (``redactor``'s)."""
        with self._lock:
            if not secrets <= self._secrets:
                self._entries = [redact_strings(e, redactor.text) for e in self._entries]
                self._secrets = secrets
            self._entries.append(har_entry(exchanged, redactor))
            self._write()

    def document(self) -> dict[str, Any]:
        """The whole HAR document."""
        return {"log": {"version": "1.2", "creator": CREATOR, "entries": self._entries}}

    def _write(self) -> None:
        temporary = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
        with temporary.open("w", encoding="utf-8") as file:
            json.dump(self.document(), file, ensure_ascii=False, indent=1)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self._path)
