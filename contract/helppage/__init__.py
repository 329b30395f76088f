"""Reading ASP.NET Web API Help Pages (HTML or their plain-text rendering)."""

from contract.helppage.model import (
    HelpPage,
    HelpPageError,
    ModelRow,
    ModelTable,
    ResourceDescription,
    Sample,
)

__all__ = [
    "HelpPage",
    "HelpPageError",
    "ModelRow",
    "ModelTable",
    "ResourceDescription",
    "Sample",
]
