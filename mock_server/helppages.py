"""The service's help pages, as the HelpPage package (an MVC area) serves them.

``GET /Help`` (and ``/Help/Index``) is the index: the API group with the action, its
documentation and a link to ``/Help/Api/POST-api-v1-billing-invoices-retryallfailed``,
the action's page. Both are rendered once per app, from the contract's source
(``contract/source/retryallfailed.txt``, read with :func:`contract.read_help_page`) by
:mod:`contract.helppage.render`, and served as ``text/html; charset=utf-8`` with an MVC
page's headers (:mod:`mock_server.iis_headers`). As MVC routes do, the paths match in
any case and with a trailing slash (:class:`~mock_server.webapi.CanonicalRoute`), and
every method gets the page (the controller's actions take no verb attribute). Any other
``/Help/...`` path is the service's usual 404.

The page does not name the action's controller, which titles its group on the index:
it is taken to be the route's segment before the action's (``Invoices``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from flask import Blueprint, Flask, Response, request

from contract.helppage import HelpPage, read_help_page
from contract.helppage.render import api_id, render_api_page, render_index
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
    """The contract source's pages, rendered (HelpPageError if the source is broken)."""
    source = resources.files("contract").joinpath("source", "retryallfailed.txt")
    with resources.as_file(source) as path:
        page = read_help_page(path)
    return HelpPages(
        index=render_index({controller_name(page): [page]}).encode("utf-8"),
        api_path=f"{HELP_ROOT}/Api/{api_id(page)}",
        api_page=render_api_page(page).encode("utf-8"),
    )


def controller_name(page: HelpPage) -> str:
    """The route's literal segment before the action's, capitalised (see the module)."""
    path = page.route.partition("?")[0]
    literals = [segment for segment in path.split("/") if segment and "{" not in segment]
    name = literals[-2] if len(literals) > 1 else (literals[-1] if literals else "Values")
    return name[:1].upper() + name[1:]


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
