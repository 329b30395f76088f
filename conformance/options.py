"""The suite's settings, shared by the CLI and the pytest plugin, validated in one place.

Every value that can leak a secret (``--header`` values, the bearer token, the basic-auth
credentials and their base64) is listed in :attr:`Settings.secrets` here, so the run's
redactor knows every one. Two sources of the ``Authorization`` header are refused.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.failures import OptionsError

__all__ = [
    "DEFAULT_FAILED_STATUSES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CALLS",
    "DEFAULT_SUCCESS_STATUSES",
    "DEFAULT_TIMEOUT",
    "ResetRequest",
    "Settings",
    "build_settings",
    "parse_base_url",
    "parse_header",
    "parse_reset",
    "read_basic_auth_env",
    "read_bearer_env",
]

DEFAULT_MAX_CALLS = 4
"""POSTs by default: the JSON body, the XML body, the state call and one negotiation
variant. Each POST re-sends every failed invoice, so staging gets few of them."""
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_SUCCESS_STATUSES = ("Sent",)
DEFAULT_FAILED_STATUSES = ("Failed",)
_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@dataclass(frozen=True)
class ResetRequest:
    """The request that puts the target into a known state (``--reset 'POST URL'``)."""

    method: str
    url: str


@dataclass(frozen=True)
class Settings:
    """Everything a run needs; build it with the ``parse_*`` helpers, which validate.

    ``headers`` are sent on every request; ``secrets`` are the values never to print
    (header values the user gave, tokens, passwords).
    """

    base_url: str
    headers: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] = ()
    allow_side_effects: bool = False
    max_calls: int = DEFAULT_MAX_CALLS
    dry_run: bool = False
    reset: ResetRequest | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = 64
    ca_bundle: Path | None = None
    insecure: bool = False
    client_cert: Path | None = None
    success_statuses: tuple[str, ...] = DEFAULT_SUCCESS_STATUSES
    failed_statuses: tuple[str, ...] = DEFAULT_FAILED_STATUSES
    schemathesis: bool = True

    def __post_init__(self) -> None:
        if self.max_calls < 0:
            raise OptionsError(f"--max-calls must be 0 or more, got {self.max_calls}")
        if not self.timeout > 0:
            raise OptionsError(
                f"--timeout must be a positive number of seconds, got {self.timeout}"
            )
        if self.max_bytes < 1024:
            raise OptionsError(f"--max-bytes must be at least 1024, got {self.max_bytes}")
        for path, option in ((self.ca_bundle, "--ca-bundle"), (self.client_cert, "--client-cert")):
            if path is not None and not path.is_file():
                raise OptionsError(f"{option}: no such file: {path}")


def parse_base_url(text: str) -> str:
    """An absolute http(s) URL without query or fragment, trailing slash removed."""
    parts = urlsplit(text.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise OptionsError(f"--base-url must be an absolute http(s) URL, got {text!r}")
    if parts.query or parts.fragment:
        raise OptionsError(f"--base-url must not have a query or fragment, got {text!r}")
    try:
        parts.port  # noqa: B018 - urlsplit validates the port lazily
    except ValueError:
        raise OptionsError(f"--base-url has an invalid port: {text!r}") from None
    return text.strip().rstrip("/")


def parse_header(text: str) -> tuple[str, str]:
    """``'Name: value'`` from ``--header``; the value is treated as a secret."""
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not _HEADER_NAME.match(name) or not value:
        raise OptionsError(f"--header must look like 'Name: value', got {_shape(text)!r}")
    if "\n" in value or "\r" in value:
        raise OptionsError(f"--header {name}: the value must not contain line breaks")
    return name, value


def _shape(text: str) -> str:
    # Never echo a header value back: it may be a secret typed in the wrong form.
    name = text.partition(":")[0].strip()
    return f"{name}: ***" if ":" in text else "***"


def parse_reset(text: str, base_url: str) -> ResetRequest:
    """``'METHOD URL'`` from ``--reset``; a relative URL is resolved against the base URL."""
    method, _, url = text.strip().partition(" ")
    method, url = method.upper(), url.strip()
    if method not in _METHODS or not url:
        raise OptionsError(f"--reset must look like 'POST https://host/path', got {text!r}")
    if url.startswith("/"):
        url = base_url + url
    if urlsplit(url).scheme not in {"http", "https"}:
        raise OptionsError(f"--reset URL must be absolute http(s) or start with '/', got {url!r}")
    return ResetRequest(method, url)


def read_bearer_env(variable: str) -> tuple[str, str]:
    """``Authorization: Bearer <token>`` with the token read from ``$variable``."""
    token = _read_env(variable, "--bearer-token-env")
    return "Authorization", f"Bearer {token}"


def read_basic_auth_env(variable: str) -> tuple[tuple[str, str], tuple[str, ...]]:
    """``Authorization: Basic ...`` from ``user:password`` in ``$variable``, and its secrets."""
    credentials = _read_env(variable, "--basic-auth-env")
    user, sep, password = credentials.partition(":")
    if not sep or not user:
        raise OptionsError(f"--basic-auth-env: ${variable} must hold 'user:password'")
    encoded = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
    return ("Authorization", f"Basic {encoded}"), (credentials, password, encoded)


def _read_env(variable: str, option: str) -> str:
    value = os.environ.get(variable, "").strip()
    if not value:
        raise OptionsError(f"{option}: environment variable ${variable} is not set or empty")
    return value


def _refuse_two_authorizations(
    pairs: list[tuple[str, str]], bearer_token_env: str | None, basic_auth_env: str | None
) -> None:
    """At most one source of the ``Authorization`` header: two would send two headers
    (or let one silently replace the other)."""
    sources = [
        "--header 'Authorization: ...'" for name, _ in pairs if name.lower() == "authorization"
    ]
    sources += ["--bearer-token-env"] * bool(bearer_token_env)
    sources += ["--basic-auth-env"] * bool(basic_auth_env)
    if len(sources) > 1:
        raise OptionsError(
            f"{' and '.join(sources)} each set the Authorization header: give only one of them"
        )


def build_settings(
    *,
    base_url: str,
    headers: list[str] | None = None,
    bearer_token_env: str | None = None,
    basic_auth_env: str | None = None,
    reset: str | None = None,
    success_statuses: list[str] | None = None,
    failed_statuses: list[str] | None = None,
    ca_bundle: str | None = None,
    client_cert: str | None = None,
    **flags: Any,
) -> Settings:
    """Settings from raw option values (CLI or pytest), every one validated here.

    ``flags`` are the plain fields of :class:`Settings` (``allow_side_effects``,
    ``max_calls``, ``dry_run``, ``timeout``, ``max_bytes``, ``insecure``...).
    """
    url = parse_base_url(base_url)
    pairs = [parse_header(text) for text in headers or []]
    _refuse_two_authorizations(pairs, bearer_token_env, basic_auth_env)
    secrets = [value for _, value in pairs]
    if bearer_token_env:
        name, value = read_bearer_env(bearer_token_env)
        pairs.append((name, value))
        secrets += [value, value.removeprefix("Bearer ")]
    if basic_auth_env:
        header, hidden = read_basic_auth_env(basic_auth_env)
        pairs.append(header)
        secrets += [header[1], *hidden]
    return Settings(
        base_url=url,
        headers=tuple(pairs),
        secrets=tuple(secrets),
        reset=parse_reset(reset, url) if reset else None,
        success_statuses=tuple(success_statuses or DEFAULT_SUCCESS_STATUSES),
        failed_statuses=tuple(failed_statuses or DEFAULT_FAILED_STATUSES),
        ca_bundle=Path(ca_bundle) if ca_bundle else None,
        client_cert=Path(client_cert) if client_cert else None,
        **{key: value for key, value in flags.items() if value is not None},
    )
