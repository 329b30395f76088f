"""Changes to the operation itself: method, route, parameters, media types, date format."""

from __future__ import annotations

from contract.clr import Primitive, PrimitiveType, display_name
from contract.diff import rules
from contract.diff.model import Change, ChangeKind
from contract.diff.rules import Rule
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
    changes.extend(_media_type_changes(old.request_media_types, new.request_media_types, False))
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


def _parameter_changes(old: EndpointContract, new: EndpointContract) -> list[Change]:
    olds, news = _by_name(old.parameters), _by_name(new.parameters)
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
