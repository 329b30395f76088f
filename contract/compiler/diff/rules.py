"""The classification rules: what each kind of change does to a Json.NET and to a
DataContractSerializer client built against the old contract.

Each rule returns a ``(json, xml)`` pair of :class:`~contract.compiler.diff.model.Verdict`; its
docstring and reason texts name the reader behaviour it rests on. Facts used:

* Json.NET matches member names case-insensitively, ignores unknown members
  (``MissingMemberHandling.Ignore``), leaves missing ones at their default, writes and
  reads no type names (no ``TypeNameHandling``), and throws when a token cannot be
  converted to the CLR type (``JsonReaderException``/``JsonSerializationException``).
* DataContractSerializer reads members in its order, matching element names and
  namespaces exactly (case-sensitive); an element out of order or unknown is skipped and
  its member left at its default; a missing member stays at its default unless
  ``IsRequired``; the root and collection item elements must have the contract's name and
  namespace or it throws ``SerializationException``.
"""

from __future__ import annotations

import enum

from contract.clr import Primitive
from contract.compiler.diff.model import Level, Verdict

__all__ = [
    "Role",
    "Rule",
    "clr_type_changed",
    "contract_name_changed",
    "contract_namespace_changed",
    "generic_argument_changed",
    "json_date_format_changed",
    "media_type_added",
    "media_type_removed",
    "member_added",
    "member_case_renamed",
    "member_removed",
    "member_renamed",
    "method_changed",
    "nullability_relaxed",
    "nullability_tightened",
    "parameter_added",
    "parameter_removed",
    "parameter_required_changed",
    "parameter_retyped",
    "primitive_retyped",
    "request_body_changed",
    "response_type_changed",
    "root_name_changed",
    "route_changed",
    "shape_changed",
    "xml_member_order_changed",
]

Rule = tuple[Verdict, Verdict]

_B, _L, _C = Level.BREAKING, Level.LOSSY, Level.COMPATIBLE


class Role(enum.Enum):
    """Where a type sits in the XML document, which decides whether its name matters."""

    ROOT = "root"
    ITEM = "item"
    MEMBER = "member"


def _both(level: Level, reason: str) -> Rule:
    return Verdict(level, reason), Verdict(level, reason)


def method_changed() -> Rule:
    """Web API selects the action by HTTP method: the old method gets 405/404."""
    return _both(_B, "Web API selects actions by HTTP method: the old method gets 405")


def route_changed(case_only: bool) -> Rule:
    """Web API matches route templates case-insensitively; any other change is a 404."""
    if case_only:
        return _both(_C, "Web API matches routes case-insensitively")
    return _both(_B, "requests to the old route get 404 Not Found")


def parameter_added(required: bool) -> Rule:
    """A new required parameter is one old clients never send; an optional one defaults."""
    if required:
        return _both(_B, "old clients do not send it: the action is not selected (400/404)")
    return _both(_C, "optional: Web API binds its default when old clients omit it")


def parameter_removed() -> Rule:
    """Web API ignores query values that no action parameter binds."""
    return _both(_C, "Web API ignores values no action parameter binds")


def parameter_retyped(new_is_string: bool) -> Rule:
    """Model binding converts the old clients' text to the new type, or fails (400)."""
    if new_is_string:
        return _both(_C, "every value old clients send binds to a string")
    return _both(_B, "values old clients send may not convert: model binding fails (400)")


def parameter_required_changed(now_required: bool) -> Rule:
    """A parameter becoming required fails old clients that omit it."""
    if now_required:
        return _both(_B, "old clients may omit it: the request is rejected")
    return _both(_C, "old clients send it anyway")


def request_body_changed() -> Rule:
    """The server reads the body with the new type: old bodies may not bind."""
    return _both(_B, "the server reads old clients' bodies as the new type: they may not bind")


def media_type_added() -> Rule:
    """Content negotiation only offers more: old clients keep asking for what they did."""
    return _both(_C, "a new media type is only used by clients that ask for it")


