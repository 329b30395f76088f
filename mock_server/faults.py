"""Fault injection: what the faults configured in the store do to a call of the retry route.

Faults apply to POSTs of the retry route only, once the request was accepted (a 405, 411
or 413 is answered as always, and the control API is never faulted). For each call the
store decides which faults fire (the next ``calls`` calls, or a seeded ``share`` of
calls - the same decision in every worker process), in the retry's own transaction
(:meth:`mock_server.store.Store.retry`); then, in the order they were added:

``latency``           wait ``latency_ms`` (outside the writer lock), then answer normally
                      (several add up; the call's retry and journal entry follow the wait)
``http-500``          Web API's 500 ``{"Message":"An error has occurred."}``, negotiated
``envelope-failure``  the ``external-down`` envelope (200, ``Sucess`` false)
``drop-connection``   close the connection without a complete response (see
                      :func:`drop_connection`); under a WSGI test client
                      :class:`ConnectionDropped` is raised instead
``malformed-body``    the normal 200 with its Content-Type, the body cut in half
                      (Content-Length matches the cut body; an ``envelope-failure``
                      answer is cut as well)

The first fault other than ``latency`` decides the answer; a faulted call that answers
early does not touch the invoices. Each journal entry names the faults applied (a dropped
call's entry has no status).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mock_server.store import Fault, FaultKind

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["ConnectionDropped", "drop_connection", "malformed"]


class ConnectionDropped(ConnectionError):
    """The drop-connection fault fired outside a server, where no connection can be closed."""


def drop_connection(environ: WSGIEnvironment) -> int:
    """Make the server close the call's connection; the Content-Length to declare.

    * gunicorn hands out the socket: it is shut down, not closed (gunicorn still owns the
      descriptor, gets EPIPE on its write, which it ignores, and closes it when the
      request ends), so not a byte of the answer goes out;
    * granian hands out no socket: the answer declares a body of one byte and sends none,
      and granian closes the connection when the body ends short, before or just after
      the status line;
    * anywhere else (a WSGI test client) :class:`ConnectionDropped` is raised.
    """
    connection = environ.get("gunicorn.socket")
    if isinstance(connection, socket.socket):
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
        return 0
    if environ.get("SERVER_SOFTWARE") == "Granian":
        return 1
    raise ConnectionDropped(
        "drop-connection fault: the server would close the connection without a response"
    )


def malformed(faults: Sequence[Fault], chunks: list[bytes]) -> list[bytes]:
    """The body ``chunks``, cut in half if a ``malformed-body`` fault fired."""
    if not any(fault.kind is FaultKind.MALFORMED_BODY for fault in faults):
        return chunks
    body = b"".join(chunks)
    return [body[: len(body) // 2]]
