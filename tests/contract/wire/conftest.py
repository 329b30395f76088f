"""Shared helpers for the wire tests: the retry contract's writer and a byte diff."""

from __future__ import annotations

import pytest

from contract.endpoint import EndpointContract
from contract.wire import ResponseWriter


@pytest.fixture(scope="session")
def writer(retry_contract: EndpointContract) -> ResponseWriter:
    """The retry contract's response writer, compiled once."""
    return ResponseWriter(retry_contract)


def byte_diff(actual: bytes, expected: bytes) -> str:
    """Where two bodies first differ, with 60 bytes of context on each side."""
    index = next(
        (i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b),
        min(len(actual), len(expected)),
    )
    start = max(index - 60, 0)
    return (
        f"first difference at byte {index} (lengths {len(actual)} vs {len(expected)})\n"
        f"  written:  {actual[start : index + 60]!r}\n"
        f"  expected: {expected[start : index + 60]!r}"
    )
