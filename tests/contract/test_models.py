"""The generated pydantic models: committed output, golden round trips, rejections."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from contract import models
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
from contract.compiler.emit.models import MODELS_HEADER, render_models
from contract.endpoint import EndpointContract
from contract.netdatetime import DateTimeKind, NetDateTime
from tests.conftest import GOLDEN_DIR, GoldenCase, golden_cases
from tests.expected_contract import expected_retry_contract

REPO = Path(__file__).parents[2]
CASES = golden_cases()


def _sample_values() -> dict[str, Any]:
    values: dict[str, Any] = copy.deepcopy(CASES[0].values)
    return values


def test_committed_models_module_is_the_generation_of_the_retry_contract() -> None:
    committed = (REPO / "contract" / "models.py").read_text(encoding="utf-8")
    assert committed == render_models(expected_retry_contract())
    assert committed.startswith(MODELS_HEADER)


def test_models_module_names_the_response_model_and_exports_every_class() -> None:
    assert models.RESPONSE_MODEL is models.RestApiResultOfListOfInvoiceSendingStatusVo
    assert sorted(models.__all__) == sorted(
        [
            "RESPONSE_MODEL",
            "InvoiceSendingStatusVo",
            "RestApiLink",
            "RestApiResultOfListOfInvoiceSendingStatusVo",
        ]
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden_values_validate_and_dump_back_byte_for_byte(case: GoldenCase) -> None:
    raw = (GOLDEN_DIR / "wire" / f"{case.name}.values.json").read_bytes()
    model = models.RESPONSE_MODEL.model_validate_json(raw)
    dumped = model.model_dump(mode="json", by_alias=True)
    assert dumped == case.values
    compact = json.dumps(dumped, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert compact == raw.strip()


def test_python_dump_keeps_netdatetime_and_uuid_objects() -> None:
    model = models.RESPONSE_MODEL.model_validate(_sample_values())
    item = model.model_dump(by_alias=True)["Data"][0]
    assert item["SendingTime"] == NetDateTime.parse("2025-12-14T19:20:43.1992775+02:00")
    assert item["SendingTime"].kind is DateTimeKind.LOCAL
    assert item["PracticeId"] == uuid.UUID("aa122594-478b-4b0a-ab1f-2fdd307930b5")
    again = models.RESPONSE_MODEL.model_validate(model.model_dump(by_alias=True))
    assert again == model


def test_models_accept_snake_case_names_and_are_frozen() -> None:
    link = models.RestApiLink(rel="self", h_ref="/x")
    assert link.model_dump(by_alias=True) == {"Rel": "self", "HRef": "/x"}
    with pytest.raises(ValidationError, match="frozen"):
        link.rel = "other"  # type: ignore[misc]


def _rejection(change: Any) -> str:
    values = _sample_values()
    change(values)
    with pytest.raises(ValidationError) as raised:
        models.RESPONSE_MODEL.model_validate(values)
    return str(raised.value)


def test_int_outside_int32_is_rejected_naming_the_member() -> None:
    message = _rejection(lambda v: v.__setitem__("ResponseCode", 2**31))
    assert "ResponseCode" in message and "less than or equal to 2147483647" in message


def test_int_given_as_text_is_rejected() -> None:
    assert "ResponseCode" in _rejection(lambda v: v.__setitem__("ResponseCode", "2"))


def test_bad_guid_is_rejected_naming_the_member() -> None:
    message = _rejection(lambda v: v["Data"][0].__setitem__("InvoiceId", "not-a-guid"))
    assert "Data.0.InvoiceId" in message


def test_missing_member_is_rejected_even_when_nullable() -> None:
    message = _rejection(lambda v: v.pop("ResponseMessage"))
    assert "ResponseMessage" in message and "Field required" in message


def test_extra_member_is_rejected() -> None:
    message = _rejection(lambda v: v["Links"][0].__setitem__("Title", "x"))
    assert "Links.0.Title" in message and "Extra inputs are not permitted" in message


def test_null_value_type_is_rejected_and_null_reference_type_accepted() -> None:
    assert "Sucess" in _rejection(lambda v: v.__setitem__("Sucess", None))
    values = _sample_values()
    values["Data"] = None
    assert models.RESPONSE_MODEL.model_validate(values).data is None


def test_bad_date_is_rejected_naming_the_member() -> None:
    message = _rejection(lambda v: v["Data"][1].__setitem__("SendingTime", "14/12/2025"))
    assert "Data.1.SendingTime" in message


# -- a contract using every kind of type, generated, imported, linted and type-checked ------

_THING = ComplexRef("Acme.Shop", "Thing")
_PAGE = ComplexRef("Acme.Shop", "Page", (ArrayType(_THING),))


def _rich_contract() -> EndpointContract:
    scalars = [Member(p.name.title().replace("_", ""), PrimitiveType(p)) for p in Primitive]
    thing = ComplexType(
        _THING,
        (
            *scalars,
            Member("Maybe", NullableType(PrimitiveType(Primitive.INT32))),
            Member("Lookup", DictionaryType(PrimitiveType(Primitive.STRING), ArrayType(_THING))),
            Member(
                "Code",
                PrimitiveType(Primitive.STRING),
                'The "code"',
                Constraints(required=True, max_length=3, pattern="^[A-Z]+$"),
            ),
            Member("Next", _THING),
        ),
        description="A thing with every kind of member.",
    )
    page = ComplexType(_PAGE, (Member("Items", ArrayType(_THING)),))
    return EndpointContract(
        method="GET",
        route="api/things",
        documentation="",
        response_type=_PAGE,
        response_description="",
        catalog=TypeCatalog((page, thing)),
    )


def _import_source(source: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("generated_rich_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Pydantic resolves the postponed annotations through sys.modules.
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_generated_module_for_every_kind_of_type_validates_constraints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _import_source(render_models(_rich_contract()), tmp_path / "rich.py", monkeypatch)
    thing: type[BaseModel] = module.Thing
    fields = thing.model_fields
    assert fields["maybe"].is_required() and fields["next"].alias == "Next"
    assert fields["code"].description == 'The "code"'
    assert module.RESPONSE_MODEL is module.PageOfListOfThing
    for code, error_type in (("abcd", "string_too_long"), ("ab1", "string_pattern_mismatch")):
        with pytest.raises(ValidationError) as raised:
            thing.model_validate({"Code": code})
        assert {"loc": ("Code",), "type": error_type} in [
            {"loc": e["loc"], "type": e["type"]} for e in raised.value.errors()
        ]


def test_generated_module_for_every_kind_of_type_passes_ruff_and_mypy(tmp_path: Path) -> None:
    target = tmp_path / "rich_models.py"
    target.write_text(render_models(_rich_contract()), encoding="utf-8")
    tools = Path(sys.executable).parent
    ruff = subprocess.run(
        [tools / "ruff", "check", "--config", REPO / "pyproject.toml", target],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run(
        [tools / "mypy", "--config-file", REPO / "pyproject.toml", target],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert mypy.returncode == 0, mypy.stdout
