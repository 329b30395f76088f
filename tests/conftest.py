"""Fixtures every test package shares: the golden oracle, the retry contract, a throwaway
PostgreSQL server."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract.endpoint import EndpointContract
from tests.expected_contract import expected_retry_contract
from tests.install_support import Venv, checked, copy_sources, create_venv
from tests.postgres_support import Cluster, ClusterError, start_cluster

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


# --- PostgreSQL ---------------------------------------------------------------------------

POSTGRES = pytest.mark.xdist_group("postgres")
"""Tests on the PostgreSQL server: one xdist group, so one worker starts one server."""


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL server on 127.0.0.1 (tests.postgres_support), stopped and
    removed at the end; a test needing it fails, never skips, when it cannot start."""
    try:
        # No fsync: the tests kill mocks, never the server or the machine.
        cluster = start_cluster(durable=False)
    except ClusterError as error:
        pytest.fail(f"PostgreSQL could not be started for the tests: {error}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """The URL (password included) of a new empty schema of its own, for one test."""
    return postgres_cluster.create_schema()


# --- the package as users install it: a wheel, without extras, in a fresh venv ------------


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of the work tree, built once (from a copy: see copy_sources)."""
    work = tmp_path_factory.mktemp("wheel")
    source = copy_sources(work / "source")
    checked(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         "--no-input", "--progress-bar", "off", "--wheel-dir", work / "dist", source],
        cwd=work,
    )  # fmt: skip
    (built,) = (work / "dist").glob("*.whl")
    shutil.rmtree(source)
    return built


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the repository to run the installed commands in."""
    return tmp_path_factory.mktemp("consumer")


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path, work: Path) -> Iterator[Venv]:
    """A fresh venv with the wheel installed without extras, pinned by constraints.txt;
    removed afterwards (it holds some 200 MB)."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    try:
        created = create_venv(root)
        created.pip_install(wheel, cwd=work)
        yield created
    finally:
        shutil.rmtree(root, ignore_errors=True)
