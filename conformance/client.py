"""The hardened HTTP client: whatever the target does, an exchange ends within limits.

* a total wall-clock deadline per request, enforced on every socket operation
  (:mod:`conformance._deadline`), so a hang or a drip is cut at the deadline;
* the body is streamed raw and counted against ``max_bytes`` before decoding, then
  decompressed here, incrementally, against the same limit (a gzip bomb stops early);
* redirects are never followed: the contract has none, and following one could re-send a
  POST elsewhere. Any 3xx is reported as ``transport.redirect``, saying whether it leaves
  the base URL's host;
* no keep-alive, no proxies or credentials from the environment, explicit headers only.

A request that cannot give a usable response yields an :class:`Exchange` carrying a
:class:`~conformance.failures.TransportFailure` instead of raising.
"""

from __future__ import annotations

import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx

from conformance._deadline import Deadline, DeadlineTransport
from conformance.failures import ConformanceError, TransportFailure
from conformance.options import Settings
from conformance.redact import Redactor

__all__ = ["Exchange", "HardenedClient", "Request", "Response"]

_ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class Request:
    """One request of the plan; ``headers`` are exactly what is sent besides auth."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    purpose: str = ""

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or None."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def label(self) -> str:
        """``POST /path [Accept: text/xml]``: how reports name the request."""
        path = urlsplit(self.url).path or "/"
        shown = [f"{k}: {v}" for k, v in self.headers if k.lower() != "content-length"]
        return f"{self.method} {path}" + (f" [{'; '.join(shown)}]" if shown else " [no Accept]")


@dataclass(frozen=True)
class Response:
    """A complete response: status, headers and the decoded body (at most ``max_bytes``)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    elapsed: float

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name``."""
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass(frozen=True)
class Exchange:
    """A request and either its response or the transport failure that replaced it.

    ``reached`` is False when no connection could be made at all (refused, DNS).
    """

    request: Request
    response: Response | None
    failure: TransportFailure | None = None
    reached: bool = True
    started: float = 0.0


class _Rejected(Exception):
    def __init__(self, rule: str, expected: str, received: str) -> None:
        super().__init__(received)
        self.rule, self.expected, self.received = rule, expected, received


class HardenedClient:
    """Sends requests within the settings' limits; use as a context manager."""

    def __init__(self, settings: Settings, redactor: Redactor) -> None:
        self._settings = settings
        self._redactor = redactor
        self._deadline = Deadline()
        self._http = httpx.Client(
            transport=DeadlineTransport(
                ssl_context=_ssl_context(settings), deadline=self._deadline
            ),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(settings.timeout),
        )

    def __enter__(self) -> HardenedClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def send(self, request: Request) -> Exchange:
        """One exchange within the deadline and size limits; never raises for the target."""
        started = time.monotonic()
        self._deadline.start(self._settings.timeout)
        try:
            response = self._exchange(request, started)
        except _Rejected as rejected:
            return self._failed(request, rejected, started)
        except (httpx.TimeoutException, httpcore.TimeoutException) as error:
            return self._failed(request, _timeout(error, self._settings.timeout), started)
        except (httpx.ConnectError, httpcore.ConnectError) as error:
            refused = _Rejected("transport.connection", "a response", f"cannot connect: {error}")
            return self._failed(request, refused, started, reached=False)
        except (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError, OSError) as error:
            received = f"connection broken: {type(error).__name__}: {error}"
            return self._failed(
                request, _Rejected("transport.connection", "a complete response", received), started
            )
        finally:
            self._deadline.clear()
        return Exchange(request, response, started=started)

    def _failed(
        self, request: Request, rejected: _Rejected, started: float, *, reached: bool = True
    ) -> Exchange:
        failure = TransportFailure(
            rule=rejected.rule,
            expected=rejected.expected,
            received=self._redactor.text(rejected.received),
            request=self._redactor.text(request.label()),
        )
        return Exchange(request, None, failure, reached=reached, started=started)

    def _exchange(self, request: Request, started: float) -> Response:
        # send(), not stream(): stream() would merge httpx's default Accept back in.
        raw = self._http.send(self._build(request), stream=True)
        try:
            headers = tuple((k, v) for k, v in raw.headers.multi_items())
            if 300 <= raw.status_code < 400:
                raise _redirect(request.url, raw.status_code, raw.headers.get("location", ""))
            body = self._read_body(raw)
        finally:
            raw.close()
        return Response(raw.status_code, headers, body, time.monotonic() - started)

    def _build(self, request: Request) -> httpx.Request:
        built = self._http.build_request(
            request.method,
            request.url,
            content=b"" if request.method in {"POST", "PUT", "PATCH"} else None,
        )
        # httpx adds Accept: */* and its own Accept-Encoding; the plan decides instead.
        for name in ("Accept", "Accept-Encoding", "User-Agent", "Connection"):
            built.headers.pop(name, None)
        built.headers["Accept-Encoding"] = _ACCEPT_ENCODING
        built.headers["User-Agent"] = "retry-conformance"
        for name, value in (*self._settings.headers, *request.headers):
            built.headers[name] = value
        return built

    def _read_body(self, raw: httpx.Response) -> bytes:
        limit = self._settings.max_bytes
        decoder = _Decoder.for_encoding(raw.headers.get("content-encoding", ""), limit)
        received = 0
        for chunk in raw.iter_raw():
            received += len(chunk)
            if received > limit:
                raise _Rejected(
                    "transport.too-large",
                    f"a body of at most {limit} bytes",
                    f"more than {limit} bytes (stopped reading)",
                )
            if self._deadline.expired():
                raise httpcore.ReadTimeout("the total time limit of the request was reached")
            decoder.feed(chunk)
        return decoder.finish()


