"""The whole conformance suite against the mock: wall time of a full run, as a user runs it.

The mock starts as ``python -m mock_server`` (default scenario ``partial``, 20 failed
invoices, 2 workers); the suite runs as ``python -m conformance run --base-url URL
--allow-side-effects --reset 'POST URL/__mock/reset'``, with and without Schemathesis'
checks. The time is the suite process's wall time, start to exit (interpreter start and
imports included); the mock is started before the clock starts. Target: under 30 s.

    .venv/bin/python -m bench.suite [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    BenchError,
    free_port,
    markdown_table,
    mock_command,
    record,
    run_main,
    running,
)

VARIANTS = {"full run": [], "--no-schemathesis": ["--no-schemathesis"]}


def run_suite(base_url: str, extra: list[str]) -> tuple[float, int, dict[str, int]]:
    """Wall seconds, exit code and the report's outcome counts of one suite run."""
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as directory:
        report = Path(directory) / "report.json"
        command = [
            sys.executable, "-m", "conformance", "run", "--base-url", base_url,
            "--allow-side-effects", "--reset", f"POST {base_url}/__mock/reset",
            "--quiet", "--json", str(report), *extra,
        ]  # fmt: skip
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if not report.exists():
            raise BenchError(f"the suite wrote no report (exit {completed.returncode}): "
                             f"{completed.stderr.strip()[-500:]}")  # fmt: skip
        return elapsed, completed.returncode, _outcomes(json.loads(report.read_text()))


def _outcomes(report: Any) -> dict[str, int]:
    """Rules per status in the suite's JSON report, and the POSTs it sent."""
    counts: dict[str, int] = {}
    for rule in report.get("rules", []):
        counts[f"rules {rule['status']}"] = counts.get(f"rules {rule['status']}", 0) + 1
    counts["POSTs sent"] = int(report.get("posts_sent", 0))
    return counts


def main() -> None:
    """Time each variant against a fresh mock and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant (best counts)")
    options = parser.parse_args()
    if options.repeat < 1:
        raise SystemExit("error: --repeat must be 1 or more")
    rows = []
    for name, extra in VARIANTS.items():
        port = free_port()
        command = mock_command(port, failed=20, workers=2, scenario="partial")
        with running(command, port) as server:
            runs = [run_suite(server.base_url, extra) for _ in range(options.repeat)]
        seconds, exit_code, outcomes = min(runs, key=lambda run: run[0])
        summary = ", ".join(f"{count} {outcome}" for outcome, count in outcomes.items())
        rows.append([name, f"{seconds:.1f}", exit_code, summary or "?"])
    record(
        "Conformance suite against the mock: wall time",
        markdown_table(["run", "wall s", "exit code", "checks"], rows),
        [
            "`python -m conformance run --base-url URL --allow-side-effects "
            "--reset 'POST URL/__mock/reset'` against `python -m mock_server` "
            "(scenario partial, 20 failed invoices, 2 workers); target under 30 s.",
            "Wall time of the suite process, interpreter start included; exit code 0 = "
            "the mock conforms.",
        ],
    )


if __name__ == "__main__":
    run_main(main)
