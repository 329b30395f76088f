"""Generating the artifacts from a help page, committing them and checking them.

``python -m contract generate`` writes, for any help page, what :func:`render_all` gives:

============================  ===============================================================
``openapi.yaml``              the OpenAPI document
``xsd/<path>``                the XML schemas
``models.py``                 the pydantic models
============================  ===============================================================

For the committed page (``contract/source/retryallfailed.txt``) the run time also reads
what it would otherwise derive from the page at every start (:mod:`contract.artifacts`):
``contract.json``, the resolved contract, and ``help/``, the rendered help pages. Where
each file is committed is :func:`committed_files`: ``openapi.yaml`` twice, at the
repository root (what users and CI tools read) and under ``contract/generated`` (package
data, what an installed mock serves); ``models.py`` as ``contract/models.py``; the rest
under ``contract/generated``.

:func:`check` regenerates from the committed page and reports every committed file that
differs, is missing, or is left over from an older generation; :func:`update` rewrites them.
"""

from __future__ import annotations

from pathlib import Path

from contract.artifacts import CONTRACT_FILE, HELP_DIR, OPENAPI_FILE, XSD_DIR
from contract.compiler.emit.helppages import render_help_pages
from contract.compiler.emit.models import render_models
from contract.compiler.emit.openapi import render_openapi
from contract.compiler.emit.xsd import render_xsd_files
from contract.compiler.helppage import read_help_page
from contract.compiler.resolve import ContractError, resolve_contract
from contract.contract_json import dump_contract
from contract.endpoint import EndpointContract

__all__ = [
    "GENERATED_DIR",
    "HELP_PAGE",
    "check",
    "committed_files",
    "default_root",
    "generate",
    "render_all",
    "render_committed",
    "render_contract",
    "update",
]

HELP_PAGE = "contract/source/retryallfailed.txt"
"""The help page every committed artifact is generated from, relative to the repository."""

GENERATED_DIR = "contract/generated"
"""The package-data directory of generated files, relative to the repository."""

_MODELS = "models.py"


def render_contract(contract: EndpointContract) -> dict[str, bytes]:
    """Every artifact of ``contract`` by path relative to an output directory."""
    files = {OPENAPI_FILE: render_openapi(contract).encode("utf-8")}
    for path, data in sorted(render_xsd_files(contract).items()):
        files[f"{XSD_DIR}/{path}"] = data
    files[_MODELS] = render_models(contract).encode("utf-8")
    return files


def render_all(help_page: Path, *, clr_namespace: str | None = None) -> dict[str, bytes]:
    """Every artifact generated from the help page file ``help_page``.

    HelpPageError when the file cannot be read; ContractError when the page cannot be
    resolved (see :func:`~contract.compiler.resolve.resolve_contract` for ``clr_namespace``)
    or an emitter cannot represent what it says, always naming the file.
    """
    contract = resolve_contract(read_help_page(help_page), clr_namespace=clr_namespace)
    return _rendered(contract, help_page)


def render_committed(help_page: Path) -> dict[str, bytes]:
    """:func:`render_all` plus what the run time reads: ``contract.json`` and ``help/``."""
    page = read_help_page(help_page)
    contract = resolve_contract(page)
    files = _rendered(contract, help_page)
    files[CONTRACT_FILE] = dump_contract(contract).encode("utf-8")
    for path, data in render_help_pages(page).items():
        files[f"{HELP_DIR}/{path}"] = data
    return files


def _rendered(contract: EndpointContract, help_page: Path) -> dict[str, bytes]:
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
        if path == OPENAPI_FILE:
            committed[OPENAPI_FILE] = data
            committed[f"{GENERATED_DIR}/{OPENAPI_FILE}"] = data
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
    expected = committed_files(render_committed(repo_root / HELP_PAGE))
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
    expected = committed_files(render_committed(repo_root / HELP_PAGE))
    for path in _stale(repo_root, expected):
        (repo_root / path).unlink()
    return _write(repo_root, expected)


def default_root() -> Path:
    """The repository this package was imported from (the parent of ``contract/``)."""
    return Path(__file__).resolve().parents[2]


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
