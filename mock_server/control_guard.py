"""Who may steer the mock: the origin, body and token rules of the control API.

A web page the developer visits can send a form POST (no preflight) to any local port,
so the control API must not trust a request because it arrived:

* **Origins.** Loopback origins (``http(s)://localhost``, ``127.0.0.1``, ``[::1]``, any
  port) are always allowed; ``CORS_ORIGINS`` adds others, or ``"*"`` any. The same set gets
  CORS headers (on the endpoint and the control API, :mod:`mock_server.cors`) unless CORS
  is off. A state-changing
  control request (POST, PUT, DELETE) whose ``Origin`` is not allowed is a 403.
* **Bodies.** A state-changing control request must send ``Content-Type:
  application/json`` (which a page can only send after a preflight, which CORS refuses
  for an origin not allowed), else 415. A request with no body is allowed, whatever its
  Content-Type, only without an ``Origin`` (a script or curl, not a browser).
* **Token.** With ``CONTROL_TOKEN`` set, every control request needs
  ``Authorization: Bearer <token>``, else 401 (CORS preflights aside: browsers send
  them without credentials).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable

from flask import Blueprint, Response, jsonify, request

from mock_server.settings import Settings

__all__ = ["LOOPBACK_ORIGIN", "origin_allowed", "register_guard"]

LOOPBACK_ORIGIN = re.compile(r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?\Z", re.I)
"""An origin served from this machine's loopback interface, any port."""

_STATE_CHANGING = frozenset({"POST", "PUT", "DELETE", "PATCH"})


def origin_allowed(settings: Settings, origin: str) -> bool:
    """Whether pages of ``origin`` may use the mock: loopback, listed, or any with ``*``."""
    if settings.cors_origins == "*" or LOOPBACK_ORIGIN.match(origin):
        return True
    listed = settings.cors_origins or ()
    return origin.casefold() in {allowed.casefold() for allowed in listed}


def register_guard(blueprint: Blueprint, settings_of: Callable[[], Settings]) -> None:
    """Check every request of ``blueprint`` against the rules above before its view."""

    @blueprint.before_request
    def _guard() -> Response | None:
        if request.method == "OPTIONS":
            return None
        refusal = refusal_of(settings_of())
        if refusal is None:
            return None
        status, message, headers = refusal
        response = jsonify(error=message)
        response.status_code = status
        response.headers.update(headers)
        return response


def refusal_of(settings: Settings) -> tuple[int, str, dict[str, str]] | None:
    """The status, message and headers refusing the current request, or None."""
    if settings.control_token is not None and not _authorized(settings.control_token):
        return 401, (
            "the control API needs Authorization: Bearer <token> "
            "(the token in the environment variable named by --control-token-env)"
        ), {"WWW-Authenticate": 'Bearer realm="retry-mock control API"'}  # fmt: skip
    if request.method not in _STATE_CHANGING:
        return None
    origin = request.headers.get("Origin")
    if origin is not None and not origin_allowed(settings, origin):
        return 403, (
            f"origin {origin} may not change the mock's state: allow it with "
            f"--cors-origins {origin} (config CORS_ORIGINS)"
        ), {}  # fmt: skip
    problem = _body_problem(origin)
    return None if problem is None else (415, problem, {})


def _authorized(token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Constant time: the comparison must not tell how much of a guess was right.
    given_bytes, token_bytes = given.strip().encode(), token.encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given_bytes, token_bytes)


def _body_problem(origin: str | None) -> str | None:
    mimetype = request.mimetype
    if mimetype == "application/json":
        return None
    empty = not request.content_length and "Transfer-Encoding" not in request.headers
    if empty and origin is None:
        # A script or curl (browsers send an Origin with every POST, PUT and DELETE): there
        # is nothing to read, whatever Content-Type a client library filled in.
        return None
    if mimetype:
        return f"Content-Type must be application/json, got {mimetype}"
    if not empty:
        return "a request body must be sent with Content-Type: application/json"
    # A page can post an empty form without any preflight.
    return "a request from a web page (it sent Origin) needs Content-Type: application/json"
