"""Writing a :class:`~contract.compiler.helppage.model.HelpPage` as the HelpPage package serves it.

The inverse of :mod:`contract.compiler.helppage.html`: :func:`render_api_page` writes the action
page (``/Help/Api/{id}``) and :func:`render_index` the index (``/Help``), as the
Microsoft.AspNet.WebApi.HelpPage area's Razor views lay them out: the area's
``_Layout.cshtml``, ``Api.cshtml`` / ``Index.cshtml``, and the display templates
``HelpPageApiModel``, ``Parameters``, ``ModelDescriptionLink``, ``Samples``,
``TextSample`` and ``ApiGroup``. Reading a rendered page back with
:func:`~contract.compiler.helppage.parse_help_page_html` gives the same page (lines aside).

* Every text is HTML-encoded as Razor's ``@`` does (``WebUtility.HtmlEncode``): ``&``,
  ``<``, ``>``, ``"``, ``'`` and U+00A0-U+00FF and characters beyond U+FFFF as
  character references. The output is well-formed XML as well as HTML; a character
  XML cannot hold (a control character) raises ValueError.
* Complex types link to ``/Help/ResourceModel?modelName={name}``; type words
  (``integer``, ``Collection of X``, ``Dictionary of K [key] and V [value]``) are text.
* The package renders one model table per description, the type's own. Further tables
  the model holds (pages that list nested types) are written each under an ``<h2>``
  with its type's name: after the own table, or, when there is none (a dictionary),
  after the section's samples, where the reader looks for them.
* The area's stylesheet link (``/Areas/HelpPage/HelpPage.css``) is written as the
  package writes it; the stylesheet itself is not part of this model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote, unquote

from contract.compiler.helppage.model import (
    HelpPage,
    ModelRow,
    ModelTable,
    ResourceDescription,
    Sample,
)
from contract.compiler.typetext import TYPE_WORDS

__all__ = ["INDEX_TITLE", "api_id", "html_encode", "render_api_page", "render_index"]

INDEX_TITLE = "ASP.NET Web API Help Page"
"""The index's title as the package's ``Index.cshtml`` sets it."""

_SIMPLE_WORDS = frozenset(TYPE_WORDS) | {"unsigned integer", "signed byte", "Object"}
_PAIRS = re.compile(
    r"^(?P<kind>Dictionary|Pair) of (?P<key>.+) \[key\] and (?P<value>.+) \[value\]$"
)
_COLLECTION = "Collection of "
# Characters XML 1.0 cannot hold, even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_TABLE_HEAD = (
    '    <table class="help-page-table">\n'
    "        <thead>\n"
    "            <tr><th>Name</th><th>Description</th><th>Type</th>"
    "<th>Additional information</th></tr>\n"
    "        </thead>\n"
    "        <tbody>\n"
)
_TABLE_FOOT = "        </tbody>\n    </table>\n"
_STYLESHEET = '<link type="text/css" href="/Areas/HelpPage/HelpPage.css" rel="stylesheet" />\n'


def html_encode(text: str) -> str:
    """``text`` HTML-encoded as ``WebUtility.HtmlEncode`` writes it (see the module)."""
    found = _NOT_XML.search(text)
    if found is not None:
        raise ValueError(f"U+{ord(found.group()):04X} cannot be written in a well-formed help page")
    return "".join(_encode_char(char) for char in text)


def _encode_char(char: str) -> str:
    code = ord(char)
    if char in _ENTITIES:
        return _ENTITIES[char]
    if 0xA0 <= code <= 0xFF or code > 0xFFFF:
        return f"&#{code};"
    return char


def api_id(page: HelpPage) -> str:
    """The page's id in ``/Help/Api/{id}`` (``ApiDescriptionExtensions.GetFriendlyId``).

    ``{METHOD}-{path}`` with ``/`` as ``-`` and braces dropped, then ``_`` and the query's
    keys joined with ``_`` (``.`` as ``-``): ``GET api/things/{id}?page={page}`` is
    ``GET-api-things-id_page``.
    """
    path, question, query = page.route.partition("?")
    friendly = f"{page.method}-" + path.replace("/", "-").replace("{", "").replace("}", "")
    if question:
        keys = _query_keys(query)
        friendly += "_" + "_".join(keys).replace(".", "-")
    return friendly


def _query_keys(query: str) -> list[str]:
    """``HttpUtility.ParseQueryString(query).AllKeys``: each key once, in order."""
    keys: list[str] = []
    for part in query.split("&"):
        key = unquote(part.split("=", 1)[0].replace("+", " ")) if "=" in part else ""
        if part and key not in keys:
            keys.append(key)
    return keys


def render_api_page(page: HelpPage) -> str:
    """The whole ``/Help/Api/{id}`` document: the area layout around ``Api.cshtml``."""
    title = f"{page.method} {page.route}"
    body = (
        f"{_STYLESHEET}"
        '<div id="body" class="help-page">\n'
        '    <section class="featured">\n'
        '        <div class="content-wrapper">\n'
        "            <p>\n"
        '                <a href="/Help">Help Page Home</a>\n'
        "            </p>\n"
        "        </div>\n"
        "    </section>\n"
        '    <section class="content-wrapper main-content clear-fix">\n'
        f"{_api_model(page, title)}"
        "    </section>\n"
        "</div>\n"
    )
    return _layout(title, body)


def render_index(groups: Mapping[str, Sequence[HelpPage]]) -> str:
    """The whole ``/Help`` document: one ``ApiGroup`` table per controller name."""
    sections = "".join(_api_group(name, pages) for name, pages in groups.items())
    body = (
        f"{_STYLESHEET}"
        '<header class="help-page">\n'
        '    <div class="content-wrapper">\n'
        '        <div class="float-left">\n'
        f"            <h1>{html_encode(INDEX_TITLE)}</h1>\n"
        "        </div>\n"
        "    </div>\n"
        "</header>\n"
        '<div id="body" class="help-page">\n'
        '    <section class="featured">\n'
        '        <div class="content-wrapper">\n'
        "            <h2>Introduction</h2>\n"
        "            <p>\n"
        "                Provide a general description of your APIs here.\n"
        "            </p>\n"
        "        </div>\n"
        "    </section>\n"
        '    <section class="content-wrapper main-content clear-fix">\n'
        f"{sections}"
        "    </section>\n"
        "</div>\n"
    )
    return _layout(INDEX_TITLE, body)


def _layout(title: str, body: str) -> str:
    """The area's ``Views/Shared/_Layout.cshtml``."""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '    <meta charset="utf-8" />\n'
        '    <meta name="viewport" content="width=device-width" />\n'
        f"    <title>{html_encode(title)}</title>\n"
        "</head>\n<body>\n"
        f"{body}"
        "</body>\n</html>\n"
    )


