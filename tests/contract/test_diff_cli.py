"""``python -m contract diff`` and ``check --against``: exit codes and report formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contract.compiler import cli

REPO = Path(__file__).parents[2]
PAGES = Path(__file__).parent / "diff_pages"
BASE = PAGES / "base.txt"
HELP_PAGE = REPO / "contract" / "source" / "retryallfailed.txt"


def _main(capsys: pytest.CaptureFixture[str], *arguments: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(argument) for argument in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_entry_point_exits_0_for_identical_pages() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "contract", "diff", str(BASE), str(BASE)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0 change(s); Json.NET compatible, DataContractSerializer compatible\n"


def test_the_entry_point_exits_1_for_a_breaking_change() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "contract", "diff", str(BASE), str(PAGES / "route-changed.txt")],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("route-changed /api/v1/billing/invoices/retryallfailed: ")


def test_a_lossy_change_fails_the_gate_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "diff", BASE, PAGES / "member-removed.txt")
    assert code == 1
    assert "  Json.NET: lossy: Json.NET leaves a missing member at its default" in out


def test_a_compatible_change_passes_the_gate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "diff", BASE, PAGES / "member-added.txt")
    assert code == 0
    assert out.splitlines()[0] == "member-added InvoiceSendingStatusVo.Channel: + String"


def test_text_names_the_change_and_each_clients_class(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "diff", BASE, PAGES / "member-case-renamed.txt")
    assert code == 1
    assert out.splitlines() == [
        "member-case-renamed RestApiLink.HRef: HRef -> Href",
        "  Json.NET: compatible: Json.NET matches member names case-insensitively",
        "  DataContractSerializer: lossy: names match case-sensitively: element skipped, "
        "member left default",
        "1 change(s); Json.NET compatible, DataContractSerializer lossy",
    ]


def test_json_lists_each_change_with_both_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "diff", BASE, PAGES / "item-namespace.txt", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert (document["json"], document["xml"], document["level"]) == (
        "compatible",
        "breaking",
        "breaking",
    )
    namespace = document["changes"][2]
    assert namespace["kind"] == "contract-namespace-changed"
    assert namespace["where"] == "InvoiceSendingStatusVo"
    assert namespace["new"].endswith("/Com.Healthbridge.Hhas.Billing.Contracts")
    assert namespace["xml"]["level"] == "breaking" and namespace["xml"]["reason"]


def test_markdown_has_a_table_per_client(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "diff", BASE, PAGES / "member-retyped.txt", "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "## Contract diff: breaking"
    assert "### Json.NET client: breaking" in lines
    assert "### DataContractSerializer client: breaking" in lines
    rows = [line for line in lines if line.startswith("| breaking | type-changed")]
    assert len(rows) == 2
    assert "Int32 -> String" in rows[0]


def test_markdown_says_when_nothing_changed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "diff", BASE, BASE, "--format", "markdown")
    assert code == 0
    assert out.count("No changes.") == 2


@pytest.mark.parametrize(
    ("old", "reason"),
    [
        (PAGES / "missing.txt", "no such file"),
        (REPO / "tests/contract/helppage/pages/put-setting.txt", "no model table for SettingKind"),
    ],
)
def test_a_page_that_cannot_be_compared_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], old: Path, reason: str
) -> None:
    code, out, err = _main(capsys, "diff", old, BASE)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: {old}") and reason in err


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The committed artifacts and their help page, copied to a scratch repository."""
    for relative in ("openapi.yaml", "contract/models.py", "contract/generated", "contract/source"):
        source, target = REPO / relative, tmp_path / relative
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return tmp_path


def test_check_against_the_same_page_passes(
    capsys: pytest.CaptureFixture[str], repo_copy: Path
) -> None:
    code, out, err = _main(capsys, "check", "--root", repo_copy, "--against", HELP_PAGE)
    assert code == 0, err
    assert "0 change(s)" in out and "up to date" in err


def test_check_against_an_older_page_fails_on_a_breaking_change(
    capsys: pytest.CaptureFixture[str], repo_copy: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.txt"
    text = HELP_PAGE.read_text(encoding="utf-8")
    old.write_text(text.replace("POST api/v1/", "POST api/v0/", 1), encoding="utf-8")
    code, out, _ = _main(capsys, "check", "--root", repo_copy, "--against", old, "--format", "json")
    assert code == 1
    assert [c["kind"] for c in json.loads(out)["changes"]] == ["route-changed"]


def test_check_against_still_reports_stale_artifacts(
    capsys: pytest.CaptureFixture[str], repo_copy: Path
) -> None:
    (repo_copy / "openapi.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    code, _, err = _main(capsys, "check", "--root", repo_copy, "--against", HELP_PAGE)
    assert code == 1
    assert "openapi.yaml: differs from a fresh generation" in err


def test_check_against_an_unreadable_page_exits_2(
    capsys: pytest.CaptureFixture[str], repo_copy: Path
) -> None:
    code, _, err = _main(capsys, "check", "--root", repo_copy, "--against", PAGES / "missing.txt")
    assert code == 2
    assert err.startswith(f"error: {PAGES / 'missing.txt'}")
