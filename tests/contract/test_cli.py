"""``python -m contract`` through its real entry point, and the artifacts API behind it."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import contract.compiler.generate as generation
from contract.artifacts import help_page_files, load_contract, openapi_text, xsd_files
from contract.compiler import cli
from contract.compiler.generate import check, committed_files, render_all
from contract.compiler.resolve import ContractError
from tests.expected_contract import expected_retry_contract

REPO = Path(__file__).parents[2]
HELP_PAGE = REPO / "contract" / "source" / "retryallfailed.txt"
_COMMITTED = ("openapi.yaml", "contract/models.py", "contract/generated", "contract/source")


def _run(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contract", *map(str, arguments)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The committed artifacts and their help page, copied to a scratch repository."""
    for relative in _COMMITTED:
        source, target = REPO / relative, tmp_path / relative
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return tmp_path


def test_generate_writes_openapi_xsds_and_models_for_a_help_page(tmp_path: Path) -> None:
    result = _run("generate", HELP_PAGE, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    expected = render_all(HELP_PAGE)
    assert {"openapi.yaml", "xsd/response.xsd", "models.py"} <= expected.keys()
    for relative, data in expected.items():
        assert (tmp_path / "out" / relative).read_bytes() == data, relative
        assert f"wrote {tmp_path / 'out' / relative}" in result.stdout


def test_check_passes_on_the_repository_as_committed() -> None:
    result = _run("check")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_check_names_every_modified_missing_and_stale_file_then_update_fixes_them(
    repo_copy: Path,
) -> None:
    (repo_copy / "openapi.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    (repo_copy / "contract/generated/xsd/response.xsd").unlink()
    (repo_copy / "contract/generated/xsd/old.xsd").write_bytes(b"<x/>")
    result = _run("check", "--root", repo_copy)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "openapi.yaml: differs from a fresh generation",
        "contract/generated/xsd/response.xsd: missing",
        "contract/generated/xsd/old.xsd: not generated any more",
        "run: python -m contract update",
    ]
    updated = _run("update", "--root", repo_copy)
    assert updated.returncode == 0, updated.stderr
    assert "wrote openapi.yaml" in updated.stdout.splitlines()
    assert not (repo_copy / "contract/generated/xsd/old.xsd").exists()
    assert _run("check", "--root", repo_copy).returncode == 0


def test_check_reports_an_edited_models_module(repo_copy: Path) -> None:
    models = repo_copy / "contract/models.py"
    models.write_text(models.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert check(repo_copy) == ["contract/models.py: differs from a fresh generation"]


def test_check_names_a_stale_contract_json_and_missing_help_pages(repo_copy: Path) -> None:
    resolved = repo_copy / "contract/generated/contract.json"
    resolved.write_text(resolved.read_text(encoding="utf-8").replace("Ids", "Id"), encoding="utf-8")
    (repo_copy / "contract/generated/help/Index.html").unlink()
    result = _run("check", "--root", repo_copy)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "contract/generated/contract.json: differs from a fresh generation",
        "contract/generated/help/Index.html: missing",
    ]
    assert _run("update", "--root", repo_copy).returncode == 0
    assert check(repo_copy) == []


def test_check_names_a_missing_contract_json(repo_copy: Path) -> None:
    (repo_copy / "contract/generated/contract.json").unlink()
    assert check(repo_copy) == ["contract/generated/contract.json: missing"]


def test_generate_missing_help_page_exits_2_with_the_reader_message(tmp_path: Path) -> None:
    result = _run("generate", tmp_path / "absent.txt", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'absent.txt'}:0: in section 'file': no such file\n"
    assert not (tmp_path / "out").exists()


def test_generate_unreadable_and_contradictory_pages_exit_2_without_traceback(
    tmp_path: Path,
) -> None:
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"\xff\xfe not a page")
    contradictory = tmp_path / "page.txt"
    contradictory.write_text(
        HELP_PAGE.read_text(encoding="utf-8").replace("8ZwS41wm", "XXXXXXXX"), encoding="utf-8"
    )
    for page, reason in (
        (garbage, "is not UTF-8"),
        (contradictory, "the XML sample's root element is"),
    ):
        result = _run("generate", page, "--out", tmp_path / "out")
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {page}") and reason in result.stderr
        assert "Traceback" not in result.stderr


def test_check_root_without_the_help_page_exits_2(tmp_path: Path) -> None:
    result = _run("check", "--root", tmp_path)
    assert result.returncode == 2
    assert "retryallfailed.txt:0: in section 'file': no such file" in result.stderr


def test_command_is_required() -> None:
    result = _run()
    assert result.returncode == 2 and "usage: python -m contract" in result.stderr


# -- the artifacts API ----------------------------------------------------------------------


def test_committed_files_put_openapi_at_the_root_and_in_the_package() -> None:
    rendered = {
        "openapi.yaml": b"a",
        "xsd/response.xsd": b"b",
        "models.py": b"c",
        "contract.json": b"d",
        "help/Index.html": b"e",
    }
    assert committed_files(rendered) == {
        "openapi.yaml": b"a",
        "contract/generated/openapi.yaml": b"a",
        "contract/generated/xsd/response.xsd": b"b",
        "contract/models.py": b"c",
        "contract/generated/contract.json": b"d",
        "contract/generated/help/Index.html": b"e",
    }


def test_package_data_readers_return_the_committed_files() -> None:
    assert openapi_text() == (REPO / "openapi.yaml").read_text(encoding="utf-8")
    on_disk = {
        path.relative_to(REPO / "contract/generated/xsd").as_posix(): path.read_bytes()
        for path in (REPO / "contract/generated/xsd").rglob("*.xsd")
    }
    assert xsd_files() == on_disk
    assert "response.xsd" in on_disk
    assert set(help_page_files()) == {
        "Index.html",
        "Api/POST-api-v1-billing-invoices-retryallfailed.html",
    }


def test_load_contract_reads_the_bundled_contract_once() -> None:
    contract = load_contract()
    assert dataclasses.replace(contract, samples=()) == expected_retry_contract()
    assert load_contract() is contract


def test_render_all_turns_an_emitters_refusal_into_a_contract_error_naming_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(contract: object) -> dict[str, bytes]:
        raise ValueError("two types share the component name 'X'")

    monkeypatch.setattr(generation, "render_contract", refuse)
    with pytest.raises(ContractError) as raised:
        render_all(HELP_PAGE)
    assert str(raised.value) == f"{HELP_PAGE}: two types share the component name 'X'"


def test_main_reports_any_value_error_as_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken(*arguments: object, **options: object) -> list[Path]:
        raise ValueError("an emitter cannot represent this")

    monkeypatch.setattr(cli, "generate", broken)
    assert cli.main(["generate", str(HELP_PAGE), "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "error: an emitter cannot represent this\n"
