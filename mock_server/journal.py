"""The request journal: every request outside the control API, as the frontend sent it.

An entry holds the method, the path (with query), the Accept header, the media type the
mock answered with, the status (null when the connection was dropped), the clock's time
and the faults applied. The control API's own requests are not journaled.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from mock_server.control import PREFIX
from mock_server.mock import current_mock
from mock_server.store import JournalEntry

__all__ = ["journal_entry", "mark_journaled", "record_request", "register_journal"]


def journal_entry(*, status: int | None, media_type: str | None) -> JournalEntry | None:
    """The current request's journal entry (None for a control request, never journaled)."""
    if request.path.startswith(PREFIX + "/"):
        return None
    faults = g.get("mock_faults") or None
    return JournalEntry(
        method=request.method,
        path=request.full_path.rstrip("?"),
        accept=request.headers.get("Accept"),
        media_type=media_type,
        status=status,
        time=current_mock().settings.clock.now().round_trip(),
        fault=",".join(faults) if faults else None,
    )


def mark_journaled() -> None:
    """The current request's entry is written already (with the retry, in one transaction)."""
    g.mock_journaled = True


def record_request(*, status: int | None, media_type: str | None) -> None:
    """Append the current request to the journal (unless it is a control request)."""
    entry = journal_entry(status=status, media_type=media_type)
    if entry is not None:
        current_mock().store.record(entry)


def register_journal(app: Flask) -> None:
    """Journal every answered request of ``app``."""

    @app.after_request
    def _record(response: Response) -> Response:
        if g.get("mock_journaled", False):
            return response
        dropped = g.get("mock_dropped", False)
        record_request(
            status=None if dropped else response.status_code,
            media_type=None if dropped else response.mimetype,
        )
        return response
