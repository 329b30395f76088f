"""The retry route's common case, answered without Flask: the mock's throughput rests on it.

A benchmark or a frontend polling the mock sends the same request again and again: a POST
of the route with ``Content-Length: 0``, no query, no ``Origin`` and no fault configured.
:class:`FastRetry` answers exactly that request with the same steps and the same bytes
as the Flask view (:mod:`mock_server.service`): negotiate, write the journal entry in the
retry's transaction, retry, write the envelope, ``200 OK`` with the headers in the order
Flask's path sends them (IIS's: :func:`mock_server.iis_headers.arranged`). Flask's
request, context, routing, hooks and CORS handling cost more than the retry itself; for
this request none of them changes the answer:

* no ``Origin``: the CORS extension adds no header;
* no fault: the fault middleware does nothing (the retry's own transaction checks for
  faults before it writes anything, so a fault added through any worker applies to the
  very next call);
* ``Content-Length: 0``: there is no body to read, limit or refuse with 411.

Every other request (another method, a body, a query, an ``Origin``, a fault) goes to
Flask unchanged, and so does a call whose retry transaction failed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask

from contract.negotiation import content_type_header, negotiate
from contract.wire import write_http_error
from mock_server.iis_headers import EXPIRES, NO_CACHE, Header
from mock_server.mock import Mock, RetryBody
from mock_server.store import JournalEntry
from mock_server.webapi import INTERNAL_ERROR_MESSAGE, WRITER_BUSY_MESSAGE
from mock_server.writer_lock import WriterBusy

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["FastRetry"]

# Clients send the same few header combinations again and again; negotiation is pure.
_negotiate = functools.lru_cache(maxsize=256)(negotiate)


class FastRetry:
    """WSGI wrapper: the plain retry POST of ``route`` answered directly, the rest by ``app``."""

    def __init__(self, app: WSGIApplication, flask_app: Flask, mock: Mock, route: str) -> None:
        self._app = app
        self._flask_app = flask_app
        self._mock = mock
        self._route = route
        # The headers around Content-Type, fixed for the app's lifetime (IIS's order).
        self._headers = _Headers(list(NO_CACHE), [EXPIRES, *mock.settings.site_headers])

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer the plain retry call; hand anything else to the wrapped app."""
        if not self._is_plain_retry(environ):
            return self._app(environ, start_response)
        return self._retry(environ, start_response)

    def _is_plain_retry(self, environ: WSGIEnvironment) -> bool:
        return (
            environ.get("REQUEST_METHOD") == "POST"
            and environ.get("PATH_INFO") == self._route
            and not environ.get("QUERY_STRING")
            and environ.get("CONTENT_LENGTH") == "0"
            and "HTTP_TRANSFER_ENCODING" not in environ
            and "HTTP_ORIGIN" not in environ
        )

    def _retry(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        mock = self._mock
        accept = environ.get("HTTP_ACCEPT")
        media_type = _negotiate(
            accept,
            x_requested_with=environ.get("HTTP_X_REQUESTED_WITH"),
            content_type=environ.get("CONTENT_TYPE"),
        )
        # The journal's time and the retry's time are read apart, as the Flask view does.
        entry = JournalEntry(
            method="POST", path=self._route, accept=accept, media_type=media_type,
            status=200, time=mock.settings.clock.now().round_trip(), fault=None,
        )  # fmt: skip
        body = RetryBody(mock, media_type)
        try:
            call = mock.store.retry_unless_faulted(
                mock.settings.clock.now(), journal=entry, before_writing=body.start
            )
        except WriterBusy:
            # Another writer holds the lock: Flask's view would only wait as long again.
            error = [write_http_error(WRITER_BUSY_MESSAGE, media_type)]
            busy = "503 Service Unavailable"
            return self._headers.answer(busy, error, media_type, start_response)
        except Exception:
            # The transaction rolled back, nothing was written: Flask's view runs the call
            # again and answers (and journals) whatever it gives as it always does.
            return self._app(environ, start_response)
        if call is None:  # a fault is configured: nothing was written, Flask applies it
            return self._app(environ, start_response)
        try:
            chunks = body.chunks(call)
        except Exception:
            # The call is written and journaled as 200 (as in the Flask view): only the
            # answer turns into Web API's 500, logged like the Flask error handler does.
            self._flask_app.logger.exception("unexpected error")
            error = [write_http_error(INTERNAL_ERROR_MESSAGE, media_type)]
            return self._headers.answer(
                "500 Internal Server Error", error, media_type, start_response
            )
        return self._headers.answer("200 OK", chunks, media_type, start_response)


@dataclass(frozen=True)
class _Headers:
    """The service's headers before and after ``Content-Type``; Content-Length last."""

    before: list[Header]
    after: list[Header]

    def answer(
        self, status: str, chunks: list[bytes], media_type: str, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Start the response with the headers Flask's path sends, in its order.

        One chunk goes back as a list (granian sends a list in one write), several as an
        iterator: granian joins a list into one bytes object first, a copy of the whole
        body (56 MB for 100,000 invoices in XML), and streams an iterator chunk by chunk.
        """
        start_response(status, [
            *self.before,
            ("Content-Type", content_type_header(media_type)),
            *self.after,
            ("Content-Length", str(sum(len(chunk) for chunk in chunks))),
        ])  # fmt: skip
        return chunks if len(chunks) == 1 else iter(chunks)
