"""The retry route, every call of it: one WSGI endpoint answering like the Web API 2 action.

Every request of ``api/v1/billing/invoices/retryallfailed`` (any method, with or without
``Origin``, a body, a query, a fault) takes the same steps, without Flask:

1. negotiate the media type (:func:`~mock_server.webapi.media_type_of`);
2. a CORS preflight ``OPTIONS`` gets an empty 200 (with CORS on; :mod:`mock_server.cors`),
   any other method than POST Web API's 405 with ``Allow: POST``;
3. a POST with neither ``Content-Length`` nor chunked encoding gets HTTP.sys's 411; the
   body is read and dropped (the action binds no parameters), and one over
   ``MAX_CONTENT_LENGTH`` gets 413;
4. one store step decides the call's faults, appends its journal entry and retries
   (:meth:`~mock_server.store.Store.retry`: one write per call); a latency fault waits
   outside the writer lock, then a second step does the rest;
5. the answer: the envelope in the negotiated format, or what the deciding fault answers
   (:mod:`mock_server.faults`), a ``malformed-body`` one cut in half;
6. IIS's headers in IIS's order with the CORS ones among the answer's own
   (:func:`~mock_server.iis_headers.arranged`), and RFC 9110's reason phrase.

A busy writer lock gives Web API's 503 (not journaled: the journal would wait as long
again); anything unexpected is logged and gives Web API's 500, journaled as such unless
the call was journaled already. Every answer but a retry's is journaled in a write of
its own.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from contract.negotiation import content_type_header
from contract.wire import write_http_error
from mock_server.cors import Cors
from mock_server.faults import ConnectionDropped, drop_connection, malformed
from mock_server.iis_headers import Header, arranged
from mock_server.journal import journal_entry
from mock_server.mock import Mock, RetryBody
from mock_server.store import Fault, FaultKind, JournalEntry, RetryCall, fault_names
from mock_server.webapi import (
    INTERNAL_ERROR_MESSAGE,
    LENGTH_REQUIRED_PAGE,
    LENGTH_REQUIRED_TYPE,
    WRITER_BUSY_MESSAGE,
    media_type_of,
    method_not_allowed_message,
    needs_length,
    status_line,
)
from mock_server.writer_lock import WriterBusy

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["Answer", "RetryEndpoint"]

_CHUNK = 64 * 1024
# The Content-Type of the answers without a body (Werkzeug's default, as Flask sent them).
_EMPTY_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    """One answer of the endpoint before its headers are arranged."""

    status: int
    chunks: list[bytes]
    media_type: str | None
    """The answer's media type as the journal names it (None: the connection dropped)."""
    content_type: str
    own: tuple[Header, ...] = ()
    """Headers of the answer itself (``Allow``), placed before the CORS ones."""
    length: int | None = None
    """The Content-Length to declare when it is not the body's (a dropped connection)."""


@dataclass
class _Call:
    """One request as the steps see it."""

    environ: WSGIEnvironment
    method: str
    media_type: str
    journaled: bool = False
    faults: tuple[Fault, ...] = field(default=())


