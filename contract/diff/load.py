"""Reading one side of a diff."""

from __future__ import annotations

from pathlib import Path

from contract.endpoint import EndpointContract
from contract.helppage import read_help_page
from contract.located import ContractError
from contract.resolve import resolve_contract

__all__ = ["load_side"]

_OPENAPI_SUFFIXES = (".yaml", ".yml")


def load_side(path: Path) -> EndpointContract:
    """The contract a help page (HTML or text) describes.

    HelpPageError or ContractError, naming the file, when it cannot be read or resolved;
    a generated ``openapi.yaml`` is refused the same way (not supported yet).
    """
    if path.suffix.lower() in _OPENAPI_SUFFIXES:
        raise ContractError(
            "comparing generated openapi.yaml files is not supported yet: pass the help pages",
            source=str(path),
        )
    return resolve_contract(read_help_page(path))
