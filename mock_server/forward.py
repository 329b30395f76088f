"""Forwarding one request upstream within the suite's limits, keeping the wire bytes.

The suite's :class:`conformance.client.HardenedClient` sends only the probes' own
headers and hands back decoded bodies; a proxy must send the client's headers and its
body, and give back the bytes as sent. So this client is built the same way - no
redirect followed, nothing from the environment (proxies, credentials), a size cap
counted while streaming, a total deadline checked between reads on top of httpx's
per-read timeout - and keeps the raw body, decoding a copy (within the same cap) for
the checks. What cannot give a usable answer becomes a ``transport.*`` failure.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from conformance.failures import TransportFailure

__all__ = ["HOP_BY_HOP", "Forwarded", "Forwarder"]

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-connection",
                        "te", "trailer", "transfer-encoding", "upgrade"})  # fmt: skip
"""Headers that belong to one connection (RFC 9110, section 7.6.1): never forwarded."""


@dataclass(frozen=True)
class Forwarded:
    """The upstream's answer (raw and decoded body), or the failure that replaced it."""

    status: int = 0
    reason: str = ""
    http_version: str = "HTTP/1.1"
    headers: tuple[tuple[str, str], ...] = ()
    raw: bytes = b""
    decoded: bytes = b""
    elapsed: float = 0.0
    failure: TransportFailure | None = None
    decoding_failure: TransportFailure | None = None


class _TooLarge(Exception):
    pass


def _failure(rule: str, expected: str, received: str, label: str) -> TransportFailure:
    return TransportFailure(rule=rule, expected=expected, received=received, request=label)


def end_to_end(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` without the hop-by-hop ones and those ``Connection`` names."""
    named = {part.strip().lower() for k, v in headers if k.lower() == "connection"
             for part in v.split(",")}  # fmt: skip
    return [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP | named]


class Forwarder:
    """Sends requests to the upstream; thread-safe, use as a context manager."""

    def __init__(self, *, timeout: float, max_bytes: int, verify: bool = True) -> None:
        self._timeout, self._max_bytes = timeout, max_bytes
        self._http = httpx.Client(follow_redirects=False, trust_env=False, verify=verify,
                                  timeout=httpx.Timeout(timeout))  # fmt: skip

    def __enter__(self) -> Forwarder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def send(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes,
             *, label: str) -> Forwarded:  # fmt: skip
        """The upstream's answer to the request; never raises for the upstream."""
        started = time.monotonic()
        request = self._http.build_request(method, url, content=body or None)
        host = request.headers["host"]
        request.headers = httpx.Headers([("Host", host), *end_to_end(headers)])
        if body:
            request.headers["Content-Length"] = str(len(body))
        try:
            return self._answer(request, started, label)
        except _TooLarge:
            limit = f"a body of at most {self._max_bytes} bytes"
            failure = _failure("transport.too-large", limit, "a larger body (stopped)", label)
        except httpx.TimeoutException as error:
            failure = _failure("transport.timeout",
                               f"a complete response within {self._timeout:g} s",
                               f"no complete response in time ({type(error).__name__})",
                               label)  # fmt: skip
        except httpx.HTTPError as error:
            failure = _failure("transport.connection", "a complete response",
                               f"{type(error).__name__}: {error}", label)  # fmt: skip
        return Forwarded(elapsed=time.monotonic() - started, failure=failure)

    def _answer(self, request: httpx.Request, started: float, label: str) -> Forwarded:
        response = self._http.send(request, stream=True)
        try:
            raw = self._read(response.iter_raw(), started)
        finally:
            response.close()
        # .raw keeps the names as the upstream spelled them (multi_items() lowercases).
        encoding = response.headers.encoding
        headers = tuple((k.decode(encoding), v.decode(encoding)) for k, v in response.headers.raw)
        decoded, problem = self._decode(headers, raw, label)
        return Forwarded(response.status_code, response.reason_phrase, response.http_version,
                         headers, raw, decoded, time.monotonic() - started,
                         decoding_failure=problem)  # fmt: skip

    def _read(self, chunks: Iterator[bytes], started: float) -> bytes:
        body = bytearray()
        for chunk in chunks:
            body += chunk
            if len(body) > self._max_bytes:
                raise _TooLarge
            if time.monotonic() - started > self._timeout:
                raise httpx.ReadTimeout("the total time limit of the request was reached")
        return bytes(body)

    def _decode(self, headers: tuple[tuple[str, str], ...], raw: bytes,
                label: str) -> tuple[bytes, TransportFailure | None]:  # fmt: skip
        """The body decoded from its Content-Encoding, within the size cap."""
        if not any(k.lower() == "content-encoding" for k, _ in headers):
            return raw, None
        copy = httpx.Response(200, headers=list(headers), stream=httpx.ByteStream(raw))
        decoded = bytearray()
        try:
            for piece in copy.iter_bytes():
                decoded += piece
                if len(decoded) > self._max_bytes:
                    raise _TooLarge
        except (httpx.DecodingError, _TooLarge) as error:
            received = "too large once decoded" if isinstance(error, _TooLarge) else str(error)
            failure = _failure("transport.decompression", "a body that decodes within the limit",
                               received, label)  # fmt: skip
            return raw, failure
        return bytes(decoded), None
