"""A .NET ``System.DateTime``: 100 ns ticks and a kind, which Python's datetime cannot hold.

DataContractSerializer writes up to seven fractional digits and marks the kind (``Z`` for
UTC, ``+hh:mm`` for local, nothing for unspecified); a faithful mock and a faithful checker
must keep both, so values are held as ticks since 0001-01-01T00:00:00 (wall clock) with
the kind and, for local times, the UTC offset of the machine that produced them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import SchemaSerializer, core_schema

__all__ = ["DateTimeKind", "NetDateTime"]

TICKS_PER_SECOND = 10_000_000
TICKS_PER_MICROSECOND = 10
MAX_TICKS = 3_155_378_975_999_999_999  # DateTime.MaxValue
_EPOCH = datetime(1, 1, 1)

_ROUND_TRIP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})"
    r"(?:\.(?P<fraction>\d{1,7}))?"
    r"(?P<zone>Z|[+-]\d{2}:[0-5]\d)?"
)


class DateTimeKind(enum.Enum):
    """``System.DateTimeKind``."""

    UNSPECIFIED = "unspecified"
    UTC = "utc"
    LOCAL = "local"


@dataclass(frozen=True, order=True)
class NetDateTime:
    """A ``System.DateTime`` value with full tick precision and its kind.

    ``offset_minutes`` is the local UTC offset the value was written with; it is 0 unless
    the kind is LOCAL.
    """

    ticks: int
    kind: DateTimeKind = DateTimeKind.UNSPECIFIED
    offset_minutes: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.ticks <= MAX_TICKS:
            raise ValueError(f"ticks {self.ticks} are outside DateTime's range")
        if self.kind is not DateTimeKind.LOCAL and self.offset_minutes:
            raise ValueError("only a local DateTime carries a UTC offset")
        if not -14 * 60 <= self.offset_minutes <= 14 * 60:
            raise ValueError(f"UTC offset {self.offset_minutes} min is out of range")

    # -- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> NetDateTime:
        """Parse the round-trip form (``2025-12-14T19:20:43.1992775+02:00``, ``...Z``, or no zone).

        This is the form DataContractSerializer writes and Json.NET reads back.
        """
        match = _ROUND_TRIP.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not a .NET round-trip date and time")
        try:
            wall = datetime.fromisoformat(f"{match['date']}T{match['time']}")
        except ValueError as error:
            raise ValueError(f"{text!r} is not a valid date and time: {error}") from None
        fraction = (match["fraction"] or "").ljust(7, "0")
        ticks = _wall_ticks(wall) + int(fraction)
        zone = match["zone"]
        if zone is None:
            return cls(ticks)
        if zone == "Z":
            return cls(ticks, DateTimeKind.UTC)
        sign = -1 if zone[0] == "-" else 1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        return cls(ticks, DateTimeKind.LOCAL, sign * (hours * 60 + minutes))

    @classmethod
    def from_datetime(cls, value: datetime, *, extra_ticks: int = 0) -> NetDateTime:
        """Convert a Python datetime: naive → unspecified, UTC → UTC, other offsets → local.

        ``extra_ticks`` (0–9) adds the 100 ns digit a Python datetime cannot hold.
        """
        if not 0 <= extra_ticks < TICKS_PER_MICROSECOND:
            raise ValueError("extra_ticks must be between 0 and 9")
        offset = value.utcoffset()
        ticks = _wall_ticks(value.replace(tzinfo=None)) + extra_ticks
        if offset is None:
            return cls(ticks)
        if value.tzinfo is UTC or (offset == timedelta(0) and value.tzname() == "UTC"):
            return cls(ticks, DateTimeKind.UTC)
        return cls(ticks, DateTimeKind.LOCAL, int(offset.total_seconds()) // 60)

    @classmethod
    def now_local(cls, *, offset_minutes: int, utc_now: datetime | None = None) -> NetDateTime:
        """``DateTime.Now`` on a machine whose zone is ``offset_minutes`` from UTC."""
        instant = utc_now if utc_now is not None else datetime.now(UTC)
        local = instant.astimezone(timezone(timedelta(minutes=offset_minutes)))
        return cls(_wall_ticks(local.replace(tzinfo=None)), DateTimeKind.LOCAL, offset_minutes)

    # -- views ----------------------------------------------------------------------------

    @property
    def wall_clock(self) -> datetime:
        """The naive wall-clock time, truncated to microseconds."""
        return _EPOCH + timedelta(microseconds=self.ticks // TICKS_PER_MICROSECOND)

    def to_datetime(self) -> datetime:
        """A Python datetime, aware unless unspecified; the 100 ns digit is dropped."""
        wall = self.wall_clock
        if self.kind is DateTimeKind.UTC:
            return wall.replace(tzinfo=UTC)
        if self.kind is DateTimeKind.LOCAL:
            return wall.replace(tzinfo=timezone(timedelta(minutes=self.offset_minutes)))
        return wall

    def round_trip(self) -> str:
        """``yyyy-MM-ddTHH:mm:ss.FFFFFFFK``: what DataContractSerializer writes.

        Trailing fractional zeros are trimmed and a whole second has no fraction.
        """
        wall, fraction = divmod(self.ticks, TICKS_PER_SECOND)
        text = (_EPOCH + timedelta(seconds=wall)).strftime("%Y-%m-%dT%H:%M:%S")
        text = _pad_year(text)
        if fraction:
            text += "." + f"{fraction:07d}".rstrip("0")
        return text + self._zone_suffix()

    def wall_clock_z(self) -> str:
        """``yyyy-MM-ddTHH:mm:ssZ``: the service's JSON date format.

        The wall-clock time whatever the kind, no fraction, and a literal ``Z``.
        """
        seconds = self.ticks // TICKS_PER_SECOND
        return _pad_year((_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")) + "Z"

    def _zone_suffix(self) -> str:
        if self.kind is DateTimeKind.UTC:
            return "Z"
        if self.kind is DateTimeKind.UNSPECIFIED:
            return ""
        sign = "-" if self.offset_minutes < 0 else "+"
        hours, minutes = divmod(abs(self.offset_minutes), 60)
        return f"{sign}{hours:02d}:{minutes:02d}"

    def __str__(self) -> str:
        return self.round_trip()

    # -- pydantic -------------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        text = core_schema.str_schema()
        from_text = core_schema.no_info_after_validator_function(cls.parse, text)
        return core_schema.json_or_python_schema(
            json_schema=from_text,
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(cls), from_text]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(
                cls.round_trip, when_used="json-unless-none"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": _ROUND_TRIP.pattern}


def _serialize(value: NetDateTime, info: core_schema.SerializationInfo) -> NetDateTime | str:
    return value.round_trip() if info.mode_is_json() else value


# Pydantic turns every dataclass it serializes in python mode into a dict unless the value
# carries its own serializer: this one keeps NetDateTime objects in python mode.
setattr(  # noqa: B010 - the attribute is pydantic's protocol, not declared on the class
    NetDateTime,
    "__pydantic_serializer__",
    SchemaSerializer(
        core_schema.any_schema(
            serialization=core_schema.plain_serializer_function_ser_schema(
                _serialize, info_arg=True
            )
        )
    ),
)


def _wall_ticks(wall: datetime) -> int:
    delta = wall - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * TICKS_PER_SECOND + (
        delta.microseconds * TICKS_PER_MICROSECOND
    )


def _pad_year(text: str) -> str:
    # strftime does not zero-pad years below 1000 on every platform.
    year, rest = text.split("-", 1)
    return f"{int(year):04d}-{rest}"
