"""The generated artifacts: what they are, where they are committed, how they are checked.

Everything is generated from one help page by :func:`render_all`:

============================  ===============================================================
``openapi.yaml``              committed twice: at the repository root (what users and CI tools
                              read) and as ``contract/generated/openapi.yaml`` (package data,
                              what an installed mock serves); both copies are identical
``xsd/<path>``                committed as ``contract/generated/xsd/<path>``
``models.py``                 committed as ``contract/models.py``
============================  ===============================================================

:func:`check` regenerates from the committed ``contract/source/retryallfailed.txt`` and
reports every committed file that differs, is missing, or is left over from an older
generation; :func:`update` rewrites them. :func:`openapi_text` and :func:`xsd_files` read
the package-data copies, so they work in an installed package too.
"""

from __future__ import annotations

import functools
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from contract.emit.models import render_models
from contract.emit.openapi import render_openapi
from contract.emit.xsd import render_xsd_files
from contract.endpoint import EndpointContract
from contract.helppage import read_help_page
from contract.resolve import ContractError, resolve_contract

__all__ = [
    "GENERATED_DIR",
    "HELP_PAGE",
    "check",
    "committed_files",
    "default_root",
    "generate",
    "load_contract",
    "openapi_text",
    "render_all",
    "render_contract",
    "update",
    "xsd_files",
]

HELP_PAGE = "contract/source/retryallfailed.txt"
"""The help page every committed artifact is generated from, relative to the repository."""

GENERATED_DIR = "contract/generated"
"""The package-data directory of generated files, relative to the repository."""

_OPENAPI = "openapi.yaml"
_MODELS = "models.py"
_XSD_DIR = "xsd"


def render_contract(contract: EndpointContract) -> dict[str, bytes]:
    """Every artifact of ``contract`` by path relative to an output directory."""
    files = {_OPENAPI: render_openapi(contract).encode("utf-8")}
    for path, data in sorted(render_xsd_files(contract).items()):
        files[f"{_XSD_DIR}/{path}"] = data
    files[_MODELS] = render_models(contract).encode("utf-8")
    return files


def render_all(help_page: Path, *, clr_namespace: str | None = None) -> dict[str, bytes]:
    """Every artifact generated from the help page file ``help_page``.

    HelpPageError when the file cannot be read; ContractError when the page cannot be
    resolved (see :func:`~contract.resolve.resolve_contract` for ``clr_namespace``) or an
    emitter cannot represent what it says, always naming the file.
    """
    contract = resolve_contract(read_help_page(help_page), clr_namespace=clr_namespace)
    try:
        return render_contract(contract)
    except ValueError as error:
        # An emitter's refusal (two types sharing a component name...) names no file.
        raise ContractError(str(error), source=str(help_page)) from None


def generate(help_page: Path, out_dir: Path, *, clr_namespace: str | None = None) -> list[Path]:
    """Write ``out_dir/openapi.yaml``, ``out_dir/xsd/...`` and ``out_dir/models.py``."""
    return _write(out_dir, render_all(help_page, clr_namespace=clr_namespace))


def committed_files(rendered: dict[str, bytes]) -> dict[str, bytes]:
    """Where each rendered artifact is committed, relative to the repository root."""
    committed: dict[str, bytes] = {}
    for path, data in rendered.items():
        if path == _OPENAPI:
            committed[_OPENAPI] = data
            committed[f"{GENERATED_DIR}/{_OPENAPI}"] = data
        elif path == _MODELS:
            committed[f"contract/{_MODELS}"] = data
        else:
            committed[f"{GENERATED_DIR}/{path}"] = data
    return committed


def check(repo_root: Path) -> list[str]:
    """One message per committed artifact that is not what a fresh generation gives.

    A file differs, is missing, or sits under ``contract/generated`` without being
    generated any more; an empty list means everything is up to date.
    """
    expected = committed_files(render_all(repo_root / HELP_PAGE))
    messages = []
    for path, data in expected.items():
        target = repo_root / path
        if not target.is_file():
            messages.append(f"{path}: missing")
        elif target.read_bytes() != data:
            messages.append(f"{path}: differs from a fresh generation")
    messages += [f"{path}: not generated any more" for path in _stale(repo_root, expected)]
    return messages


def update(repo_root: Path) -> list[Path]:
    """Regenerate every committed artifact in place, removing stale generated files."""
    expected = committed_files(render_all(repo_root / HELP_PAGE))
    for path in _stale(repo_root, expected):
        (repo_root / path).unlink()
    return _write(repo_root, expected)


def default_root() -> Path:
    """The repository this package was imported from (the parent of ``contract/``)."""
    return Path(__file__).resolve().parent.parent


@functools.cache
def load_contract() -> EndpointContract:
    """The retry endpoint's contract, resolved from the help page bundled in the package."""
    page = resources.files("contract").joinpath("source", "retryallfailed.txt")
    with resources.as_file(page) as path:
        return resolve_contract(read_help_page(path))


def openapi_text() -> str:
    """The bundled ``contract/generated/openapi.yaml``."""
    return _generated().joinpath(_OPENAPI).read_text(encoding="utf-8")


def xsd_files() -> dict[str, bytes]:
    """The bundled schemas by path relative to ``contract/generated/xsd``."""
    files: dict[str, bytes] = {}
    _collect(_generated().joinpath(_XSD_DIR), "", files)
    return dict(sorted(files.items()))


def _generated() -> Traversable:
    return resources.files("contract").joinpath("generated")


def _collect(folder: Traversable, prefix: str, files: dict[str, bytes]) -> None:
    for entry in folder.iterdir():
        if entry.is_dir():
            _collect(entry, f"{prefix}{entry.name}/", files)
        elif entry.name.endswith(".xsd"):
            files[prefix + entry.name] = entry.read_bytes()


def _stale(repo_root: Path, expected: dict[str, bytes]) -> list[str]:
    generated = repo_root / GENERATED_DIR
    if not generated.is_dir():
        return []
    found = (p.relative_to(repo_root).as_posix() for p in generated.rglob("*") if p.is_file())
    return sorted(p for p in found if p not in expected and "__pycache__" not in p)


def _write(root: Path, files: dict[str, bytes]) -> list[Path]:
    written = []
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written
