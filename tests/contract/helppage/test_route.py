"""The route in a help page's title: ApiExplorer's template, then its query string."""

from __future__ import annotations

import pytest

from contract.compiler.helppage.route import Route, RouteError, parse_route, unlisted_parameters


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("api/x", Route("api/x", ())),
        ("api/x/{id:int}?since={since}", Route("api/x/{id:int}", ("since",))),
        ("api/x?filter.Since={filter.Since}&ids[0]={ids[0]}",
         Route("api/x", ("filter.Since", "ids[0]"))),
    ],
)  # fmt: skip
def test_parse_route_splits_the_template_from_the_query_names(text: str, route: Route) -> None:
    assert parse_route(text) == route


@pytest.mark.parametrize("text", ["api/x?", "api/x?a={a}&", "api/x?a={a}?b={b}", "api/x?a=1"])
def test_parse_route_refuses_a_query_string_apiexplorer_never_writes(text: str) -> None:
    with pytest.raises(RouteError, match="expected name=\\{name\\} pairs"):
        parse_route(text)


def test_unlisted_parameters_reads_template_constraints_and_ignores_case() -> None:
    route = parse_route("api/{*rest}/{id:int}/{page?}?since={since}")
    assert route.template_parameters == ("rest", "id", "page")
    assert unlisted_parameters(route, ["REST", "Id", "since"]) == ["page"]
