"""The JSON body against the contract: the suite's view of the one JSON reader.

:func:`contract.wire.json_reader.json_reading` parses (hardened: UTF-8, nesting depth,
no NaN/Infinity, duplicate members kept), walks the body once, builds its wire values
and names every problem with its rule id and JSON pointer; this module turns its
problems into :class:`~conformance.failures.JsonFailure` objects. The hardened parse
step is re-exported for the checks that read JSON error bodies.
"""

from __future__ import annotations

from conformance.failures import JsonFailure
from conformance.reading import BodyReading
from contract.endpoint import EndpointContract
from contract.wire.json_parse import JsonObject, JsonSyntaxError, parse_json
from contract.wire.json_reader import DEFAULT_MAX_DEPTH, json_reading

__all__ = ["JsonObject", "JsonReading", "JsonSyntaxError", "parse_json", "read_json_body"]


class JsonReading(BodyReading[JsonFailure]):
    """A JSON body read against the contract (see :class:`BodyReading`)."""


def read_json_body(
    body: bytes, contract: EndpointContract, *, max_depth: int = DEFAULT_MAX_DEPTH,
    fast: bool = True,
) -> JsonReading:  # fmt: skip
    """Every ``json.*`` failure of ``body`` as the contract's response, and its values.

    ``fast`` false reads without the generated fast reader: the same reading, slower.
    """
    reading = json_reading(body, contract, max_depth=max_depth, fast=fast)
    failures = [
        JsonFailure(
            rule=problem.rule,
            expected=problem.expected,
            received=problem.received,
            location=problem.location,
        )
        for problem in reading.problems
    ]
    result = JsonReading(failures=failures, notes=list(reading.notes))
    result.values = reading.values
    return result
