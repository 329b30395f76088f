"""The walker: a parsed JSON document against the contract's types, every rule in one place.

It compares each object member by member with its contract type, converts each scalar
(:mod:`contract.wire.json_scalars`) and records every deviation as a
:class:`~contract.wire.reading.Problem` with the suite's rule id and a JSON pointer,
building the values it can as it goes. Before it walks a complex or array node it asks
the generated fast reader for that type (:mod:`contract.wire.json_fast`), which builds a
conformant node in one go or declines; a declined node is walked here, so every problem
is found and described by this module alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    Constraints,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    display_name,
    is_nullable,
)
from contract.wire.json_parse import JsonObject
from contract.wire.json_scalars import BAD, DateForm, describe, scalar_for
from contract.wire.reading import Problem
from contract.wire.values import json_pointer

__all__ = ["FastNode", "JsonForm", "Walker"]

Path = tuple[str | int, ...]
FastNode = Callable[[Any], Any]
"""A generated reader of one type's node: its wire value, or ``BAD`` to decline."""

_NO_LIMITS = Constraints()


@dataclass(frozen=True)
class JsonForm:
    """What a JSON form of the values writes differently: dates, and whether member order
    is part of it (a body's is; the already-parsed values form's dicts carry none)."""

    dates: DateForm
    member_order: bool


class Walker:
    """Walks one document; ``problems`` collects what it found, in document order."""

    def __init__(
        self, catalog: TypeCatalog, form: JsonForm, fast: Mapping[ClrType, FastNode]
    ) -> None:
        self._catalog = catalog
        self._form = form
        self._fast = fast
        self.problems: list[Problem] = []

    def _problem(self, rule: str, expected: str, received: str, path: Path) -> None:
        self.problems.append(Problem(rule, expected, received, json_pointer(path) or "/"))

    def walk(
        self, value: Any, clr: ClrType, path: Path, limits: Constraints = _NO_LIMITS, *,
        fast: bool = True,
    ) -> Any:  # fmt: skip
        """The wire value of ``value`` read as ``clr`` at ``path``; None where it is wrong.

        ``fast`` false skips the generated reader for this node (not for its children):
        the caller has just seen it decline.
        """
        if value is None:
            if not is_nullable(clr, self._catalog):
                expected = f"a {display_name(clr)} (a value type, never null)"
                self._problem("json.type", expected, "null", path)
            return None
        node = self._fast.get(clr) if fast else None
        result = BAD if node is None else node(value)
        return self._value(value, clr, path, limits) if result is BAD else result

    def _value(self, value: Any, clr: ClrType, path: Path, limits: Constraints) -> Any:
        match clr:
            case NullableType(inner=inner):
                return self.walk(value, inner, path, limits)
            case ArrayType(item=item):
                if not isinstance(value, list):
                    self._problem(
                        "json.type", f"an array ({display_name(clr)})", describe(value), path
                    )
                    return None
                return [self.walk(v, item, (*path, i)) for i, v in enumerate(value)]
            case ComplexRef():
                return self._complex(value, clr, path)
            case PrimitiveType(primitive=primitive):
                return self._scalar(value, primitive, path, limits)
        return None  # DictionaryType: no contract of this kit uses one

    def _complex(self, value: Any, ref: ComplexRef, path: Path) -> Any:
        if isinstance(value, JsonObject):
            pairs: tuple[tuple[str, Any], ...] = value
        elif isinstance(value, dict):
            pairs = tuple(value.items())
        else:
            self._problem("json.type", f"an object ({ref.name})", describe(value), path)
            return None
        members = self._catalog[ref].members
        names = [m.name for m in members]
        present = self._unique(pairs, path)
        by_folded = {k.lower(): k for k in present if k not in names}
        result: dict[str, Any] = {}
        clean = True
        for member in members:
            key = member.name if member.name in present else by_folded.pop(member.name.lower(), "")
            if not key:
                missing = f"member {member.name!r} of {ref.name} is missing"
                self._problem(
                    "json.member-missing", f"member {member.name!r}", missing, (*path, member.name)
                )
                clean = False
                continue
            if key != member.name:
                received = f"member {key!r}"
                self._problem("json.member-case", f"member {member.name!r}", received, (*path, key))
                clean = False
            result[member.name] = self.walk(
                present[key], member.type, (*path, key), member.constraints
            )
        for key in by_folded.values():
            expected = f"only the members {names}"
            self._problem("json.member-unknown", expected, f"member {key!r}", (*path, key))
            clean = False
        order = [key for key, _ in pairs]
        if self._form.member_order and clean and order != names and len(order) == len(names):
            self._problem("json.member-order", f"declaration order {names}", f"order {order}", path)
        return result

    def _unique(self, pairs: tuple[tuple[str, Any], ...], path: Path) -> dict[str, Any]:
        """The members by name, the first of duplicates kept (a duplicate is a problem)."""
        present: dict[str, Any] = {}
        for key, item in pairs:
            if key in present:
                twice = f"member {key!r} appears twice in one object"
                self._problem("json.member-unknown", f"one {key!r} member", twice, (*path, key))
            present.setdefault(key, item)
        return present

    def _scalar(self, value: Any, primitive: Primitive, path: Path, limits: Constraints) -> Any:
        scalar = scalar_for(primitive, limits, self._form.dates)
        result = scalar.convert(value)
        if result is not BAD:
            return result
        if not scalar.is_kind(value):
            self._problem("json.type", scalar.kind, describe(value), path)
        else:
            self._problem(scalar.rule, scalar.expected, scalar.received(value), path)
        return None
