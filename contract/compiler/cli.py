"""``python -m contract``: generate the artifacts from a help page, check or update them.

``diff OLD NEW`` compares two contracts, help pages or generated openapi.yaml
(:mod:`contract.compiler.diff`), and ``check --against OLD`` compares the committed help page with
an older one, on top of the artifact check.

Exit codes: 0 success; 1 ``check`` found committed artifacts that are out of date, or
``diff``/``check --against`` found a change that breaks or loses data for a client;
2 bad input (a help page that is missing, unreadable, contradicts itself or lacks what
the artifacts need) or a file that cannot be written, reported as one line on stderr
naming the file and, where it can, the section and line of the page.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from contract.compiler.diff import diff_contracts, exit_code, load_side, render
from contract.compiler.diff.report import FORMATS
from contract.compiler.generate import HELP_PAGE, check, default_root, generate, update
from contract.compiler.helppage import HelpPageError
from contract.compiler.resolve import ContractError

__all__ = ["main"]

EXIT_OK = 0
EXIT_OUT_OF_DATE = 1
EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    arguments = _parser().parse_args(argv)
    try:
        return int(arguments.run(arguments))
    except (HelpPageError, ContractError) as error:
        print(f"error: {error}", file=sys.stderr)
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
    except ValueError as error:
        # A safety net: every refusal should be one of the above, never a traceback.
        print(f"error: {error}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m contract",
        description="Generate the retry endpoint's contract artifacts from its help page.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    generate_command = commands.add_parser(
        "generate", help="write openapi.yaml, xsd/ and models.py for a help page"
    )
    generate_command.add_argument("help_page", type=Path, metavar="HELP_PAGE")
    generate_command.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory to write into"
    )
    generate_command.add_argument(
        "--clr-namespace",
        default=None,
        metavar="NAMESPACE",
        help=(
            "CLR namespace of the complex types the page names without one and no XML "
            "sample places (default: the one namespace the page's other types share, else "
            "the response type's)"
        ),
    )
    generate_command.set_defaults(run=_generate)
    for name, run, text in (
        ("check", _check, "exit 1 if the committed artifacts differ from a fresh generation"),
        ("update", _update, "regenerate the committed artifacts in place"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument(
            "--root",
            type=Path,
            default=None,
            metavar="DIR",
            help="repository root (default: the checkout this package was imported from)",
        )
        command.set_defaults(run=run)
        if name == "check":
            _add_against(command)
    _add_diff(commands)
    return parser


def _add_format(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: text)"
    )


def _add_against(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--against",
        type=Path,
        default=None,
        metavar="OLD_PAGE",
        help="also diff the committed help page against this older one (exit 1 if it breaks)",
    )
    _add_format(command)


def _add_diff(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "diff",
        help="classify every change between two contracts (help pages or openapi.yaml)"
        " for JSON and XML clients",
    )
    command.add_argument("old", type=Path, metavar="OLD")
    command.add_argument("new", type=Path, metavar="NEW")
    _add_format(command)
    command.set_defaults(run=_diff)


def _generate(arguments: argparse.Namespace) -> int:
    written = generate(arguments.help_page, arguments.out, clr_namespace=arguments.clr_namespace)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _diff(arguments: argparse.Namespace) -> int:
    return _run_diff(arguments.old, arguments.new, arguments.format)


def _run_diff(old: Path, new: Path, output_format: str) -> int:
    old_contract, new_contract = load_side(old), load_side(new)
    changes = diff_contracts(old_contract, new_contract)
    sys.stdout.write(render(changes, output_format))
    return exit_code(changes)


def _check(arguments: argparse.Namespace) -> int:
    root = arguments.root or default_root()
    code = EXIT_OK
    if arguments.against is not None:
        code = _run_diff(arguments.against, root / HELP_PAGE, arguments.format)
    problems = check(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run: python -m contract update", file=sys.stderr)
        return EXIT_OUT_OF_DATE
    against = arguments.against is not None
    print("generated artifacts are up to date", file=sys.stderr if against else sys.stdout)
    return code


def _update(arguments: argparse.Namespace) -> int:
    root = arguments.root or default_root()
    for path in update(root):
        print(f"wrote {path.relative_to(root)}")
    return EXIT_OK
