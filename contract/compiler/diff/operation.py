"""Changes to the operation itself: method, route, parameters, media types, date format.

Parameters and request media types are compared as Web API binds them, which is also what
a generated ``openapi.yaml`` keeps: a URI parameter named by the route template is always
required (a route segment is never absent); a URI value is absent or text, never null, so
``int`` and ``int?`` parameters bind the same values (absence is the required flag);
an action without a body parameter reads no request body, so its request media types do
not matter, and one with a body reads it with the response formatters when the page lists
no request formats.
"""

from __future__ import annotations

import dataclasses
import re

from contract.clr import NullableType, Primitive, PrimitiveType, display_name
from contract.compiler.diff import rules
from contract.compiler.diff.model import Change, ChangeKind
from contract.compiler.diff.rules import Rule
from contract.compiler.diff.wire import wire_type
from contract.endpoint import (
    JSON_MEDIA_TYPES,
    EndpointContract,
    Parameter,
    ParameterSource,
)

__all__ = ["operation_changes"]


def _change(kind: ChangeKind, where: str, old: str, new: str, rule: Rule) -> Change:
    return Change(kind, where, old, new, rule[0], rule[1])


def operation_changes(old: EndpointContract, new: EndpointContract) -> list[Change]:
    """The changes outside the response types, in a fixed order."""
    changes: list[Change] = []
    if old.method != new.method:
        changes.append(
            _change(ChangeKind.METHOD, old.path, old.method, new.method, rules.method_changed())
        )
    if old.path != new.path:
        rule = rules.route_changed(case_only=old.path.lower() == new.path.lower())
        changes.append(_change(ChangeKind.ROUTE, old.path, old.path, new.path, rule))
    changes.extend(_parameter_changes(old, new))
    changes.extend(_media_type_changes(_request_media_types(old), _request_media_types(new), False))
    changes.extend(_media_type_changes(old.response_media_types, new.response_media_types, True))
    if old.json_date_format != new.json_date_format:
        changes.append(
            _change(
                ChangeKind.JSON_DATE_FORMAT,
                "DateTime",
                old.json_date_format.value,
                new.json_date_format.value,
                rules.json_date_format_changed(),
            )
        )
    return changes


def _by_name(parameters: tuple[Parameter, ...]) -> dict[str, Parameter]:
    # Web API binds parameter names case-insensitively.
    return {parameter.name.lower(): parameter for parameter in parameters}


def _request_media_types(contract: EndpointContract) -> tuple[str, ...]:
    """The media types the action reads a body in: none without a body parameter."""
    if not any(p.source is ParameterSource.BODY for p in contract.parameters):
        return ()
    return contract.request_media_types or contract.response_media_types


def _bound_parameters(contract: EndpointContract) -> tuple[Parameter, ...]:
    """The parameters as Web API binds them: route-template ones required, URI ones never
    null (see the module docstring)."""
    return tuple(_as_bound(parameter, contract.route) for parameter in contract.parameters)


def _as_bound(parameter: Parameter, route: str) -> Parameter:
    if parameter.source is not ParameterSource.URI:
        return dataclasses.replace(parameter, type=wire_type(parameter.type))
    clr_type = parameter.type
    clr_type = clr_type.inner if isinstance(clr_type, NullableType) else clr_type
    in_route = re.search(r"\{\*?" + re.escape(parameter.name) + r"\b", route) is not None
    required = parameter.constraints.required or in_route
    constraints = dataclasses.replace(parameter.constraints, required=required)
    return dataclasses.replace(parameter, type=wire_type(clr_type), constraints=constraints)


def _parameter_changes(old: EndpointContract, new: EndpointContract) -> list[Change]:
    olds, news = _by_name(_bound_parameters(old)), _by_name(_bound_parameters(new))
    changes = []
    for key, parameter in news.items():
        if key not in olds:
            rule = rules.parameter_added(parameter.constraints.required)
            changes.append(
                _change(
                    ChangeKind.PARAMETER_ADDED,
                    parameter.name,
                    "",
                    display_name(parameter.type),
                    rule,
                )
            )
    for key, parameter in olds.items():
        if key not in news:
            changes.append(
                _change(
                    ChangeKind.PARAMETER_REMOVED,
                    parameter.name,
                    display_name(parameter.type),
                    "",
                    rules.parameter_removed(),
                )
            )
        else:
            changes.extend(_parameter_change(parameter, news[key]))
    return changes


def _parameter_change(old: Parameter, new: Parameter) -> list[Change]:
    changes = []
    if old.type != new.type:
        kind, rule = (
            ChangeKind.PARAMETER_RETYPED,
            rules.parameter_retyped(new.type == PrimitiveType(Primitive.STRING)),
        )
        if old.source is ParameterSource.BODY or new.source is ParameterSource.BODY:
            kind, rule = ChangeKind.REQUEST_BODY, rules.request_body_changed()
        changes.append(
            _change(kind, old.name, display_name(old.type), display_name(new.type), rule)
        )
    if old.constraints.required != new.constraints.required:
        changes.append(
            _change(
                ChangeKind.PARAMETER_REQUIRED,
                old.name,
                _required_text(old),
                _required_text(new),
                rules.parameter_required_changed(new.constraints.required),
            )
        )
    return changes


def _required_text(parameter: Parameter) -> str:
    return "required" if parameter.constraints.required else "optional"


def _media_type_changes(old: tuple[str, ...], new: tuple[str, ...], response: bool) -> list[Change]:
    where = "response" if response else "request"
    changes = [
        _change(
            ChangeKind.MEDIA_TYPE_ADDED, f"{where} {media}", "", media, rules.media_type_added()
        )
        for media in new
        if media not in old
    ]
    changes.extend(
        _change(
            ChangeKind.MEDIA_TYPE_REMOVED,
            f"{where} {media}",
            media,
            "",
            rules.media_type_removed(media in JSON_MEDIA_TYPES, response),
        )
        for media in old
        if media not in new
    )
    return changes