class RetryEndpoint:
    """The WSGI application of the retry route for ``mock`` (see the module)."""

    def __init__(self, mock: Mock, cors: Cors, logger: logging.Logger) -> None:
        self._mock = mock
        self._cors = cors
        self._logger = logger
        self._site = mock.settings.site_headers
        self._clock = mock.settings.clock

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request of the route."""
        method = str(environ.get("REQUEST_METHOD") or "GET").upper()
        call = _Call(environ, method, media_type_of(environ))
        try:
            answer = self._answer(call)
        except WriterBusy:
            answer = self._error(call, 503, WRITER_BUSY_MESSAGE)
        except ConnectionDropped:
            raise  # a test client's: there is no connection to drop
        except Exception:
            self._logger.exception("unexpected error")
            answer = self._error(call, 500, INTERNAL_ERROR_MESSAGE)
            if not call.journaled:
                with contextlib.suppress(Exception):  # the store may be what failed
                    self._journal(call, answer)
        return self._send(call, answer, start_response)

    def _answer(self, call: _Call) -> Answer:
        if call.method == "POST":
            refusal = self._refusal(call)
            if refusal is None:
                return self._retry(call)
            answer = refusal
        elif call.method == "OPTIONS" and self._cors.is_preflight(call.environ):
            answer = Answer(200, [], "text/html", _EMPTY_TYPE)
        else:
            message = method_not_allowed_message(call.method)
            answer = self._error(call, 405, message, own=(("Allow", "POST"),))
        self._journal(call, answer)
        return answer

    def _refusal(self, call: _Call) -> Answer | None:
        """411 or 413 for a POST whose body HTTP.sys or the limit refuses, else None."""
        environ = call.environ
        if needs_length(environ):
            return Answer(411, [LENGTH_REQUIRED_PAGE], "text/html", LENGTH_REQUIRED_TYPE)
        if environ.get("CONTENT_LENGTH") == "0":
            return None
        limit = self._mock.settings.max_content_length
        if _body_within(environ, limit):
            return None
        message = f"The request body is larger than the limit of {limit} bytes."
        return self._error(call, 413, message)

    def _retry(self, call: _Call) -> Answer:
        mock = self._mock
        body = RetryBody(mock, call.media_type)
        done = mock.store.retry(
            self._clock.now(), journal=self._entry(call, 200), before_writing=body.start
        )
        if done.wait_ms:
            call.faults = done.faults
            time.sleep(done.wait_ms / 1000)
            done = mock.store.retry(
                self._clock.now(), journal=self._entry(call, 200), before_writing=body.start,
                faults=done.faults,
            )  # fmt: skip
        call.journaled = True
        return self._retried(call, done, body)

    def _retried(self, call: _Call, done: RetryCall, body: RetryBody) -> Answer:
        """The answer to a call the store has done (and journaled)."""
        mock, media_type = self._mock, call.media_type
        if done.answer is FaultKind.HTTP_500:
            return self._error(call, 500, INTERNAL_ERROR_MESSAGE)
        if done.answer is FaultKind.DROP_CONNECTION:
            return Answer(200, [], None, _EMPTY_TYPE, length=drop_connection(call.environ))
        if done.answer is FaultKind.ENVELOPE_FAILURE:
            chunks = mock.body(mock.external_down(), media_type)
        else:
            chunks = body.chunks(done)
        chunks = malformed(done.faults, chunks)
        return Answer(200, chunks, media_type, content_type_header(media_type))

    def _error(
        self, call: _Call, status: int, message: str, *, own: tuple[Header, ...] = ()
    ) -> Answer:
        """Web API's ``HttpError`` with ``message``, in the negotiated format."""
        media_type = call.media_type
        body = write_http_error(message, media_type)
        return Answer(status, [body], media_type, content_type_header(media_type), own)

    def _entry(
        self, call: _Call, status: int, media_type: str | None = None
    ) -> JournalEntry | None:
        """The call's journal entry, naming the faults that fired so far."""
        media_type = call.media_type if media_type is None else media_type
        entry = journal_entry(call.environ, status=status, media_type=media_type, clock=self._clock)
        if entry is None or not call.faults:
            return entry
        return replace(entry, fault=fault_names(call.faults))

    def _journal(self, call: _Call, answer: Answer) -> None:
        entry = self._entry(call, answer.status, answer.media_type)
        if entry is not None:
            self._mock.store.record(entry)

    def _send(self, call: _Call, answer: Answer, start_response: StartResponse) -> Iterable[bytes]:
        """Start the response: IIS's headers and order, CORS among the answer's own.

        One chunk goes back as a list (granian sends a list in one write), several as an
        iterator: granian joins a list into one bytes object first, a copy of the whole
        body (56 MB for 100,000 invoices in XML), and streams an iterator chunk by chunk.
        A HEAD gets the headers alone (as Werkzeug answers it).
        """
        chunks = answer.chunks
        length = sum(map(len, chunks)) if answer.length is None else answer.length
        headers = [*answer.own, *self._cors.headers(call.environ)]
        headers += [("Content-Type", answer.content_type), ("Content-Length", str(length))]
        start_response(status_line(answer.status), arranged(headers, site=self._site))
        if answer.length:  # a body declared and never sent: the server drops the connection
            return iter(())
        if call.method == "HEAD" or not chunks:
            return []
        return chunks if len(chunks) == 1 else iter(chunks)


def _body_within(environ: WSGIEnvironment, limit: int) -> bool:
    """Read and drop the body; False once it is over ``limit`` bytes.

    Chunked bodies have no length to check up front; the stream is Werkzeug's, which
    reads a chunked body only where the server says it ends it (``wsgi.input_terminated``).
    """
    try:
        stream = get_input_stream(environ, max_content_length=limit)
        total = 0
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > limit:
                return False
    except RequestEntityTooLarge:
        return False
    return True
