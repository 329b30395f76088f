"""Redaction: secrets never reach a report, a log line or the dry-run listing.

Values of headers that carry credentials by nature (Authorization, Cookie...) and every
value the user declared secret are replaced by ``***`` wherever text is rendered. A
target may echo a secret back in its body, so the text of a failure can hold one too -
escaped as JSON, ``repr`` or XML would escape it, or cut short by a snippet (``abc...``).
Every escaped form is masked, and so is any cut-off start of a secret of at least
:data:`MIN_PREFIX` characters: a partial token is still a leak.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

__all__ = ["MASK", "MIN_PREFIX", "SENSITIVE_HEADERS", "Redactor"]

MASK = "***"
MIN_PREFIX = 8
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)


def _forms(secret: str) -> set[str]:
    """The secret as the suite's messages may spell it: raw, JSON-, repr- and XML-escaped."""
    return {
        secret,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
        html.escape(secret, quote=False),
        html.escape(secret),
    }


class Redactor:
    """Replaces known secrets in text and masks sensitive or user-supplied headers."""

    def __init__(self, secrets: Iterable[str] = (), *, secret_headers: Iterable[str] = ()) -> None:
        forms = {form for secret in secrets if secret for form in _forms(secret)}
        # Longest first, so that a secret containing another is masked whole.
        self._secrets = sorted(forms, key=len, reverse=True)
        self._headers = SENSITIVE_HEADERS | {name.lower() for name in secret_headers}

    def text(self, text: str) -> str:
        """``text`` with every secret - whole, escaped, or its cut-off start - replaced."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        for secret in self._secrets:
            if len(secret) > MIN_PREFIX:
                text = _mask_prefixes(text, secret)
        return text

    def header(self, name: str, value: str) -> str:
        """The value to print for header ``name``."""
        if name.lower() in self._headers:
            return MASK
        return self.text(value)

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Every header with its printable value."""
        return [(name, self.header(name, value)) for name, value in headers]


def _mask_prefixes(text: str, secret: str) -> str:
    # A snippet cut inside a secret leaves its start: mask each run of at least
    # MIN_PREFIX characters that begins the secret, extended as far as it matches.
    head = secret[:MIN_PREFIX]
    parts: list[str] = []
    position = 0
    while (found := text.find(head, position)) >= 0:
        end = found + MIN_PREFIX
        while end < len(text) and end - found < len(secret) and text[end] == secret[end - found]:
            end += 1
        parts += [text[position:found], MASK]
        position = end
    return "".join(parts) + text[position:]
