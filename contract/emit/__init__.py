"""Emitters: the artifacts generated from an EndpointContract.

One module per artifact: :mod:`contract.emit.openapi` (OpenAPI document),
:mod:`contract.emit.xsd` (XML schemas), :mod:`contract.emit.models` (pydantic models).
Import the module you need; this package imports nothing so that loading one emitter
never pulls in the others' dependencies.
"""

from __future__ import annotations

__all__: list[str] = []
