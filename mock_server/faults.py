"""Fault injection: one middleware that reads the faults configured in the store.

Faults apply to POSTs of the retry route only (the control API is never faulted). For each
call the store says which faults fire (the next ``calls`` calls, or a seeded ``share`` of
calls - the same decision in every worker process); then, in the order they were added:

``latency``           sleep ``latency_ms``, then answer normally (adds up with others)
``http-500``          Web API's 500 ``{"Message":"An error has occurred."}``, negotiated
``envelope-failure``  the ``external-down`` envelope (200, ``Sucess`` false)
``drop-connection``   close the connection without a complete response (see
                      :mod:`mock_server.servers`); under a WSGI test client
                      :class:`ConnectionDropped` is raised instead
``malformed-body``    the normal 200 with its Content-Type, the body cut in half
                      (Content-Length matches the cut body)

The first fault other than ``latency`` decides the answer; a faulted call that answers
early does not touch the invoices. Each journal entry names the faults applied.
"""

from __future__ import annotations

import contextlib
import socket
import time

from flask import Flask, Response, g, request

from mock_server.journal import record_request
from mock_server.mock import current_mock
from mock_server.store import Fault, FaultKind
from mock_server.webapi import INTERNAL_ERROR_MESSAGE, http_error, negotiated

__all__ = ["ConnectionDropped", "register_faults"]


class ConnectionDropped(ConnectionError):
    """The drop-connection fault fired outside a server, where no connection can be closed."""


def register_faults(app: Flask, *, route: str) -> None:
    """Install the fault middleware for the retry ``route`` on ``app``."""

    @app.before_request
    def _inject() -> Response | None:
        if request.method != "POST" or request.path != route:
            return None
        faults = current_mock().store.next_call_faults()
        g.mock_faults = [fault.kind.value for fault in faults]
        for fault in faults:
            if fault.kind is FaultKind.LATENCY:
                time.sleep(fault.latency_ms / 1000)
        decisive = next((f for f in faults if f.kind is not FaultKind.LATENCY), None)
        return None if decisive is None else _answer(decisive)

    @app.after_request
    def _malform(response: Response) -> Response:
        if (
            FaultKind.MALFORMED_BODY.value in g.get("mock_faults", ())
            and response.status_code == 200
        ):
            body = response.get_data()
            response.set_data(body[: len(body) // 2])
        return response


def _answer(fault: Fault) -> Response | None:
    if fault.kind is FaultKind.HTTP_500:
        return http_error(request, 500, INTERNAL_ERROR_MESSAGE)
    if fault.kind is FaultKind.ENVELOPE_FAILURE:
        mock = current_mock()
        values = mock.external_down()
        return negotiated(request, 200, lambda media_type: mock.body(values, media_type))
    if fault.kind is FaultKind.DROP_CONNECTION:
        return _drop()
    return None  # malformed-body: answer normally, cut after the view


def _drop() -> Response:
    g.mock_dropped = True
    connection = request.environ.get("gunicorn.socket")
    if isinstance(connection, socket.socket):
        # Shut down, do not close: gunicorn still owns the descriptor, gets EPIPE on its
        # write (which it ignores) and closes it when the request ends.
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
        return Response(status=200)
    if request.environ.get("SERVER_SOFTWARE") == "Granian":
        # No socket is handed out: declare a body and send none. granian closes the
        # connection when the body ends short, before or just after the status line.
        return Response(iter(()), status=200, headers={"Content-Length": "1"})
    record_request(status=None, media_type=None)
    raise ConnectionDropped(
        "drop-connection fault: the server would close the connection without a response"
    )
