"""Checks any implementation of the retry endpoint against its contract.

The public API: :func:`run_suite` (run every check against a target, get a
:class:`Report`), :class:`Settings` / :func:`build_settings` (the options, validated),
:class:`Failure` (one violation of one rule; an ``AssertionError``), :class:`ConformanceError`
(the suite's own errors), :data:`RULES` (the canonical rule ids). The CLI is
``python -m conformance run`` (:mod:`conformance.__main__`); the pytest plugin is
:mod:`conformance.pytest_plugin`.

The names are loaded on first use, so that importing the pytest plugin (a submodule)
stays cheap for test sessions that never run the suite.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.failures import ConformanceError, Failure, NotRun, OptionsError
    from conformance.options import Settings, build_settings
    from conformance.report import Report, RuleOutcome
    from conformance.rules import RULES, Rule
    from conformance.runner import run_suite

__all__ = [
    "RULES",
    "ConformanceError",
    "Failure",
    "NotRun",
    "OptionsError",
    "Report",
    "Rule",
    "RuleOutcome",
    "Settings",
    "build_settings",
    "run_suite",
]

_HOMES = {
    "ConformanceError": "failures",
    "Failure": "failures",
    "NotRun": "failures",
    "OptionsError": "failures",
    "Settings": "options",
    "build_settings": "options",
    "Report": "report",
    "RuleOutcome": "report",
    "RULES": "rules",
    "Rule": "rules",
    "run_suite": "runner",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'conformance' has no attribute {name!r}")
    return getattr(importlib.import_module(f"conformance.{home}"), name)
