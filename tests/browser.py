"""What the browser tests share: Debian's headless Chromium, a page's recorded events,
screenshots under ``tests/artifacts/`` and the README's screenshots under ``docs/``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

__all__ = ["ARTIFACTS", "PageEvents", "headless_chromium", "save_docs_screenshot"]

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"


def headless_chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless (the sandbox needs a non-root user: we run as root).

    A generator for a module-scoped fixture: ``yield from headless_chromium()``.
    """
    chromium = shutil.which("chromium")
    assert chromium is not None, "no chromium on PATH: run scripts/install-browser"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@dataclass
class PageEvents:
    """A page, and what it did while open: console messages, errors, dialogs, requests."""

    page: Page
    console: list[ConsoleMessage] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def listen(self) -> None:
        """Record the page's events from now on (a dialog is recorded and dismissed)."""
        self.page.on("console", self.record)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dismiss)
        self.page.on("request", lambda request: self.requests.append(request.url))

    def record(self, message: ConsoleMessage) -> None:
        """Keep a console message (a bound method: Playwright cannot wrap list.append)."""
        self.console.append(message)

    def _dismiss(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot in tests/artifacts/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=path, full_page=True)
        return path


def save_docs_screenshot(screenshot: Path, name: str) -> None:
    """Copy a test's screenshot to ``docs/name``, the README's picture.

    A tracked file: rewritten only when missing or asked (``UPDATE_DOCS_SCREENSHOT=1``),
    since ports and times differ on every run.
    """
    target = REPO / "docs" / name
    if not target.exists() or os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1":
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, target)
