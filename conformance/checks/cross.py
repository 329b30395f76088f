"""``cross.data-mismatch``: JSON and XML of the same state carry the same data.

The same state means: each body answered the first POST after a successful reset. Both
bodies are read as the contract's generated model (:data:`contract.models.RESPONSE_MODEL`,
shared with the mock) and compared field by field at the precision both formats keep
(``contract.wire.values.comparable``: dates to the wall-clock second, XML newline
handling); a body that does not validate as the model leaves the check not run. A retry
stamps ``SendingTime`` with the time of the call, so a date may be later in the second
body by at most the time that passed between the two requests (plus one second of
rounding).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from conformance.checks.base import Evidence, ProbeRecord, ResponseModel, covers
from conformance.failures import CrossFailure, NotRun
from contract.models import InvoiceSendingStatusVo
from contract.netdatetime import TICKS_PER_SECOND, NetDateTime
from contract.wire.values import json_pointer

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
    from_json = _model(evidence, earlier, "json")
    from_xml = _model(evidence, current, "xml")
    if not from_json.data and not from_xml.data:
        raise NotRun("both bodies had an empty Data: there was no invoice to compare")
    skew = math.ceil(current.exchange.started - earlier.exchange.started) + 1
    for pointer, left, right in _differences(from_json, from_xml, (), skew):
        yield CrossFailure(
            rule="cross.data-mismatch",
            expected=f"JSON has {_shown(left)!r}",
            received=f"XML has {_shown(right)!r}",
            location=pointer,
            request=evidence.label,
        )


def _model(evidence: Evidence, record: ProbeRecord, kind: str) -> ResponseModel:
    document = evidence.suite.document(record.exchange)
    model = evidence.suite.model(record.exchange)
    if document is None or document.kind != kind or model is None:
        raise NotRun(f"the {kind.upper()} body is missing or already failed other rules")
    return model


def _shown(value: Any) -> Any:
    """A model as its wire values (what the body said), anything else as it is."""
    return value.model_dump(by_alias=True) if isinstance(value, BaseModel) else value


def _differences(
    left: Any, right: Any, path: tuple[str | int, ...], skew: int
) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(left, BaseModel) and type(left) is type(right):
        for name, spec in type(left).model_fields.items():
            wire_name = spec.alias or name
            yield from _differences(
                getattr(left, name), getattr(right, name), (*path, wire_name), skew
            )
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
    return item.invoice_id if isinstance(item, InvoiceSendingStatusVo) else None
