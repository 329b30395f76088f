"""Pydantic field types with the value ranges of .NET's scalar types.

The generated models (:mod:`contract.models`) use these so that a value a .NET service
could not hold (an ``int`` beyond Int32, ``"5"`` for a number, ``1`` for a bool) is
rejected, as Json.NET would reject it when deserializing into the CLR type.
"""

from __future__ import annotations

import decimal
import uuid
from typing import Annotated

from pydantic import Field, Strict

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

Byte = Annotated[int, Strict(), Field(ge=0, le=255)]
"""``System.Byte``: 0 to 255."""

Int16 = Annotated[int, Strict(), Field(ge=-(2**15), le=2**15 - 1)]
"""``System.Int16``."""

Int32 = Annotated[int, Strict(), Field(ge=-(2**31), le=2**31 - 1)]
"""``System.Int32``: -2147483648 to 2147483647."""

Int64 = Annotated[int, Strict(), Field(ge=-(2**63), le=2**63 - 1)]
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
