"""contract.json: the resolved contract the run time loads instead of the help page."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from contract.artifacts import load_contract
from contract.clr import (
    ArrayType,
    ComplexRef,
    ComplexType,
    Constraints,
    DictionaryType,
    Member,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
)
from contract.compiler import read_help_page, resolve_contract
from contract.contract_json import ContractFileError, dump_contract, parse_contract
from contract.endpoint import EndpointContract, JsonDateFormat, Parameter, ParameterSource
from tests.expected_contract import expected_retry_contract

REPO = Path(__file__).parents[2]
COMMITTED = REPO / "contract" / "generated" / "contract.json"
PAGES = Path(__file__).parent / "helppage" / "pages"
# Pages the resolver refuses, and the one that needs a CLR namespace (test_diff_openapi).
REFUSED = {"get-invoice-lines.txt", "put-setting.txt", "get-invoices.txt"}

INT = PrimitiveType(Primitive.INT32)
NOTE = ComplexRef("Acme.Notes", "Note", contract_namespace="urn:notes")
PAGE = ComplexRef(
    "Acme.Paging", "Page", (ArrayType(NOTE, "System.Collections.ObjectModel.Collection`1"),)
)
EVERY_KIND = EndpointContract(
    method="PUT",
    route="api/notes/{id}",
    documentation="Puts a note — «quoted».",
    response_type=PAGE,
    response_description="",
    catalog=TypeCatalog(
        (
            ComplexType(
                PAGE,
                (Member("Items", ArrayType(NOTE)), Member("Total", NullableType(INT))),
            ),
            ComplexType(
                NOTE,
                (
                    Member(
                        "Text",
                        PrimitiveType(Primitive.STRING),
                        "The text",
                        Constraints(required=True, min_length=1, max_length=20, pattern="^a"),
                    ),
                    Member("Tags", DictionaryType(PrimitiveType(Primitive.STRING), INT)),
                    Member(
                        "Score",
                        PrimitiveType(Primitive.DOUBLE),
                        "",
                        Constraints(minimum=0.5, maximum=10),
                    ),
                ),
                description="A note",
                is_value_type=True,
            ),
        )
    ),
    parameters=(
        Parameter("id", ParameterSource.URI, INT, "The id", Constraints(required=True)),
        Parameter("note", ParameterSource.BODY, NOTE),
    ),
    request_media_types=("application/json",),
    samples=(("application/json", '{\n"Items": []\n}'), ("text/xml", "<Page/>")),
    request_samples=(("application/json", "{}"),),
    json_date_format=JsonDateFormat.WALL_CLOCK_Z,
)


def test_the_committed_file_is_what_the_resolver_gives_for_the_committed_page() -> None:
    resolved = resolve_contract(read_help_page(REPO / "contract" / "source" / "retryallfailed.txt"))
    loaded = parse_contract(COMMITTED.read_text(encoding="utf-8"), source=str(COMMITTED))
    assert loaded == resolved
    assert list(loaded.catalog) == list(resolved.catalog), "the catalog's order changed"
    assert load_contract() == resolved


def test_the_loaded_contract_is_the_documented_one() -> None:
    assert dataclasses.replace(load_contract(), samples=()) == expected_retry_contract()


@pytest.mark.parametrize("page", sorted(p for p in PAGES.glob("*.txt") if p.name not in REFUSED))
def test_every_resolvable_page_round_trips(page: Path) -> None:
    contract = resolve_contract(read_help_page(page))
    assert parse_contract(dump_contract(contract), source="x") == contract


def test_a_contract_of_every_type_kind_and_constraint_round_trips() -> None:
    back = parse_contract(dump_contract(EVERY_KIND), source="x")
    assert back == EVERY_KIND
    assert list(back.catalog) == list(EVERY_KIND.catalog)
    score = back.catalog[NOTE].member("Score").constraints
    assert (type(score.minimum), type(score.maximum)) == (float, int)


def test_the_form_is_plain_json_with_names_as_the_service_spells_them() -> None:
    text = dump_contract(EVERY_KIND)
    assert text.endswith("}\n") and "«quoted»" in text
    document = json.loads(text)
    assert list(document)[:3] == ["generated", "format", "method"]
    assert "python -m contract update" in document["generated"]
    assert document["parameters"][0] == {
        "name": "id",
        "source": "uri",
        "type": "System.Int32",
        "description": "The id",
        "constraints": {"required": True},
    }
    assert document["catalog"][0]["members"][1]["type"] == {
        "kind": "nullable",
        "inner": "System.Int32",
    }
    assert document["json_date_format"] == "wall-clock-z"


def _broken(edit: Any) -> str:
    document = json.loads(dump_contract(EVERY_KIND))
    edit(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("route"), r"x: /: expected the keys .*route"),
        (lambda d: d.update(extra=1), r"x: /: expected the keys"),
        (lambda d: d.update(format=2), r"x: format 2, this kit reads 1"),
        (lambda d: d.update(method=1), r"x: /method: unexpected value 1"),
        (lambda d: d["parameters"][0].update(type="System.Int128"), r"/parameters/0/type: unknown"),
        (lambda d: d["parameters"][0].update(source="header"), r"/parameters/0/source: unknown"),
        (
            lambda d: d["catalog"][1]["members"][0]["constraints"].update(min_length=True),
            r"min_length",
        ),
        (
            lambda d: d["catalog"][1]["members"][0]["constraints"].update(size=1),
            r"unknown constraints",
        ),
        (lambda d: d["catalog"][0].update(is_value_type="no"), r"/catalog/0/is_value_type"),
        (
            lambda d: d["response_type"].update(kind="pointer"),
            r"/response_type: expected a CLR name",
        ),
        (
            lambda d: d.update(samples=[["application/json", "{}"]]),
            r"/samples/0: expected an object",
        ),
        (lambda d: d.update(json_date_format="iso"), r"/json_date_format: unknown value 'iso'"),
    ],
)
def test_a_broken_file_is_refused_naming_where(edit: Any, message: str) -> None:
    with pytest.raises(ContractFileError, match=message):
        parse_contract(_broken(edit), source="x")


def test_a_file_that_is_not_json_is_refused_naming_it() -> None:
    with pytest.raises(ContractFileError, match=r"^contract\.json: not JSON"):
        parse_contract("{", source="contract.json")
