"""Startup failures of the CLI: one clear line on stderr (what failed, how to fix it), exit status 2, no traceback;
the same failures in process raise :class:`StartupError` with the same message."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_process import cli, emulator_args
from mhsm_emulator import run_emulator
from mhsm_emulator.startup import StartupError


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _unwritable_folder(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # root writes anywhere a mode allows nothing; sysfs refuses new files even to root
        return Path("/sys/kernel")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


def _failure(args: list[str], cwd: Path) -> str:
    with cli(emulator_args(*args), cwd=cwd) as process:
        status = process.wait(timeout=60)
        out, err = process.stdout.rest(), process.stderr.rest()
    assert status == 2, (status, err)
    assert out == ""
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("mhsm-emulator: error: ")
    return err


CASES: dict[str, tuple[Callable[[Path, int], list[str]], tuple[str, ...]]] = {
    "vault port in use": (lambda tmp, port: ["--data-dir", "d", "--port", str(port)],
                          ("vault port", "already in use", "--port 0")),
    "identity port in use": (lambda tmp, port: ["--data-dir", "d", "--identity-port", str(port)],
                             ("identity endpoint port", "already in use", "--identity-port")),
    "data dir is a file": (lambda tmp, port: ["--data-dir", "a-file"], ("is a file, not a folder", "--data-dir")),
    "data dir under a file": (lambda tmp, port: ["--data-dir", "a-file/data"],
                              ("cannot create the data folder", "is a file", "--data-dir")),
    "data dir not writable": (lambda tmp, port: ["--data-dir", str(_unwritable_folder(tmp))],
                              ("is not writable", "--data-dir")),
    "database folder missing": (lambda tmp, port: ["--data-dir", "d", "--database", "missing/state.db"],
                                ("does not exist", "--database")),
    "database is a folder": (lambda tmp, port: ["--data-dir", "d", "--database", "d"], ("is a folder", "--database")),
    "database not sqlite": (lambda tmp, port: ["--data-dir", "d", "--database", "a-file"],
                            ("cannot open the database", "file is not a database", "--database")),
    "port out of range": (lambda tmp, port: ["--port", "70000"], ("--port", "not a TCP port")),
    "port not a number": (lambda tmp, port: ["--identity-port", "http"], ("--identity-port", "invalid port")),
    "zero timeout": (lambda tmp, port: ["--header-timeout", "0"], ("--header-timeout", "more than 0")),
    "bad connection limit": (lambda tmp, port: ["--max-connections", "-1"], ("--max-connections", "at least 1")),
    "page size": (lambda tmp, port: ["--page-size", "0"], ("--page-size", "at least 1")),
    "error rate": (lambda tmp, port: ["--error-rate", "2"], ("--error-rate",)),
    "log level": (lambda tmp, port: ["--log-level", "loud"], ("--log-level", "invalid choice")),
    "unknown option": (lambda tmp, port: ["--colour"], ("unrecognized arguments: --colour",)),
    "azurite with a connection string": (
        lambda tmp, port: ["--with-azurite", "--storage-connection-string", "x"], ("--with-azurite",)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_startup_failure_is_one_line_and_status_2(case: str, tmp_path: Path, taken_port: int) -> None:
    (tmp_path / "a-file").write_text("not a database, not a folder")
    make_args, phrases = CASES[case]
    err = _failure(make_args(tmp_path, taken_port), tmp_path)
    for phrase in phrases:
        assert phrase in err, err


def test_lock_held_is_one_line_and_status_2(tmp_path: Path) -> None:
    with run_emulator(data_dir=tmp_path / "d"):
        err = _failure(["--data-dir", "d"], tmp_path)
    assert "is in use by another emulator" in err and f"pid {os.getpid()}" in err


def test_in_process_failures_raise_startup_error(tmp_path: Path, taken_port: int) -> None:
    (tmp_path / "a-file").write_text("not a database, not a folder")
    with pytest.raises(StartupError, match=r"vault port .* already in use"), run_emulator(port=taken_port):
        pytest.fail("started on a port in use")
    with pytest.raises(StartupError, match="is a file, not a folder"), run_emulator(data_dir=tmp_path / "a-file"):
        pytest.fail("started in a file")
    with pytest.raises(StartupError, match="cannot open the database"), run_emulator(
        data_dir=tmp_path / "d", database=str(tmp_path / "a-file")
    ):
        pytest.fail("started on a file that is not a database")
    with run_emulator(data_dir=tmp_path / "d") as emulator:  # every failure released the folder and ports
        assert emulator.port != taken_port
