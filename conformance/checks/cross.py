"""``cross.data-mismatch``: JSON and XML of the same state carry the same data.

The same state means: each body answered the first POST after a successful reset. The
wire values the one reader of each format built are compared member by member, in the
contract's declaration order, at the precision both formats keep - what
``contract.wire.values.comparable`` maps values to: dates to the wall-clock second, XML's
newline handling - without building that copy of 100,000 invoices: values equal as read
are equal at any precision, and only the others are looked at closer. A body that broke
a rule already (or a contract without the generated response type) leaves the check not
run. A retry stamps ``SendingTime`` with the time of the call, so a date may be later in
the second body by at most the time that passed between the two requests (plus one
second of rounding). Items carrying an ``InvoiceId`` are paired by it, so that order
alone is not "different data".
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator
from typing import Any

from conformance.checks.base import Evidence, covers, reads, whole_document
from conformance.checks.invoices import DATA, INVOICE_ID
from conformance.failures import CrossFailure, NotRun
from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
)
from contract.netdatetime import TICKS_PER_SECOND, NetDateTime
from contract.wire.values import comparable, json_pointer, normalize_newlines

__all__ = ["JSON_PROBE", "check_cross_format"]

JSON_PROBE = "post-json"
Difference = tuple[str, Any, Any]


@covers("cross.data-mismatch")
@reads(JSON_PROBE, keep=whole_document)
def check_cross_format(evidence: Evidence) -> Iterator[CrossFailure]:
    """cross.data-mismatch: the XML body (this probe) and the JSON body (``post-json``),
    each taken right after a reset, hold the same values."""
    suite = evidence.suite
    earlier = suite.journal.get(JSON_PROBE)
    current = suite.journal.get(evidence.probe)
    if suite.settings.reset is None:
        raise NotRun("needs --reset: JSON and XML must answer the same state")
    if earlier is None or current is None or not (earlier.after_reset and current.after_reset):
        raise NotRun("a reset before each of the two calls did not succeed")
    from_json = _values(evidence, JSON_PROBE, "json")
    from_xml = _values(evidence, evidence.probe, "xml")
    if not from_json.get(DATA) and not from_xml.get(DATA):
        raise NotRun("both bodies had an empty Data: there was no invoice to compare")
    skew = math.ceil(current.exchange.started - earlier.exchange.started) + 1
    endpoint = suite.contract.endpoint
    assert endpoint.response_type is not None  # a contract with a generated model has one
    comparison = _Comparison(endpoint.catalog, skew)
    for pointer, left, right in comparison.values(from_json, from_xml, endpoint.response_type, ()):
        yield CrossFailure(
            rule="cross.data-mismatch",
            expected=f"JSON has {left!r}",
            received=f"XML has {right!r}",
            location=pointer,
            request=evidence.label,
        )


def _values(evidence: Evidence, probe: str, kind: str) -> dict[str, Any]:
    suite = evidence.suite
    document = suite.kept(probe, whole_document)
    if (
        document is None
        or document.kind != kind
        or not document.clean
        or not isinstance(document.values, dict)
        or suite.contract.response_model is None
    ):
        raise NotRun(f"the {kind.upper()} body is missing or already failed other rules")
    return document.values


class _Comparison:
    """Differences between two wire values of one contract type, at common precision;
    each as (JSON pointer, left as shown, right as shown).

    Callers look closer only at values that differ as read (``!=``): equal as read is
    equal at any precision, and the bulk of 100,000 invoices is passed over in C.
    """

    def __init__(self, catalog: TypeCatalog, skew: int) -> None:
        self._catalog = catalog
        self._skew = skew

    def values(
        self, left: Any, right: Any, clr: ClrType, path: tuple[str | int, ...]
    ) -> Iterator[Difference]:
        """The differences of two values that differ as read."""
        match clr:
            case _ if left is None or right is None:
                pass
            case NullableType(inner=inner):
                yield from self.values(left, right, inner, path)
                return
            case ComplexRef() if isinstance(left, dict) and isinstance(right, dict):
                yield from self._members(left, right, clr, path)
                return
            case ArrayType(item=item) if isinstance(left, list) and isinstance(right, list):
                yield from self._items(left, right, item, path)
                return
            case _ if self._same_scalar(left, right):
                return
            case _ if isinstance(left, NetDateTime) and isinstance(right, NetDateTime):
                yield json_pointer(path), _shown_date(left), _shown_date(right)
                return
        yield json_pointer(path), self.shown(left, clr), self.shown(right, clr)

    def _same_scalar(self, left: Any, right: Any) -> bool:
        """Two scalars that differ as read are the same at common precision: dates in the
        same wall-clock second (or later by at most the skew), texts but for newlines."""
        if isinstance(left, NetDateTime) and isinstance(right, NetDateTime):
            return 0 <= (_second(right) - _second(left)) // TICKS_PER_SECOND <= self._skew
        if isinstance(left, str) and isinstance(right, str):
            return normalize_newlines(left) == normalize_newlines(right)
        return False

    def _members(
        self,
        left: dict[str, Any],
        right: dict[str, Any],
        ref: ComplexRef,
        path: tuple[str | int, ...],
    ) -> Iterator[Difference]:
        for member in self._catalog[ref].members:
            name = member.name
            mine, theirs = left.get(name), right.get(name)
            if mine != theirs and not self._same_scalar(mine, theirs):
                yield from self.values(mine, theirs, member.type, (*path, name))

    def _items(
        self, left: list[Any], right: list[Any], item: ClrType, path: tuple[str | int, ...]
    ) -> Iterator[Difference]:
        if len(left) != len(right):
            yield json_pointer(path), f"{len(left)} items", f"{len(right)} items"
            return
        keys = [_identity(value) for value in right]
        by_key = (
            dict(zip(keys, right, strict=True))
            if None not in keys
            and keys != [_identity(value) for value in left]  # same order: pair by position
            and len(set(keys)) == len(keys)
            else None
        )
        ref = _complex(item)
        same = self._same_items(ref) if ref is not None else None
        for index, mine in enumerate(left):
            theirs = by_key.get(_identity(mine)) if by_key is not None else right[index]
            if same is not None and same(mine, theirs):
                continue
            yield from self.values(mine, theirs, item, (*path, index))

    def _same_items(self, ref: ComplexRef) -> Callable[[Any, Any], bool]:
        """A quick test that two items of ``ref`` are the same at common precision: every
        member but the dates equal as read (one tuple comparison), the dates in the skew.
        False sends the pair to the member-by-member comparison, which says where."""
        members = self._catalog[ref].members
        dates = tuple(m.name for m in members if _is_date(m.type))
        exact = _getter(tuple(m.name for m in members if not _is_date(m.type)))
        same_scalar = self._same_scalar

        def same(mine: Any, theirs: Any) -> bool:
            if type(mine) is not dict or type(theirs) is not dict or mine.keys() != theirs.keys():
                return bool(mine == theirs)
            if exact(mine) != exact(theirs):
                return False
            return all(same_scalar(mine[name], theirs[name]) for name in dates)

        return same

    def shown(self, value: Any, clr: ClrType) -> Any:
        """A value as a report shows it: at common precision, members in declaration
        order (what the generated model dumps)."""
        match clr:
            case _ if value is None:
                return None
            case NullableType(inner=inner):
                return self.shown(value, inner)
            case ComplexRef() if isinstance(value, dict):
                members = self._catalog[clr].members
                return {m.name: self.shown(value.get(m.name), m.type) for m in members}
            case ArrayType(item=item) if isinstance(value, list):
                return [self.shown(element, item) for element in value]
        return comparable(value)


def _complex(clr: ClrType) -> ComplexRef | None:
    while isinstance(clr, NullableType):
        clr = clr.inner
    return clr if isinstance(clr, ComplexRef) else None


def _is_date(clr: ClrType) -> bool:
    while isinstance(clr, NullableType):
        clr = clr.inner
    return isinstance(clr, PrimitiveType) and clr.primitive is Primitive.DATETIME


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The values of ``names`` of a dict that holds them all, as a tuple (in C)."""
    get = operator.itemgetter(*names)
    return get if len(names) > 1 else lambda values: (get(values),)


def _second(value: NetDateTime) -> int:
    return value.ticks - value.ticks % TICKS_PER_SECOND


def _shown_date(value: NetDateTime) -> str:
    return str(comparable(value).round_trip())


def _identity(item: Any) -> Any:
    return item.get(INVOICE_ID) if isinstance(item, dict) else None
