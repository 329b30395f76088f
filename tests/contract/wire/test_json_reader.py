"""The one JSON reader's decisions: upper-case GUIDs are refused everywhere, wall-clock
dates have no kind, member order binds bodies but not the values form, and hardening
turns hostile bodies into problems, never exceptions."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.endpoint import EndpointContract
from contract.netdatetime import DateTimeKind, NetDateTime
from contract.wire import WireFormatError, WireValueError, read_json, values_from_json
from contract.wire.json_parse import JsonObject, parse_json
from contract.wire.json_reader import json_reading
from contract.wire.json_scalars import BAD, ROUND_TRIP, WALL_CLOCK_Z
from contract.wire.reading import Problem
from tests.conftest import golden_cases

SAMPLE = golden_cases()[0]
GUID = "aa122594-478b-4b0a-ab1f-2fdd307930b5"


def _body(old: str, new: str) -> bytes:
    text = SAMPLE.json_bytes.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize("guid", [GUID.upper(), "{" + GUID + "}", GUID.replace("-", "")])
def test_a_guid_not_in_lowercase_d_form_is_a_guid_format_problem_for_every_caller(
    guid: str, retry_contract: EndpointContract
) -> None:
    body = _body(GUID, guid)
    (problem,) = json_reading(body, retry_contract).problems
    assert (problem.rule, problem.location) == ("json.guid-format", "/Data/0/PracticeId")
    with pytest.raises(WireFormatError, match=r"\[json\.guid-format\]") as raised:
        read_json(body, retry_contract)
    assert raised.value.location == "/Data/0/PracticeId"
    values = copy.deepcopy(SAMPLE.values)
    values["Data"][0]["PracticeId"] = guid
    with pytest.raises(WireValueError, match=r"\[json\.guid-format\]") as error:
        values_from_json(values, retry_contract)
    assert error.value.pointer == "/Data/0/PracticeId"


def test_wall_clock_dates_read_as_unspecified_whole_seconds(
    retry_contract: EndpointContract,
) -> None:
    item = read_json(SAMPLE.json_bytes, retry_contract)["Data"][0]
    assert item["SendingTime"] == NetDateTime.parse("2025-12-14T19:20:43")
    assert item["SendingTime"].kind is DateTimeKind.UNSPECIFIED


def test_member_order_binds_bodies_but_not_the_values_form(
    retry_contract: EndpointContract,
) -> None:
    body = _body('"Sucess":true,"ResponseCode":2', '"ResponseCode":2,"Sucess":true')
    with pytest.raises(WireFormatError, match=r"\[json\.member-order\]") as raised:
        read_json(body, retry_contract)
    assert raised.value.location == "/"
    reordered = dict(reversed(list(SAMPLE.values.items())))
    assert values_from_json(reordered, retry_contract) == values_from_json(
        SAMPLE.values, retry_contract
    )


def test_a_reading_lists_every_problem_in_document_order(
    retry_contract: EndpointContract,
) -> None:
    document = json.loads(SAMPLE.json_bytes)
    document["ResponseCode"] = "2"
    document["Data"][1]["SendingAttempts"] = 2**31
    del document["Links"]
    reading = json_reading(json.dumps(document).encode(), retry_contract)
    assert [(p.rule, p.location) for p in reading.problems] == [
        ("json.type", "/ResponseCode"),
        ("json.int-range", "/Data/1/SendingAttempts"),
        ("json.member-missing", "/Links"),
    ]
    assert reading.values["Data"][1]["SendingAttempts"] is None
    assert reading.values["Sucess"] is True


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
def test_deep_nesting_is_a_syntax_problem_not_a_recursion_error(
    depth: int, retry_contract: EndpointContract
) -> None:
    body = _body('"sample string 3"', "[" * depth + "]" * depth)
    (problem,) = json_reading(body, retry_contract).problems
    assert problem.rule == "json.syntax"
    assert problem.received == "nesting deeper than 64 levels"
    with pytest.raises(WireFormatError, match="nesting deeper than 64 levels"):
        read_json(body, retry_contract)


def test_a_syntax_problem_names_its_line(retry_contract: EndpointContract) -> None:
    (problem,) = json_reading(b'{"Sucess":true,\n"ResponseCode":', retry_contract).problems
    assert problem == Problem(
        "json.syntax",
        "UTF-8 JSON",
        "invalid JSON at line 2 column 16: Expecting value at char 31"
        " (body cut off? it ends at char 31)",
        "line 2 column 16",
        2,
    )


def test_the_parse_keeps_duplicate_members_in_document_order() -> None:
    document = parse_json(b'{"a": 1, "b": {"c": 2.5}, "a": 3}', max_depth=4)
    assert isinstance(document, JsonObject)
    assert [key for key, _ in document] == ["a", "b", "a"]
    assert str(dict(document)["b"]) == "(('c', Decimal('2.5')),)"


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"a": -Infinity}', b"\xef\xbb\xbf{}"])
def test_the_parse_refuses_what_is_not_json(body: bytes, retry_contract: EndpointContract) -> None:
    assert [p.rule for p in json_reading(body, retry_contract).problems] == ["json.syntax"]


def _two_digits(high: int) -> st.SearchStrategy[str]:
    return st.integers(0, high).map(lambda n: f"{n:02d}")


YEARS = st.integers(0, 9999) | st.sampled_from([0, 1, 1900, 2000, 2023, 2024, 9999])


@settings(max_examples=300, deadline=None)
@given(
    year=YEARS.map(lambda n: f"{n:04d}"), month=_two_digits(13), day=_two_digits(32),
    hour=_two_digits(24), minute=_two_digits(60), second=_two_digits(60),
)  # fmt: skip
def test_a_wall_clock_date_reads_as_the_round_trip_parser_reads_its_wall_clock(
    *, year: str, month: str, day: str, hour: str, minute: str, second: str
) -> None:
    # The service's form is the round-trip form without fraction and kind, plus a "Z".
    wall = f"{year}-{month}-{day}T{hour}:{minute}:{second}"
    try:
        expected: object = NetDateTime.parse(wall)
    except ValueError:
        expected = BAD
    for _ in range(2):  # the second read comes from the memo
        assert WALL_CLOCK_Z.convert(wall + "Z") == expected


@pytest.mark.parametrize("text", ["2025-12-14T19:20:43", "2025-12-14T19:20:43+02:00", "x"])
def test_only_the_exact_wall_clock_form_is_a_wall_clock_date(text: str) -> None:
    assert WALL_CLOCK_Z.convert(text) is BAD
    assert ROUND_TRIP.convert(text) is not BAD or text == "x"
