"""What every benchmark shares: starting servers on loopback, reading memory, recording results.

Each benchmark prints a Markdown table and appends it, with the machine and the date, to
bench/RESULTS.md. Servers bind to 127.0.0.1 on free ports and are always stopped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"
ROUTE = "/api/v1/billing/invoices/retryallfailed"


class BenchError(RuntimeError):
    """A benchmark could not run (a tool is missing, a server did not start)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Block until something accepts connections on ``port``, or fail naming the process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{process.args!r} exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise BenchError(f"nothing listened on port {port} within {timeout} s")


@dataclass
class Server:
    """A server process started for a benchmark."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def running(command: Sequence[str], port: int, *, timeout: float = 60.0) -> Iterator[Server]:
    """Run ``command`` (which must listen on ``port``) for the duration of the block."""
    process = subprocess.Popen(
        list(command),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_listening(port, process, timeout)
        yield Server(process, port)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def mock_command(
    port: int,
    *,
    failed: int,
    workers: int,
    scenario: str = "all-failing",
    threads: int | None = None,
) -> list[str]:
    """The command line that starts our mock the way a user would (``threads``: granian's
    Python threads per worker, the mock's default when None)."""
    command = [
        sys.executable, "-m", "mock_server", "--port", str(port), "--workers", str(workers),
        "--scenario", scenario, "--failed", str(failed), "--seed", "1",
    ]  # fmt: skip
    return command if threads is None else [*command, "--threads", str(threads)]


def post(base_url: str, accept: str, *, timeout: float = 120.0) -> httpx.Response:
    """One call of the retry endpoint."""
    return httpx.post(base_url + ROUTE, headers={"Accept": accept}, timeout=timeout)


def item_count(body: bytes, media_type: str) -> int:
    """How many invoices a retry body holds, counted by their ``InvoiceId`` member.

    A quoted member name in JSON; an open and a close tag in XML.
    """
    if "xml" in media_type:
        return body.count(b"InvoiceId>") // 2
    return body.count(b'"InvoiceId"')


def process_tree_peak_rss_kib(pid: int) -> int:
    """Largest peak resident set (VmHWM) among ``pid`` and its children, in KiB (Linux)."""
    peaks = []
    for candidate in [pid, *_children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]))
    if not peaks:
        raise BenchError(f"cannot read the memory of process {pid} (needs Linux /proc)")
    return max(peaks)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            for child in map(int, children):
                found += [child, *_children(child)]
    return found


def run_main(main: Callable[[], None]) -> None:
    """Run a benchmark's ``main``; a BenchError ends it with one line, not a traceback."""
    try:
        main()
    except BenchError as error:
        raise SystemExit(f"error: {error}") from None


def require_tool(name: str, hint: str) -> str:
    """The path of an executable, or a BenchError saying how to install it."""
    path = shutil.which(name)
    if path is None:
        raise BenchError(f"{name} is not installed: {hint}")
    return path


def machine_line() -> str:
    """One line naming the machine the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    # Other work on the machine moves every number: say how busy it was.
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}{load}"
    )


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def record(title: str, table: str, notes: Sequence[str] = ()) -> None:
    """Print the table and append it, dated and with the machine, to bench/RESULTS.md."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = [f"## {title} — {stamp}", "", f"Machine: {machine_line()}", "", table, ""]
    block += [f"- {note}" for note in notes]
    text = "\n".join(block).rstrip() + "\n\n"
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nNewest last; each run appends its table.\n\n")
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(text)
