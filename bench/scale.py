"""Scale: one retry call over 1,000, 10,000 and 100,000 failed invoices, JSON and XML.

For each size a fresh mock (one worker, scenario ``all-failing``) is seeded with that many
failed invoices; each format's call is timed to the last byte by curl, ``--repeat``
times (every call retries all the invoices again; the best counts, as the machine's other
load only ever adds time), and the worker's peak resident memory (VmHWM) is read after
all calls. Targets: growth linear in the size; at 100,000 under 1 s per format and under
300 MB.

    .venv/bin/python -m bench.scale [--sizes 1000,10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from bench.common import (
    ROUTE,
    BenchError,
    free_port,
    item_count,
    markdown_table,
    mock_command,
    post,
    process_tree_peak_rss_kib,
    record,
    require_tool,
    run_main,
    running,
)

MEDIA_TYPES = ("application/json", "application/xml")


def time_to_last_byte(base_url: str, accept: str, expected_items: int) -> tuple[float, int]:
    """Seconds for one call to be read completely, and the body's size in bytes.

    curl times it (``time_total``): a client in C, as browsers are, whose own work does
    not compete with the mock for the two cores the way a Python client's parsing does.
    """
    curl = require_tool("curl", "run bench/setup.sh")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as directory:
        target = Path(directory) / "body"
        completed = subprocess.run(
            [curl, "-s", "-o", str(target), "-X", "POST", "-H", "Content-Length: 0",
             "-H", f"Accept: {accept}", "-w", "%{http_code} %{time_total}", base_url + ROUTE],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        status, _, seconds = completed.stdout.partition(" ")
        body = target.read_bytes() if target.exists() else b""
    items = item_count(body, accept)
    if completed.returncode != 0 or status != "200" or items != expected_items:
        problem = f"curl exit {completed.returncode}, status {status or 'none'}, {items} items"
        raise BenchError(f"{accept}: {problem}")
    return float(seconds), len(body)


def measure(size: int, repeat: int) -> list[list[object]]:
    """One table row per format for ``size`` failed invoices."""
    port = free_port()
    with running(mock_command(port, failed=size, workers=1), port, timeout=300) as server:
        post(server.base_url, "application/json")  # warm-up: imports, caches, page cache
        timings = {
            mt: min(time_to_last_byte(server.base_url, mt, size) for _ in range(repeat))
            for mt in MEDIA_TYPES
        }
        peak_mib = process_tree_peak_rss_kib(server.process.pid) / 1024
    return [
        [f"{size:,}", mt, f"{seconds:.3f}", f"{size_bytes / 1e6:.1f}", f"{peak_mib:.0f}"]
        for mt, (seconds, size_bytes) in timings.items()
    ]


def main() -> None:
    """Measure each size and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per format (best)")
    options = parser.parse_args()
    if options.repeat < 1:
        raise SystemExit("error: --repeat must be 1 or more")
    try:
        sizes = [int(size) for size in options.sizes.split(",")]
    except ValueError:
        raise SystemExit(f"error: --sizes must be integers, got {options.sizes!r}") from None
    rows = [row for size in sizes for row in measure(size, options.repeat)]
    headers = ["failed invoices", "Accept", "time to last byte s", "body MB", "peak RSS MiB"]
    record(
        f"Scale: one retry call (best of {options.repeat})",
        markdown_table(headers, rows),
        [
            "`python -m mock_server --workers 1 --scenario all-failing --failed N`; one warm-up "
            f"call, then {options.repeat} timed calls per format, the best shown (each call "
            "retries all N invoices), timed by curl (`time_total`).",
            "Peak RSS is the largest VmHWM among the mock's main process and its worker.",
        ],
    )


if __name__ == "__main__":
    run_main(main)