def _timeout(error: Exception, seconds: float) -> _Rejected:
    return _Rejected(
        "transport.timeout",
        f"a complete response within {seconds:g} s",
        f"no complete response in time ({type(error).__name__})",
    )


def _redirect(base: str, status: int, location: str) -> _Rejected:
    target = urlsplit(httpx.URL(base).join(location).__str__()) if location else None
    same_host = target is not None and target.hostname == urlsplit(base).hostname
    where = "on the same host" if same_host else "off the base URL's host"
    received = f"{status} redirect {where} to {location or '(no Location)'} (not followed)"
    return _Rejected(
        "transport.redirect", "a direct answer (the contract has no redirects)", received
    )


def _ssl_context(settings: Settings) -> ssl.SSLContext:
    if settings.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        cafile = str(settings.ca_bundle) if settings.ca_bundle else None
        context = ssl.create_default_context(cafile=cafile)
    if settings.client_cert is not None:
        try:
            context.load_cert_chain(str(settings.client_cert))
        except (ssl.SSLError, OSError) as error:
            raise ConformanceError(
                f"--client-cert: cannot load {settings.client_cert}: {error}"
            ) from None
    return context


class _Decoder:
    """Incremental Content-Encoding decoding with an output limit."""

    def __init__(self, wbits: int | None, limit: int, encoding: str) -> None:
        self._inflater = zlib.decompressobj(wbits) if wbits is not None else None
        self._limit = limit
        self._encoding = encoding
        self._out = bytearray()
        self._first = True

    @classmethod
    def for_encoding(cls, header: str, limit: int) -> _Decoder:
        encoding = header.strip().lower()
        wbits = {
            "": None,
            "identity": None,
            "gzip": 16 + zlib.MAX_WBITS,
            "x-gzip": 16 + zlib.MAX_WBITS,
            "deflate": zlib.MAX_WBITS,
        }
        if encoding not in wbits:
            raise _Rejected(
                "transport.decompression",
                "gzip, deflate or no Content-Encoding",
                f"Content-Encoding: {header}",
            )
        return cls(wbits[encoding], limit, encoding)

    def feed(self, chunk: bytes) -> None:
        if self._inflater is None:
            self._out += chunk
            return
        if self._first and self._encoding == "deflate":
            self._first = False
            self._inflater = _deflate_inflater(chunk)
        try:
            for piece in _inflate(self._inflater, chunk, self._limit - len(self._out)):
                self._out += piece
        except zlib.error as error:
            raise _Rejected(
                "transport.decompression",
                f"a valid {self._encoding} body",
                f"cannot decode: {error}",
            ) from None

    def finish(self) -> bytes:
        if self._inflater is not None and not self._inflater.eof:
            raise _Rejected(
                "transport.decompression",
                f"a complete {self._encoding} stream",
                "the compressed stream ends early",
            )
        return bytes(self._out)


def _deflate_inflater(first_chunk: bytes) -> zlib._Decompress:
    # "deflate" is zlib-wrapped by the standard, raw deflate by some servers: sniff.
    looks_zlib = (
        len(first_chunk) >= 2
        and (first_chunk[0] & 0x0F) == 8
        and int.from_bytes(first_chunk[:2], "big") % 31 == 0
    )
    return zlib.decompressobj(zlib.MAX_WBITS if looks_zlib else -zlib.MAX_WBITS)


def _inflate(inflater: zlib._Decompress, data: bytes, room: int) -> Iterator[bytes]:
    while data:
        piece = inflater.decompress(data, max(room, 0) + 1)
        if len(piece) > room:
            raise _Rejected(
                "transport.decompression",
                f"a body that decodes to at most {room} more bytes",
                "the body expands past the size limit (stopped decoding)",
            )
        room -= len(piece)
        yield piece
        data = inflater.unconsumed_tail
