"""Contract diff: a breaking-change gate for Json.NET and DataContractSerializer clients.

:func:`diff_contracts` lists every change between two
:class:`~contract.endpoint.EndpointContract`; each :class:`Change` carries a
:class:`Verdict` per client (:mod:`contract.diff.rules` states the rules);
:func:`load_side` reads either side from a help page or a generated ``openapi.yaml``;
:mod:`contract.diff.report` renders the result as text, JSON or markdown.
"""

from __future__ import annotations

from contract.diff.compare import diff_contracts
from contract.diff.load import load_side
from contract.diff.model import Change, ChangeKind, Client, Level, Verdict, worst
from contract.diff.report import exit_code, render

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
