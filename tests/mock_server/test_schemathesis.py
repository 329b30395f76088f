"""Schemathesis, every check, against the live mock with the contract's openapi.yaml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.mock_server.conftest import REPO, live_mock


def test_schemathesis_finds_no_failure_with_all_checks(tmp_path: Path) -> None:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    with live_mock("--workers", "2", "--scenario", "partial") as mock:
        result = subprocess.run(
            [str(schemathesis), "run", str(REPO / "openapi.yaml"), "--url", mock.url,
             "--checks", "all", "--max-examples", "25", "--seed", "1", "--no-color"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No issues found" in result.stdout, result.stdout
    assert "passed" in result.stdout
