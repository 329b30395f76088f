"""JSON into wire values: the one reader of the service's response bodies and of the
golden ``.values.json`` form.

:func:`json_reading` reads a body once and returns a :class:`~contract.wire.reading.Reading`:
the values it could build and every problem, each with the conformance suite's rule id
(``json.type``...) and a JSON pointer. :func:`read_json` raises the first problem;
:func:`values_from_json` reads already-parsed data (the golden values, envelopes users
give the mock) through the same walker. The steps:

1. the hardened parse (:mod:`contract.wire.json_parse`): UTF-8, NaN/Infinity refused,
   duplicate members kept visible, deep nesting a ``json.syntax`` problem;
2. the contract's generated fast reader (:mod:`contract.wire.json_fast`) builds the
   values of a conformant body in one go; its shape proves the body's depth;
3. otherwise the depth is measured, and the walker (:mod:`contract.wire.json_walk`)
   walks the document, asking the fast reader again for each node below.

What the reader holds a body to is what the service writes, Json.NET's output:

* GUIDs in the lowercase ``D`` form only. An upper-case GUID is a ``json.guid-format``
  problem in every use (``read_json``, ``values_from_json``, the suite), though Json.NET
  would read it: Json.NET writes ``Guid.ToString("D")``, which is lowercase, so such a
  body is not the service's. (The readers used to disagree here.)
* Dates in the contract's :class:`~contract.endpoint.JsonDateFormat`. With
  ``WALL_CLOCK_Z`` (``yyyy-MM-ddTHH:mm:ssZ``) a date reads as a NetDateTime of
  UNSPECIFIED kind at whole seconds: the ``Z`` is literal, the time is the wall clock.
  The values form holds Json.NET round-trip dates (7 fraction digits and the kind).
* Members all present, no other, exact case, in declaration order (the values form's
  dicts carry no order); integers within their CLR range and the help page's ``Range``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contract.clr import ClrType
from contract.endpoint import EndpointContract
from contract.wire.json_fast import fast_nodes, nesting_depth
from contract.wire.json_parse import JsonSyntaxError, check_depth, decode_json, load_json
from contract.wire.json_scalars import BAD, DATE_FORMS, ROUND_TRIP
from contract.wire.json_walk import FastNode, JsonForm, Walker
from contract.wire.reading import Problem, Reading, collector_paused
from contract.wire.values import UnsupportedTypeError, WireValueError

__all__ = ["DEFAULT_MAX_DEPTH", "json_fast_reader", "json_reading", "read_json", "values_from_json"]

DEFAULT_MAX_DEPTH = 64
"""How deep a body may nest before it is a ``json.syntax`` problem."""

_VALUES_FORM = JsonForm(ROUND_TRIP, member_order=False)


@dataclass(frozen=True)
class _Program:
    """What the reader generates once per contract."""

    form: JsonForm
    fast: dict[ClrType, FastNode]
    depth: int | None


def json_reading(
    body: bytes, contract: EndpointContract, *, max_depth: int = DEFAULT_MAX_DEPTH,
    fast: bool = True,
) -> Reading:  # fmt: skip
    """``body`` read as the contract's response: its values and every problem.

    ``fast`` false reads without the generated fast reader (the walker alone), which
    gives the same reading, slower: the soundness tests compare the two.
    """
    root = _root(contract)
    program = _program(contract)
    with collector_paused():
        try:
            text = decode_json(body)
            document = load_json(text, max_depth=max_depth)
        except JsonSyntaxError as error:
            return _syntax(error)
        node = program.fast.get(root) if fast else None
        proven = program.depth is not None and program.depth <= max_depth
        if node is not None and proven:
            values = node(document)
            if values is not BAD:
                return Reading(values)
        try:
            check_depth(text, max_depth)
        except JsonSyntaxError as error:
            return _syntax(error)
        walker = Walker(contract.catalog, program.form, program.fast if fast else {})
        values = walker.walk(document, root, (), fast=not proven)
    return Reading(values, walker.problems)


def read_json(body: bytes, contract: EndpointContract) -> Any:
    """Wire values from a JSON response body in the service's wire format.

    Raises the first problem :func:`json_reading` finds as a
    :class:`~contract.wire.values.WireFormatError` (location a JSON pointer, or a place
    in the text with its line for a syntax error).
    """
    return json_reading(body, contract).raise_first()


def values_from_json(data: Any, contract: EndpointContract) -> Any:
    """Wire values from the golden ``.values.json`` form (already parsed by ``json.loads``).

    Dates are Json.NET round-trip strings (``2025-12-14T19:20:43.1992775+02:00``), GUIDs
    lowercase strings, member order free; the first problem raises
    :class:`~contract.wire.values.WireValueError` with its JSON pointer.
    """
    walker = Walker(contract.catalog, _VALUES_FORM, {})
    values = walker.walk(data, _root(contract), ())
    if walker.problems:
        problem = walker.problems[0]
        message = f"{problem.received}; expected {problem.expected} [{problem.rule}]"
        raise WireValueError(message, pointer="" if problem.location == "/" else problem.location)
    return values


def json_fast_reader(contract: EndpointContract) -> FastNode | None:
    """The generated reader of the contract's response type (a parsed document in, its
    values or ``BAD`` out), or None when the contract has none."""
    return _program(contract).fast.get(_root(contract))


def _syntax(error: JsonSyntaxError) -> Reading:
    problem = Problem("json.syntax", "UTF-8 JSON", str(error), error.location or "/", error.line)
    return Reading(problems=[problem])


def _root(contract: EndpointContract) -> ClrType:
    if contract.response_type is None:
        raise UnsupportedTypeError(f"{contract.operation_id} returns no response body")
    return contract.response_type


_CACHE: dict[int, tuple[EndpointContract, _Program]] = {}
_CACHE_SIZE = 32


def _program(contract: EndpointContract) -> _Program:
    # Generated once per contract object (a run has one); kept with the contract itself
    # so a recycled id() can never return another contract's functions.
    hit = _CACHE.get(id(contract))
    if hit is None or hit[0] is not contract:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        root = _root(contract)
        form = JsonForm(DATE_FORMS[contract.json_date_format], member_order=True)
        program = _Program(
            form,
            fast_nodes(contract.catalog, root, form.dates),
            nesting_depth(contract.catalog, root),
        )
        hit = _CACHE[id(contract)] = (contract, program)
    return hit[1]
