"""The mock's dashboard: a page at ``/__mock/`` that shows and steers the mock in a browser.

The page (``mock_server/ui/``: plain HTML, CSS and JavaScript shipped as package data, no
build step, nothing fetched from the network) talks only to the control API and the retry
route of the mock that served it, so it obeys the control API's rules
(:mod:`mock_server.control_guard`) like any other client: JSON bodies, the page's origin,
the control token when one is required (``/__mock/ui/settings.json`` says so; the page
then asks for it and sends it as ``Authorization: Bearer``). Every request it sends
carries ``X-Mock-Client: dashboard``; the journal records that as the entry's ``client``,
so its "Try it" calls (real retries) are told apart from the frontend's.

The files are read once per app and served with a strict Content-Security-Policy (only
this origin's scripts, styles and connections; no inline script, no framing). ``/__mock``
and ``/__mock/ui`` lead to the page; neither is journaled (they are the mock's own paths).
"""

from __future__ import annotations

import functools
from importlib import resources

from flask import Blueprint, Flask, Response, jsonify

from mock_server.control import PREFIX
from mock_server.journal import mark_journaled
from mock_server.mock import current_mock

__all__ = ["CLIENT_HEADER", "CONTENT_SECURITY_POLICY", "DASHBOARD_PATH", "register_dashboard"]

DASHBOARD_PATH = PREFIX + "/"
"""Where the page is served."""
CLIENT_HEADER = "X-Mock-Client"
"""The header the page sends with every request (value ``dashboard``)."""
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
"""The page may load and call only its own origin; nothing inline runs."""
_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}


def register_dashboard(app: Flask) -> None:
    """Serve the dashboard on ``app`` (its files read now, once)."""
    folder = resources.files("mock_server").joinpath("ui")
    files = {name: folder.joinpath(name).read_bytes() for name in _TYPES}
    blueprint = Blueprint("dashboard", __name__, url_prefix=PREFIX)
    # One fixed route per file (documented in control-openapi.yaml, as every /__mock/ route).
    for name in _TYPES:
        path = "/" if name == "index.html" else f"/ui/{name}"
        view = functools.partial(_asset, files, name)
        blueprint.add_url_rule(path, name.replace(".", "_"), view, methods=["GET"])
    blueprint.add_url_rule("/ui/settings.json", "settings", _settings, methods=["GET"])
    # The page's other spellings, explicit so Werkzeug's redirect (journaled) is not used.
    app.add_url_rule(PREFIX, "dashboard_bare", _to_page, methods=["GET"])
    blueprint.add_url_rule("/ui", "ui", _to_page, methods=["GET"])
    blueprint.add_url_rule("/ui/", "ui_slash", _to_page, methods=["GET"])
    app.register_blueprint(blueprint)


def _asset(files: dict[str, bytes], name: str) -> Response:
    response = Response(files[name], content_type=_TYPES[name])
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    # The files change with the package: the browser asks again rather than run stale code.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _settings() -> Response:
    """What the page needs before its first control request: whether to ask for the token
    (a 401 would tell as much, and the browser would log it as an error) and the route."""
    mock = current_mock()
    response = jsonify(
        control_token_required=mock.settings.control_token is not None,
        route=mock.contract.path,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _to_page() -> Response:
    mark_journaled()  # the mock's own path, not a call of the frontend's
    headers = {"Location": DASHBOARD_PATH, "Content-Security-Policy": CONTENT_SECURITY_POLICY}
    return Response(status=308, headers=headers)
