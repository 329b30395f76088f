"""Reading a help page from a file, whichever of its two forms it is in."""

from __future__ import annotations

import re
from pathlib import Path

from contract.compiler.helppage.html import parse_help_page_html
from contract.compiler.helppage.model import HelpPage, HelpPageError
from contract.compiler.helppage.text import parse_help_page_text

__all__ = ["looks_like_html", "read_help_page"]

# A text page starts with its title: an upper-case word, then the route.
_TEXT_TITLE = re.compile(r"^[A-Za-z]+[ \t]+[^<\s]+\s*$")
_H1 = re.compile(r"<h1[\s>]", re.IGNORECASE)


def read_help_page(path: Path) -> HelpPage:
    """Read the help page in ``path``: UTF-8, HTML or its plain-text rendering.

    The form is told from the content (:func:`looks_like_html`). Anything that cannot be
    read, from a missing file or bytes that are not UTF-8 to a page that breaks the
    grammar, raises HelpPageError; file-level problems are in section ``"file"``, with
    line 0 when no line is concerned.
    """
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise HelpPageError("no such file", source=source, section="file", line=0) from None
    except OSError as error:
        message = f"cannot read the file: {error.strerror or error}"
        raise HelpPageError(message, source=source, section="file", line=0) from None
    text = _decode(data, source)
    if looks_like_html(text):
        return parse_help_page_html(text, source=source)
    return parse_help_page_text(text, source=source)


def looks_like_html(text: str) -> bool:
    """HTML starts with ``<``, or holds an ``<h1`` and does not start with a text title."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        return True
    first_line = stripped.split("\n", 1)[0]
    return not _TEXT_TITLE.match(first_line) and _H1.search(text) is not None


def _decode(data: bytes, source: str) -> str:
    """The file's text; bytes that are not UTF-8 are reported with their line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise HelpPageError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02X}"
            f" at offset {error.start} cannot be decoded)",
            source=source,
            section="file",
            line=line,
        ) from None
