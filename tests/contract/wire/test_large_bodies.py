"""GuidText, chunked writing and the date memo: the fast paths write the same bytes."""

from __future__ import annotations

import copy
import uuid
from typing import Any, cast

import pytest

from contract.clr import ArrayType, ComplexRef
from contract.endpoint import EndpointContract
from contract.netdatetime import DateTimeKind, NetDateTime
from contract.wire import ResponseWriter, WireValueError, values_from_json
from contract.wire._scalars import REMEMBERED_TEXTS, json_string, remembered
from contract.wire._splice import BATCH
from contract.wire.values import GuidText
from tests.conftest import golden_cases

FIRST = uuid.UUID("aa122594-478b-4b0a-ab1f-2fdd307930b5")


def _envelope(retry_contract: EndpointContract, items: int) -> dict[str, Any]:
    """The first golden case with ``items`` copies of its first item, each a little different."""
    value: dict[str, Any] = copy.deepcopy(
        values_from_json(golden_cases()[0].values, retry_contract)
    )
    template = value["Data"][0]
    value["Data"] = [
        {**template, "SendingAttempts": index, "InvoiceId": uuid.UUID(int=index),
         "Reason": "a < b & c\u2028" if index % 5 == 0 else template["Reason"]}
        for index in range(items)
    ]  # fmt: skip
    return value


def test_guid_text_accepts_only_the_lowercase_d_form() -> None:
    assert GuidText(str(FIRST)) == str(FIRST)
    for bad in (str(FIRST).upper(), FIRST.hex, "{" + str(FIRST) + "}", str(FIRST)[:-1]):
        with pytest.raises(ValueError, match="lowercase D form"):
            GuidText(bad)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_guid_text_is_written_exactly_as_the_equal_uuid(
    writer: ResponseWriter, retry_contract: EndpointContract, fmt: str
) -> None:
    value = _envelope(retry_contract, 3)
    as_text = copy.deepcopy(value)
    for item in as_text["Data"]:
        for member in ("PracticeId", "EncounterId", "InvoiceId"):
            item[member] = GuidText(str(item[member]))
    assert getattr(writer, fmt)(as_text) == getattr(writer, fmt)(value)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("items", [0, 1, BATCH, BATCH + 1, 2 * BATCH + 7])
def test_chunks_join_to_the_whole_body(
    writer: ResponseWriter, retry_contract: EndpointContract, fmt: str, items: int
) -> None:
    value = _envelope(retry_contract, items)
    chunks = getattr(writer, f"{fmt}_chunks")(value)
    assert b"".join(chunks) == getattr(writer, fmt)(value)
    assert all(chunks), "an empty chunk would be sent for nothing"
    if items > BATCH:
        assert len(chunks) > 2, "a large collection was not split into batches"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_chunks_reject_a_bad_item_naming_its_pointer(
    writer: ResponseWriter, retry_contract: EndpointContract, fmt: str
) -> None:
    value = _envelope(retry_contract, BATCH + 5)
    value["Data"][BATCH + 2]["SendingAttempts"] = "7"
    with pytest.raises(WireValueError) as raised:
        getattr(writer, f"{fmt}_chunks")(value)
    assert raised.value.pointer == f"/Data/{BATCH + 2}/SendingAttempts"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_date_object_in_many_items_is_written_like_equal_dates(
    writer: ResponseWriter, retry_contract: EndpointContract, fmt: str
) -> None:
    shared = NetDateTime(638_999_999_999_999_999, DateTimeKind.LOCAL, 120)
    value = _envelope(retry_contract, 4)
    same_object = copy.deepcopy(value)
    for index, item in enumerate(value["Data"]):
        item["SendingTime"] = NetDateTime(shared.ticks + index % 2, shared.kind, 120)
    for index, item in enumerate(same_object["Data"]):
        item["SendingTime"] = value["Data"][index]["SendingTime"] if index % 2 else shared
    assert getattr(writer, fmt)(same_object) == getattr(writer, fmt)(value)


def _as_tuples(value: dict[str, Any], retry_contract: EndpointContract) -> dict[str, Any]:
    """``value`` with each item a tuple of its members in declaration order."""
    catalog = retry_contract.catalog
    envelope = catalog[cast(ComplexRef, retry_contract.response_type)]
    data = next(member for member in envelope.members if member.name == "Data")
    item = cast(ArrayType, data.type).item
    names = [member.name for member in catalog[cast(ComplexRef, item)].members]
    return {**value, "Data": [tuple(item[name] for name in names) for item in value["Data"]]}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("items", [1, 3, BATCH + 1])
def test_items_as_tuples_in_declaration_order_are_written_as_the_dicts(
    writer: ResponseWriter, retry_contract: EndpointContract, fmt: str, items: int
) -> None:
    value = _envelope(retry_contract, items)
    assert getattr(writer, f"{fmt}_chunks")(_as_tuples(value, retry_contract)) == getattr(
        writer, f"{fmt}_chunks"
    )(value)


def test_a_tuple_with_a_member_missing_is_refused_naming_the_counts(
    writer: ResponseWriter, retry_contract: EndpointContract
) -> None:
    value = _as_tuples(_envelope(retry_contract, 2), retry_contract)
    value["Data"][1] = value["Data"][1][:-1]
    with pytest.raises(WireValueError, match="9 members, the tuple 8 values") as raised:
        writer.json(value)
    assert raised.value.pointer == "/Data/1"


def test_remembered_texts_are_bounded_and_equal_to_fresh_ones() -> None:
    lookup, write = remembered(json_string)
    texts = [write(f"reason {n} \u2028") for n in range(REMEMBERED_TEXTS + 50)]
    assert texts == [json_string(f"reason {n} \u2028") for n in range(REMEMBERED_TEXTS + 50)]
    assert lookup("reason 3 \u2028") == json_string("reason 3 \u2028")
    assert lookup(f"reason {REMEMBERED_TEXTS + 10} \u2028") is None  # past the bound
    with pytest.raises(TypeError):
        write(b"reason 3")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_wrong_type_after_remembered_texts_is_refused_naming_the_member(
    writer: ResponseWriter, retry_contract: EndpointContract, fmt: str
) -> None:
    value = _envelope(retry_contract, 3)
    getattr(writer, fmt)(value)  # the reasons are remembered now
    value["Data"][2]["Reason"] = value["Data"][0]["Reason"].encode()
    with pytest.raises(WireValueError) as raised:
        getattr(writer, fmt)(value)
    assert raised.value.pointer == "/Data/2/Reason"
