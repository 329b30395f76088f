"""The validating proxy: forwards to staging unchanged and checks each answer live.

Each request goes to the upstream with its headers (hop-by-hop ones aside, ``Host``
rewritten) and body; the answer comes back byte for byte (status, reason, headers, body;
only hop-by-hop headers are the proxy's own). The contract's route and error answers are
judged by the suite's checks (:mod:`mock_server.livecheck`): each violation is one line
on stderr and kept in the journal, ``GET /__mock/journal`` on the proxy. ``--record``
keeps every exchange in a HAR file (:mod:`mock_server.har`); ``--read-only`` answers a
POST 403 itself and forwards nothing.

The journal answers ``{"upstream": URL, "count": N, "entries": [...]}`` (``?since=N``:
only the entries after the N-th; the upstream without its user info). An entry is
``sequence`` (1, 2, ...), ``time`` (when the request came, ISO 8601 with the local
offset, to the millisecond), ``method``, ``path``, ``status`` (null when no answer came),
``forwarded`` and ``violations`` (each ``rule``, ``location``, ``expected``, ``received``);
a forwarded one also ``contentType`` and ``milliseconds``.

Paths under ``/__mock/`` are the proxy's own and never forwarded nor journaled: the
journal page at ``/__mock/`` (also ``/__mock``; ``mock_server/ui/proxy.html``, its files
under ``/__mock/ui/``, the mock dashboard's stylesheet and helpers among them, with the
dashboard's Content-Security-Policy), the journal, and a JSON 404 for any other.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import parse_qs, urlsplit, urlunsplit

from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from conformance.client import Exchange, Request, Response
from conformance.failures import TransportFailure
from conformance.options import Settings
from conformance.redact import MIN_PREFIX, SENSITIVE_HEADERS, Redactor
from contract.negotiation import content_type_header
from contract.wire import write_http_error
from mock_server.dashboard import CONTENT_SECURITY_POLICY
from mock_server.forward import Forwarded, Forwarder, end_to_end
from mock_server.har import Exchanged, HarRecorder
from mock_server.livecheck import LiveChecker, Violation
from mock_server.webapi import media_type_of, status_line

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["JOURNAL_PATH", "PAGE_PATH", "ProxyConfig", "ValidatingProxy", "http_error_reply"]

OWN_PREFIX = "/__mock"
"""The proxy's own paths: under it, nothing is forwarded or journaled."""
PAGE_PATH = OWN_PREFIX + "/"
"""The journal page (``/__mock`` serves it too, without a redirect)."""
JOURNAL_PATH = OWN_PREFIX + "/journal"
UI_PREFIX = OWN_PREFIX + "/ui/"
_PAGE = "proxy.html"
_UI_TYPES = {
    _PAGE: "text/html; charset=utf-8",
    "proxy.js": "text/javascript; charset=utf-8",
    "proxy.css": "text/css; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
_OWN_METHODS = ("GET", "HEAD")
_Reply = tuple[str, list[tuple[str, str]], bytes]
NOT_FOUND_MESSAGE = ("retry proxy: {path} is not the proxy's: under /__mock/ it serves only "
                     "its journal page (/__mock/), the page's files and GET /__mock/journal, "
                     "and forwards nothing")  # fmt: skip
READ_ONLY_MESSAGE = ("retry proxy --read-only: POST is not forwarded (it would re-send "
                     "invoices); restart without --read-only to send it")  # fmt: skip
_LABEL_HEADERS = ("accept", "x-requested-with")


@dataclass(frozen=True)
class ProxyConfig:
    """The proxy's options."""

    upstream: str
    timeout: float = 30.0
    max_bytes: int = 10 * 2**20
    read_only: bool = False
    record: Path | None = None
    redact_headers: tuple[str, ...] = ()
    log: TextIO = field(default=sys.stderr, repr=False)


def http_error_reply(
    environ: WSGIEnvironment, status: int, message: str
) -> tuple[str, list[tuple[str, str]], bytes]:
    """A Web API HttpError with ``message`` in the negotiated format."""
    media_type = media_type_of(environ).split(";", 1)[0].strip()
    body = write_http_error(message, media_type)
    headers = [
        ("Content-Type", content_type_header(media_type)),
        ("Content-Length", str(len(body))),
    ]
    return status_line(status), headers, body


def secrets_in(headers: Iterable[tuple[str, str]], named: Iterable[str]) -> set[str]:
    """The secret values in ``headers``: whole values of sensitive or ``named`` headers,
    and their parts long enough to mask anywhere (a token, Basic credentials, cookies)."""
    names = SENSITIVE_HEADERS | {name.lower() for name in named}
    found: set[str] = set()
    for name, value in headers:
        if name.lower() not in names:
            continue
        found.add(value)
        parts = value.replace(";", " ").replace(",", " ").split()
        for part in parts:
            found |= {part, part.partition("=")[2]}
        if len(parts) == 2 and parts[0].lower() == "basic":
            found |= _basic_credentials(parts[1])
    return {secret for secret in found if len(secret) >= MIN_PREFIX}


def _basic_credentials(token: str) -> set[str]:
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return set()
    return {decoded, *decoded.split(":", 1)}


class ValidatingProxy:
    """The proxy's WSGI app; ``close()`` releases the upstream connections."""

    def __init__(self, config: ProxyConfig) -> None:
        self._config = config
        self._upstream = config.upstream.rstrip("/")
        settings = Settings(base_url=self._upstream, timeout=config.timeout,
                            max_bytes=config.max_bytes)  # fmt: skip
        self._checker = LiveChecker(settings, base_path=urlsplit(self._upstream).path)
        self._forwarder = Forwarder(timeout=config.timeout, max_bytes=config.max_bytes)
        self._recorder = HarRecorder(config.record) if config.record else None
        self._secrets: frozenset[str] = frozenset()
        self._journal: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        folder = resources.files("mock_server").joinpath("ui")
        self._ui = {name: folder.joinpath(name).read_bytes() for name in _UI_TYPES}

    def close(self) -> None:
        """Release the upstream connections."""
        self._forwarder.__exit__()

    def journal(self) -> list[dict[str, Any]]:
        """The answers so far, each with its violations."""
        with self._lock:
            return list(self._journal)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "") or "/"
        if path == OWN_PREFIX or path.startswith(PAGE_PATH):
            status, headers, body = self._own(environ, path)
            start_response(status, headers)
            return [b"" if method == "HEAD" else body]
        if self._config.read_only and method == "POST":
            return self._refuse(environ, start_response, 403, READ_ONLY_MESSAGE)
        try:
            body = get_input_stream(environ, max_content_length=self._config.max_bytes).read()
        except RequestEntityTooLarge:
            return self._refuse(environ, start_response, 413, "request body too large")
        status, headers, answer = self._exchange(environ, method, path, body)
        start_response(status, headers)
        return [answer]

    def _own(self, environ: WSGIEnvironment, path: str) -> _Reply:
        """The answer of one of the proxy's own paths (never forwarded nor journaled)."""
        name = _PAGE if path in {OWN_PREFIX, PAGE_PATH} else path.removeprefix(UI_PREFIX)
        known = path == JOURNAL_PATH or (name in self._ui and path != UI_PREFIX + _PAGE)
        if not known:
            return _own_reply(404, {"error": NOT_FOUND_MESSAGE.format(path=path)})
        if environ["REQUEST_METHOD"] not in _OWN_METHODS:
            message = f"retry proxy: {path} answers GET only; nothing was forwarded"
            return _own_reply(405, {"error": message}, [("Allow", ", ".join(_OWN_METHODS))])
        if path == JOURNAL_PATH:
            return self._journal_reply(environ.get("QUERY_STRING", ""))
        body = self._ui[name]
        return "200 OK", [*_own_headers(_UI_TYPES[name], len(body)),
                          ("Cache-Control", "no-cache")], body  # fmt: skip

    def _journal_reply(self, query: str) -> _Reply:
        since = parse_qs(query).get("since", ["0"])[-1]
        if not since.isdigit():
            return _own_reply(400, {"error": f"since: expected a whole number, got {since!r}"})
        with self._lock:
            entries, count = self._journal[int(since) :], len(self._journal)
        return _own_reply(200, {"upstream": _without_user(self._upstream), "count": count,
                                "entries": entries})  # fmt: skip

    def _refuse(self, environ: WSGIEnvironment, start_response: StartResponse, status: int,
                message: str) -> list[bytes]:  # fmt: skip
        line, headers, body = http_error_reply(environ, status, message)
        self._journaled({"time": _now(), "method": environ["REQUEST_METHOD"],
                         "path": environ.get("PATH_INFO"), "status": status,
                         "forwarded": False, "violations": []})  # fmt: skip
        start_response(line, headers)
        return [body]

    def _exchange(self, environ: WSGIEnvironment, method: str, path: str,
                  body: bytes) -> tuple[str, list[tuple[str, str]], bytes]:  # fmt: skip
        query = environ.get("QUERY_STRING", "")
        url = self._upstream + path + (f"?{query}" if query else "")
        headers = [(k, v) for k, v in EnvironHeaders(environ).items() if k.lower() != "host"]
        redactor = self._learn(headers)
        label = Request(method, url, _label_headers(headers)).label()
        started = datetime.now().astimezone()
        forwarded = self._forwarder.send(method, url, headers, body, label=label)
        violations = self._check(method, url, headers, forwarded, redactor)
        self._journal_answer(method, path, forwarded, violations, redactor,
                             time=started.isoformat(timespec="milliseconds"))  # fmt: skip
        if forwarded.failure is not None:
            status = 504 if forwarded.failure.rule == "transport.timeout" else 502
            message = f"retry proxy: {redactor.text(forwarded.failure.received)}"
            return http_error_reply(environ, status, message)
        if self._recorder is not None:
            exchanged = Exchanged(started, forwarded.elapsed * 1000, method, url, path,
                                  tuple(headers), body, forwarded.status, forwarded.reason,
                                  forwarded.http_version, forwarded.headers, forwarded.raw,
                                  forwarded.decoded)  # fmt: skip
            self._recorder.add(exchanged, redactor, self._secrets)
        line = f"{forwarded.status} {forwarded.reason}".strip()
        return line, end_to_end(list(forwarded.headers)), forwarded.raw

    def _learn(self, headers: list[tuple[str, str]]) -> Redactor:
        """The redactor for every secret seen so far, those of ``headers`` included."""
        with self._lock:
            self._secrets |= secrets_in(headers, self._config.redact_headers)
            return Redactor(self._secrets, secret_headers=self._config.redact_headers)

    def _check(self, method: str, url: str, headers: list[tuple[str, str]],
               forwarded: Forwarded, redactor: Redactor) -> list[Violation]:  # fmt: skip
        request = Request(method, url, _label_headers(headers))
        path = urlsplit(url).path
        if forwarded.failure is not None:
            return self._checker.check(Exchange(request, None, forwarded.failure), path, redactor)
        response = Response(forwarded.status, forwarded.headers, forwarded.decoded,
                            forwarded.elapsed)  # fmt: skip
        failure = forwarded.decoding_failure
        if (
            failure is None
            and 300 <= forwarded.status < 400
            and self._checker.steps_for(method, path, 200)
        ):
            failure = _redirect_failure(forwarded, request.label())
        exchange = Exchange(request, None if failure else response, failure)
        return self._checker.check(exchange, path, redactor)

    def _journal_answer(self, method: str, path: str, forwarded: Forwarded,
                        violations: list[Violation], redactor: Redactor, *,
                        time: str) -> None:  # fmt: skip
        for violation in violations:
            print(violation.line(), file=self._config.log, flush=True)
        content_type = next((v for k, v in forwarded.headers if k.lower() == "content-type"), "")
        self._journaled({
            "time": time, "method": method, "path": redactor.text(path),
            "status": forwarded.status or None,
            "contentType": content_type, "milliseconds": round(forwarded.elapsed * 1000, 1),
            "forwarded": True, "violations": [v.as_json() for v in violations],
        })  # fmt: skip

    def _journaled(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._journal.append({"sequence": len(self._journal) + 1, **entry})


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


def _without_user(url: str) -> str:
    """``url`` without user info (credentials have no place on the page)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _own_headers(content_type: str, length: int) -> list[tuple[str, str]]:
    return [("Content-Type", content_type), ("Content-Length", str(length)),
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]  # fmt: skip


def _own_reply(status: int, document: dict[str, Any],
               extra: Iterable[tuple[str, str]] = ()) -> _Reply:  # fmt: skip
    """A JSON answer of the proxy's own (not cached: the journal moves)."""
    body = json.dumps(document).encode()
    headers = [*_own_headers("application/json; charset=utf-8", len(body)), *extra,
               ("Cache-Control", "no-store")]  # fmt: skip
    return status_line(status), headers, body


def _label_headers(headers: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The headers the suite's request labels show (and its negotiation rule reads)."""
    return tuple((k, v) for k, v in headers if k.lower() in _LABEL_HEADERS)


def _redirect_failure(forwarded: Forwarded, label: str) -> TransportFailure:
    location = next((v for k, v in forwarded.headers if k.lower() == "location"), "")
    return TransportFailure(
        rule="transport.redirect", expected="a direct answer (the contract has no redirects)",
        received=f"{forwarded.status} redirect to {location or '(no Location)'} (passed on)",
        request=label,
    )  # fmt: skip
