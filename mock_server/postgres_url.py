"""A ``--db postgresql://...`` URL: kept whole for the driver, shown with its password masked.

libpq reads the password from the URL, from ``PGPASSWORD`` or from ``~/.pgpass``; the
mock never prints any of them. :class:`PostgresUrl` is what the settings hold: its
``str`` (what banners and errors show) masks the URL's password, and :meth:`scrub`
masks a password the driver might repeat in a message.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass, field

__all__ = ["SCHEMES", "PostgresUrl", "is_postgres_url", "mask_url"]

SCHEMES = ("postgresql://", "postgres://")
_MASK = "***"
_QUERY_PASSWORD = re.compile(r"(?i)((?:^|[?&])[a-z_]*password=)[^&#]*")
_MASKED_QUERY = r"\g<1>" + _MASK


def is_postgres_url(text: str) -> bool:
    """Whether ``text`` is a PostgreSQL connection URL (libpq's ``postgresql://`` form)."""
    return text[: len(SCHEMES[0])].lower().startswith(SCHEMES)


def mask_url(url: str) -> str:
    """``url`` with the password of its user info and of its query replaced by ``***``."""
    scheme, _, rest = url.partition("://")
    # The authority ends at the path, the query or the fragment, whichever comes first
    # (``postgresql://u@h?password=...`` has no path).
    end = next((i for i, char in enumerate(rest) if char in "/?#"), len(rest))
    authority, after = rest[:end], rest[end:]
    user, at, hosts = authority.rpartition("@")
    if at and ":" in user:
        authority = f"{user.split(':', 1)[0]}:{_MASK}@{hosts}"
    return f"{scheme}://{authority}{_QUERY_PASSWORD.sub(_MASKED_QUERY, after)}"


@dataclass(frozen=True)
class PostgresUrl:
    """A PostgreSQL database named by URL; ``str`` of it never shows the password."""

    text: str = field(repr=False)

    def __post_init__(self) -> None:
        if not is_postgres_url(self.text):
            raise ValueError(f"not a postgresql:// URL: {mask_url(self.text)}")

    def __str__(self) -> str:
        return mask_url(self.text)

    def __repr__(self) -> str:
        return f"PostgresUrl({str(self)!r})"

    def scrub(self, message: str) -> str:
        """``message`` (a driver's) with the URL masked and every known password as ``***``."""
        message = message.replace(self.text, str(self))
        for secret in self._passwords():
            message = message.replace(secret, _MASK)
        return message

    def _passwords(self) -> list[str]:
        """The passwords the URL or the environment give (raw and percent-decoded)."""
        found = [os.environ.get("PGPASSWORD", "")]
        authority = self.text.partition("://")[2].partition("/")[0]
        user = authority.rpartition("@")[0]
        if ":" in user:
            found.append(user.split(":", 1)[1])
        query = urllib.parse.urlsplit(self.text).query
        found += [value for key, value in urllib.parse.parse_qsl(query) if "password" in key]
        found += [urllib.parse.unquote(secret) for secret in found]
        # Longest first, so a password containing another is masked whole.
        return sorted({secret for secret in found if len(secret) >= 3}, key=len, reverse=True)
