"""The whole conformance suite against the mock: wall time of a full run, as a user runs it.

The mock starts as ``python -m mock_server`` (default scenario ``partial``, 20 failed
invoices, 2 workers); the suite runs as ``python -m conformance run --base-url URL
--allow-side-effects --reset 'POST URL/__mock/reset'``, with and without Schemathesis'
checks. The time is the suite process's wall time, start to exit (interpreter start and
imports included); the mock is started before the clock starts. Target: under 30 s.

With ``--large``, one run instead against a mock holding 100,000 failed invoices
(``--workers 1 --scenario partial --failed 100000``), all 11 POSTs (``--max-calls 11``,
``--max-bytes`` 200 MB, ``--timeout 120``): wall time and peak RSS of the suite process,
its CPU time, and how long the mock took to answer (the sum of the report's request
times). Target: under 5 s and under 400 MB.

    .venv/bin/python -m bench.suite [--repeat 1] [--large]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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
LARGE_FAILED = 100_000
LARGE_OPTIONS = ["--max-calls", "11", "--max-bytes", "200000000", "--timeout", "120"]
LARGE_HEADERS = [
    "run", "wall s", "peak RSS MiB", "suite CPU s", "mock answering s", "wall - mock s",
    "exit code", "checks",
]  # fmt: skip


@dataclass(frozen=True)
class SuiteRun:
    """One suite process: wall and CPU seconds, peak RSS, exit code, its JSON report."""

    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    exit_code: int
    report: Any


def run_suite(base_url: str, extra: list[str]) -> SuiteRun:
    """Run the suite once as a user does, and measure its process."""
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as directory:
        report = Path(directory) / "report.json"
        command = [
            sys.executable, "-m", "conformance", "run", "--base-url", base_url,
            "--allow-side-effects", "--reset", f"POST {base_url}/__mock/reset",
            "--quiet", "--json", str(report), *extra,
        ]  # fmt: skip
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        assert process.stderr is not None
        stderr = process.stderr.read()
        # wait4: the resource use of this child alone (ru_maxrss in KiB on Linux).
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if not report.exists():
            raise BenchError(f"the suite wrote no report (exit {process.returncode}): "
                             f"{stderr.decode(errors='replace').strip()[-500:]}")  # fmt: skip
        cpu = usage.ru_utime + usage.ru_stime
        return SuiteRun(
            elapsed, cpu, usage.ru_maxrss / 1024, process.returncode, json.loads(report.read_text())
        )


def _outcomes(report: Any) -> dict[str, int]:
    """Rules per status in the suite's JSON report, and the POSTs it sent."""
    counts: dict[str, int] = {}
    for rule in report.get("rules", []):
        counts[f"rules {rule['status']}"] = counts.get(f"rules {rule['status']}", 0) + 1
    counts["POSTs sent"] = int(report.get("posts_sent", 0))
    return counts


def _summary(report: Any) -> str:
    outcomes = _outcomes(report)
    return ", ".join(f"{count} {outcome}" for outcome, count in outcomes.items()) or "?"


def _target_seconds(report: Any) -> float:
    """How long the target took to answer every request of the run (resets included)."""
    return sum(entry.get("milliseconds") or 0.0 for entry in report.get("requests", [])) / 1000


def main() -> None:
    """Time each variant against a fresh mock and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant (best counts)")
    parser.add_argument(
        "--large", action="store_true", help=f"one run against {LARGE_FAILED:,} failed invoices"
    )
    options = parser.parse_args()
    if options.repeat < 1:
        raise SystemExit("error: --repeat must be 1 or more")
    if options.large:
        _large(options.repeat)
    else:
        _small(options.repeat)


def _small(repeat: int) -> None:
    rows = []
    for name, extra in VARIANTS.items():
        port = free_port()
        command = mock_command(port, failed=20, workers=2, scenario="partial")
        with running(command, port) as server:
            runs = [run_suite(server.base_url, extra) for _ in range(repeat)]
        best = min(runs, key=lambda run: run.seconds)
        rows.append([name, f"{best.seconds:.1f}", best.exit_code, _summary(best.report)])
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


def _large(repeat: int) -> None:
    rows = []
    for attempt in range(1, repeat + 1):
        port = free_port()  # a fresh mock per run: every run starts from the same state
        command = mock_command(port, failed=LARGE_FAILED, workers=1, scenario="partial")
        with running(command, port, timeout=300) as server:
            run = run_suite(server.base_url, LARGE_OPTIONS)
        target = _target_seconds(run.report)
        rows.append([
            attempt, f"{run.seconds:.1f}", f"{run.peak_rss_mib:.0f}", f"{run.cpu_seconds:.1f}",
            f"{target:.1f}", f"{run.seconds - target:.1f}", run.exit_code, _summary(run.report),
        ])  # fmt: skip
    record(
        f"Conformance suite against {LARGE_FAILED:,} failed invoices: wall time and memory",
        markdown_table(LARGE_HEADERS, rows),
        [
            "`python -m conformance run --base-url URL --allow-side-effects --max-calls 11 "
            "--reset 'POST URL/__mock/reset' --max-bytes 200000000 --timeout 120` against "
            f"`python -m mock_server --workers 1 --scenario partial --failed {LARGE_FAILED}`; "
            "target under 5 s wall and under 400 MB peak RSS of the suite process.",
            "Peak RSS and CPU time of the suite process alone (wait4); mock answering = the "
            "sum of the report's request times (2 resets, 11 POSTs, the rest), the part of "
            "the wall time the mock spends.",
        ],
    )


if __name__ == "__main__":
    run_main(main)