def _api_group(name: str, pages: Sequence[HelpPage]) -> str:
    """``ApiGroup.cshtml``: the controller's actions, each linking to its page."""
    rows = "".join(_api_row(page) for page in pages)
    encoded = html_encode(name)
    return (
        f'<h2 id="{encoded}">{encoded}</h2>\n'
        '<table class="help-page-table">\n'
        "    <thead>\n"
        "        <tr><th>API</th><th>Description</th></tr>\n"
        "    </thead>\n"
        "    <tbody>\n"
        f"{rows}"
        "    </tbody>\n"
        "</table>\n"
    )


def _api_row(page: HelpPage) -> str:
    href = html_encode("/Help/Api/" + quote(api_id(page), safe=""))
    documentation = page.documentation or "No documentation available."
    return (
        "        <tr>\n"
        f'            <td class="api-name"><a href="{href}">'
        f"{html_encode(f'{page.method} {page.route}')}</a></td>\n"
        '            <td class="api-documentation">\n'
        f"                <p>{html_encode(documentation)}</p>\n"
        "            </td>\n"
        "        </tr>\n"
    )


def _api_model(page: HelpPage, title: str) -> str:
    """``HelpPageApiModel.cshtml``: title, documentation, request and response."""
    body, body_tables = _description(page.body)
    response, response_tables = _description(page.response)
    parts = [
        f"<h1>{html_encode(title)}</h1>\n<div>\n",
        f"    <p>{html_encode(page.documentation)}</p>\n\n",
        "    <h2>Request Information</h2>\n\n",
        "    <h3>URI Parameters</h3>\n",
        _parameters(page.uri_parameters),
        "\n    <h3>Body Parameters</h3>\n\n",
        body,
        _formats("Request Formats", page.request_formats, body_tables),
        "\n    <h2>Response Information</h2>\n\n",
        "    <h3>Resource Description</h3>\n\n",
        response,
        _formats("Response Formats", page.response_formats, response_tables),
        "\n</div>\n",
    ]
    return "".join(parts)


