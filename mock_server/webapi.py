"""How ASP.NET Web API 2 on IIS answers at the HTTP level, for the mock's service routes.

* Routes match case-insensitively and with a trailing slash (Web API's route matching):
  :class:`ServiceRoutes` rewrites such paths to the canonical route, and sends the retry
  route to its endpoint (:mod:`mock_server.endpoint`), every other path to Flask.
* Every body is negotiated by :func:`contract.negotiation.negotiate` (q-values, wildcards,
  ``text/json``, ``text/xml``, ``X-Requested-With``, JSON fallback) and sent with
  ``; charset=utf-8``.
* Errors are ``HttpError`` bodies in the negotiated format: 404 names the request's full
  URI as ``Uri.ToString()`` writes it (:mod:`mock_server.dotnet_uri`), 405 carries
  ``Allow: POST``, 500 says only "An error has occurred.".
* Every answer on a service path carries the headers IIS and ASP.NET add
  (:mod:`mock_server.iis_headers`), in IIS's order; the mock's own paths
  (:data:`OWN_PATHS`) do not. Status lines carry RFC 9110's reason phrases.
* A POST with neither ``Content-Length`` nor chunked encoding gets IIS/HTTP.sys's HTML 411
  page (browsers, fetch, requests and httpx send ``Content-Length: 0``, so they never see it).

The environ-based rules here serve the endpoint and Flask's answers alike; the
``Request``/``Response`` helpers are the Flask part's wrappers of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import flask
from flask import Flask, Request, Response
from werkzeug.datastructures import Headers
from werkzeug.http import HTTP_STATUS_CODES

from contract.negotiation import content_type_header, negotiate
from contract.wire import write_http_error
from mock_server.control import PREFIX
from mock_server.dotnet_uri import request_uri_text, uri_to_string
from mock_server.iis_headers import arranged
from mock_server.mock import current_mock

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "INTERNAL_ERROR_MESSAGE",
    "LENGTH_REQUIRED_PAGE",
    "LENGTH_REQUIRED_TYPE",
    "OWN_PATHS",
    "WRITER_BUSY_MESSAGE",
    "ServiceRoutes",
    "body_response",
    "http_error",
    "length_required",
    "mark_mvc_page",
    "media_type_for",
    "media_type_of",
    "method_not_allowed",
    "method_not_allowed_message",
    "needs_length",
    "not_found",
    "register_service_headers",
    "request_uri",
    "status_line",
    "with_reason_phrase",
]

INTERNAL_ERROR_MESSAGE = "An error has occurred."
# A writer waited the bounded time for the database's writer lock (503, nothing written).
WRITER_BUSY_MESSAGE = "The mock's state is busy with another writer; try again."
OWN_PATHS = (PREFIX + "/", "/openapi.yaml", "/xsd/")
"""The mock's own paths (control API, contract documents): not the service's."""

# HTTP.sys writes this page itself, before the request reaches IIS or Web API.
LENGTH_REQUIRED_TYPE = "text/html; charset=us-ascii"
LENGTH_REQUIRED_PAGE = (
    b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n'
    b"<HTML><HEAD><TITLE>Length Required</TITLE>\r\n"
    b'<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n'
    b"<BODY><h2>Length Required</h2>\r\n"
    b"<hr><p>HTTP Error 411. The request must be chunked or have a content length.</p>\r\n"
    b"</BODY></HTML>\r\n"
)


class ServiceRoutes:
    """WSGI dispatcher: the retry ``route`` to ``endpoint``, every other path to ``app``.

    ``/API/V1/Billing/.../RetryAllFailed/`` is served as the route itself, and so are the
    other ``routes`` (the help pages) in another case or with a trailing slash.
    """

    def __init__(
        self, app: WSGIApplication, endpoint: WSGIApplication, *, route: str,
        routes: Iterable[str] = (),
    ) -> None:  # fmt: skip
        self._app = app
        self._endpoint = endpoint
        self._route = route
        self._routes = {path.lower().rstrip("/"): path for path in (route, *routes)}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Rewrite ``PATH_INFO`` to its canonical spelling, then hand the request on."""
        path = environ.get("PATH_INFO", "")
        if path != self._route:
            canonical = self._routes.get(path.lower().rstrip("/"))
            if canonical is None:
                return self._app(environ, start_response)
            environ["PATH_INFO"] = path = canonical
        target = self._endpoint if path == self._route else self._app
        return target(environ, start_response)


# Clients send the same few header combinations again and again; negotiation is pure.
_negotiate = functools.lru_cache(maxsize=256)(negotiate)


