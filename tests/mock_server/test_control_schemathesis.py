"""Schemathesis, every check, against the live mock's control API and its own OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi import checks as schemathesis_checks

from tests.mock_server.conftest import LiveMock, live_mock

load_all_checks()
DOCUMENT: dict[str, Any] = yaml.safe_load(
    resources.files("mock_server").joinpath("control-openapi.yaml").read_text()
)
SCRIPTED_ID_UNKNOWN = re.compile(r"^outcomes: invoice ([0-9a-f-]{36}) is not among the mock's")
DUPLICATE_IDS = "invoices: every InvoiceId must be unique"


def _refused_by_a_rule_no_schema_states(case: schemathesis.Case, response: Any) -> bool:
    """The document's two rules that JSON Schema cannot state, said in its descriptions:
    each scripted InvoiceId must be one of the mock's invoices, and the InvoiceIds of
    explicit invoices must be unique. A 400 for one of them is accepted only when its
    message names that rule and the request really breaks it."""
    if response.status_code != 400 or not isinstance(case.body, dict):
        return False
    message = str(response.json().get("error", ""))
    if case.operation.label == "PUT /__mock/scenario":
        unknown = SCRIPTED_ID_UNKNOWN.match(message)
        return unknown is not None and unknown[1] in (case.body.get("outcomes") or {})
    if case.operation.label == "POST /__mock/seed" and message.endswith(DUPLICATE_IDS):
        ids = [item["InvoiceId"] for item in case.body.get("invoices") or []
               if isinstance(item, dict) and item.get("InvoiceId") is not None]  # fmt: skip
        return len(ids) != len(set(ids))
    return False


def positive_data_acceptance(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """Schemathesis' own check, but for the two rules above."""
    if _refused_by_a_rule_no_schema_states(case, response):
        return None
    return schemathesis_checks.positive_data_acceptance(ctx, response, case)


ALL_CHECKS = [
    positive_data_acceptance if check.__name__ == "positive_data_acceptance" else check
    for check in CHECKS.get_all()
]
schema = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.fixture(scope="module")
def mock() -> Iterator[LiveMock]:
    """One live mock for every operation (small, so resets and seeds stay fast)."""
    with live_mock("--workers", "1", "--failed", "3") as server:
        yield server


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_control_api_conforms_to_its_document_with_all_checks(
    case: schemathesis.Case, mock: LiveMock
) -> None:
    case.call_and_validate(base_url=mock.url, checks=ALL_CHECKS, timeout=30)


def test_the_served_document_is_the_tested_one(mock: LiveMock) -> None:
    import httpx  # noqa: PLC0415

    served = httpx.get(mock.url + "/__mock/openapi.yaml", timeout=10)
    assert yaml.safe_load(served.text) == DOCUMENT
