"""Fixtures every test package shares: the golden oracle and the retry contract."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract.endpoint import EndpointContract
from tests.expected_contract import expected_retry_contract

GOLDEN_DIR = Path(__file__).parent / "golden"


@dataclass(frozen=True)
class GoldenCase:
    """One golden wire case: the values and the bytes .NET writes for them."""

    name: str
    values: Any
    json_bytes: bytes
    xml_bytes: bytes


def golden_cases() -> list[GoldenCase]:
    """Every case under tests/golden/wire, in name order."""
    wire = GOLDEN_DIR / "wire"
    return [
        GoldenCase(
            name=values_file.name.removesuffix(".values.json"),
            values=json.loads(values_file.read_bytes()),
            json_bytes=(wire / values_file.name.replace(".values.json", ".json")).read_bytes(),
            xml_bytes=(wire / values_file.name.replace(".values.json", ".xml")).read_bytes(),
        )
        for values_file in sorted(wire.glob("*.values.json"))
    ]


@pytest.fixture(scope="session")
def retry_contract() -> EndpointContract:
    """The retry endpoint's contract."""
    return expected_retry_contract()
