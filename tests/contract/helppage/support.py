"""Helpers for the help-page reader tests: comparing pages and writing small ones."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from contract.compiler.helppage import ModelRow

PAGES = Path(__file__).parent / "pages"
REPO = Path(__file__).resolve().parents[3]
HEADER_TEXT = "| Name | Description | Type | Additional information |"
HEADER_HTML = (
    "<thead><tr><th>Name</th><th>Description</th><th>Type</th>"
    "<th>Additional information</th></tr></thead>"
)

T = TypeVar("T")


def without_positions(value: T) -> T:
    """``value`` with every ``line`` set to 0 and ``source`` emptied, recursively.

    The HTML page and its text rendering say the same things on different lines.
    """
    return _strip(value)  # type: ignore[no-any-return]


def _strip(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_strip(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _strip(getattr(value, f.name)) for f in fields(value)}
        if "line" in changes:
            changes["line"] = 0
        if "source" in changes:
            changes["source"] = ""
        return replace(value, **changes)
    return value


def row_text(row: ModelRow, *, three_cells: bool) -> str:
    """A row as the text rendering writes it: one annotation per line, then ``|``."""
    notes = "\n".join(row.annotations) if row.annotations else "None."
    description = "" if three_cells else f" {row.description} |"
    return f"| {row.name} |{description} {row.type_text} |\n{notes} |\n|"


def row_html(row: ModelRow) -> str:
    """A row as Parameters.cshtml writes it."""
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in row.annotations) or "<p>None.</p>"
    return (
        f"<tr><td>{html.escape(row.name)}</td><td><p>{html.escape(row.description)}</p></td>"
        f"<td>{html.escape(row.type_text)}</td><td>{notes}</td></tr>"
    )


def text_page(rows: Sequence[ModelRow], samples: Sequence[tuple[str, str]]) -> str:
    """A GET page whose URI parameters are ``rows`` and whose response has ``samples``."""
    table = "\n".join(row_text(r, three_cells=not r.description) for r in rows)
    formats = "".join(f"{media}\nSample:\n{text}\n" for media, text in samples)
    return (
        "GET api/things\nGets a thing.\nRequest Information\nURI Parameters\n"
        f"{HEADER_TEXT}\n|---|---|---|---|\n{table}\nBody Parameters\nNone.\n"
        "Response Information\nResource Description\ninteger\n"
        f"Response Formats\n{formats}"
    )


def html_page(rows: Sequence[ModelRow], samples: Sequence[tuple[str, str]]) -> str:
    """The HTML form of :func:`text_page`."""
    table = "".join(row_html(r) for r in rows)
    formats = "".join(
        f'<h4 class="sample-header">{media}</h4><div class="sample-content">'
        f'<span><b>Sample:</b></span><pre class="wrapped">\n{html.escape(text)}\n</pre></div>'
        for media, text in samples
    )
    return (
        "<h1>GET api/things</h1>\n<div><p>Gets a thing.</p><h2>Request Information</h2>\n"
        f'<h3>URI Parameters</h3>\n<table class="help-page-table">{HEADER_HTML}<tbody>\n'
        f"{table}</tbody></table>\n<h3>Body Parameters</h3><p></p><p>None.</p>\n"
        "<h2>Response Information</h2><h3>Resource Description</h3><p></p>integer\n"
        f"<h3>Response Formats</h3><div>{formats}</div></div>\n"
    )
