"""Helpers of tests/test_install.py: the declared dependencies, the imports of the code, a
wheel built from the work tree, a fresh virtual environment and a mock served from it."""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = REPO / "pyproject.toml"
CONSTRAINTS = REPO / "constraints.txt"
PACKAGES = ("contract", "mock_server", "conformance")
# Generous bounds: a pip install with a cold cache downloads every wheel from PyPI.
INSTALL_TIMEOUT_S = 600
RUN_TIMEOUT_S = 300
MOCK_START_TIMEOUT_S = 60
# Variables of the calling environment that would leak it into the fresh one.
LEAKING = (
    "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PIP_REQUIRE_VIRTUALENV", "PIP_USER", "PIP_TARGET",
    "PIP_PREFIX",
)  # fmt: skip


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Flask_CORS`` -> ``flask-cors``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The normalized distribution name of a PEP 508 requirement string."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match is not None, f"not a requirement: {requirement!r}"
    return normalized(match[1])


def declared() -> tuple[set[str], dict[str, set[str]]]:
    """Runtime dependencies and each extra's, as normalized names, from pyproject.toml."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    runtime = {requirement_name(r) for r in project["dependencies"]}
    extras = {
        extra: {requirement_name(r) for r in requirements}
        for extra, requirements in project.get("optional-dependencies", {}).items()
    }
    return runtime, extras


def pinned() -> dict[str, str]:
    """``constraints.txt`` as normalized name -> the version it pins (``==`` lines only)."""
    pins: dict[str, str] = {}
    for raw in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(;.*)?", line)
        assert match is not None, f"constraints.txt: not a pin: {raw!r}"
        pins[normalized(match[1])] = match[2]
    return pins


class _Imports(ast.NodeVisitor):
    """Top-level names of absolute imports, except those under ``if TYPE_CHECKING:``."""

    def __init__(self) -> None:
        self.names: list[tuple[str, int]] = []

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
        if name == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names += [(alias.name.split(".")[0], node.lineno) for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module is not None:
            self.names.append((node.module.split(".")[0], node.lineno))


def third_party_imports(*folders: str) -> dict[str, list[str]]:
    """Top-level module name -> ``path:line`` of each import of it in ``folders`` (under
    REPO) that is neither the standard library nor one of the project's own packages."""
    own = {*PACKAGES, "tests", "bench"}
    found: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            visitor = _Imports()
            visitor.visit(ast.parse(path.read_bytes(), filename=str(path)))
            for module, line in visitor.names:
                if module in sys.stdlib_module_names or module in own or module == "__future__":
                    continue
                found.setdefault(module, []).append(f"{path.relative_to(REPO)}:{line}")
    return found


def copy_sources(destination: Path) -> Path:
    """Copy what the wheel is built from (the top-level files and the packages that
    ``[tool.setuptools.packages.find]`` includes) to ``destination``.

    Building in the work tree itself would leave ``build/`` and ``*.egg-info`` there, and
    setuptools puts into the wheel whatever a previous build left under ``build/lib``,
    modules since removed included.
    """
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    destination.mkdir(parents=True)
    for entry in REPO.iterdir():
        if entry.is_file():
            shutil.copy2(entry, destination / entry.name)
        elif entry.is_dir() and any(fnmatch.fnmatch(entry.name, p) for p in include):
            shutil.copytree(
                entry, destination / entry.name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )  # fmt: skip
    return destination


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what would leak it into another interpreter."""
    environment = {k: v for k, v in os.environ.items() if k not in LEAKING}
    environment.update(extra)
    return environment


def run(
    command: Sequence[str | Path], *, cwd: Path, timeout: float = RUN_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in ``cwd`` (never the repository: its packages would shadow the
    installed ones) with a clean environment; output captured as text."""
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=clean_environment(), capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip


def shown(result: subprocess.CompletedProcess[str]) -> str:
    """A finished command's arguments, exit code and output, for an assertion message."""
    return (
        f"$ {' '.join(result.args)}\nexit {result.returncode}\n"
        f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
    )


