"""The README's CI recipe, run as it stands: the mock in the background, the suite at once.

The block under "For CI" is taken from the README itself, so the README cannot drift from
what is proven here. Only the port (a free one each time, instead of 8080) and the path
of the virtual environment (this interpreter's) change. The recipe starts the suite while
the mock is still starting: ``--wait-for-target`` has to win that race every time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mock_server.conftest import free_port

REPO = Path(__file__).resolve().parents[1]
RUNS = 20


def ci_recipe() -> str:
    """The first ``sh`` block of the README's "For CI" section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For CI: the suite against the mock", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README's CI section has no sh block"
    return match.group(1)


@pytest.mark.parametrize("run", range(RUNS))
def test_the_ci_recipe_starts_the_mock_and_passes_20_times(tmp_path: Path, run: int) -> None:
    """One of 20 runs (each its own test, so the workers share them): all 20 must pass."""
    recipe = ci_recipe()
    assert "--wait-for-target" in recipe and "8080" in recipe
    venv_bin = str(Path(sys.executable).parent)
    script = recipe.replace("8080", str(free_port())).replace(".venv/bin", venv_bin)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"run {run}: {result.stdout}\n{result.stderr}"
    report = json.loads((tmp_path / "reports" / "conformance.json").read_text())
    assert report["exit_code"] == 0
    assert {rule["status"] for rule in report["rules"]} == {"passed"}
