"""CORS for every answer of the mock: the retry endpoint's and the Flask part's alike.

Which origins: loopback ones always (:data:`~mock_server.control_guard.LOOPBACK_ORIGIN`),
``CORS_ORIGINS`` besides (matched without regard to case), any with ``"*"``; none at all
when CORS is off (``CORS_ORIGINS`` None). An answer to an allowed ``Origin`` carries, in
this order:

* ``Access-Control-Allow-Origin``: the origin as sent (never ``*``: credentials are on),
  ``Access-Control-Expose-Headers: Allow, Content-Length, Content-Type`` and
  ``Access-Control-Allow-Credentials: true``;
* ``Access-Control-Allow-Private-Network: false`` when the request asked for it;
* on a preflight (``OPTIONS`` naming one of :data:`ALLOWED_METHODS`): the request's
  ``Access-Control-Request-Headers`` sorted, and ``Access-Control-Allow-Methods``;
* ``Vary: Origin`` (the answer depends on the origin).

These are the headers flask-cors sent with the options the mock gave it (every origin a
pattern, headers ``*``, credentials, no max age), kept byte for byte.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import Flask, Response, request

from mock_server.control_guard import LOOPBACK_ORIGIN
from mock_server.iis_headers import Header
from mock_server.settings import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["ALLOWED_METHODS", "EXPOSED_HEADERS", "Cors"]

ALLOWED_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
EXPOSED_HEADERS = "Allow, Content-Length, Content-Type"
_ANY = re.compile(".*", re.IGNORECASE)


class Cors:
    """The CORS headers of answers under ``settings`` (see the module)."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.cors_origins is not None
        if settings.cors_origins == "*":
            self._origins: list[re.Pattern[str]] = [_ANY]
        else:
            listed = settings.cors_origins or ()
            escaped = (re.compile(re.escape(o) + r"\Z", re.IGNORECASE) for o in listed)
            self._origins = [LOOPBACK_ORIGIN, *escaped]

    def is_preflight(self, environ: WSGIEnvironment) -> bool:
        """Whether the request is a CORS preflight this mock answers (CORS on)."""
        return (
            self.enabled
            and "HTTP_ORIGIN" in environ
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
        )

    def headers(self, environ: WSGIEnvironment) -> list[Header]:
        """The CORS headers of the answer to the request ``environ`` describes."""
        origin = environ.get("HTTP_ORIGIN")
        if not origin or not self.enabled or not any(o.match(origin) for o in self._origins):
            return []
        found = [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
            ("Access-Control-Allow-Credentials", "true"),
        ]
        if environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true":
            found.append(("Access-Control-Allow-Private-Network", "false"))
        if str(environ.get("REQUEST_METHOD", "")).upper() == "OPTIONS":
            found += _preflight(environ)
        if origin != "*":
            found.append(("Vary", "Origin"))
        return found

    def register(self, app: Flask) -> None:
        """Give every answer of ``app`` its CORS headers.

        Register it after the hook that orders the headers (Flask runs ``after_request``
        hooks in reverse order): the CORS headers are then among those it orders.
        """

        @app.after_request
        def _add(response: Response) -> Response:
            if "Access-Control-Allow-Origin" not in response.headers:
                response.headers.extend(self.headers(request.environ))
            return response


def _preflight(environ: WSGIEnvironment) -> list[Header]:
    # A substring test, as flask-cors makes it against its joined list of methods.
    method = str(environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "")).upper()
    if not method or method not in ALLOWED_METHODS:
        return []
    found = []
    requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
    if requested:
        allowed = ", ".join(sorted(name.strip() for name in requested.split(",")))
        if allowed:
            found.append(("Access-Control-Allow-Headers", allowed))
    found.append(("Access-Control-Allow-Methods", ALLOWED_METHODS))
    return found
