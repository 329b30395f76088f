"""Hypothesis strategies for wire values, built from a contract's types."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
)
from contract.netdatetime import MAX_TICKS, DateTimeKind, NetDateTime
from contract.wire.values import INTEGER_RANGES

# Any text Python can encode as UTF-8: controls, non-ASCII, astral; no lone surrogates.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# Text XML 1.0 allows literally, for well-formedness checks with a strict parser.
XML_TEXT = st.text(
    st.characters(exclude_categories=("Cs",)).filter(
        lambda c: c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff")
    ),
    max_size=12,
)


def net_datetimes() -> st.SearchStrategy[NetDateTime]:
    """Every kind, 7-digit fractions, the whole DateTime range."""
    ticks = st.one_of(
        st.integers(0, MAX_TICKS), st.integers(630_000_000_000_000_000, 640_000_000_000_000_000)
    )
    local = st.builds(
        lambda t, o: NetDateTime(t, DateTimeKind.LOCAL, o), ticks, st.integers(-14 * 60, 14 * 60)
    )
    other = st.builds(
        NetDateTime, ticks, st.sampled_from([DateTimeKind.UTC, DateTimeKind.UNSPECIFIED])
    )
    return st.one_of(local, other)


def wire_values(
    clr_type: ClrType, catalog: TypeCatalog, *, text: st.SearchStrategy[str] = ANY_TEXT
) -> st.SearchStrategy[Any]:
    """Values of ``clr_type``, null wherever the type is nullable."""
    match clr_type:
        case NullableType(inner=inner):
            return st.none() | wire_values(inner, catalog, text=text)
        case PrimitiveType(primitive=primitive):
            scalar = _scalar(primitive, text)
            return scalar if primitive.is_value_type else st.none() | scalar
        case ArrayType(item=item):
            return st.none() | st.lists(wire_values(item, catalog, text=text), max_size=3)
        case ComplexRef():
            members = catalog[clr_type].members
            fields = {
                m.name: st.deferred(lambda m=m: wire_values(m.type, catalog, text=text))
                for m in members
            }
            complex_value = st.fixed_dictionaries(fields)
            return complex_value if catalog[clr_type].is_value_type else st.none() | complex_value
    raise NotImplementedError(f"no strategy for {clr_type}")


def _scalar(primitive: Primitive, text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    if primitive in INTEGER_RANGES:
        return st.integers(*INTEGER_RANGES[primitive])
    strategies: dict[Primitive, st.SearchStrategy[Any]] = {
        Primitive.BOOLEAN: st.booleans(),
        Primitive.STRING: text,
        Primitive.GUID: st.uuids(),
        Primitive.DATETIME: net_datetimes(),
    }
    return strategies[primitive]


# --- single edits of a written body, for the fast paths' soundness properties ---------

EDIT_MODES = st.sampled_from(["replace", "insert", "delete"])


def single_edits(characters: str) -> st.SearchStrategy[tuple[int, str, str]]:
    """(position, character, mode) edits drawing from ``characters``; see :func:`with_one_edit`."""
    return st.tuples(st.integers(0, 10**6), st.sampled_from(list(characters)), EDIT_MODES)


def with_one_edit(body: str, position: int, character: str, mode: str) -> bytes:
    """``body`` with one character replaced, inserted or deleted at ``position`` (wrapped)."""
    index = position % (len(body) + 1)
    if mode == "replace":
        body = body[:index] + character + body[index + 1 :]
    elif mode == "insert":
        body = body[:index] + character + body[index:]
    else:
        body = body[:index] + body[index + 1 :]
    return body.encode()
