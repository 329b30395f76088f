"""The help-page compiler: read a help page, resolve it, emit, diff and commit the artifacts.

Nothing of the run time (the mock, the suite, :mod:`contract.artifacts`) imports this
package: they read what it committed under ``contract/generated``. The public API: read a
help page (:func:`read_help_page`), resolve it into an
:class:`~contract.endpoint.EndpointContract` (:func:`resolve_contract`), and render every
artifact of a page (:func:`render_all`). The emitters are :mod:`contract.compiler.emit`,
the contract diff :mod:`contract.compiler.diff`, the command line
:mod:`contract.compiler.cli` (``python -m contract``).
"""

from contract.compiler.generate import render_all
from contract.compiler.helppage import HelpPage, HelpPageError, read_help_page
from contract.compiler.resolve import ContractError, resolve_contract

__all__ = [
    "ContractError",
    "HelpPage",
    "HelpPageError",
    "read_help_page",
    "render_all",
    "resolve_contract",
]
