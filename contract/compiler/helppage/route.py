"""The route a help page's title shows: Web API's route template, then a query string.

The title is ``{METHOD} {ApiDescription.RelativePath}``. ApiExplorer builds RelativePath by
binding ``{name}`` for every URI parameter into the route template; ``HttpParsedRoute.Bind``
appends each value the template has no place for as a query string, ``?name={name}``
joined by ``&``, in parameter order. So ``api/x/{id}?since={since}&top={top}`` is the
route template ``api/x/{id}`` with the query parameters ``since`` and ``top``: in Web API a
parameter bound from the URI that the template does not name is read from the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Route", "RouteError", "parse_route", "unlisted_parameters"]

# One query pair as Bind writes it: a name (``since``, ``filter.Since``, ``ids[0]``), ``=``,
# and the same name in braces.
_PAIR = re.compile(r"^(?P<name>[^\s=&{}?/]+)=\{(?P<placeholder>[^\s{}]+)\}$")
# A template parameter: ``{id}``, ``{id:int}``, ``{id?}``, ``{*rest}``, ``{id=5}``.
_TEMPLATE_PARAMETER = re.compile(r"\{\*?(?P<name>\w+)[^}]*\}")


class RouteError(ValueError):
    """A route whose query string is not the one ApiExplorer writes."""


@dataclass(frozen=True)
class Route:
    """A route split at its ``?``: the template and the query string's parameter names."""

    template: str
    query: tuple[str, ...]

    @property
    def template_parameters(self) -> tuple[str, ...]:
        """The names of the template's ``{name}`` segments, in template order."""
        return tuple(match["name"] for match in _TEMPLATE_PARAMETER.finditer(self.template))


def parse_route(text: str) -> Route:
    """``text`` as a Route; RouteError when its query string is not ``name={name}`` pairs.

    Each name appears once and its placeholder repeats it, as ``HttpParsedRoute.Bind``
    writes them; anything else (``?since``, ``?since={from}``, ``?a={a}&&b={b}``) did not
    come from ApiExplorer and is refused rather than guessed at.
    """
    split = _query_start(text)
    if split is None:
        return Route(text, ())
    template, query = text[:split], text[split + 1 :]
    names = tuple(_query_name(pair) for pair in query.split("&"))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RouteError(f"the query string names {repeated[0]!r} twice")
    return Route(template, names)


def _query_start(text: str) -> int | None:
    """Where the query string's ``?`` is: the first one outside braces (``{id?}`` marks an
    optional template parameter)."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "?" and depth == 0:
            return index
    return None


def _query_name(pair: str) -> str:
    match = _PAIR.match(pair)
    if match is None:
        raise RouteError(
            f"the query string holds {pair!r}; expected name={{name}} pairs joined by '&'"
            " (e.g. 'api/x?since={since}&top={top}')"
        )
    if match["placeholder"] != match["name"]:
        raise RouteError(
            f"the query string binds {match['name']!r} to {{{match['placeholder']}}};"
            f" ApiExplorer writes {match['name']}={{{match['name']}}}"
        )
    return match["name"]


def unlisted_parameters(route: Route, listed: Iterable[str]) -> list[str]:
    """The route's parameters (template first, then query) that ``listed`` does not name.

    HelpPage lists every URI parameter ApiExplorer bound into the route under URI
    Parameters (an undeclared route parameter as a string), so a name the route shows
    without a row means the page is incomplete. Names compare case-insensitively, as route
    values do.
    """
    known = {name.lower() for name in listed}
    named = route.template_parameters + route.query
    return [name for name in named if name.lower() not in known]