def checked(
    command: Sequence[str | Path], *, cwd: Path, timeout: float = RUN_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """``run`` that asserts the command exited 0."""
    result = run(command, cwd=cwd, timeout=timeout)
    assert result.returncode == 0, shown(result)
    return result


@dataclass(frozen=True)
class Venv:
    """A virtual environment made by ``python -m venv``."""

    root: Path

    @property
    def python(self) -> Path:
        """Its interpreter."""
        return self.bin("python")

    def bin(self, name: str) -> Path:
        """A console script of it."""
        return self.root / "bin" / name

    def pip_install(self, *arguments: str | Path, cwd: Path) -> None:
        """``pip install -c constraints.txt ARGUMENTS`` (pip's own cache is reused)."""
        checked(
            [self.python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
             "--progress-bar", "off", "-c", CONSTRAINTS, *arguments],
            cwd=cwd, timeout=INSTALL_TIMEOUT_S,
        )  # fmt: skip


def create_venv(root: Path) -> Venv:
    """A new virtual environment at ``root`` with the pip of this Python (``ensurepip``,
    no download), from the base interpreter rather than the one running the tests."""
    base = getattr(sys, "_base_executable", sys.executable)
    checked([base, "-m", "venv", root], cwd=root.parent, timeout=INSTALL_TIMEOUT_S)
    return Venv(root)


@dataclass(frozen=True)
class Mock:
    """A ``retry-mock`` process and the URL it serves on."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group (the server forks workers), SIGKILL it after 20 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_mock(venv: Venv, work: Path) -> Iterator[Mock]:
    """``retry-mock --port 0 --host 127.0.0.1`` from ``venv``, once it answers; stopped on
    leaving, however the block ends. It announces ``retry mock: http://HOST:PORT ...``
    (on stderr); both streams go to a log file, which no full pipe can block."""
    log = work / "mock.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(venv.bin("retry-mock")), "--port", "0", "--host", "127.0.0.1"],
            cwd=work, env=clean_environment(), stdin=subprocess.DEVNULL, stdout=sink,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        url = _announced_url(process, log)
        _wait_until_answering(process, url, log)
        yield Mock(process, url, log)
    finally:
        _stop(process)


def _announced_url(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + MOCK_START_TIMEOUT_S
    while True:
        text = log.read_text(encoding="utf-8", errors="replace")
        if match := re.search(r"retry mock: (http://127\.0\.0\.1:(\d+)) ", text):
            assert int(match[2]) != 0, text
            return match[1]
        assert process.poll() is None, f"retry-mock exited with {process.returncode}:\n{text}"
        assert time.monotonic() < deadline, f"retry-mock announced no port:\n{text}"
        time.sleep(0.1)


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + MOCK_START_TIMEOUT_S
    while True:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url + "/__mock/scenario", timeout=5) as response,
        ):
            if response.status == 200:
                return
        text = log.read_text(encoding="utf-8", errors="replace")
        assert process.poll() is None, f"retry-mock exited with {process.returncode}:\n{text}"
        assert time.monotonic() < deadline, f"retry-mock did not answer on {url}:\n{text}"
        time.sleep(0.1)


def summary_counts(output: str) -> dict[str, int]:
    """pytest's closing line (``== 30 passed, 2 skipped in 5.1s ==``) as outcome -> count."""
    lines = [line for line in output.splitlines() if re.search(r" in [\d.]+s\b", line)]
    assert lines, f"no pytest summary line in:\n{output}"
    counts = {
        word: int(number)
        for number, word in re.findall(r"(\d+) ([a-z]+)", lines[-1].split(" in ")[0])
    }
    # pytest says "1 error" / "2 errors", "1 warning" / "2 warnings".
    return {word.removesuffix("s") if word in {"errors", "warnings"} else word: n
            for word, n in counts.items()}  # fmt: skip
