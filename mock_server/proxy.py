"""The validating proxy: forwards to staging unchanged and checks each answer live.

Each request goes to the upstream with its headers (hop-by-hop ones aside, ``Host``
rewritten) and body; the answer comes back byte for byte (status, reason, headers, body;
only hop-by-hop headers are the proxy's own). The contract's route and error answers are
judged by the suite's checks (:mod:`mock_server.livecheck`): each violation is one line
on stderr and kept in the journal, ``GET /__mock/journal`` on the proxy. ``--record``
keeps every exchange in a HAR file (:mod:`mock_server.har`); ``--read-only`` answers a
POST 403 itself and forwards nothing.
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
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from conformance.client import Exchange, Request, Response
from conformance.failures import TransportFailure
from conformance.options import Settings
from conformance.redact import MIN_PREFIX, SENSITIVE_HEADERS, Redactor
from contract.negotiation import content_type_header
from contract.wire import write_http_error
from mock_server.forward import Forwarded, Forwarder, end_to_end
from mock_server.har import Exchanged, HarRecorder
from mock_server.livecheck import LiveChecker, Violation
from mock_server.webapi import media_type_of, status_line

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["JOURNAL_PATH", "ProxyConfig", "ValidatingProxy", "http_error_reply"]

JOURNAL_PATH = "/__mock/journal"
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

    def close(self) -> None:
        """Release the upstream connections."""
        self._forwarder.__exit__()

    def journal(self) -> list[dict[str, Any]]:
        """The answers so far, each with its violations."""
        with self._lock:
            return list(self._journal)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "") or "/"
        if path == JOURNAL_PATH and method == "GET":
            body = json.dumps({"entries": self.journal()}).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])  # fmt: skip
            return [body]
        if self._config.read_only and method == "POST":
            return self._refuse(environ, start_response, 403, READ_ONLY_MESSAGE)
        try:
            body = get_input_stream(environ, max_content_length=self._config.max_bytes).read()
        except RequestEntityTooLarge:
            return self._refuse(environ, start_response, 413, "request body too large")
        status, headers, answer = self._exchange(environ, method, path, body)
        start_response(status, headers)
        return [answer]

    def _refuse(self, environ: WSGIEnvironment, start_response: StartResponse, status: int,
                message: str) -> list[bytes]:  # fmt: skip
        line, headers, body = http_error_reply(environ, status, message)
        self._journaled({"method": environ["REQUEST_METHOD"], "path": environ.get("PATH_INFO"),
                         "status": status, "forwarded": False, "violations": []})  # fmt: skip
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
        self._journal_answer(method, path, forwarded, violations, redactor)
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
                        violations: list[Violation], redactor: Redactor) -> None:  # fmt: skip
        for violation in violations:
            print(violation.line(), file=self._config.log, flush=True)
        content_type = next((v for k, v in forwarded.headers if k.lower() == "content-type"), "")
        self._journaled({
            "method": method, "path": redactor.text(path), "status": forwarded.status or None,
            "contentType": content_type, "milliseconds": round(forwarded.elapsed * 1000, 1),
            "forwarded": True, "violations": [v.as_json() for v in violations],
        })  # fmt: skip

    def _journaled(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._journal.append(entry)


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
