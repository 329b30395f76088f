"""Redaction: secrets never reach a report, a log line or the dry-run listing.

Values of headers that carry credentials by nature (Authorization, Cookie...) and every
value the user declared secret are replaced by ``***`` wherever text is rendered.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MASK", "SENSITIVE_HEADERS", "Redactor"]

MASK = "***"
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)


class Redactor:
    """Replaces known secrets in text and masks sensitive or user-supplied headers."""

    def __init__(self, secrets: Iterable[str] = (), *, secret_headers: Iterable[str] = ()) -> None:
        # Longest first, so that a secret containing another is masked whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._headers = SENSITIVE_HEADERS | {name.lower() for name in secret_headers}

    def text(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def header(self, name: str, value: str) -> str:
        """The value to print for header ``name``."""
        if name.lower() in self._headers:
            return MASK
        return self.text(value)

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Every header with its printable value."""
        return [(name, self.header(name, value)) for name, value in headers]
