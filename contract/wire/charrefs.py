"""Character references to characters XML 1.0 forbids: how the service writes them, and
how a reader gets them through a strict XML parser.

Web API's ``XmlWriter`` runs with ``CheckCharacters = false``: a character XML 1.0 forbids
(U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+FFFE, U+FFFF) is written as a
character reference in upper-case hex (``&#x0;``, ``&#x1F;``, ``&#xFFFE;``). That is the
service's own output, but the document is not well-formed XML 1.0, and libxml2 refuses it.

Readers therefore mark such references before parsing: each becomes the private-use
character U+E000 followed by the code in upper-case hex and ``;`` (``&#x1;`` ->
``\\ue0001;``), a form every parser reads as plain text; when a body is marked, a literal
U+E000 in it is escaped the same way (``\\ue000E000;``), so :func:`unmark` restores exactly
the text the references stood for. Only references to the forbidden characters are
marked; any other reference (``&#8211;``, ``&#xA;``) is left to the parser, and so is a
reference no character has (``&#xD800;``, ``&#x110000;``), which stays malformed. The
marking does not see XML syntax: a reference inside a comment or a CDATA section is
marked too (the service writes neither).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "FORBIDDEN_CHARACTERS",
    "FORBIDDEN_RANGES",
    "MARK",
    "MarkedDocument",
    "character_reference",
    "mark_forbidden_references",
    "unmark",
]

FORBIDDEN_RANGES = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
"""The characters XML 1.0 forbids in a document, as the inside of a regex class
(surrogates aside: a ``str`` holding a lone one cannot be UTF-8 at all)."""
FORBIDDEN_CHARACTERS = re.compile(f"[{FORBIDDEN_RANGES}]")
"""One character XML 1.0 forbids in a document."""

MARK = "\ue000"
"""The private-use character that starts a marked reference."""

_MARK_BYTES = MARK.encode("utf-8")
# The references to forbidden characters, in hex (any case, leading zeros allowed) or
# decimal, and a literal marker. Tab (9), LF (10) and CR (13) are allowed characters.
_HEX_FORBIDDEN = "x0*(?P<hex>[0-8bcefBCEF]|1[0-9a-fA-F]|[fF][fF][fF][eEfF])"
_DECIMAL_FORBIDDEN = "0*(?P<decimal>[0-8]|1[124-9]|2[0-9]|3[01]|6553[45])"
_TO_MARK = re.compile(f"&#(?:{_HEX_FORBIDDEN}|{_DECIMAL_FORBIDDEN});|{MARK}".encode())
_MARKED = re.compile(f"{MARK}([0-9A-F]+);")


def character_reference(character: str) -> str:
    """The reference the service writes for one character: ``&#x`` upper-case hex ``;``."""
    return f"&#x{ord(character):X};"


@dataclass(frozen=True)
class MarkedDocument:
    """A document ready for a strict parser, and the first forbidden reference it held.

    ``body`` is the input itself when it holds no reference to a forbidden character;
    then ``first`` and ``line`` are None and no text of the parsed tree needs
    :func:`unmark`.
    """

    body: bytes
    first: str | None = None
    line: int | None = None

    @property
    def marked(self) -> bool:
        """True when references were marked: the tree's text must go through unmark()."""
        return self.first is not None


def mark_forbidden_references(body: bytes) -> MarkedDocument:
    """``body`` (UTF-8) with every reference to a forbidden character marked.

    Costs one substring search for a body without ``&#``, one regular-expression scan
    for a body whose references are all to allowed characters.
    """
    if b"&#" not in body:
        return MarkedDocument(body)
    first = next((match for match in _TO_MARK.finditer(body) if match[0] != _MARK_BYTES), None)
    if first is None:
        return MarkedDocument(body)
    line = body.count(b"\n", 0, first.start()) + 1
    return MarkedDocument(_TO_MARK.sub(_marked, body), first[0].decode("ascii"), line)


def _marked(match: re.Match[bytes]) -> bytes:
    if match["hex"] is not None:
        code = int(match["hex"], 16)
    elif match["decimal"] is not None:
        code = int(match["decimal"])
    else:  # a literal marker
        code = ord(MARK)
    return f"{MARK}{code:X};".encode()


def unmark(text: str) -> str:
    """Text of a tree parsed from a marked body, with the characters references stood for."""
    if MARK not in text:
        return text
    return _MARKED.sub(lambda match: chr(int(match[1], 16)), text)
