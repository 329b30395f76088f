"""Writing large collections as separate byte chunks instead of one document string.

A retry response over 100,000 invoices is 30-60 MB. Written as one string it is copied
whole three more times (the collection's join, its parent's join, the UTF-8 encoding),
which costs more time and memory than the items themselves. While a :class:`Splicer`
is collecting, a collection of more than :data:`BATCH` items is written and encoded
batch by batch into the sink, and its place in the document is held by a token: NUL,
the chunk list's index, NUL. NUL never appears raw in either writer's output (JSON
writes ``\\u0000``, XML ``&#x0;``), so splitting the document on the tokens is exact.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["BATCH", "Splicer", "assemble"]

BATCH = 2048
_TOKEN = re.compile("\x00([0-9]+)\x00")


class Splicer:
    """The sink of the large collections written by one thread's current call."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextlib.contextmanager
    def collecting(self) -> Iterator[list[list[bytes]]]:
        """Large collections written inside the block go to the yielded sink."""
        previous = getattr(self._local, "sink", None)
        sink: list[list[bytes]] = []
        self._local.sink = sink
        try:
            yield sink
        finally:
            self._local.sink = previous

    def write_items(
        self, value: list[Any], write_item: Callable[[Any], str], *, separator: str
    ) -> str | None:
        """A token holding the items' place, or None when the items are written inline.

        Writing happens now (errors raise here, as inline); inside a spliced collection
        nothing is spliced again, so every token is in the document text.
        """
        sink: list[list[bytes]] | None = getattr(self._local, "sink", None)
        if sink is None or len(value) <= BATCH:
            return None
        self._local.sink = None
        try:
            chunks = [self._batch(value, start, write_item, separator)
                      for start in range(0, len(value), BATCH)]  # fmt: skip
        finally:
            self._local.sink = sink
        sink.append(chunks)
        return f"\x00{len(sink) - 1}\x00"

    @staticmethod
    def _batch(
        value: list[Any], start: int, write_item: Callable[[Any], str], separator: str
    ) -> bytes:
        parts = [write_item(item) for item in value[start : start + BATCH]]
        if start:
            parts.insert(0, "")  # the separator before this batch's first item
        return separator.join(parts).encode("utf-8")


def assemble(document: str, sink: list[list[bytes]]) -> list[bytes]:
    """The document's bytes: its text with each token replaced by its chunks."""
    pieces = _TOKEN.split(document)
    chunks = [pieces[0].encode("utf-8")]
    for index in range(1, len(pieces), 2):
        chunks += sink[int(pieces[index])]
        chunks.append(pieces[index + 1].encode("utf-8"))
    return [chunk for chunk in chunks if chunk]
