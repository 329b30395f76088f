"""The JSON reader's generated fast path is sound: it builds conformant bodies' values,
declines every body the walker finds a problem in, and a reading with it is the reading
without it (values and problems) - checked on golden bodies, every zoo break, hand
mutations and Hypothesis-generated bodies with random edits."""

from __future__ import annotations

import pickle
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from contract.artifacts import load_contract
from contract.clr import Constraints, Primitive
from contract.netdatetime import TICKS_PER_SECOND, DateTimeKind, NetDateTime
from contract.wire import ResponseWriter
from contract.wire.json_parse import JsonSyntaxError, decode_json, load_json
from contract.wire.json_reader import json_fast_reader, json_reading
from contract.wire.json_scalars import BAD, WALL_CLOCK_Z, scalar_for
from contract.wire.reading import Problem, Reading
from tests.conformance.zoo import BREAKS, ROUTE, create_app
from tests.conftest import GoldenCase, golden_cases
from tests.contract.wire.strategies import single_edits, wire_values, with_one_edit

ENDPOINT = load_contract()
SAMPLE = golden_cases()[0]
JSON_OK = SAMPLE.json_bytes.decode()
GUID = "aa122594-478b-4b0a-ab1f-2fdd307930b5"
DATE = "2025-12-14T19:20:43Z"


def json_fast(body: bytes) -> bool:
    """Whether the generated reader of the whole response builds ``body``'s values."""
    reader = json_fast_reader(ENDPOINT)
    assert reader is not None
    try:
        document = load_json(decode_json(body), max_depth=64)
    except JsonSyntaxError:
        return False  # the reader never gets to the fast path
    return reader(document) is not BAD


def json_precise(body: bytes) -> list[Problem]:
    return json_reading(body, ENDPOINT, fast=False).problems


def _same(fast: Reading, precise: Reading) -> None:
    assert fast.problems == precise.problems
    assert fast.values == precise.values
    assert fast.notes == precise.notes


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_fast_path_accepts_every_golden_body(case: GoldenCase) -> None:
    assert json_fast(case.json_bytes)
    _same(
        json_reading(case.json_bytes, ENDPOINT), json_reading(case.json_bytes, ENDPOINT, fast=False)
    )


def test_fast_path_accepts_the_reference_zoo_bodies() -> None:
    client = Client(create_app())
    bodies = [client.post(ROUTE, headers={"Accept": "application/json"}).data for _ in range(3)]
    assert all(json_fast(body) for body in bodies)


def _break_bodies() -> Iterator[tuple[str, bytes]]:
    for name in sorted(BREAKS):
        client = Client(create_app(breaks=frozenset({name})))
        for _ in range(2):  # some breaks only show from the second retry on
            yield name, client.post(ROUTE, headers={"Accept": "application/json"}).data


def test_fast_path_rejects_every_zoo_break_body_the_walker_rejects() -> None:
    rejected = 0
    for name, body in _break_bodies():
        failures = json_precise(body)
        assert not (json_fast(body) and failures), f"break {name}: fast path accepted"
        _same(json_reading(body, ENDPOINT), json_reading(body, ENDPOINT, fast=False))
        rejected += bool(failures)
    json_breaks = [name for name in BREAKS if name.startswith("json-")]
    assert len(json_breaks) >= 9 and rejected >= 10  # the JSON body breaks really were exercised


def _json_edit(old: str, new: str) -> bytes:
    assert old in JSON_OK
    return JSON_OK.replace(old, new, 1).encode()


JSON_MUTANTS = {
    "int as string": _json_edit('"ResponseCode":2', '"ResponseCode":"2"'),
    "int as float": _json_edit('"ResponseCode":2', '"ResponseCode":2.0'),
    "int out of range": _json_edit('"ResponseCode":2', '"ResponseCode":2147483648'),
    "bool as int": _json_edit('"Sucess":true', '"Sucess":1'),
    "null bool": _json_edit('"Sucess":true', '"Sucess":null'),
    "null int": _json_edit('"SendingAttempts":8', '"SendingAttempts":null'),
    "missing member": _json_edit('"Sucess":true,', ""),
    "extra member": _json_edit('"Sucess":true,', '"Sucess":true,"Extra":1,'),
    "duplicate member": _json_edit('"Sucess":true,', '"Sucess":true,"Sucess":true,'),
    "member case": _json_edit('"Sucess":true', '"sucess":true'),
    "reordered members": _json_edit(
        '"Sucess":true,"ResponseCode":2', '"ResponseCode":2,"Sucess":true'
    ),
    "uppercase guid": _json_edit(GUID, GUID.upper()),
    "braced guid": _json_edit(GUID, "{" + GUID + "}"),
    "guid with newline": _json_edit(GUID, GUID + "\\n"),
    "date with fraction": _json_edit(DATE, "2025-12-14T19:20:43.5Z"),
    "date 30 February": _json_edit(DATE, "2025-02-30T19:20:43Z"),
    "date 29 February in a common year": _json_edit(DATE, "2025-02-29T19:20:43Z"),
    "date hour 24": _json_edit(DATE, "2025-12-14T24:20:43Z"),
    "date with newline": _json_edit(DATE, DATE + "\\n"),
    "string as number": _json_edit('"sample string 3"', "3"),
    "object for array": _json_edit('"Data":[', '"Data":[[],'),
    "array for object": _json_edit('"Data":[{', '"Data":[[],{'),
    "NaN": _json_edit('"ResponseCode":2', '"ResponseCode":NaN'),
    "utf-16": JSON_OK.encode("utf-16"),
    "bom": b"\xef\xbb\xbf" + JSON_OK.encode(),
    "deep nesting": _json_edit('"sample string 3"', "[" * 100 + "]" * 100),
    "very deep nesting": _json_edit('"sample string 3"', "[" * 100_000 + "]" * 100_000),
}


