"""The service's help pages as files: what the mock serves under ``/Help``.

``Index.html`` is the index (``/Help``): the API group with the action, its documentation
and a link to the action's page; ``Api/{id}.html`` is the action's page
(``/Help/Api/{id}``, :func:`~contract.compiler.helppage.render.api_id`). Both are the
HelpPage package's HTML (:mod:`contract.compiler.helppage.render`), rendered from the
page itself rather than from the resolved contract, so that they read back to it.

The page does not name the action's controller, which titles its group on the index:
it is taken to be the route's segment before the action's (``Invoices``).
"""

from __future__ import annotations

from contract.artifacts import HELP_API_DIR, HELP_INDEX
from contract.compiler.helppage import HelpPage
from contract.compiler.helppage.render import api_id, render_api_page, render_index

__all__ = ["controller_name", "render_help_pages"]


def render_help_pages(page: HelpPage) -> dict[str, bytes]:
    """The index and the action's page by path relative to the help folder."""
    return {
        HELP_INDEX: render_index({controller_name(page): [page]}).encode("utf-8"),
        f"{HELP_API_DIR}/{api_id(page)}.html": render_api_page(page).encode("utf-8"),
    }


def controller_name(page: HelpPage) -> str:
    """The route's literal segment before the action's, capitalised (see the module)."""
    path = page.route.partition("?")[0]
    literals = [segment for segment in path.split("/") if segment and "{" not in segment]
    name = literals[-2] if len(literals) > 1 else (literals[-1] if literals else "Values")
    return name[:1].upper() + name[1:]
