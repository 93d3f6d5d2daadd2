"""One emulator per data folder: a second one (CLI or in process) is refused with a one-line error naming the owner,
the first one's work (a running backup included) is unaffected, and a stopped or SIGKILLed owner frees the folder."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from cli_process import cli, emulator_args
from emu_helpers import Api
from mhsm_emulator import run_emulator
from mhsm_emulator.azurite import Azurite
from mhsm_emulator.datadir_lock import LOCK_FILE, DataDirInUseError
from reliability_ledger import ledger

SETTING = "/settings/AllowKeyManagementOperationsThroughARM"


def _refused_cli(data_dir: Path) -> str:
    """Run a second CLI on ``data_dir``; it must exit 2 with one line on stderr (returned)."""
    with cli(emulator_args("--data-dir", str(data_dir))) as second:
        status = second.wait(timeout=60)
        out, err = second.stdout.rest(), second.stderr.rest()
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_in_process_second_instance_is_refused_then_allowed_after_stop(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with run_emulator(data_dir=data_dir) as first:
        assert Api(first).patch(SETTING, json={"value": "true"}).status_code == 200
        with pytest.raises(DataDirInUseError) as info, run_emulator(data_dir=data_dir):
            pytest.fail("a second emulator started on the same data folder")
        message = str(info.value)
        assert f"pid {os.getpid()}" in message and first.vault_url in message and "--data-dir" in message
        assert info.value.owner["port"] == first.port
        assert Api(first).get(SETTING).json()["value"] == "true"  # the first one still serves
        owner = json.loads((data_dir / LOCK_FILE).read_text())
        assert owner["pid"] == os.getpid() and owner["vault_url"] == first.vault_url and "started" in owner
    with run_emulator(data_dir=data_dir) as again:  # released at stop
        assert Api(again).get(SETTING).json()["value"] == "true"


def test_cli_second_instance_is_refused_and_a_sigkilled_owner_frees_the_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with cli(emulator_args("--data-dir", str(data_dir))) as first:
        info = json.loads(first.stdout.next())
        err = _refused_cli(data_dir)
        assert f"pid {first.pid}" in err and info["vault_url"] in err and "in use by another emulator" in err
        with pytest.raises(DataDirInUseError), run_emulator(data_dir=data_dir):  # across processes too
            pytest.fail("an in-process emulator started on a folder the CLI holds")
        assert first.process.poll() is None  # untouched
        os.kill(first.pid, signal.SIGKILL)  # no clean-up: the kernel drops the flock
        first.wait()
    with cli(emulator_args("--data-dir", str(data_dir))) as third:
        restarted = json.loads(third.stdout.next())
        assert restarted["identity_header"] == info["identity_header"]  # the same folder, now its own
        ledger.add("kill9_cycles")
        third.signal(signal.SIGTERM)
        assert third.wait() == 0


def _wait_job(api: Api, status_url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job = api.get(status_url, api_version=None).json()
        if job["status"] != "InProgress" or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.2)


def test_a_running_backup_of_the_first_instance_is_unaffected(tmp_path: Path, azurite: Azurite) -> None:
    data_dir = tmp_path / "data"
    container = azurite.create_container("lockedbackup")
    with run_emulator(data_dir=data_dir, backup_job_delay=3.0) as first:
        api = Api(first)
        started = api.request("POST", "/backup", json={"storageResourceUri": container,
                                                       "token": azurite.container_sas("lockedbackup")})
        assert started.status_code == 202, started.text
        status_url = started.headers["Azure-AsyncOperation"]
        assert api.get(status_url, api_version=None).json()["status"] == "InProgress"
        _refused_cli(data_dir)  # a second CLI while the job runs...
        with pytest.raises(DataDirInUseError), run_emulator(data_dir=data_dir):  # ...and a second in-process one
            pytest.fail("a second emulator started during the backup")
        job = _wait_job(api, status_url)
    assert job["status"] == "Succeeded", job  # not OperationInterrupted
    assert job["azureStorageBlobContainerUri"].startswith(container)
