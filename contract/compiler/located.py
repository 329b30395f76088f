"""Errors that point at a place on a help page: a section heading and a line."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from contract.compiler.samples import SampleError
from contract.compiler.typetext import TypeTextError

__all__ = ["ContractError", "Locator", "Where"]

Where = tuple[str, int]
"""A section heading of the page and a line in it."""


class ContractError(ValueError):
    """A help page whose parts contradict each other or name what the kit cannot represent.

    ``section`` and ``line`` point at the part of the page concerned when it is known (the
    message then reads like a :class:`~contract.compiler.helppage.HelpPageError`); both are None
    otherwise.
    """

    def __init__(
        self, message: str, *, source: str, section: str | None = None, line: int | None = None
    ) -> None:
        self.source = source
        self.section = section
        self.line = line
        self.reason = message
        where = (
            source
            if section is None or line is None
            else f"{source}:{line}: in section {section!r}"
        )
        super().__init__(f"{where}: {message}")


class Locator:
    """Turns the kit's errors into ContractErrors pointing at a section and line of a page."""

    def __init__(self, source: str) -> None:
        self.source = source

    @contextlib.contextmanager
    def at(self, where: Where) -> Iterator[None]:
        """Report a SampleError or TypeTextError raised inside at ``where``; the innermost
        ``at`` wins, since it knows the most precise place."""
        try:
            yield
        except (SampleError, TypeTextError) as error:
            section, line = where
            raise ContractError(
                str(error), source=self.source, section=section, line=line
            ) from None
