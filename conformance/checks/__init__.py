"""The checks: plain functions ``check_*(evidence: Evidence) -> Iterator[Failure]``.

Each module holds one family (:mod:`.http`, :mod:`.body`, :mod:`.cross`, :mod:`.state`,
:mod:`.schemathesis`); :func:`~conformance.checks.base.covers` records which rule ids a
check exercises, so a report can say which rules passed and which were never run.
"""

from __future__ import annotations

from conformance.checks.base import (
    Check,
    Document,
    Evidence,
    ProbeRecord,
    SuiteState,
    covers,
    rules_of,
)

__all__ = ["Check", "Document", "Evidence", "ProbeRecord", "SuiteState", "covers", "rules_of"]
