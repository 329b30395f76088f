"""The run time never imports the compiler: the mock and the suite read what it committed.

Each probe runs in a fresh interpreter, so that nothing another test imported counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
COMPILER = "contract.compiler"

MOCK = """
from mock_server.app import create_app
client = create_app().test_client()
length = {"CONTENT_LENGTH": "0"}
route = "/api/v1/billing/invoices/retryallfailed"
assert client.post(route, environ_base=length).status_code == 200
assert client.post(route, environ_base=length, headers={"Accept": "text/xml"}).status_code == 200
assert client.get("/Help").status_code == 200
assert client.get("/Help/Api/POST-api-v1-billing-invoices-retryallfailed").status_code == 200
assert client.get("/openapi.yaml").status_code == 200
assert client.get("/xsd/response.xsd").status_code == 200
"""

SUITE = """
import conformance, conformance.pytest_plugin, conformance.runner
from conformance.__main__ import main
from conformance.contract_view import load_suite_contract
assert load_suite_contract().xsd is not None
# The whole run up to the first request: the contract is loaded, the target is not there.
assert main(["run", "--base-url", "http://127.0.0.1:9", "--max-calls", "1"]) == 2
"""

REPORT = f"""
import json, sys
loaded = (m for m in sys.modules if m == {COMPILER!r} or m.startswith({COMPILER + "."!r}))
print(json.dumps(sorted(loaded)))
"""


def compiler_modules_after(script: str) -> list[str]:
    """The compiler's modules loaded once ``script`` ran in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", script + REPORT],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


@pytest.mark.parametrize(("name", "script"), [("mock", MOCK), ("suite", SUITE)])
def test_the_run_time_never_imports_the_compiler(name: str, script: str) -> None:
    assert compiler_modules_after(script) == [], f"the {name} imported the compiler"


def test_the_probe_sees_the_compiler_when_it_is_imported() -> None:
    loaded = compiler_modules_after("import contract.compiler.resolve\n")
    assert {COMPILER, f"{COMPILER}.resolve", f"{COMPILER}.helppage"} <= set(loaded)