def media_type_removed(json_family: bool, response: bool) -> Rule:
    """A client that asks for (or sends) a media type the action no longer has breaks:
    406/other formatter for a response type, 415 Unsupported Media Type for a request type.
    Only the client of that media type's family is affected."""
    reason = (
        "clients asking for it get another format or 406"
        if response
        else "clients sending it get 415 Unsupported Media Type"
    )
    affected = Verdict(_B, reason)
    other = Verdict(_C, "not a media type this reader uses")
    return (affected, other) if json_family else (other, affected)


def response_type_changed(now_empty: bool) -> Rule:
    """A response that loses its body breaks readers expecting one; gaining one does not."""
    if now_empty:
        return _both(_B, "the reader expects a body the action no longer returns")
    return _both(_C, "old clients ignore a body they did not expect")


def root_name_changed() -> Rule:
    """DataContractSerializer checks the root element's name and namespace (including the
    generic type's namespace hash) and throws; Json.NET has no root name."""
    return (
        Verdict(_C, "Json.NET writes no root name"),
        Verdict(
            _B,
            "the root element no longer matches: SerializationException 'Expecting "
            "element ... from namespace ...'",
        ),
    )


def clr_type_changed() -> Rule:
    """Neither reader sees CLR type names (no TypeNameHandling, data-contract names)."""
    return _both(_C, "readers match wire names, not CLR names (data-contract changes listed)")


def _json_no_names() -> Verdict:
    return Verdict(_C, "Json.NET reads members by name; type names are not on the wire")


def generic_argument_changed(role: Role) -> Rule:
    """A generic type's contract name is built from its arguments' names and a hash of their
    namespaces: as root or collection item the element no longer matches."""
    if role is Role.MEMBER:
        return _json_no_names(), Verdict(_C, "a member element is named by the member")
    return _json_no_names(), Verdict(
        _B, f"the {role.value} element's name is built from the arguments: it no longer matches"
    )


def contract_name_changed(role: Role, case_only: bool) -> Rule:
    """DataContractSerializer matches root and item element names exactly (case-sensitive);
    a member element is named by the member, not its type."""
    if role is Role.MEMBER:
        return _json_no_names(), Verdict(_C, "a member element is named by the member")
    what = "case-sensitively " if case_only else ""
    return _json_no_names(), Verdict(
        _B, f"the {role.value} element is matched {what}by contract name: SerializationException"
    )


def contract_namespace_changed(role: Role) -> Rule:
    """A type's namespace is its elements' namespace: as root or item the element no longer
    matches (breaking); as a member's type its members' elements are skipped (lossy)."""
    if role is Role.MEMBER:
        return _json_no_names(), Verdict(
            _L, "its members' elements are in the new namespace: skipped, left at default"
        )
    return _json_no_names(), Verdict(
        _B, f"the {role.value} element is in another namespace: SerializationException"
    )


def member_added() -> Rule:
    """Both readers ignore an element/property they do not know."""
    return (
        Verdict(_C, "Json.NET ignores unknown members"),
        Verdict(_C, "DataContractSerializer skips unknown elements (IExtensibleDataObject aside)"),
    )


def member_removed(required: bool) -> Rule:
    """A missing member is left at its default by both readers; DataContractSerializer
    throws for an ``IsRequired`` member (a member the page marks Required)."""
    json = Verdict(_L, "Json.NET leaves a missing member at its default")
    if required:
        return json, Verdict(_B, "IsRequired member missing: SerializationException")
    return json, Verdict(_L, "DataContractSerializer leaves a missing member at its default")


def member_renamed(required: bool) -> Rule:
    """A rename is a removal for the old reader: the new name is unknown (ignored), the old
    member is missing (default)."""
    json = Verdict(_L, "old name missing → default; the new name is ignored as unknown")
    if required:
        return json, Verdict(_B, "IsRequired member missing: SerializationException")
    return json, Verdict(_L, "old element missing → default; the new one is skipped as unknown")


