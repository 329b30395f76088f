"""The headers IIS and ASP.NET add to the service's answers, in the order IIS writes them.

* Every Web API answer: ``Cache-Control: no-cache``, ``Pragma: no-cache``, ``Expires: -1``
  (Web API's host sets ``HttpCacheability.NoCache`` when the response names no cache
  policy, and ASP.NET writes that as these three).
* An MVC page (the help pages): ``Cache-Control: private``, ASP.NET's default.
* The site's headers: ``Server: Microsoft-IIS/10.0``, ``X-AspNet-Version: 4.0.30319``,
  ``X-Powered-By: ASP.NET`` on a default IIS site. Sites often remove them, so each is
  configurable (:func:`site_headers`).

Order, as a Web API answer from IIS shows them: Cache-Control, Pragma, the answer's own
headers (``Allow``, CORS), Content-Type, Expires, Server, X-AspNet-Version,
X-Powered-By, Content-Length last (:func:`arranged`). The rules only: the retry
endpoint's answers get them in :mod:`mock_server.endpoint`, Flask's in
:func:`mock_server.webapi.register_service_headers`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "EXPIRES",
    "HEADER_KEYS",
    "NO_CACHE",
    "OFF",
    "PAGE_CACHE",
    "Header",
    "arranged",
    "site_headers",
]

Header = tuple[str, str]

NO_CACHE: tuple[Header, ...] = (("Cache-Control", "no-cache"), ("Pragma", "no-cache"))
EXPIRES: Header = ("Expires", "-1")
PAGE_CACHE: tuple[Header, ...] = (("Cache-Control", "private"),)

HEADER_KEYS: dict[str, tuple[str, str]] = {
    "SERVER_HEADER": ("Server", "Microsoft-IIS/10.0"),
    "ASPNET_VERSION_HEADER": ("X-AspNet-Version", "4.0.30319"),
    "POWERED_BY_HEADER": ("X-Powered-By", "ASP.NET"),
}
"""Config key -> (header name, default IIS value), in the order IIS writes them."""

OFF = "none"
"""The value (any case) that, like an empty one, removes a site header."""

_PLACED = frozenset(
    {"cache-control", "pragma", "expires", "content-type", "content-length"}
    | {name.lower() for name, _ in HEADER_KEYS.values()}
)


def site_headers(config: Mapping[str, Any]) -> tuple[Header, ...]:
    """The site headers ``config`` asks for, in order (a missing key: IIS's default).

    A key set to None, ``""`` or ``"none"`` removes its header. ValueError names a key
    whose value is not printable ASCII on one line, which no header value can be.
    """
    found: list[Header] = []
    for key, (name, default) in HEADER_KEYS.items():
        value = config.get(key, default)
        if value is None:
            continue
        if not isinstance(value, str) or not _printable_ascii(value):
            raise ValueError(
                f"{key} must be printable ASCII on one line (none: no header), got {value!r}"
            )
        if value.strip() and value.strip().lower() != OFF:
            found.append((name, value.strip()))
    return tuple(found)


def _printable_ascii(value: str) -> bool:
    return value.isascii() and all(0x20 <= ord(char) < 0x7F for char in value)


def arranged(
    headers: Iterable[Header], *, site: Iterable[Header], page: bool = False
) -> list[Header]:
    """``headers`` with the service's added and everything in IIS's order.

    ``page``: an MVC page (``Cache-Control: private``, no Pragma or Expires) instead of
    a Web API answer. Headers the service sets are replaced, not repeated.
    """
    pairs = list(headers)
    own = [(name, value) for name, value in pairs if name.lower() not in _PLACED]
    content_type = [(n, v) for n, v in pairs if n.lower() == "content-type"]
    length = [(n, v) for n, v in pairs if n.lower() == "content-length"]
    cache = PAGE_CACHE if page else NO_CACHE
    expires = () if page else (EXPIRES,)
    return [*cache, *own, *content_type, *expires, *site, *length]
