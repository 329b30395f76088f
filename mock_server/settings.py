"""The mock's configuration: Flask config keys, their defaults, and their validation.

``create_app`` reads these keys (the command line sets them from its options):

==================  =========================================================================
``DATABASE``        SQLite file holding the state; None: a temporary file removed at exit.
                    It must be a new path or a SQLite database, never a directory or
                    another kind of file. A ``postgresql://`` (or ``postgres://``) URL, or
                    a ``PostgresUrl``: the state in that PostgreSQL database, shared by
                    every mock started on it (:mod:`mock_server.postgres_store`)
``RESEED``          replace the state in an existing ``DATABASE`` with the start state
``SEED``            seed of the start invoices and of every seeded draw (int)
``FAILED``          failed invoices at the start (at most 100,000); None: the scenario's own
                    count, else 20
``SCENARIO``        the start scenario (see :mod:`mock_server.scenarios`)
``SUCCESS_RATE``    overrides the start scenario's success rate for every switch (0-1)
``MAX_ATTEMPTS``    the start scenario's attempts limit (>= 1; None: no limit)
``CLOCK``           a frozen ``DateTime`` in round-trip form, or None for the running clock
``TIMEZONE``        UTC offset of the running clock, ``+02:00`` (the service's)
``CORS_ORIGINS``    origins allowed besides loopback ones (``http(s)://localhost``,
                    ``127.0.0.1``, ``[::1]``, any port; always allowed): a list or a
                    comma-separated string, ``()`` (loopback only, the default), ``"*"``
                    (any origin, echoed), or None (no CORS headers; the control API still
                    takes state changes from loopback origins only). See
                    :mod:`mock_server.control_guard`
``CONTROL_TOKEN``   None, or the bearer token every control API request must send
``CONTRACT``        an ``EndpointContract``; None: the bundled one
``MAX_CONTENT_LENGTH``  largest request body accepted (bytes), 1 MiB
``XML_NEWLINE``     how XML text writes each newline: ``"crlf"`` (the service on Windows,
                    the default) or ``"lf"`` (a service hosted on Mono/Linux), or an
                    ``XmlNewline``
``SERVER_HEADER``   the ``Server`` header, IIS's ``Microsoft-IIS/10.0``; None, ``""`` or
                    ``"none"``: not sent (see :mod:`mock_server.iis_headers`)
``ASPNET_VERSION_HEADER``  ``X-AspNet-Version``, ``4.0.30319``; None etc.: not sent
``POWERED_BY_HEADER``  ``X-Powered-By``, ``ASP.NET``; None etc.: not sent
==================  =========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.netdatetime import NetDateTime
from contract.wire import XmlNewline
from mock_server.clock import Clock, parse_utc_offset
from mock_server.iis_headers import HEADER_KEYS, Header, site_headers
from mock_server.postgres_url import PostgresUrl, is_postgres_url
from mock_server.scenarios import MAX_FAILED, SCENARIO_NAMES, Scenario, builtin_scenario

__all__ = ["DEFAULTS", "DEFAULT_FAILED", "Settings", "SettingsError", "check_database"]

DEFAULT_FAILED = 20
# The first 16 bytes of every SQLite 3 database file (https://sqlite.org/fileformat.html).
_SQLITE_HEADER = b"SQLite format 3\x00"

DEFAULTS: dict[str, Any] = {
    "DATABASE": None,
    "RESEED": False,
    "SEED": 1,
    "FAILED": None,
    "SCENARIO": "partial",
    "SUCCESS_RATE": None,
    "MAX_ATTEMPTS": None,
    "CLOCK": None,
    "TIMEZONE": "+02:00",
    "CORS_ORIGINS": (),
    "CONTROL_TOKEN": None,
    "CONTRACT": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "XML_NEWLINE": "crlf",
    **{key: default for key, (_name, default) in HEADER_KEYS.items()},
}


class SettingsError(ValueError):
    """A configuration value is invalid; the message names the key and the rule."""


@dataclass(frozen=True)
class Settings:
    """Validated configuration (built from the Flask config by :meth:`from_config`)."""

    database: Path | PostgresUrl | None
    seed: int
    failed: int | None
    scenario: str
    success_rate: float | None
    max_attempts: int | None
    clock: Clock
    cors_origins: tuple[str, ...] | str | None
    max_content_length: int
    xml_newline: XmlNewline
    site_headers: tuple[Header, ...]
    control_token: str | None = field(default=None, repr=False)  # a secret: never shown

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Validate every key; raises :class:`SettingsError` naming the first bad one."""
        return cls(
            database=_database(config["DATABASE"]),
            seed=_integer(config, "SEED", minimum=None),
            failed=_optional_integer(config, "FAILED", minimum=0, maximum=MAX_FAILED),
            scenario=_scenario_name(config["SCENARIO"]),
            success_rate=_rate(config["SUCCESS_RATE"]),
            max_attempts=_optional_integer(config, "MAX_ATTEMPTS", minimum=1),
            clock=_clock(config["CLOCK"], config["TIMEZONE"]),
            cors_origins=_origins(config["CORS_ORIGINS"]),
            max_content_length=_integer(config, "MAX_CONTENT_LENGTH", minimum=0),
            xml_newline=_xml_newline(config["XML_NEWLINE"]),
            site_headers=_site_headers(config),
            control_token=_control_token(config.get("CONTROL_TOKEN")),
        )

    def start_scenario(self) -> Scenario:
        """The scenario the mock starts in and returns to on reset."""
        scenario = builtin_scenario(self.scenario)
        rates: dict[str, float] | None = None if self.success_rate is None else {}
        return scenario.with_options(
            seed=self.seed,
            failed=self.failed,
            max_attempts=self.max_attempts,
            default_success_rate=self.success_rate,
            success_rates=rates,
        )

    def failed_count(self, scenario: Scenario) -> int:
        """How many failed invoices ``scenario`` starts with."""
        if scenario.failed is not None:
            return scenario.failed
        return DEFAULT_FAILED if self.failed is None else self.failed