def member_case_renamed(required: bool) -> Rule:
    """Json.NET matches member names case-insensitively; DataContractSerializer matches
    them exactly, so the element is skipped as unknown and the member left at its default
    (lossy: the document still reads), or throws when the member is ``IsRequired``."""
    json = Verdict(_C, "Json.NET matches member names case-insensitively")
    if required:
        return json, Verdict(_B, "names match case-sensitively; IsRequired: SerializationException")
    return json, Verdict(_L, "names match case-sensitively: element skipped, member left default")


_INTEGERS = (Primitive.BYTE, Primitive.INT16, Primitive.INT32, Primitive.INT64)
_FLOATS = (Primitive.SINGLE, Primitive.DOUBLE, Primitive.DECIMAL)
_WIDENING: dict[Primitive, tuple[Primitive, ...]] = {
    Primitive.INT16: _INTEGERS[:1],
    Primitive.INT32: _INTEGERS[:2],
    Primitive.INT64: _INTEGERS[:3],
    Primitive.SINGLE: _INTEGERS,
    Primitive.DOUBLE: (*_INTEGERS, Primitive.SINGLE),
    Primitive.DECIMAL: _INTEGERS,
}


def primitive_retyped(old: Primitive, new: Primitive) -> Rule:
    """Whether the old type's reader converts the new type's values.

    Both readers widen integers and read integers as floating point; a string reads any
    scalar (Json.NET converts number/boolean tokens; DataContractSerializer reads the
    element's text), except that Json.NET's DateParseHandling turns an ISO date into a
    DateTime and back into a string in another format (lossy). Anything else fails to
    convert: JsonReaderException / SerializationException (breaking).
    """
    if new in _WIDENING.get(old, ()):
        return _both(_C, f"{new.value} values convert to {old.value}")
    if old is Primitive.STRING and new is Primitive.DATETIME:
        return (
            Verdict(_L, "Json.NET parses the date and re-formats it into the string"),
            Verdict(_C, "DataContractSerializer reads the element's text"),
        )
    if old is Primitive.STRING and new is not Primitive.OBJECT:
        return _both(_C, "a string member reads any scalar's text")
    return (
        Verdict(_B, f"JsonReaderException converting to {old.value}"),
        Verdict(_B, f"SerializationException: the text does not parse as {old.value}"),
    )


def shape_changed() -> Rule:
    """An object, a collection and a scalar are different shapes to both readers."""
    return (
        Verdict(_B, "JsonSerializationException: cannot deserialize this token into the type"),
        Verdict(_B, "SerializationException: the element's content is not the expected type"),
    )


def nullability_tightened() -> Rule:
    """The value is never null any more: a reader that accepted null accepts a value."""
    return _both(_C, "the reader's type accepted null and accepts values")


def nullability_relaxed() -> Rule:
    """Null may arrive for a non-nullable CLR value type: both readers throw."""
    return (
        Verdict(_B, "JsonSerializationException: Error converting value {null} to a value type"),
        Verdict(_B, "SerializationException: i:nil for a non-nullable value type"),
    )


def xml_member_order_changed() -> Rule:
    """DataContractSerializer reads members in order: an element arriving after a member
    that comes later in its order is skipped, its member left default. Json.NET reads any
    order."""
    return (
        Verdict(_C, "Json.NET reads members in any order"),
        Verdict(_L, "out-of-order elements are skipped: their members are left at default"),
    )


def json_date_format_changed() -> Rule:
    """Json.NET parses both the wall-clock ``Z`` and the round-trip form, but ``Z`` reads as
    DateTimeKind.Utc while an offset reads as Local converted: the value silently changes.
    The XML formatter's dates do not depend on the JSON setting."""
    return (
        Verdict(_L, "Json.NET reads both forms, but the DateTime value/Kind it gets changes"),
        Verdict(_C, "the XML formatter's dates do not use the JSON date format"),
    )
