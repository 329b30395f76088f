"""The service's help pages, as the HelpPage package (an MVC area) serves them.

``GET /Help`` (and ``/Help/Index``) is the index: the API group with the action, its
documentation and a link to ``/Help/Api/POST-api-v1-billing-invoices-retryallfailed``,
the action's page. Both are read once per app from the contract's generated pages
(``contract/generated/help``, :func:`contract.artifacts.help_page_files`, which
``python -m contract update`` renders from ``contract/source/retryallfailed.txt``), and
served as ``text/html; charset=utf-8`` with an MVC page's headers
(:mod:`mock_server.iis_headers`). As MVC routes do, the paths match in any case and with a
trailing slash (:class:`~mock_server.webapi.ServiceRoutes`), and every method gets the
page (the controller's actions take no verb attribute). Any other ``/Help/...`` path is
the service's usual 404.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, request

from contract.artifacts import HELP_API_DIR, HELP_INDEX, help_page_files
from mock_server.webapi import length_required, mark_mvc_page, needs_length

__all__ = ["HELP_ROOT", "HelpPages", "load_help_pages", "register_help_pages"]

HELP_ROOT = "/Help"
_CONTENT_TYPE = "text/html; charset=utf-8"
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


@dataclass(frozen=True)
class HelpPages:
    """The rendered index and action page, and where the action page is served."""

    index: bytes
    api_path: str
    api_page: bytes

    @property
    def paths(self) -> list[str]:
        """Every path that serves a page, in its canonical spelling."""
        return [HELP_ROOT, f"{HELP_ROOT}/Index", self.api_path]


def load_help_pages() -> HelpPages:
    """The generated pages: ``Index.html`` and the one action page under ``Api/``."""
    files = help_page_files()
    actions = [path for path in files if path.startswith(f"{HELP_API_DIR}/")]
    if HELP_INDEX not in files or len(actions) != 1:
        raise ValueError(f"contract/generated/help holds {sorted(files)}, not one action page")
    api_id = actions[0].removeprefix(f"{HELP_API_DIR}/").removesuffix(".html")
    return HelpPages(
        index=files[HELP_INDEX],
        api_path=f"{HELP_ROOT}/Api/{api_id}",
        api_page=files[actions[0]],
    )


def register_help_pages(app: Flask) -> HelpPages:
    """Serve the pages on ``app``; the caller routes :attr:`HelpPages.paths` canonically."""
    pages = load_help_pages()
    blueprint = Blueprint("helppages", __name__)

    def view(body: bytes) -> Response:
        if needs_length(request.environ):
            return length_required()  # HTTP.sys refuses such a POST before MVC sees it
        mark_mvc_page()
        return Response(body, content_type=_CONTENT_TYPE)

    for endpoint, path, body in (
        ("index", HELP_ROOT, pages.index),
        ("index_action", f"{HELP_ROOT}/Index", pages.index),
        ("api", pages.api_path, pages.api_page),
    ):
        blueprint.add_url_rule(
            path, endpoint, functools.partial(view, body), methods=_METHODS,
            provide_automatic_options=False,
        )  # fmt: skip
    app.register_blueprint(blueprint)
    return pages