def media_type_of(environ: WSGIEnvironment | dict[str, Any]) -> str:
    """The media type Web API's DefaultContentNegotiator picks for the request ``environ``.

    Several Accept lines reach WSGI as one comma-separated list (RFC 9110, section 5.3),
    which is how the negotiator reads them.
    """
    return _negotiate(
        environ.get("HTTP_ACCEPT"),
        x_requested_with=environ.get("HTTP_X_REQUESTED_WITH"),
        content_type=environ.get("CONTENT_TYPE"),
    )


def status_line(code: int) -> str:
    """``code`` with its reason phrase cased as HTTP.sys writes it (RFC 9110's casing).

    Werkzeug upper-cases reason phrases (``500 INTERNAL SERVER ERROR``).
    """
    return f"{code} {HTTP_STATUS_CODES.get(code, 'Unknown')}"


def method_not_allowed_message(method: str) -> str:
    """The Message of Web API's 405 for a request of ``method``."""
    return f"The requested resource does not support http method '{method}'."


def needs_length(environ: dict[str, Any] | WSGIEnvironment) -> bool:
    """True for a request HTTP.sys would refuse with 411."""
    if environ.get("REQUEST_METHOD") not in {"POST", "PUT"}:
        return False
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    return not chunked and not environ.get("CONTENT_LENGTH")


# -- the Flask part's answers -------------------------------------------------------------


def media_type_for(request: Request) -> str:
    """The media type Web API's DefaultContentNegotiator picks for ``request``."""
    return media_type_of(request.environ)


def _negotiated(
    request: Request, status: int, write: Callable[[str], bytes | list[bytes]]
) -> Response:
    """A response whose body ``write(media_type)`` produces in the negotiated format."""
    media_type = media_type_for(request)
    return body_response(status, write(media_type), media_type)


def body_response(status: int, body: bytes | list[bytes], media_type: str) -> Response:
    """``body`` (bytes, or chunks) with ``status``, as ``media_type`` with ``; charset=utf-8``.

    Chunks are sent one after the other, with the Content-Length of their sum.
    """
    response = Response(body, status=status)
    response.headers["Content-Type"] = content_type_header(media_type)
    return response


def http_error(request: Request, status: int, message: str) -> Response:
    """An ``HttpError`` with ``message``, negotiated."""
    return _negotiated(request, status, lambda media_type: write_http_error(message, media_type))


def not_found(request: Request) -> Response:
    """404 as Web API's route selection answers an unknown URI."""
    uri = request_uri(request)
    message = f"No HTTP resource was found that matches the request URI '{uri}'."
    return http_error(request, 404, message)


def request_uri(request: Request) -> str:
    """``request.RequestUri.ToString()`` as Web API on IIS has it (see the module)."""
    text = request_uri_text(
        scheme=request.scheme,
        host=request.host,
        server_port=str(request.environ.get("SERVER_PORT", "")),
        # PATH_INFO is percent-decoded, as the path IIS gives ASP.NET is.
        path=request.root_path + request.path,
        query=request.query_string.decode("utf-8", "replace"),
    )
    return uri_to_string(text)


def method_not_allowed(request: Request, *, allowed: str) -> Response:
    """405 as Web API's action selection answers another method on a route."""
    response = http_error(request, 405, method_not_allowed_message(request.method))
    response.headers["Allow"] = allowed
    return response


def with_reason_phrase(response: Response) -> Response:
    """Give the status line IIS's reason phrase casing (:func:`status_line`)."""
    response.status = status_line(response.status_code)
    return response


def mark_mvc_page() -> None:
    """The current answer is an MVC page (a help page), not a Web API answer."""
    flask.g.mock_mvc_page = True


def register_service_headers(app: Flask) -> None:
    """Give every answer of ``app`` on a service path the headers IIS and ASP.NET add.

    Register it before any other ``after_request`` hook: Flask runs them in reverse
    order, so this one sees the final headers (CORS) and orders them all.
    """

    @app.after_request
    def _add(response: Response) -> Response:
        if flask.request.path.startswith(OWN_PATHS):
            return response
        site = current_mock().settings.site_headers
        page = bool(flask.g.get("mock_mvc_page", False))
        response.headers = Headers(arranged(response.headers.items(), site=site, page=page))
        return response


def length_required() -> Response:
    """HTTP.sys's 411 page for a POST with neither Content-Length nor chunked encoding."""
    response = Response(LENGTH_REQUIRED_PAGE, status=411)
    response.headers["Content-Type"] = LENGTH_REQUIRED_TYPE
    return response
