"""``python -m conformance run`` / ``retry-conformance run``: check a target, print a report.

Exit codes: 0 conformant (for every rule that ran), 1 violations found, 2 could not run
(bad options, a contract that will not load, a target unreachable for every request).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from conformance.failures import ConformanceError
from conformance.option_table import OPTIONS, run_options
from conformance.options import DEFAULT_MAX_CALLS
from conformance.output import render_terminal, write_reports
from conformance.plan import POST_PROBES, post_order
from conformance.report import EXIT_COULD_NOT_RUN
from conformance.runner import run_suite

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: the message names the option.
        self.exit(EXIT_COULD_NOT_RUN, f"{self.prog}: error: {message}\n")


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
    groups: dict[str, argparse._ArgumentGroup] = {}
    for spec in OPTIONS:
        group = groups.setdefault(spec.group, run.add_argument_group(spec.group))
        help_text = _max_calls_help() if spec.name == "max-calls" else spec.help
        if spec.action == "flag":
            group.add_argument(f"--{spec.name}", action="store_true", help=help_text)
        else:
            action = "append" if spec.action == "append" else "store"
            group.add_argument(
                f"--{spec.name}", action=action, metavar=spec.metavar, help=help_text
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (also used by the console script)."""
    raw = vars(_parser().parse_args(argv))
    try:
        options = run_options(raw)
        progress = None if options.outputs.quiet else _print_progress
        report = run_suite(options.settings, progress=progress)
        write_reports(report, options.outputs)
    except (ConformanceError, OSError) as error:
        print(f"retry-conformance: error: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    try:
        print(render_terminal(report, requests=options.outputs.quiet))
    except BrokenPipeError:  # the reader (| head) went away: the exit code still counts
        sys.stderr.close()
    return report.exit_code


def _print_progress(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
