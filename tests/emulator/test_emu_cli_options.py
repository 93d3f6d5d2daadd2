"""CLI options added for the EKM settings and for supervisors: ``--ekm-check-timeout``, ``--ekm-job-delay`` and
``--stop-on-stdin-eof`` (the pytest plugin's tie to its child)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cli_process import alive, cli, emulator_args, kill_group, wait_gone
from mhsm_emulator.__main__ import build_parser, config_from_args


def test_ekm_settings_reach_the_configuration(tmp_path: Path) -> None:
    args = build_parser().parse_args(["--ekm-check-timeout", "2.5", "--ekm-job-delay", "0.25"])
    config = config_from_args(args, tmp_path)
    assert (config.ekm_check_timeout, config.ekm_job_delay) == (2.5, 0.25)
    defaults = config_from_args(build_parser().parse_args([]), tmp_path)
    assert (defaults.ekm_check_timeout, defaults.ekm_job_delay) == (10.0, 0.0)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--ekm-check-timeout", "0", "must be more than 0 and at most 300 seconds"),
        ("--ekm-check-timeout", "301", "must be more than 0 and at most 300 seconds"),
        ("--ekm-check-timeout", "soon", "invalid number of seconds 'soon'"),
        ("--ekm-job-delay", "-1", "must be between 0 and 3600 seconds"),
    ],
)
def test_invalid_ekm_values_are_one_line_usage_errors(option: str, value: str, message: str) -> None:
    result = subprocess.run(emulator_args(option, value), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr and option in result.stderr


def test_help_shows_the_ekm_defaults() -> None:
    shown = " ".join(subprocess.run(emulator_args("--help"), capture_output=True, text=True, timeout=60).stdout.split())
    assert "--ekm-check-timeout SECONDS" in shown and "EkmProxyTimeout (default: 10.0)" in shown
    assert "--ekm-job-delay SECONDS" in shown and "--stop-on-stdin-eof" in shown


def test_stops_when_its_stdin_pipe_closes() -> None:
    command = [sys.executable, "-m", "mhsm_emulator", "--database", ":memory:", "--stop-on-stdin-eof"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, text=True)
    try:
        assert process.stdout is not None and process.stdin is not None
        info = json.loads(process.stdout.readline())
        assert requests.get(info["ready_url"], timeout=30).status_code == 200
        assert alive(process.pid)
        process.stdin.close()  # what the kernel does when the supervisor holding the pipe dies
        assert process.wait(timeout=30) == 0
        assert not Path(info["data_dir"]).exists()  # a clean stop: its temporary data folder is gone
    finally:
        kill_group(process.pid)
        process.wait(timeout=30)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_without_the_option_stdin_does_not_matter() -> None:
    with cli(emulator_args("--database", ":memory:")) as emulator:  # stdin is /dev/null: at end of file at once
        info = json.loads(emulator.stdout.next())
        assert requests.get(info["ready_url"], timeout=30).status_code == 200
        assert alive(emulator.pid)
        emulator.signal(signal.SIGINT)
        assert emulator.wait() == 0
    assert wait_gone(emulator.pid)
