"""Error answers: Web API ``HttpError`` bodies on service paths, JSON on the mock's own paths.

Service paths Flask serves (everything but the retry route, which its endpoint answers,
``/__mock/``, ``/openapi.yaml`` and ``/xsd/``) answer like Web API: an unknown path 404
naming the full request URI, another method on a page 405 with ``Allow``, anything
unexpected 500 "An error has occurred.". The mock's own paths answer
``{"error": "..."}``; none of them ever shows a traceback.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from mock_server.control import PREFIX, json_error
from mock_server.journal import mark_journaled
from mock_server.webapi import (
    INTERNAL_ERROR_MESSAGE,
    OWN_PATHS,
    WRITER_BUSY_MESSAGE,
    http_error,
    method_not_allowed,
    not_found,
)
from mock_server.writer_lock import WriterBusy

__all__ = ["register_error_handlers"]


def _is_own_path() -> bool:
    return request.path.startswith(OWN_PATHS)


def register_error_handlers(app: Flask) -> None:
    """Answer HTTP errors and unexpected exceptions of ``app`` as described above."""

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        allowed = ", ".join(sorted(getattr(error, "valid_methods", None) or ()))
        if _is_own_path():
            headers = {"Allow": allowed} if isinstance(error, MethodNotAllowed) else {}
            return json_error(status, _own_message(error), **headers)
        if isinstance(error, MethodNotAllowed):
            return method_not_allowed(request, allowed=allowed)
        if status == 404:
            return not_found(request)
        if status >= 500:
            return http_error(request, status, INTERNAL_ERROR_MESSAGE)
        return http_error(request, status, error.description or error.name)

    @app.errorhandler(WriterBusy)
    def _busy(_error: WriterBusy) -> Response:
        # The store is busy: journaling this answer would only wait for it again.
        mark_journaled()
        if _is_own_path():
            return json_error(503, "the mock's state is busy with another writer; try again")
        return http_error(request, 503, WRITER_BUSY_MESSAGE)

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> Response:
        app.logger.error("unexpected error", exc_info=error.original_exception)
        if _is_own_path():
            return json_error(500, "the mock failed unexpectedly; see its log")
        return http_error(request, 500, INTERNAL_ERROR_MESSAGE)


def _own_message(error: HTTPException) -> str:
    if isinstance(error, MethodNotAllowed):
        return f"{request.path} does not support {request.method}"
    if error.code == 404:
        return (
            f"no such path: {request.path} (the control API is described at {PREFIX}/openapi.yaml)"
        )
    if error.code == 413:
        return f"request body too large: the limit is {request.max_content_length} bytes"
    return error.description or error.name
