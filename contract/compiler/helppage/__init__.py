"""Reading ASP.NET Web API Help Pages (HTML or their plain-text rendering).

The public API is :func:`read_help_page` (a file, either form, told apart by content),
:func:`parse_help_page_text` and :func:`parse_help_page_html` (a page already in memory),
and the neutral model they return (:class:`HelpPage` and its parts). Every failure is a
:class:`HelpPageError` naming the source, section and line.
"""

from contract.compiler.helppage.html import parse_help_page_html
from contract.compiler.helppage.model import (
    HelpPage,
    HelpPageError,
    ModelRow,
    ModelTable,
    ResourceDescription,
    Sample,
)
from contract.compiler.helppage.reader import read_help_page
from contract.compiler.helppage.text import parse_help_page_text

__all__ = [
    "HelpPage",
    "HelpPageError",
    "ModelRow",
    "ModelTable",
    "ResourceDescription",
    "Sample",
    "parse_help_page_html",
    "parse_help_page_text",
    "read_help_page",
]
