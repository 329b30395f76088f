"""Choosing among the readings of an ambiguous type name, with the page as evidence.

A friendly model name such as ``PagedResultOfOrderAndItem`` has several readings
(:func:`contract.compiler.typetext.model_name_readings`). The evidence, in order:

1. a generic reading whose every type argument is the type of a member of the type's own
   model table (``RestApiResultOfListOfX`` with a member ``Data: Collection of X``);
2. the only reading whose complex types all have model tables on the page;
3. otherwise the reading with the fewest generic types: a class named ``ProofOfDelivery``
   is far more common than a generic ``Proof<Delivery>`` used without evidence.

Two readings left with equal evidence are an error naming them.
"""

from __future__ import annotations

from collections.abc import Iterable

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    DictionaryType,
    Member,
    NullableType,
    display_name,
)
from contract.compiler.typetext import TypeTextError, same_shape

__all__ = ["choose_reading", "long_name"]


def choose_reading(
    text: str,
    readings: list[ClrType],
    *,
    members: tuple[Member, ...] | None,
    known: tuple[ClrType, ...] = (),
) -> ClrType:
    """The reading of ``text`` the evidence supports (the rules of the module doc).

    ``members`` are the members of the type's own model table, if it has one; ``known``
    the types the page has model tables for.
    """
    if len(readings) == 1:
        return readings[0]
    if members is not None:
        supported = [r for r in readings if _arguments_are_members(r, members)]
        if supported:
            return _only(text, supported)
    with_tables = [r for r in readings if _all_refs_known(r, known)]
    if len(with_tables) == 1:
        return with_tables[0]
    fewest = min(_generic_count(r) for r in readings)
    return _only(text, [r for r in readings if _generic_count(r) == fewest])


def _only(text: str, readings: list[ClrType]) -> ClrType:
    if len(readings) > 1:
        names = " or ".join(long_name(r) for r in readings)
        raise TypeTextError(
            f"the type name {text!r} is ambiguous: it can be read as {names}, and the page "
            "does not tell which"
        )
    return readings[0]


def long_name(clr_type: ClrType) -> str:
    """The namespace-qualified C#-like name of a type, for messages."""
    if isinstance(clr_type, ComplexRef):
        return clr_type.full_name
    return display_name(clr_type)


def _arguments_are_members(reading: ClrType, members: tuple[Member, ...]) -> bool:
    if not isinstance(reading, ComplexRef) or not reading.generic_args:
        return False
    return all(any(same_shape(a, m.type) for m in members) for a in reading.generic_args)


def _all_refs_known(reading: ClrType, known: tuple[ClrType, ...]) -> bool:
    refs = list(_refs(reading))
    return bool(refs) and all(any(same_shape(ref, k) for k in known) for ref in refs)


def _refs(clr_type: ClrType) -> Iterable[ComplexRef]:
    match clr_type:
        case ComplexRef():
            yield clr_type
        case ArrayType(item=inner) | NullableType(inner=inner):
            yield from _refs(inner)
        case DictionaryType(key=key, value=value):
            yield from _refs(key)
            yield from _refs(value)


def _generic_count(clr_type: ClrType) -> int:
    return sum(1 for ref in _refs(clr_type) if ref.generic_args) + sum(
        _generic_count(a) for ref in _refs(clr_type) for a in ref.generic_args
    )