@pytest.mark.parametrize("body", JSON_MUTANTS.values(), ids=JSON_MUTANTS.keys())
def test_json_fast_path_rejects_hand_mutated_bodies(body: bytes) -> None:
    assert not json_fast(body)
    assert json_precise(body)  # the mutation is a real break, found by the walker


def test_readers_give_the_same_failures_with_and_without_the_fast_path() -> None:
    for body in (*JSON_MUTANTS.values(), SAMPLE.json_bytes):
        fast, precise = json_reading(body, ENDPOINT), json_reading(body, ENDPOINT, fast=False)
        assert list(map(str, fast.problems)) == list(map(str, precise.problems))
        assert fast.values == precise.values


def test_a_broken_item_is_walked_while_its_neighbours_are_built_fast() -> None:
    body = _json_edit('"SendingAttempts":8', '"SendingAttempts":"8"')
    reading = json_reading(body, ENDPOINT)
    assert [(p.rule, p.location) for p in reading.problems] == [
        ("json.type", "/Data/0/SendingAttempts")
    ]
    assert reading.values["Data"][0]["SendingAttempts"] is None
    assert reading.values["Data"][1] == json_reading(SAMPLE.json_bytes, ENDPOINT).values["Data"][1]
    _same(reading, json_reading(body, ENDPOINT, fast=False))


def test_fast_guid_is_the_uuid_the_uuid_module_builds() -> None:
    built = scalar_for(Primitive.GUID, Constraints(), WALL_CLOCK_Z).convert(GUID)
    expected = uuid.UUID(GUID)
    assert type(built) is uuid.UUID
    assert (built, hash(built), str(built), repr(built)) == (
        expected, hash(expected), str(expected), repr(expected)
    )  # fmt: skip
    assert built.is_safe is expected.is_safe
    assert pickle.loads(pickle.dumps(built)) == expected


WRITER = ResponseWriter(ENDPOINT)
assert ENDPOINT.response_type is not None
# A null envelope is not a body the writer produces.
JSON_VALUES = wire_values(ENDPOINT.response_type, ENDPOINT.catalog).filter(bool)
MUTATION = single_edits('0159aAfFzZ-+:. T"<>/x{}[],n')
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9]+|true|false|null')
JSON_REPLACEMENTS = st.sampled_from(
    ['"x"', "0", "-1", "2147483648", "-2147483649", "true", "null", "1.5", "[]", "{}",
     '"' + GUID.upper() + '"', '"' + GUID + '"', '"2024-02-29T00:00:00Z"',
     '"2025-02-29T00:00:00Z"', '"2025-12-14T19:20:43.5Z"', '"2025-12-14T19:20:43"',
     '"Sucess"', '"sucess"', '"Data"']
)  # fmt: skip


def _replace_token(body: str, choice: int, new: str) -> bytes:
    matches = list(JSON_TOKEN.finditer(body))
    if not matches:
        return body.encode()
    start, end = matches[choice % len(matches)].span()
    return (body[:start] + new + body[end:]).encode()


def _after_json(value: Any) -> Any:
    """What the service's JSON keeps: dates lose fraction and kind."""
    if isinstance(value, dict):
        return {key: _after_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_after_json(item) for item in value]
    if isinstance(value, NetDateTime):
        return NetDateTime(value.ticks - value.ticks % TICKS_PER_SECOND, DateTimeKind.UNSPECIFIED)
    return value


@PROPERTY
@given(values=JSON_VALUES, choice=st.integers(0, 10**6), new=JSON_REPLACEMENTS)
def test_json_fast_path_never_accepts_a_broken_value_swap(
    values: Any, choice: int, new: str
) -> None:
    edited = _replace_token(WRITER.json(values).decode(), choice, new)
    if json_fast(edited):
        assert json_precise(edited) == []
    _same(json_reading(edited, ENDPOINT), json_reading(edited, ENDPOINT, fast=False))


@PROPERTY
@given(values=JSON_VALUES, mutation=MUTATION)
def test_json_fast_path_accepts_written_values_and_never_a_broken_edit(
    values: Any, mutation: tuple[int, str, str]
) -> None:
    body = WRITER.json(values).decode()
    assert json_fast(body.encode())
    assert json_reading(body.encode(), ENDPOINT).values == _after_json(values)
    edited = with_one_edit(body, *mutation)
    if json_fast(edited):
        assert json_precise(edited) == []
    _same(json_reading(edited, ENDPOINT), json_reading(edited, ENDPOINT, fast=False))
