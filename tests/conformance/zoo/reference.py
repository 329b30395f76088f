"""A correct, deterministic implementation of the retry endpoint, as a small WSGI app.

It answers ``POST /api/v1/billing/invoices/retryallfailed`` the way the ASP.NET Web API 2
service does (:mod:`contract.negotiation` picks the media type, :class:`ResponseWriter`
writes the bytes, ``HttpError`` bodies for 404/405), over an in-memory store of six
seeded failed invoices:

* each retry takes every ``Failed`` invoice, adds one attempt and stamps ``SendingTime``
  with the call's clock (19:20:43.1992775+02:00 on 2025-12-14 plus one minute per retry
  since the reset); invoice k succeeds on its ``succeeds_on`` attempt (2, 2, 3, 3, 4 and
  never), so a reset state answers the same bytes every time and later calls keep a
  failing invoice to look at;
* ``POST /__reset`` restores the seed (204): what a suite's ``--reset`` names.

``create_app(breaks=..., variations=...)`` switches on zoo entries (:mod:`.breaks`).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment
from wsgiref.util import request_uri

from contract.artifacts import load_contract
from contract.endpoint import EndpointContract
from contract.negotiation import content_type_header, negotiate
from contract.netdatetime import TICKS_PER_SECOND, DateTimeKind, NetDateTime
from contract.wire import ResponseWriter, write_http_error
from tests.conformance.zoo.breaks import mutations_for
from tests.conformance.zoo.mutation import Call, Mutation, Reply

__all__ = [
    "CLOCK_START",
    "FAILED",
    "FAILURE_REASON",
    "RESET_PATH",
    "ROUTE",
    "SENT",
    "Invoice",
    "InvoiceStore",
    "ReferenceApp",
    "create_app",
    "envelope",
    "retry_time",
    "seed_invoices",
]

ROUTE = "/api/v1/billing/invoices/retryallfailed"
RESET_PATH = "/__reset"
FAILED = "Failed"
SENT = "Sent"
FAILURE_REASON = "External system timeout (> 30 s)"
CLOCK_START = NetDateTime.parse("2025-12-14T19:20:43.1992775+02:00")
_MAX_REQUEST_BODY = 1 << 20
_ZOO_NS = uuid.UUID("5b1c3a52-0f4e-4d7c-9a41-7f2d1e0c9b30")


def retry_time(number: int) -> NetDateTime:
    """The clock of retry ``number`` since the reset: one minute per call after the start."""
    ticks = CLOCK_START.ticks + number * 60 * TICKS_PER_SECOND
    return NetDateTime(ticks, DateTimeKind.LOCAL, CLOCK_START.offset_minutes)


@dataclass(frozen=True)
class Invoice:
    """One invoice's sending status; ``succeeds_on`` is the attempt that gets it sent."""

    practice_id: uuid.UUID
    encounter_id: uuid.UUID
    invoice_id: uuid.UUID
    status: str
    reason: str | None
    sending_time: NetDateTime
    attempts: int
    succeeds_on: int | None
    sent_by_call: int = 0

    def retried(self, number: int) -> Invoice:
        """This invoice after retry ``number``: one attempt more, Sent or still Failed."""
        attempts = self.attempts + 1
        sent = self.succeeds_on is not None and attempts >= self.succeeds_on
        return replace(
            self,
            attempts=attempts,
            status=SENT if sent else FAILED,
            reason=None if sent else FAILURE_REASON,
            sending_time=retry_time(number),
            sent_by_call=number if sent else 0,
        )

    def wire(self) -> dict[str, Any]:
        """The ``InvoiceSendingStatusVo`` wire value (members in declaration order)."""
        return {
            "PracticeId": self.practice_id,
            "EncounterId": self.encounter_id,
            "InvoiceId": self.invoice_id,
            "Reason": self.reason,
            "Status": self.status,
            "System": "MediSwitch – EDI",
            "SendingTime": self.sending_time,
            "SendingAttempts": self.attempts,
            "SendingType": "Electronic",
        }


def _zoo_id(kind: str, number: int) -> uuid.UUID:
    return uuid.uuid5(_ZOO_NS, f"{kind}/{number}")


