"""The package as a user gets it: a wheel installed WITHOUT extras into a fresh virtual
environment, pinned by constraints.txt, then its console scripts, ``python -m conformance``
and the pytest plugin run from there against a live ``retry-mock`` of that environment.

Also, without any environment: every third-party import of the three packages is a
declared runtime dependency, the ``test`` extra holds only what the tests and tools need,
and constraints.txt pins all of it (scripts/lock writes it).
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.install_support import (
    CONSTRAINTS,
    PACKAGES,
    Mock,
    Venv,
    checked,
    declared,
    normalized,
    pinned,
    run,
    running_mock,
    shown,
    summary_counts,
    third_party_imports,
)

# The wheel's venv is built once per session: its tests share one worker.
pytestmark = pytest.mark.xdist_group("installed-wheel")

# Imported by the package but installed by whoever loads the module: the pytest plugin is
# loaded only by a pytest that is already running (a consumer's own pytest).
FROM_THE_HOST = {"pytest": {"conformance/pytest_plugin.py"}}
# Imported only where an extra's feature runs: the PostgreSQL store's modules, loaded for a
# `--db postgresql://` alone, and startup's look at the stored state (which catches the
# ImportError; the app then names the extra to install).
FROM_AN_EXTRA = {
    "postgres": {
        "mock_server/postgres_journal.py", "mock_server/postgres_retry.py",
        "mock_server/postgres_schema.py", "mock_server/postgres_store.py",
        "mock_server/startup.py",
    },
}  # fmt: skip
# Tools of the `test` extra that no runtime dependency pulls in: absent from an install
# without extras.
TEST_ONLY_TOOLS = ("mypy", "ruff", "openapi-spec-validator", "lxml-stubs", "types-pyyaml")
MAX_CALLS = "11"


@functools.cache
def _installed() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def _distributions_of(module: str) -> set[str]:
    """The normalized names of the installed distributions that provide ``module``."""
    return {normalized(d) for d in _installed().get(module, [])}


# --- what pyproject.toml declares and constraints.txt pins (no environment needed) --------


def test_every_third_party_import_of_the_packages_is_a_runtime_dependency() -> None:
    runtime, extras = declared()
    undeclared = []
    for module, places in sorted(third_party_imports(*PACKAGES).items()):
        files = {place.rsplit(":", 1)[0] for place in places}
        if module in FROM_THE_HOST:
            assert files <= FROM_THE_HOST[module], f"{module} imported in {sorted(files)}"
            continue
        distributions = _distributions_of(module)
        assert distributions, f"{module} (imported at {places}) belongs to no installed package"
        extra = next((e for e in FROM_AN_EXTRA if distributions & extras.get(e, set())), None)
        if extra is not None:
            assert files <= FROM_AN_EXTRA[extra], f"{module} ({extra}) imported in {sorted(files)}"
        elif not distributions & runtime:
            undeclared.append(f"{module} ({'/'.join(sorted(distributions))}) at {places}")
    assert not undeclared, "imported but not in [project] dependencies:\n" + "\n".join(undeclared)


def test_every_runtime_dependency_is_imported_by_the_packages() -> None:
    runtime, _ = declared()
    imported = set().union(*map(_distributions_of, third_party_imports(*PACKAGES)))
    assert runtime - imported == set(), "declared but never imported: move to an extra"


def test_the_test_extra_holds_only_what_the_runtime_does_not() -> None:
    runtime, extras = declared()
    test = extras["test"]
    assert runtime & test == set()
    missing = []
    for module, places in sorted(third_party_imports("tests", "bench").items()):
        if not _distributions_of(module) & (runtime | test):
            missing.append(f"{module} at {places[:3]}")
    assert not missing, "tests import what neither declares:\n" + "\n".join(missing)


def test_constraints_pin_every_declared_dependency() -> None:
    runtime, extras = declared()
    pins = pinned()
    assert sorted((runtime | extras["test"]) - pins.keys()) == [], "run scripts/lock"
    assert "retryallfailed-contract-kit" not in pins
    assert "scripts/lock" in CONSTRAINTS.read_text(encoding="utf-8").splitlines()[1]


# --- a wheel installed without extras into a fresh virtual environment --------------------


@pytest.fixture(scope="session")
def mock(venv: Venv, work: Path) -> Iterator[Mock]:
    """The venv's own ``retry-mock --port 0 --host 127.0.0.1``, stopped at the end."""
    with running_mock(venv, work) as server:
        yield server


def test_the_packages_import_with_warnings_as_errors_from_the_venv(venv: Venv, work: Path) -> None:
    result = checked(
        [venv.python, "-W", "error", "-c",
         "import conformance, contract, mock_server\n"
         "for m in (conformance, contract, mock_server): print(m.__file__)"],
        cwd=work,
    )  # fmt: skip
    files = result.stdout.split()
    assert len(files) == 3, shown(result)
    for file in files:
        assert Path(file).is_relative_to(venv.root), f"{file} is not the installed package"


