"""The committed generated artifacts, as the run time reads them: no help page, no compiler.

``python -m contract update`` (:mod:`contract.compiler.generate`) writes them under
``contract/generated``, package data, so they work in an installed package too:

============================  ===============================================================
``contract.json``             the resolved :class:`~contract.endpoint.EndpointContract`
                              (:mod:`contract.contract_json`): :func:`load_contract`
``openapi.yaml``              the OpenAPI document (also committed at the repository root):
                              :func:`openapi_text`
``xsd/<path>``                the XML schemas: :func:`xsd_files`
``help/<path>``               the service's rendered help pages, ``Index.html`` and
                              ``Api/<id>.html``: :func:`help_page_files`
============================  ===============================================================
"""

from __future__ import annotations

import functools
from importlib import resources
from importlib.resources.abc import Traversable

from contract.contract_json import parse_contract
from contract.endpoint import EndpointContract

__all__ = [
    "CONTRACT_FILE",
    "HELP_API_DIR",
    "HELP_DIR",
    "HELP_INDEX",
    "OPENAPI_FILE",
    "XSD_DIR",
    "help_page_files",
    "load_contract",
    "openapi_text",
    "xsd_files",
]

CONTRACT_FILE = "contract.json"
OPENAPI_FILE = "openapi.yaml"
XSD_DIR = "xsd"
HELP_DIR = "help"
HELP_INDEX = "Index.html"
"""The help index (``/Help``), relative to :data:`HELP_DIR`."""
HELP_API_DIR = "Api"
"""The folder of the action pages (``/Help/Api/{id}`` is ``Api/{id}.html``) in :data:`HELP_DIR`."""


@functools.cache
def load_contract() -> EndpointContract:
    """The retry endpoint's contract, as resolved into the bundled ``contract.json``."""
    data = _generated().joinpath(CONTRACT_FILE)
    return parse_contract(
        data.read_text(encoding="utf-8"), source=f"contract/generated/{data.name}"
    )


def openapi_text() -> str:
    """The bundled ``contract/generated/openapi.yaml``."""
    return _generated().joinpath(OPENAPI_FILE).read_text(encoding="utf-8")


def xsd_files() -> dict[str, bytes]:
    """The bundled schemas by path relative to ``contract/generated/xsd``."""
    return _files(XSD_DIR, ".xsd")


def help_page_files() -> dict[str, bytes]:
    """The bundled help pages by path relative to ``contract/generated/help``."""
    return _files(HELP_DIR, ".html")


def _generated() -> Traversable:
    return resources.files("contract").joinpath("generated")


def _files(folder: str, suffix: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    _collect(_generated().joinpath(folder), "", suffix, files)
    return dict(sorted(files.items()))


def _collect(folder: Traversable, prefix: str, suffix: str, files: dict[str, bytes]) -> None:
    for entry in folder.iterdir():
        if entry.is_dir():
            _collect(entry, f"{prefix}{entry.name}/", suffix, files)
        elif entry.name.endswith(suffix):
            files[prefix + entry.name] = entry.read_bytes()
