"""Contract diff: a breaking-change gate for Json.NET and DataContractSerializer clients.

:func:`diff_contracts` lists every change between two
:class:`~contract.endpoint.EndpointContract`; each :class:`Change` carries a
:class:`Verdict` per client (:mod:`contract.compiler.diff.rules` states the rules);
:func:`load_side` reads either side from a help page or a generated ``openapi.yaml``;
:mod:`contract.compiler.diff.report` renders the result as text, JSON or markdown.
"""

from __future__ import annotations

from contract.compiler.diff.compare import diff_contracts
from contract.compiler.diff.load import load_side
from contract.compiler.diff.model import Change, ChangeKind, Client, Level, Verdict, worst
from contract.compiler.diff.report import exit_code, render

__all__ = [
    "Change",
    "ChangeKind",
    "Client",
    "Level",
    "Verdict",
    "diff_contracts",
    "exit_code",
    "load_side",
    "render",
    "worst",
]
