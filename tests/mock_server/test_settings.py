"""Configuration the app factory refuses with SettingsError, naming the key, path and reason."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server import create_app
from mock_server.settings import SettingsError
from tests.mock_server.conftest import CORRUPT, REPO


def test_create_app_refuses_a_directory_as_database(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"is a directory, not a database file") as info:
        create_app({"DATABASE": tmp_path})
    assert str(tmp_path) in str(info.value)


def test_create_app_refuses_a_text_file_as_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    with pytest.raises(SettingsError, match=r"is not a SQLite database") as info:
        create_app({"DATABASE": notes})
    assert str(notes) in str(info.value)


def test_create_app_turns_a_corrupt_database_into_a_settings_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(CORRUPT)
    with pytest.raises(SettingsError, match=r"cannot be used as the mock's state") as info:
        create_app({"DATABASE": broken})
    assert str(broken) in str(info.value)
    assert not isinstance(info.value.__cause__, sqlite3.Error)


def test_create_app_refuses_a_database_in_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"does not exist"):
        create_app({"DATABASE": tmp_path / "missing" / "state.sqlite3"})


def test_create_app_accepts_an_empty_file_as_a_new_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    app = create_app({"DATABASE": empty, "FAILED": 3})
    assert app.test_client().get("/__mock/invoices").json["count"] == 3


def test_create_app_refuses_more_failed_invoices_than_the_limit(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"FAILED must be at most 100,000"):
        create_app({"DATABASE": tmp_path / "mock.sqlite3", "FAILED": 100_001})


MOCK_BAD_VALUES = {
    "port word": (["--port", "x"], "argument --port: expected a whole number, got 'x'"),
    "port range": (["--port", "70000"], "argument --port: must be a TCP port from 0 to 65535"),
    "workers zero": (["--workers", "0"], "argument --workers: must be 1 or more, got 0"),
    "threads word": (["--threads", "many"], "argument --threads: expected a whole number"),
    "failed negative": (["--failed", "-1"], "argument --failed: must be 0 or more, got -1"),
    "failed too many": (["--failed", "200001"], "--failed must be at most 100,000"),
    "seed word": (["--seed", "x"], "argument --seed: expected a whole number, got 'x'"),
    "scenario": (["--scenario", "nope"], "argument --scenario: invalid choice: 'nope'"),
    "rate word": (["--success-rate", "x"], "argument --success-rate: expected a number"),
    "rate NaN": (["--success-rate", "nan"], "argument --success-rate: must be a number from 0"),
    "rate range": (["--success-rate", "2"], "argument --success-rate: must be a number from 0"),
    "clock": (["--clock", "yesterday"], "--clock: 'yesterday' is not a .NET round-trip date"),
    "timezone": (["--timezone", "+25:00"], "--timezone: '+25:00' is not a valid UTC offset"),
    "db folder": (["--db", "/"], "--db / is a directory, not a database file"),
    "empty origins": (["--cors-origins", ""], "--cors-origins is empty"),
    "not an origin": (["--cors-origins", "ftp://x/y"], "'ftp://x/y' is not an origin"),
    "server": (["--server", "nginx"], "argument --server: invalid choice: 'nginx'"),
    "newline": (["--xml-newline", "cr"], "argument --xml-newline: invalid choice: 'cr'"),
    "token unset": (["--control-token-env", "NO_SUCH_VAR_Y"], "NO_SUCH_VAR_Y is not set"),
}


@pytest.mark.parametrize("args, message", MOCK_BAD_VALUES.values(), ids=MOCK_BAD_VALUES.keys())
def test_every_bad_mock_option_is_one_line_naming_it_and_exit_2(
    args: list[str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "--port", "0", *args],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("retry-mock: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
