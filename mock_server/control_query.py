"""Query parameters of the control API: ``GET /__mock/journal?limit=N&since=...``.

``limit`` is a whole number from 1 to :data:`~mock_server.journal_rules.JOURNAL_LIMIT`:
the newest N entries (of those ``since`` selects). ``since`` is either a sequence number
(a whole number of 0 or more: the entries after it) or a .NET round-trip time such as
``2025-12-14T19:20:43.1992775+02:00`` (the entries journaled later, compared as instants;
a time without a zone counts as UTC). Anything else is a 400 naming the parameter and what
it accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contract.netdatetime import DateTimeKind, NetDateTime
from mock_server.journal_rules import JOURNAL_LIMIT

__all__ = ["SQLITE_MAX", "JournalQuery", "instant", "journal_query", "whole_number"]

SQLITE_MAX = 2**63 - 1
"""The largest integer SQLite stores: no id can be larger."""
_TICKS_PER_MINUTE = 60 * 10**7


@dataclass(frozen=True)
class JournalQuery:
    """What a journal request selects: entries after ``after`` or ``since_time``, newest
    ``limit``."""

    after: int = 0
    since_time: int | None = None
    limit: int | None = None


def whole_number(digits: str) -> int:
    """ASCII ``digits`` as a number, at most :data:`SQLITE_MAX` (no id or number is larger)."""
    return SQLITE_MAX if len(digits) > 19 else min(int(digits), SQLITE_MAX)


def instant(text: str) -> int:
    """``text`` (a round-trip time) as UTC ticks; without a zone it counts as UTC."""
    value = NetDateTime.parse(text)
    if value.kind is DateTimeKind.LOCAL:
        return value.ticks - value.offset_minutes * _TICKS_PER_MINUTE
    return value.ticks


def journal_query(args: Mapping[str, str]) -> JournalQuery:
    """The journal query of ``args``; raises ValueError naming a bad parameter."""
    after, since_time = _since(args.get("since"))
    return JournalQuery(after=after, since_time=since_time, limit=_limit(args.get("limit")))


def _limit(text: str | None) -> int | None:
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= whole_number(text) <= JOURNAL_LIMIT:
        raise ValueError(
            f"limit must be a whole number from 1 to {JOURNAL_LIMIT:,}, got {text[:64]!r}"
        )
    return int(text)


def _since(text: str | None) -> tuple[int, int | None]:
    """``(after, since_time)``: a sequence number or a time, never both."""
    if text is None:
        return 0, None
    if text.isascii() and text.isdigit():
        return whole_number(text), None
    try:
        return 0, instant(text)
    except ValueError:
        raise ValueError(
            "since must be a sequence number (a whole number of 0 or more) or a time like "
            f"2025-12-14T19:20:43.1992775+02:00, got {text[:64]!r}"
        ) from None
