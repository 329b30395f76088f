"""The hardened JSON parse every JSON body goes through before it is read.

* The bytes must be UTF-8 (``json.loads(bytes)`` would guess UTF-16 or accept a BOM).
* Nesting deeper than ``max_depth`` is a :class:`JsonSyntaxError`, never a
  ``RecursionError``: :func:`parse_json` measures it with a bracket scan before parsing.
  :func:`load_json` parses first (``json``'s C scanner raises ``RecursionError`` cleanly)
  and leaves the measurement to :func:`check_depth`, which the JSON reader runs before it
  trusts a document whose shape does not prove its depth (see
  :mod:`contract.wire.json_reader`): on a 100,000-item body the scan costs seconds.
* ``NaN``, ``Infinity`` and ``-Infinity`` are refused (they are not JSON).
* Objects become :class:`JsonObject`: their members in document order, duplicates kept,
  so that a reader can report a duplicate member instead of silently keeping the last.
* Numbers with a fraction or exponent become ``Decimal`` (no precision lost on the way).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, NoReturn

__all__ = ["JsonObject", "JsonSyntaxError", "check_depth", "decode_json", "load_json", "parse_json"]

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonSyntaxError(ValueError):
    """The body is not JSON a reader will read; ``location`` says where (``line 1 column
    12``, ``byte 4``, ``offset 80``), ``line`` the 1-based line where known."""

    def __init__(self, message: str, location: str, line: int | None = None) -> None:
        super().__init__(message)
        self.location = location
        self.line = line


class JsonObject(tuple[tuple[str, Any], ...]):
    """A JSON object as its ``(name, value)`` members in document order (duplicates kept)."""

    __slots__ = ()


def parse_json(body: bytes, *, max_depth: int) -> Any:
    """``body`` decoded and parsed with every hardening above, the depth measured first."""
    text = decode_json(body)
    check_depth(text, max_depth)
    return load_json(text, max_depth=max_depth)


def decode_json(body: bytes) -> str:
    """``body`` as UTF-8 text; anything else is a :class:`JsonSyntaxError`."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonSyntaxError(
            f"the body is not UTF-8 ({error.reason} at byte {error.start})", f"byte {error.start}"
        ) from None


def load_json(text: str, *, max_depth: int) -> Any:
    """``text`` parsed (objects as :class:`JsonObject`, fractions as ``Decimal``).

    A body that does not parse is measured first, so that one that is both too deep and
    broken reports its depth, as :func:`parse_json` would.
    """
    try:
        return json.loads(
            text, object_pairs_hook=JsonObject, parse_float=Decimal, parse_constant=_refuse
        )
    except json.JSONDecodeError as error:
        check_depth(text, max_depth)
        where = f"line {error.lineno} column {error.colno}"
        raise JsonSyntaxError(_decode_message(error, text), where, error.lineno) from None
    except RecursionError:
        check_depth(text, max_depth)
        raise JsonSyntaxError("nesting too deep for the parser", "") from None
    except ValueError as error:  # NaN, Infinity: _refuse
        check_depth(text, max_depth)
        raise JsonSyntaxError(str(error), "") from None


def check_depth(text: str, max_depth: int) -> None:
    """Raise :class:`JsonSyntaxError` where ``text`` nests deeper than ``max_depth``."""
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonSyntaxError(
                    f"nesting deeper than {max_depth} levels", f"offset {token.start()}"
                )
        elif char in "]}":
            depth -= 1


def _decode_message(error: json.JSONDecodeError, text: str) -> str:
    """A complete sentence: ``error.msg`` alone ends mid-phrase ("Unterminated string
    starting at"), its position lives in separate fields."""
    if not text.strip():
        return "invalid JSON: the body is empty"
    what = error.msg.removesuffix(" at")
    message = (
        f"invalid JSON at line {error.lineno} column {error.colno}: {what} at char {error.pos}"
    )
    if _cut_off(error, text):
        message += f" (body cut off? it ends at char {len(text)})"
    return message


def _cut_off(error: json.JSONDecodeError, text: str) -> bool:
    # The body ends inside a string or a literal, or right where more was expected.
    rest = text[error.pos :].rstrip()
    return (
        error.msg.startswith("Unterminated")
        or not rest
        or any(word.startswith(rest) for word in ("true", "false", "null"))
    )


def _refuse(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")
