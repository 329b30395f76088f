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
    "DEFAULT_MAX_FAILURES_PER_RULE",
    "DEFAULT_SUCCESS_STATUSES",
    "DEFAULT_TIMEOUT",
    "ResetRequest",
    "Settings",
    "build_settings",
    "parse_base_url",
    "parse_count",
    "parse_header",
    "parse_reset",
    "parse_seconds",
    "read_basic_auth_env",
    "read_bearer_env",
]

DEFAULT_MAX_CALLS = 4
"""POSTs by default: the JSON body, the XML body, the state call and one negotiation
variant. Each POST re-sends every failed invoice, so staging gets few of them."""
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FAILURES_PER_RULE = 10
"""Failures a report shows per rule; the rest are counted in their group."""
MAX_SECONDS = 24 * 3600.0
"""The longest --timeout or --wait-for-target accepted: a longer one is a typo."""
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
    wait_for_target: float = 0.0
    strict: bool = False
    max_failures_per_rule: int = DEFAULT_MAX_FAILURES_PER_RULE

    def __post_init__(self) -> None:
        parse_count(self.max_calls, "--max-calls")
        parse_seconds(self.timeout, "--timeout", positive=True)
        parse_seconds(self.wait_for_target, "--wait-for-target")
        parse_count(self.max_bytes, "--max-bytes", minimum=1024)
        parse_count(self.max_failures_per_rule, "--max-failures-per-rule", minimum=1)
        for words, option in (
            (self.success_statuses, "--success-status"),
            (self.failed_statuses, "--failed-status"),
        ):
            if not words or not all(word.strip() for word in words):
                raise OptionsError(f"{option} must be a non-empty status word, got {words!r}")
        for path, option in ((self.ca_bundle, "--ca-bundle"), (self.client_cert, "--client-cert")):
            if path is not None and not path.is_file():
                raise OptionsError(f"{option}: no such file: {path}")


def parse_base_url(text: str) -> str:
    """An absolute http(s) URL without query or fragment, trailing slash removed.

    A path is kept: a service hosted in a virtual directory has its root there
    (``https://host/BillingService``); the route is appended to it."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - urlsplit validates the port lazily
    except ValueError as error:
        raise OptionsError(f"--base-url is not a valid URL ({error}): {text!r}") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise OptionsError(f"--base-url must be an absolute http(s) URL, got {text!r}")
    if parts.query or parts.fragment:
        raise OptionsError(f"--base-url must not have a query or fragment, got {text!r}")
    return text.strip().rstrip("/")


def parse_seconds(value: str | float, option: str, *, positive: bool = False) -> float:
    """A finite number of seconds, at most a day: more than 0 with ``positive``, else 0 or
    more."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise OptionsError(f"{option} must be a number of seconds, got {value!r}") from None
    low_ok = seconds > 0 if positive else seconds >= 0
    if not (low_ok and seconds <= MAX_SECONDS):  # NaN fails both comparisons
        bound = "more than 0" if positive else "0 or more"
        raise OptionsError(
            f"{option} must be {bound} and at most {MAX_SECONDS:g} seconds, got {value}"
        )
    return seconds


def parse_count(value: str | int, option: str, *, minimum: int = 0) -> int:
    """A whole number of at least ``minimum``."""
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise OptionsError(f"{option} must be a whole number, got {value!r}") from None
    if isinstance(value, float) or count < minimum:
        raise OptionsError(f"{option} must be a whole number of at least {minimum}, got {value}")
    return count


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
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - urlsplit validates the port lazily
    except ValueError as error:
        raise OptionsError(f"--reset URL is not a valid URL ({error}): {url!r}") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
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
    max_calls: str | int | None = None,
    timeout: str | float | None = None,
    max_bytes: str | int | None = None,
    wait_for_target: str | float | None = None,
    max_failures_per_rule: str | int | None = None,
    **flags: Any,
) -> Settings:
    """Settings from raw option values (CLI or pytest), every one validated here.

    Numbers may be given as text, as options are. ``flags`` are the plain boolean fields
    of :class:`Settings` (``allow_side_effects``, ``dry_run``, ``insecure``, ``strict``,
    ``schemathesis``).
    """
    numbers: dict[str, Any] = {}
    if max_calls is not None:
        numbers["max_calls"] = parse_count(max_calls, "--max-calls")
    if timeout is not None:
        numbers["timeout"] = parse_seconds(timeout, "--timeout", positive=True)
    if max_bytes is not None:
        numbers["max_bytes"] = parse_count(max_bytes, "--max-bytes", minimum=1024)
    if wait_for_target is not None:
        numbers["wait_for_target"] = parse_seconds(wait_for_target, "--wait-for-target")
    if max_failures_per_rule is not None:
        numbers["max_failures_per_rule"] = parse_count(
            max_failures_per_rule, "--max-failures-per-rule", minimum=1
        )
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
        success_statuses=_words(success_statuses, DEFAULT_SUCCESS_STATUSES),
        failed_statuses=_words(failed_statuses, DEFAULT_FAILED_STATUSES),
        ca_bundle=Path(ca_bundle) if ca_bundle else None,
        client_cert=Path(client_cert) if client_cert else None,
        **numbers,
        **{key: value for key, value in flags.items() if value is not None},
    )


def _words(given: list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(word.strip() for word in given) if given is not None else default
