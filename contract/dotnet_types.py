"""Pydantic field types with the value ranges of .NET's scalar types.

The generated models (:mod:`contract.models`) use these so that a value a .NET service
could not hold (an ``int`` beyond Int32, ``"5"`` for a number, ``1`` for a bool) is
rejected, as Json.NET would reject it when deserializing into the CLR type.
"""

from __future__ import annotations

import decimal
import uuid
from typing import Annotated, Any

from pydantic import Field, Strict

from contract.clr import INTEGER_RANGES, Primitive

__all__ = [
    "Boolean",
    "Byte",
    "Char",
    "Decimal",
    "Double",
    "Guid",
    "Int16",
    "Int32",
    "Int64",
    "Single",
]

Boolean = Annotated[bool, Strict()]
"""``System.Boolean``: JSON true/false only."""


def _range(primitive: Primitive) -> Any:
    low, high = INTEGER_RANGES[primitive]
    return Field(ge=low, le=high)


Byte = Annotated[int, Strict(), _range(Primitive.BYTE)]
"""``System.Byte``: 0 to 255."""

Int16 = Annotated[int, Strict(), _range(Primitive.INT16)]
"""``System.Int16``."""

Int32 = Annotated[int, Strict(), _range(Primitive.INT32)]
"""``System.Int32``: -2147483648 to 2147483647."""

Int64 = Annotated[int, Strict(), _range(Primitive.INT64)]
"""``System.Int64``."""

Single = Annotated[float, Field(allow_inf_nan=False)]
"""``System.Single`` (held as a Python float)."""

Double = Annotated[float, Field(allow_inf_nan=False)]
"""``System.Double``."""

Decimal = Annotated[decimal.Decimal, Field(allow_inf_nan=False)]
"""``System.Decimal``."""

Char = Annotated[str, Field(min_length=1, max_length=1)]
"""``System.Char``: one UTF-16 code unit (approximated as one character)."""

Guid = uuid.UUID
"""``System.Guid``: written in lowercase ``D`` format by model_dump(mode="json")."""