def _description(description: ResourceDescription | None) -> tuple[str, str]:
    """A Body Parameters or Resource Description section after its heading, and the
    named tables that must follow the section's samples instead.

    The type's own table (named for the type, or its collection's element type) comes
    right after the type, further tables after it; without an own table, a heading
    there would read as the type, so every table goes after the samples.
    """
    if description is None:
        return "    <p></p>\n\n        <p>None.</p>\n", ""
    tables = description.tables
    text = (
        f"    <p>{html_encode(description.documentation)}</p>\n\n"
        f"{_type_html(description.type_text)}\n"
    )
    own = _own_table_name(description.type_text)
    if tables and tables[0].type_name == own:
        named = "".join(_named_table(table) for table in tables[1:])
        return text + _table(tables[0].rows) + named, ""
    return text, "".join(_named_table(table) for table in tables)


def _own_table_name(type_text: str) -> str:
    """The name the reader gives the table right after a type: its element type's."""
    return type_text.removeprefix(_COLLECTION)


def _named_table(table: ModelTable) -> str:
    return f"\n    <h2>{html_encode(table.type_name)}</h2>\n{_table(table.rows)}"


def _parameters(rows: Sequence[ModelRow]) -> str:
    """``Parameters.cshtml``: the table, or "None." when there are no rows."""
    return _table(rows) if rows else "    <p>None.</p>\n"


def _table(rows: Sequence[ModelRow]) -> str:
    return _TABLE_HEAD + "".join(_row(row) for row in rows) + _TABLE_FOOT


def _row(row: ModelRow) -> str:
    notes = row.annotations or ("None.",)
    annotations = "".join(f"                <p>{html_encode(note)}</p>\n" for note in notes)
    return (
        "            <tr>\n"
        f'                <td class="parameter-name">{html_encode(row.name)}</td>\n'
        '                <td class="parameter-documentation">\n'
        f"                    <p>{html_encode(row.description)}</p>\n"
        "                </td>\n"
        '                <td class="parameter-type">\n'
        f"{_type_html(row.type_text)}\n"
        "                </td>\n"
        '                <td class="parameter-annotations">\n'
        f"{annotations}"
        "                </td>\n"
        "            </tr>\n"
    )


def _type_html(type_text: str) -> str:
    """``ModelDescriptionLink.cshtml``: complex types as links, type words as text."""
    if type_text.startswith(_COLLECTION):
        return _COLLECTION + _type_html(type_text.removeprefix(_COLLECTION))
    pair = _PAIRS.match(type_text)
    if pair is not None:
        key, value = _type_html(pair["key"]), _type_html(pair["value"])
        return f"{pair['kind']} of {key} [key]\nand {value} [value]"
    if type_text in _SIMPLE_WORDS:
        return html_encode(type_text)
    href = html_encode("/Help/ResourceModel?modelName=" + quote(type_text, safe=""))
    return f'<a href="{href}">{html_encode(type_text)}</a>'


def _formats(heading: str, samples: Sequence[Sample], tables: str) -> str:
    """``Samples.cshtml`` under its heading, when there are samples, then ``tables``."""
    if not samples:
        if tables:
            raise ValueError(
                f"the page's model tables need a {heading!r} section to follow, and it has"
                " no samples"
            )
        return ""
    samples_html = "".join(_sample(sample) for sample in samples)
    return f"\n    <h3>{heading}</h3>\n<div>\n{samples_html}</div>\n{tables}"


def _sample(sample: Sample) -> str:
    if sample.note is not None:  # InvalidSample.cshtml, as debug builds show it
        content = (
            '            <div class="warning-message-container">\n'
            f"                <p>{html_encode(sample.note)}</p>\n"
            "            </div>\n"
        )
    elif sample.text is None:
        content = "            <p>Sample not available.</p>\n"
    else:  # TextSample.cshtml
        content = f'<pre class="wrapped">\n{html_encode(sample.text)}\n</pre>\n'
    return (
        f'    <h4 class="sample-header">{html_encode(", ".join(sample.media_types))}</h4>\n'
        '    <div class="sample-content">\n'
        "        <span><b>Sample:</b></span>\n"
        f"{content}"
        "    </div>\n"
    )
