"""``json.*`` and ``xml.*`` checks: the response body against the contract's type.

Some rules can only be exercised by the items of the response's collection: in this
contract only an invoice carries a GUID or a date. A body whose collection is empty
(``"Data": []``) leaves those rules unexercised by this response - they are recorded as
not run with that reason, so that a run whose bodies never held an invoice cannot call
``json.guid-format`` passed.
"""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.base import Evidence, covers
from conformance.failures import Failure, NotRun
from conformance.rules import RULES
from contract.clr import ClrType, ComplexRef, NullableType, Primitive, PrimitiveType
from contract.endpoint import EndpointContract

__all__ = ["JSON_RULES", "XML_RULES", "check_json_body", "check_xml_body", "item_only_rules"]

JSON_RULES = tuple(rule for rule in RULES if rule.startswith("json."))
XML_RULES = tuple(rule for rule in RULES if rule.startswith("xml."))
# The JSON rules that only a value of these primitives exercises.
_JSON_RULE_PRIMITIVES = {
    "json.guid-format": frozenset({Primitive.GUID}),
    "json.date-format": frozenset({Primitive.DATETIME}),
}


def item_only_rules(contract: EndpointContract) -> tuple[str, ...]:
    """The JSON rules no value outside a collection exercises: the response's own scalar
    members (envelope, links aside) hold none of their primitives."""
    outside = _primitives_outside_arrays(contract, contract.response_type, set())
    return tuple(
        rule for rule, primitives in _JSON_RULE_PRIMITIVES.items() if not primitives & outside
    )


def _primitives_outside_arrays(
    contract: EndpointContract, clr: ClrType | None, seen: set[ComplexRef]
) -> set[Primitive]:
    match clr:
        case PrimitiveType(primitive=primitive):
            return {primitive}
        case NullableType(inner=inner):
            return _primitives_outside_arrays(contract, inner, seen)
        case ComplexRef() if clr not in seen:
            seen.add(clr)
            found: set[Primitive] = set()
            for member in contract.catalog[clr].members:
                found |= _primitives_outside_arrays(contract, member.type, seen)
            return found
    return set()  # arrays, dictionaries and types already walked


def _body_failures(evidence: Evidence, kind: str) -> Iterator[Failure]:
    document = evidence.suite.document(evidence.exchange)
    if document is None or document.kind != kind:
        raise NotRun(f"the response is not {kind.upper()}")
    if kind == "json" and document.items == 0:
        for rule in item_only_rules(evidence.suite.contract.endpoint):
            evidence.leave_unexercised(rule, "the body's collection was empty (no invoice)")
    for failure in document.failures:
        yield failure.with_request(evidence.label)


@covers(*JSON_RULES)
def check_json_body(evidence: Evidence) -> Iterator[Failure]:
    """json.*: a JSON body is the contract's response as Json.NET writes it."""
    yield from _body_failures(evidence, "json")


@covers(*XML_RULES)
def check_xml_body(evidence: Evidence) -> Iterator[Failure]:
    """xml.*: an XML body is the contract's response as DataContractSerializer writes it."""
    yield from _body_failures(evidence, "xml")
