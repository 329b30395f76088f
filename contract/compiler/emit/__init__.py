"""Emitters: the artifacts generated from an EndpointContract.

One module per artifact: :mod:`contract.compiler.emit.openapi` (OpenAPI document),
:mod:`contract.compiler.emit.xsd` (XML schemas), :mod:`contract.compiler.emit.models`
(pydantic models), :mod:`contract.compiler.emit.helppages` (the mock's help pages).
Import the module you need; this package imports nothing so that loading one emitter
never pulls in the others' dependencies.
"""

from __future__ import annotations

__all__: list[str] = []
