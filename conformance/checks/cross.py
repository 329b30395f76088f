"""``cross.data-mismatch``: JSON and XML of the same state carry the same data.

The same state means: each body answered the first POST after a successful reset. Values
are compared at the precision both formats keep (``contract.wire.values.comparable``:
dates to the wall-clock second, XML newline handling). A retry stamps ``SendingTime``
with the time of the call, so a date may be later in the second body by at most the time
that passed between the two requests (plus one second of rounding).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from conformance.checks.base import Evidence, ProbeRecord, covers
from conformance.failures import CrossFailure, NotRun
from contract.netdatetime import TICKS_PER_SECOND, NetDateTime
from contract.wire.values import comparable, json_pointer

__all__ = ["JSON_PROBE", "check_cross_format"]

JSON_PROBE = "post-json"


@covers("cross.data-mismatch")
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
    json_values = _clean_values(evidence, earlier, "json")
    xml_values = _clean_values(evidence, current, "xml")
    skew = math.ceil(current.exchange.started - earlier.exchange.started) + 1
    for pointer, left, right in _differences(
        comparable(json_values), comparable(xml_values), (), skew
    ):
        yield CrossFailure(
            rule="cross.data-mismatch",
            expected=f"JSON has {left!r}",
            received=f"XML has {right!r}",
            location=pointer,
            request=evidence.label,
        )


def _clean_values(evidence: Evidence, record: ProbeRecord, kind: str) -> Any:
    document = evidence.suite.document(record.exchange)
    if document is None or document.kind != kind or not document.clean:
        raise NotRun(f"the {kind.upper()} body is missing or already failed other rules")
    return document.values


def _differences(
    left: Any, right: Any, path: tuple[str | int, ...], skew: int
) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in left.keys() | right.keys():
            yield from _differences(left.get(key), right.get(key), (*path, key), skew)
    elif isinstance(left, list) and isinstance(right, list):
        yield from _list_differences(left, right, path, skew)
    elif isinstance(left, NetDateTime) and isinstance(right, NetDateTime):
        if not 0 <= (right.ticks - left.ticks) // TICKS_PER_SECOND <= skew:
            yield json_pointer(path), left.round_trip(), right.round_trip()
    elif left != right:
        yield json_pointer(path), left, right


def _list_differences(
    left: list[Any], right: list[Any], path: tuple[str | int, ...], skew: int
) -> Iterator[tuple[str, Any, Any]]:
    if len(left) != len(right):
        yield json_pointer(path), f"{len(left)} items", f"{len(right)} items"
        return
    # Items carry InvoiceId: pair them by it so that order alone is not "different data".
    keys = [_identity(item) for item in right]
    by_key = (
        dict(zip(keys, right, strict=True))
        if None not in keys and len(set(keys)) == len(keys)
        else None
    )
    for index, item in enumerate(left):
        other = by_key.get(_identity(item)) if by_key is not None else right[index]
        yield from _differences(item, other, (*path, index), skew)


def _identity(item: Any) -> Any:
    return item.get("InvoiceId") if isinstance(item, dict) else None
