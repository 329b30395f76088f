"""The mock's clock: ``DateTime.Now`` of a server at a fixed UTC offset, or a frozen instant.

The real service stamps ``SendingTime`` with ``DateTime.Now`` (local kind, 100 ns ticks), so
the running clock reads ``time.time_ns()`` and keeps the seventh fractional digit. A frozen
clock (``--clock``) returns one value forever, which makes responses reproducible for
snapshot tests.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from contract.netdatetime import DateTimeKind, NetDateTime

__all__ = ["Clock", "minutes_before", "parse_utc_offset"]

# Ticks between 0001-01-01T00:00:00 and the Unix epoch.
_UNIX_EPOCH_TICKS = 621_355_968_000_000_000
_TICKS_PER_MINUTE = 600_000_000
_OFFSET = re.compile(r"(?P<sign>[+-])(?P<hours>\d{2}):(?P<minutes>\d{2})")


def parse_utc_offset(text: str) -> int:
    """``+02:00`` -> 120 minutes; raises ValueError naming the accepted form."""
    match = _OFFSET.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a UTC offset of the form +hh:mm or -hh:mm")
    minutes = int(match["hours"]) * 60 + int(match["minutes"])
    if int(match["minutes"]) >= 60 or minutes > 14 * 60:
        raise ValueError(f"{text!r} is not a valid UTC offset (at most ±14:00)")
    return -minutes if match["sign"] == "-" else minutes


@dataclass(frozen=True)
class Clock:
    """Local time at ``offset_minutes`` from UTC, or always ``frozen`` when it is set."""

    offset_minutes: int = 120
    frozen: NetDateTime | None = None

    def now(self) -> NetDateTime:
        """The current local time with 100 ns precision (or the frozen value)."""
        if self.frozen is not None:
            return self.frozen
        ticks = time.time_ns() // 100 + _UNIX_EPOCH_TICKS
        ticks += self.offset_minutes * _TICKS_PER_MINUTE
        return NetDateTime(ticks, DateTimeKind.LOCAL, self.offset_minutes)


def minutes_before(now: NetDateTime, minutes: int, *, sub_minute_ticks: int = 0) -> NetDateTime:
    """``now`` moved back by whole minutes and a few ticks (for seeded sending times)."""
    ticks = max(0, now.ticks - minutes * _TICKS_PER_MINUTE - sub_minute_ticks)
    return NetDateTime(ticks, now.kind, now.offset_minutes)
