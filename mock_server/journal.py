"""The request journal: every request outside the control API, as the frontend sent it.

An entry holds the method, the path (with query), the Accept header, the media type the
mock answered with, the status (null when the connection was dropped), the clock's time,
the faults applied and the client that named itself in ``X-Mock-Client`` (the dashboard
sends ``dashboard``). The control API's own requests are not journaled. The retry
endpoint writes its entries itself (a retry call's in the retry's own transaction); the
Flask part journals its answers in :func:`register_journal`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request

from mock_server.clock import Clock
from mock_server.control import PREFIX
from mock_server.mock import current_mock
from mock_server.store import JournalEntry

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["journal_entry", "mark_journaled", "register_journal"]


def journal_entry(
    environ: WSGIEnvironment | dict[str, Any],
    *,
    status: int | None,
    media_type: str | None,
    clock: Clock,
) -> JournalEntry | None:
    """The entry of the request ``environ`` describes (None for a control request).

    The path is decoded as Werkzeug decodes it (UTF-8, bad bytes replaced), the query
    alike: no request can make the journal fail.
    """
    path = "/" + _decoded(environ.get("PATH_INFO") or "").lstrip("/")
    if path.startswith(PREFIX + "/"):
        return None
    query = _decoded(environ.get("QUERY_STRING") or "")
    return JournalEntry(
        method=str(environ.get("REQUEST_METHOD") or "GET").upper(),
        path=f"{path}?{query}".rstrip("?"),
        accept=environ.get("HTTP_ACCEPT"),
        media_type=media_type,
        status=status,
        time=clock.now().round_trip(),
        client=environ.get("HTTP_X_MOCK_CLIENT"),
    )


def _decoded(text: str) -> str:
    # WSGI strings carry the request's bytes as latin-1 (PEP 3333).
    try:
        return text.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text


def mark_journaled() -> None:
    """The current request's answer must not be journaled (the store was busy)."""
    g.mock_journaled = True


def register_journal(app: Flask) -> None:
    """Journal every answer of ``app`` (not the control API's)."""

    @app.after_request
    def _record(response: Response) -> Response:
        if g.get("mock_journaled", False):
            return response
        mock = current_mock()
        entry = journal_entry(
            request.environ, status=response.status_code, media_type=response.mimetype,
            clock=mock.settings.clock,
        )  # fmt: skip
        if entry is not None:
            mock.store.record(entry)
        return response
