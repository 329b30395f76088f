"""``python -m conformance run`` / ``retry-conformance run``: check a target, print a report.

Exit codes: 0 conformant (for every rule that ran), 1 violations found, 2 could not run
(bad options, a contract that will not load, a target unreachable for every request).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from conformance.failures import ConformanceError
from conformance.options import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CALLS,
    DEFAULT_TIMEOUT,
    build_settings,
)
from conformance.output import render_terminal, write_json, write_junit
from conformance.plan import POST_PROBES, post_order
from conformance.report import EXIT_COULD_NOT_RUN
from conformance.runner import run_suite

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: the message names the option.
        self.exit(EXIT_COULD_NOT_RUN, f"{self.prog}: error: {message}\n")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _max_calls_help() -> str:
    order = "; ".join(f"{number}. {purpose}" for number, purpose in enumerate(post_order(), 1))
    return (
        f"at most N POSTs to the route (default {DEFAULT_MAX_CALLS}; {POST_PROBES} send the"
        f" whole plan). The budget is spent in this order: {order}. POSTs past N are not sent;"
        " their checks are reported not run: needs more than --max-calls=N POSTs"
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="retry-conformance",
        description="Check an implementation of the retry endpoint against its contract.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run the checks against a target")
    target = run.add_argument_group("target")
    target.add_argument(
        "--base-url", required=True, help="the service root, e.g. https://staging.example.com"
    )
    target.add_argument(
        "--reset",
        metavar="'METHOD URL'",
        help="request that puts the target into a known state (needed by cross/state checks)",
    )
    safety = run.add_argument_group("safety")
    safety.add_argument(
        "--allow-side-effects",
        action="store_true",
        help="allow POSTs to the route (they re-send real invoices)",
    )
    safety.add_argument(
        "--max-calls",
        type=_count,
        default=DEFAULT_MAX_CALLS,
        metavar="N",
        help=_max_calls_help(),
    )
    safety.add_argument(
        "--dry-run",
        action="store_true",
        help="print every request that would be sent; send nothing",
    )
    safety.add_argument(
        "--timeout",
        type=_positive_float,
        default=DEFAULT_TIMEOUT,
        help=f"total seconds per request (default {DEFAULT_TIMEOUT:g})",
    )
    safety.add_argument(
        "--max-bytes",
        type=_count,
        default=DEFAULT_MAX_BYTES,
        help=f"largest response body read (default {DEFAULT_MAX_BYTES})",
    )
    auth = run.add_argument_group("authentication and TLS (values never appear in output)")
    auth.add_argument(
        "--header",
        action="append",
        metavar="'Name: value'",
        help="send this header on every request (repeatable)",
    )
    auth.add_argument("--bearer-token-env", metavar="VAR", help="send Authorization: Bearer $VAR")
    auth.add_argument(
        "--basic-auth-env", metavar="VAR", help="send basic auth from $VAR = user:password"
    )
    auth.add_argument("--ca-bundle", metavar="PATH", help="CA certificates to trust")
    auth.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    auth.add_argument("--client-cert", metavar="PATH", help="client certificate (PEM with key)")
    checks = run.add_argument_group("checks and reports")
    checks.add_argument(
        "--success-status",
        action="append",
        metavar="STATUS",
        help="Status of a sent invoice (default Sent; repeatable)",
    )
    checks.add_argument(
        "--failed-status",
        action="append",
        metavar="STATUS",
        help="Status of a failed invoice (default Failed; repeatable)",
    )
    checks.add_argument(
        "--no-schemathesis", action="store_true", help="skip Schemathesis' response checks"
    )
    checks.add_argument("--junit", type=Path, metavar="PATH", help="write a JUnit XML report")
    checks.add_argument("--json", type=Path, metavar="PATH", help="write a JSON report")
    checks.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (also used by the console script)."""
    options = _parser().parse_args(argv)
    try:
        settings = build_settings(
            base_url=options.base_url,
            headers=options.header,
            bearer_token_env=options.bearer_token_env,
            basic_auth_env=options.basic_auth_env,
            reset=options.reset,
            success_statuses=options.success_status,
            failed_statuses=options.failed_status,
            ca_bundle=options.ca_bundle,
            client_cert=options.client_cert,
            allow_side_effects=options.allow_side_effects,
            max_calls=options.max_calls,
            dry_run=options.dry_run,
            timeout=options.timeout,
            max_bytes=options.max_bytes,
            insecure=options.insecure,
            schemathesis=not options.no_schemathesis,
        )
        progress = None if options.quiet else _print_progress
        report = run_suite(settings, progress=progress)
        if options.junit:
            write_junit(report, options.junit)
        if options.json:
            write_json(report, options.json)
    except (ConformanceError, OSError) as error:
        print(f"retry-conformance: error: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    try:
        print(render_terminal(report, requests=options.quiet))
    except BrokenPipeError:  # the reader (| head) went away: the exit code still counts
        sys.stderr.close()
    return report.exit_code


def _print_progress(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
