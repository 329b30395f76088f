"""Generated per-type writer functions: the member loop unrolled into one expression.

Writing 100,000 items per response in well under a second leaves no room for a call
per member per layer; each complex type gets a function, generated once from the
contract, that reads its members into locals and joins precomputed markup around
their formatted values. Only names bound in ``constants`` are referenced, and member
names reach the code as constants, never as source text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["generate_member_writer"]


def generate_member_writer(
    keys: Sequence[str],
    expressions: Sequence[str],
    constants: dict[str, Any],
    *,
    null: str | None,
    positions: Sequence[int],
) -> Callable[[Any], str]:
    """A function ``write(v)`` that binds ``x{i} = v[keys[i]]`` and joins ``expressions``.

    ``v`` may also be a tuple of the members in declaration order: then ``x{i}`` is
    ``v[positions[i]]`` (a writer of many items is spared building a dict per item).
    ``write(None)`` returns the constant named ``null`` (ValueError when ``null`` is
    None: the type is not nullable). A value with another number of members than
    ``keys`` raises ValueError, a missing one KeyError: wrong members are never written.
    """
    on_null = f"return {null}" if null else "raise ValueError('null for a non-nullable type')"
    lines = [
        "def write(v):",
        "    if v is None:",
        f"        {on_null}",
        f"    if len(v) != {len(keys)}:",
        "        raise ValueError('wrong member count')",
    ]
    if keys:
        lines += ["    if type(v) is tuple:"]
        lines += [f"        x{index} = v[{position}]" for index, position in enumerate(positions)]
        lines += ["    else:"]
        lines += [f"        x{index} = v[K{index}]" for index in range(len(keys))]
    lines.append("    return ''.join((" + ", ".join(expressions) + ",))")
    namespace: dict[str, Any] = {f"K{index}": key for index, key in enumerate(keys)}
    namespace.update(constants)
    exec(compile("\n".join(lines), "<contract.wire generated writer>", "exec"), namespace)
    writer: Callable[[Any], str] = namespace["write"]
    return writer