def test_pip_check_is_clean_and_every_installed_version_is_pinned(venv: Venv, work: Path) -> None:
    check = checked([venv.python, "-m", "pip", "check"], cwd=work)
    assert "No broken requirements found." in check.stdout, shown(check)
    freeze = checked([venv.python, "-m", "pip", "freeze", "--all"], cwd=work)
    installed = dict(
        (normalized(name), version)
        for name, version in re.findall(r"^([^=\s@]+)==(\S+)$", freeze.stdout, re.MULTILINE)
    )
    pins = pinned()
    unpinned = {
        name: version for name, version in installed.items()
        if name not in {"pip", "setuptools", "retryallfailed-contract-kit"}
        and pins.get(name) != version
    }  # fmt: skip
    assert unpinned == {}, f"not at the versions constraints.txt pins:\n{freeze.stdout}"
    assert installed.keys() & set(TEST_ONLY_TOOLS) == set(), "an extra was installed"
    runtime, _ = declared()
    assert runtime <= installed.keys()


def test_the_console_scripts_and_python_m_conformance_answer_help(venv: Venv, work: Path) -> None:
    commands: list[tuple[list[str | Path], str]] = [
        ([venv.bin("retry-conformance"), "--help"], "run"),
        ([venv.bin("retry-conformance"), "run", "--help"], "--base-url"),
        ([venv.python, "-m", "conformance", "run", "--help"], "--base-url"),
        ([venv.bin("retry-mock"), "--help"], "--port"),
    ]
    for command, option in commands:
        result = checked(command, cwd=work)
        assert "usage:" in result.stdout and option in result.stdout, shown(result)


def test_the_installed_mock_serves_its_dashboard_from_the_wheel(mock: Mock) -> None:
    # The page's files are package data: a wheel without them would answer 500 or 404.
    page = httpx.get(f"{mock.url}/__mock/", timeout=10)
    assert page.status_code == 200 and 'src="ui/dashboard.js"' in page.text, page.text[:200]
    for name in ("dashboard.js", "render.js", "dashboard.css", "icon.svg"):
        asset = httpx.get(f"{mock.url}/__mock/ui/{name}", timeout=10)
        assert asset.status_code == 200 and asset.content, name


def test_the_cli_passes_the_mock_it_was_installed_with(venv: Venv, mock: Mock, work: Path) -> None:
    report = work / "out.json"
    result = run(
        [venv.bin("retry-conformance"), "run", "--base-url", mock.url, "--allow-side-effects",
         "--max-calls", MAX_CALLS, "--reset", f"POST {mock.url}/__mock/reset",
         "--json", report],
        cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, shown(result)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit_code"] == 0 and data["fatal"] is None, shown(result)
    statuses = {rule["rule"]: rule["status"] for rule in data["rules"]}
    assert statuses, data
    assert set(statuses.values()) <= {"passed", "not run"}, statuses
    passed = [rule for rule, status in statuses.items() if status == "passed"]
    assert len(passed) >= len(statuses) / 2, statuses


CONSUMER_TEST = """\
def test_the_whole_report_is_conformant(conformance_report):
    assert conformance_report.exit_code == 0, conformance_report.failed_rules
"""


@pytest.fixture(scope="session")
def consumer(venv: Venv, work: Path) -> Path:
    """A consumer's project: its own pytest (pinned by constraints.txt) in the venv, an
    empty pytest.ini and one test of its own beside the plugin's."""
    venv.pip_install("pytest", cwd=work)
    project = work / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (project / "test_consumer.py").write_text(CONSUMER_TEST, encoding="utf-8")
    return project


def test_the_pytest_plugin_runs_one_test_per_rule(venv: Venv, mock: Mock, consumer: Path) -> None:
    result = run(
        [venv.python, "-m", "pytest", "-p", "no:cacheprovider", "-v", "--conformance-url",
         mock.url, "--conformance-allow-side-effects", "--conformance-max-calls", MAX_CALLS,
         "--conformance-reset", f"POST {mock.url}/__mock/reset"],
        cwd=consumer,
    )  # fmt: skip
    assert result.returncode == 0, shown(result)
    # The plugin's items hang off the session: their node ids read ``::conformance[RULE]``.
    outcomes = dict(re.findall(r"^(?:\S*::)?(conformance\[\S+\]) (PASSED|SKIPPED|FAILED|ERROR)",
                               result.stdout, re.MULTILINE))  # fmt: skip
    assert len(outcomes) >= 5, shown(result)
    assert set(outcomes.values()) <= {"PASSED", "SKIPPED"}, outcomes
    assert "test_consumer.py::test_the_whole_report_is_conformant PASSED" in result.stdout
    counts = summary_counts(result.stdout)
    assert counts.get("failed", 0) == 0 and counts.get("error", 0) == 0, counts
    assert counts["passed"] == list(outcomes.values()).count("PASSED") + 1, shown(result)
    assert counts["passed"] + counts.get("skipped", 0) == len(outcomes) + 1, counts


def test_a_broken_plugin_option_is_a_usage_error_without_traceback(
    venv: Venv, consumer: Path
) -> None:
    result = run(
        [venv.python, "-m", "pytest", "-p", "no:cacheprovider", "--conformance-url", "ftp://x"],
        cwd=consumer,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, shown(result)
    assert "Traceback" not in result.stdout + result.stderr, shown(result)
    assert re.search(r"^ERROR: .*ftp://x", result.stderr, re.MULTILINE), shown(result)
