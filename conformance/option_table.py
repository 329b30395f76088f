"""The suite's options, one table rendered into both the CLI and the pytest plugin.

Each :class:`OptionSpec` names an option once: ``--NAME`` on the command line and
``--conformance-NAME`` in pytest (the base URL is also ``--conformance-url``). Both
front ends parse nothing themselves: they collect raw strings and flags and hand them
to :func:`run_options`, which validates every value in one place and raises
:class:`~conformance.failures.OptionsError` naming the option. So a value that is wrong
on one front end is wrong, with the same message, on the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from conformance.failures import OptionsError
from conformance.options import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CALLS,
    DEFAULT_MAX_FAILURES_PER_RULE,
    DEFAULT_TIMEOUT,
    Settings,
    build_settings,
)

__all__ = ["OPTIONS", "OptionSpec", "Outputs", "RunOptions", "plugin_names", "run_options"]

Action = Literal["value", "flag", "append"]


@dataclass(frozen=True)
class OptionSpec:
    """One option: its long name (no dashes), help text, help group and how it is given."""

    name: str
    help: str
    group: str
    action: Action = "value"
    metavar: str | None = None
    required: bool = False

    @property
    def dest(self) -> str:
        """The key of its raw value (``max-calls`` -> ``max_calls``)."""
        return self.name.replace("-", "_")


_TARGET, _SAFETY, _AUTH, _CHECKS, _REPORTS = (
    "target",
    "safety",
    "authentication and TLS (values never appear in output)",
    "checks",
    "reports",
)

OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "base-url",
        "the service root, e.g. https://staging.example.com or https://host/BillingService"
        " for a virtual directory (without the route itself)",
        _TARGET,
        metavar="URL",
        required=True,
    ),
    OptionSpec(
        "reset",
        "request that puts the target into a known state before the checks that need one;"
        " a failed reset stops the run (exit 2)",
        _TARGET,
        metavar="'METHOD URL'",
    ),
    OptionSpec(
        "wait-for-target",
        "retry the first connection for up to SECONDS until the target answers"
        " (for a server that is still starting; default 0: no wait)",
        _TARGET,
        metavar="SECONDS",
    ),
    OptionSpec(
        "allow-side-effects",
        "allow POSTs to the route (they re-send real invoices)",
        _SAFETY,
        action="flag",
    ),
    OptionSpec(
        "max-calls",
        f"at most N POSTs to the route (default {DEFAULT_MAX_CALLS}; the order is in"
        " retry-conformance run --help)",
        _SAFETY,
        metavar="N",
    ),
    OptionSpec(
        "dry-run", "print every request that would be sent; send nothing", _SAFETY, action="flag"
    ),
    OptionSpec(
        "timeout",
        f"total seconds per request (default {DEFAULT_TIMEOUT:g})",
        _SAFETY,
        metavar="SECONDS",
    ),
    OptionSpec(
        "max-bytes",
        f"largest response body read (default {DEFAULT_MAX_BYTES})",
        _SAFETY,
        metavar="BYTES",
    ),
    OptionSpec(
        "header",
        "send this header on every request (repeatable)",
        _AUTH,
        action="append",
        metavar="'Name: value'",
    ),
    OptionSpec("bearer-token-env", "send Authorization: Bearer $VAR", _AUTH, metavar="VAR"),
    OptionSpec("basic-auth-env", "send basic auth from $VAR = user:password", _AUTH, metavar="VAR"),
    OptionSpec("ca-bundle", "CA certificates to trust", _AUTH, metavar="PATH"),
    OptionSpec("insecure", "do not verify TLS certificates", _AUTH, action="flag"),
    OptionSpec("client-cert", "client certificate (PEM with key)", _AUTH, metavar="PATH"),
    OptionSpec(
        "success-status",
        "Status of a sent invoice (default Sent; repeatable)",
        _CHECKS,
        action="append",
        metavar="STATUS",
    ),
    OptionSpec(
        "failed-status",
        "Status of a failed invoice (default Failed; repeatable)",
        _CHECKS,
        action="append",
        metavar="STATUS",
    ),
    OptionSpec("no-schemathesis", "skip Schemathesis' response checks", _CHECKS, action="flag"),
    OptionSpec(
        "strict",
        "a rule that did not run is a failure (exit 1): the run must prove every rule",
        _CHECKS,
        action="flag",
    ),
    OptionSpec(
        "max-failures-per-rule",
        "failures shown per rule, grouped by cause with a count"
        f" (default {DEFAULT_MAX_FAILURES_PER_RULE})",
        _REPORTS,
        metavar="N",
    ),
    OptionSpec("junit", "write a JUnit XML report", _REPORTS, metavar="PATH"),
    OptionSpec("json", "write a JSON report", _REPORTS, metavar="PATH"),
    OptionSpec(
        "html",
        "write a self-contained HTML report (one file, no network)",
        _REPORTS,
        metavar="PATH",
    ),
    OptionSpec("quiet", "no progress lines", _REPORTS, action="flag"),
)


def plugin_names(spec: OptionSpec) -> tuple[str, ...]:
    """The option's names in pytest: ``--conformance-NAME`` (and ``--conformance-url``)."""
    names = (f"--conformance-{spec.name}",)
    return ("--conformance-url", *names) if spec.name == "base-url" else names


@dataclass(frozen=True)
class Outputs:
    """Where the report goes besides the terminal, and whether progress lines show."""

    junit: Path | None = None
    json: Path | None = None
    html: Path | None = None
    quiet: bool = False


@dataclass(frozen=True)
class RunOptions:
    """Validated options: the suite's settings and the report outputs."""

    settings: Settings
    outputs: Outputs


def run_options(raw: Mapping[str, Any]) -> RunOptions:
    """Validate the raw values of :data:`OPTIONS` (keyed by ``dest``; strings, lists of
    strings, booleans or None) into settings and outputs."""
    base_url = raw.get("base_url")
    if not base_url:
        raise OptionsError("--base-url is required")
    settings = build_settings(
        base_url=base_url,
        headers=raw.get("header"),
        bearer_token_env=raw.get("bearer_token_env"),
        basic_auth_env=raw.get("basic_auth_env"),
        reset=raw.get("reset"),
        success_statuses=raw.get("success_status"),
        failed_statuses=raw.get("failed_status"),
        ca_bundle=raw.get("ca_bundle"),
        client_cert=raw.get("client_cert"),
        max_calls=raw.get("max_calls"),
        timeout=raw.get("timeout"),
        max_bytes=raw.get("max_bytes"),
        wait_for_target=raw.get("wait_for_target"),
        max_failures_per_rule=raw.get("max_failures_per_rule"),
        allow_side_effects=bool(raw.get("allow_side_effects")),
        dry_run=bool(raw.get("dry_run")),
        insecure=bool(raw.get("insecure")),
        strict=bool(raw.get("strict")),
        schemathesis=not raw.get("no_schemathesis"),
    )
    outputs = Outputs(
        junit=_path(raw.get("junit"), "--junit"),
        json=_path(raw.get("json"), "--json"),
        html=_path(raw.get("html"), "--html"),
        quiet=bool(raw.get("quiet")),
    )
    return RunOptions(settings, outputs)


def _path(text: str | None, option: str) -> Path | None:
    if text is None:
        return None
    path = Path(text)
    if not text.strip() or path.is_dir():
        raise OptionsError(f"{option} must name a file to write, got {text!r}")
    return path
