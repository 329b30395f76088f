"""The retry endpoint itself, answering like the Web API 2 action.

``POST`` retries the failed invoices (or answers as the scenario says) and returns the
envelope in the negotiated format. The request body is ignored, as the action binds no
parameters, but it is read and counted so that an oversized body gets 413. A CORS
preflight ``OPTIONS`` gets an empty 200 (the CORS extension adds its headers); any other
method gets Web API's 405.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from mock_server.journal import journal_entry, mark_journaled
from mock_server.mock import RetryBody, current_mock
from mock_server.webapi import (
    body_response,
    http_error,
    length_required,
    media_type_for,
    method_not_allowed,
    needs_length,
)

__all__ = ["register_service"]

_CHUNK = 64 * 1024


def register_service(app: Flask, *, route: str) -> None:
    """Add the endpoint at ``route`` (the contract's path) to ``app``."""
    blueprint = Blueprint("service", __name__)
    blueprint.add_url_rule(
        route, "retry", _retry, methods=["POST", "OPTIONS"], provide_automatic_options=False
    )
    app.register_blueprint(blueprint)


def _retry() -> Response:
    if request.method == "OPTIONS":
        return _preflight()
    if needs_length(request.environ):
        return length_required()
    limit = current_mock().settings.max_content_length
    if not _body_within(limit):
        message = f"The request body is larger than the limit of {limit} bytes."
        return http_error(request, 413, message)
    mock = current_mock()
    media_type = media_type_for(request)
    # The journal entry goes into the retry's own transaction: one write per call.
    entry = journal_entry(status=200, media_type=media_type)
    body = RetryBody(mock, media_type)
    call = mock.store.retry(mock.settings.clock.now(), journal=entry, before_writing=body.start)
    mark_journaled()
    return body_response(200, body.chunks(call), media_type)


def _preflight() -> Response:
    is_preflight = (
        "Origin" in request.headers and "Access-Control-Request-Method" in request.headers
    )
    if is_preflight and current_mock().settings.cors_origins is not None:
        return Response(status=200)
    return method_not_allowed(request)


def _body_within(limit: int) -> bool:
    """Read and drop the body (chunked bodies have no length to check up front)."""
    if request.content_length is not None and request.content_length > limit:
        return False
    total = 0
    try:
        while chunk := request.stream.read(_CHUNK):
            total += len(chunk)
            if total > limit:
                return False
    except RequestEntityTooLarge:
        return False
    return True
