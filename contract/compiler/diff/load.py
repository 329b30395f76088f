"""Reading one side of a diff: a help page or a generated ``openapi.yaml``."""

from __future__ import annotations

from pathlib import Path

from contract.compiler.diff.from_openapi import read_openapi_contract
from contract.compiler.helppage import read_help_page
from contract.compiler.resolve import resolve_contract
from contract.endpoint import EndpointContract

__all__ = ["load_side"]

_OPENAPI_SUFFIXES = (".yaml", ".yml")


def load_side(path: Path) -> EndpointContract:
    """The contract a help page (HTML or text) or a generated ``openapi.yaml`` describes.

    HelpPageError or ContractError, naming the file, when it cannot be read or resolved,
    or when a YAML file is not an ``openapi.yaml`` this kit generated.
    """
    if path.suffix.lower() in _OPENAPI_SUFFIXES:
        return read_openapi_contract(path)
    return resolve_contract(read_help_page(path))