def _integer(
    config: Mapping[str, Any], key: str, *, minimum: int | None, maximum: int | None = None
) -> int:
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingsError(f"{key} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise SettingsError(f"{key} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{key} must be at most {maximum:,}, got {value:,}")
    return value


def _optional_integer(
    config: Mapping[str, Any], key: str, *, minimum: int, maximum: int | None = None
) -> int | None:
    if config[key] is None:
        return None
    return _integer(config, key, minimum=minimum, maximum=maximum)


def _database(value: Any) -> Path | PostgresUrl | None:
    if value is None or isinstance(value, PostgresUrl):
        return value
    if isinstance(value, str) and is_postgres_url(value):
        return PostgresUrl(value)
    if not isinstance(value, str | Path):
        raise SettingsError(f"DATABASE must be a file path, got {value!r}")
    path = Path(value)
    check_database(path)
    return path


def check_database(path: Path) -> None:
    """Refuse a database path SQLite could not open as a database.

    The path must be a new file in an existing directory, an empty file, or a SQLite 3
    database (its header says so). Raises :class:`SettingsError` naming the path and why.
    """
    if not path.parent.is_dir():
        raise SettingsError(f"DATABASE {path}: directory {path.parent} does not exist")
    if path.is_dir():
        raise SettingsError(f"DATABASE {path} is a directory, not a database file")
    if not path.exists():
        return
    if not path.is_file():
        raise SettingsError(f"DATABASE {path} is not a regular file")
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as error:
        raise SettingsError(f"DATABASE {path} cannot be read: {error.strerror}") from None
    # SQLite turns an empty file into a new database; anything else must be one already.
    if header and header != _SQLITE_HEADER:
        raise SettingsError(f"DATABASE {path} is not a SQLite database (it holds other data)")


def _scenario_name(value: Any) -> str:
    if value not in SCENARIO_NAMES:
        known = ", ".join(SCENARIO_NAMES)
        raise SettingsError(f"SCENARIO {value!r} is unknown; known scenarios: {known}")
    if value == "canned":
        raise SettingsError("SCENARIO 'canned' needs an envelope: set it with PUT /__mock/scenario")
    return str(value)


def _rate(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise SettingsError(f"SUCCESS_RATE must be a number from 0 to 1, got {value!r}")
    return float(value)


def _clock(frozen: Any, timezone: Any) -> Clock:
    try:
        offset = parse_utc_offset(str(timezone))
    except ValueError as error:
        raise SettingsError(f"TIMEZONE: {error}") from None
    if frozen is None or isinstance(frozen, NetDateTime):
        return Clock(offset, frozen)
    try:
        return Clock(offset, NetDateTime.parse(str(frozen)))
    except ValueError as error:
        raise SettingsError(f"CLOCK: {error}") from None


def _xml_newline(value: Any) -> XmlNewline:
    if isinstance(value, XmlNewline):
        return value
    try:
        return XmlNewline(value)
    except ValueError:
        known = ", ".join(repr(newline.value) for newline in XmlNewline)
        raise SettingsError(f"XML_NEWLINE must be one of {known}, got {value!r}") from None


_ORIGIN = re.compile(r"https?://[^/?#\s,]+\Z", re.IGNORECASE)


def _origins(value: Any) -> tuple[str, ...] | str | None:
    """None, ``"*"``, or the listed origins (``scheme://host[:port]``); an empty text is refused."""
    if value is None or value == "*":
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        origins = [origin.strip() for origin in value.split(",") if origin.strip()]
        if not origins:  # '' must not quietly mean any origin, nor loopback only
            raise SettingsError("CORS_ORIGINS is empty: list origins, or give '*' for any")
        value = origins
    if not isinstance(value, list | tuple) or not all(isinstance(o, str) for o in value):
        raise SettingsError(f"CORS_ORIGINS must be '*', None or a list of origins, got {value!r}")
    for origin in value:
        if not _ORIGIN.match(origin):
            raise SettingsError(
                f"CORS_ORIGINS: {origin!r} is not an origin (scheme://host[:port], no path"
                + (", and '*' only alone)" if "*" in origin or origin == "*" else ")")
            )
    return tuple(value)


def _control_token(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SettingsError("CONTROL_TOKEN must be a non-empty text or None")
    return value.strip()


def _site_headers(config: Mapping[str, Any]) -> tuple[Header, ...]:
    try:
        return site_headers(config)
    except ValueError as error:
        raise SettingsError(str(error)) from None