def seed_invoices() -> tuple[Invoice, ...]:
    """The six failed invoices a reset restores (one attempt each, an hour before the clock)."""
    seeded_at = NetDateTime(CLOCK_START.ticks - 3600 * TICKS_PER_SECOND, DateTimeKind.LOCAL, 120)
    plan = ((1, 2), (1, 2), (2, 3), (2, 3), (3, 4), (3, None))
    return tuple(
        Invoice(
            practice_id=_zoo_id("practice", practice),
            encounter_id=_zoo_id("encounter", number),
            invoice_id=_zoo_id("invoice", number),
            status=FAILED,
            reason=FAILURE_REASON,
            sending_time=seeded_at,
            attempts=1,
            succeeds_on=succeeds_on,
        )
        for number, (practice, succeeds_on) in enumerate(plan, start=1)
    )


class InvoiceStore:
    """The endpoint's state: the invoices and the number of retries since the reset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._invoices = seed_invoices()
        self._calls = 0

    def reset(self) -> None:
        """Back to the seed: six failed invoices, no retries made."""
        with self._lock:
            self._invoices = seed_invoices()
            self._calls = 0

    def failed(self) -> list[Invoice]:
        """The invoices a retry would pick now."""
        with self._lock:
            return [invoice for invoice in self._invoices if invoice.status == FAILED]

    def retry(self, *, include_recently_sent: bool = False) -> tuple[int, list[Invoice]]:
        """Retry every failed invoice; returns the call's number and the retried invoices.

        ``include_recently_sent`` also retries the invoices the previous call sent (a
        break: an invoice reported Sent is retried again).
        """
        with self._lock:
            self._calls += 1
            number = self._calls
            picked: list[Invoice] = []
            updated: list[Invoice] = []
            for invoice in self._invoices:
                again = include_recently_sent and invoice.sent_by_call == number - 1 > 0
                if invoice.status == FAILED or again:
                    picked.append(invoice.retried(number))
                    updated.append(picked[-1])
                else:
                    updated.append(invoice)
            self._invoices = tuple(updated)
            return number, picked


def envelope(invoices: Sequence[Invoice], message: str) -> dict[str, Any]:
    """The ``RestApiResult<List<InvoiceSendingStatusVo>>`` wire value for ``invoices``."""
    return {
        "Sucess": True,
        "ResponseCode": 0,
        "ResponseMessage": message,
        "Data": [invoice.wire() for invoice in invoices],
        "Links": [{"Rel": "self", "HRef": ROUTE}],
    }


def _retry_message(invoices: Sequence[Invoice]) -> str:
    sent = sum(invoice.status == SENT for invoice in invoices)
    return f"Retried {len(invoices)} failed invoices: {sent} sent, {len(invoices) - sent} failed"


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    uri: str
    accept: str | None
    x_requested_with: str | None
    content_type: str | None
    accept_encoding: str

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment) -> _Request:
        _drain(environ)
        return cls(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            path=str(environ.get("PATH_INFO", "")),
            uri=request_uri(environ, include_query=True),
            accept=environ.get("HTTP_ACCEPT"),
            x_requested_with=environ.get("HTTP_X_REQUESTED_WITH"),
            content_type=environ.get("CONTENT_TYPE") or None,
            accept_encoding=str(environ.get("HTTP_ACCEPT_ENCODING", "")),
        )

    def is_path(self, path: str) -> bool:
        # Web API routes match case-insensitively and ignore a trailing slash.
        return self.path.rstrip("/").lower() == path.lower()


def _drain(environ: WSGIEnvironment) -> None:
    # The action takes no body; read what was sent so the connection stays in sync.
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), _MAX_REQUEST_BODY)
    except ValueError:
        length = 0
    if length > 0:
        environ["wsgi.input"].read(length)


class ReferenceApp:
    """The WSGI app: the retry route, 405 for other methods, 404 elsewhere, the reset.

    ``mutations`` (from :func:`create_app`) replace steps of this pipeline; with none it
    is a faithful implementation of the contract.
    """

    def __init__(self, contract: EndpointContract, mutations: Sequence[Mutation] = ()) -> None:
        self.store = InvoiceStore()
        self._writer = ResponseWriter(contract)
        self._mutations = tuple(mutations)
        self._preview = frozenset().union(*(m.preview_methods for m in self._mutations))

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = _Request.from_environ(environ)
        call = Call(request.method, request.path, request.accept, self._negotiate(request))
        reply, call = self._route(request, call)
        for mutation in self._mutations:
            if mutation.reply is not None:
                reply = mutation.reply(reply, call)
        start_response(
            f"{reply.status} {_REASONS.get(reply.status, 'Status')}", list(_final(reply))
        )
        return _pieces(reply)

    def _negotiate(self, request: _Request) -> str:
        for mutation in self._mutations:
            if mutation.negotiate is not None:
                chosen = mutation.negotiate(request.accept, request.x_requested_with)
                if chosen is not None:
                    return chosen
        return negotiate(
            request.accept,
            x_requested_with=request.x_requested_with,
            content_type=request.content_type,
        )

    def _route(self, request: _Request, call: Call) -> tuple[Reply, Call]:
        call = replace(call, accept_encoding=request.accept_encoding)
        if request.is_path(RESET_PATH):
            if request.method != "POST":
                return self._not_allowed(request, call), call
            self.store.reset()
            return Reply(204, (), b""), call
        if not request.is_path(ROUTE):
            message = f"No HTTP resource was found that matches the request URI '{request.uri}'."
            return _error(404, message, call.media_type), call
        if request.method == "POST":
            return self._retry(call)
        if request.method in self._preview:
            failed = self.store.failed()
            return self._envelope_reply(
                envelope(failed, f"{len(failed)} failed invoices"), call
            ), call
        return self._not_allowed(request, call), call

    def _retry(self, call: Call) -> tuple[Reply, Call]:
        recently_sent = any(m.retry_recently_sent for m in self._mutations)
        number, invoices = self.store.retry(include_recently_sent=recently_sent)
        call = replace(call, number=number)
        values = envelope(invoices, _retry_message(invoices))
        for mutation in self._mutations:
            if mutation.values is not None:
                values = mutation.values(values, call)
        return self._envelope_reply(values, call), call

    def _envelope_reply(self, values: dict[str, Any], call: Call) -> Reply:
        body = self._writer.xml(values) if call.is_xml else self._writer.json(values)
        for mutation in self._mutations:
            hook = mutation.xml_body if call.is_xml else mutation.json_body
            if hook is not None:
                body = hook(body, values, call)
        return Reply(200, (("Content-Type", content_type_header(call.media_type)),), body)

    def _not_allowed(self, request: _Request, call: Call) -> Reply:
        message = f"The requested resource does not support http method '{request.method}'."
        return _error(405, message, call.media_type).with_header("Allow", "POST")


def _error(status: int, message: str, media_type: str) -> Reply:
    body = write_http_error(message, media_type)
    return Reply(status, (("Content-Type", content_type_header(media_type)),), body)


_REASONS = {
    200: "OK",
    202: "Accepted",
    204: "No Content",
    302: "Found",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}


def _final(reply: Reply) -> Iterable[tuple[str, str]]:
    # Content-Length is set here, after every rewrite, unless a variation asked for
    # chunked transfer encoding: WSGI apps may not send hop-by-hop headers, so the body
    # goes out in pieces without a length and the HTTP/1.1 server chunks it.
    yield from reply.headers
    if not reply.chunked and reply.header("Content-Length") is None:
        yield "Content-Length", str(len(reply.body))


def _pieces(reply: Reply) -> list[bytes]:
    if not reply.chunked:
        return [reply.body]
    third = max(1, len(reply.body) // 3)
    return [reply.body[i : i + third] for i in range(0, len(reply.body), third)]


def create_app(
    *,
    breaks: frozenset[str] = frozenset(),
    variations: frozenset[str] = frozenset(),
    contract: EndpointContract | None = None,
) -> ReferenceApp:
    """The reference app with the named breaks and valid variations switched on.

    Unknown names raise ``ValueError`` listing the known ones.
    """
    mutations = mutations_for(breaks=breaks, variations=variations)
    return ReferenceApp(contract if contract is not None else load_contract(), mutations)
