"""``python -m mhsm_emulator.azurite``: prints where Azurite listens (and a container with its SAS); SIGTERM and
SIGINT stop its node child too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone as far as serving goes.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(part) for part in path.read_text().split()] if path.exists() else []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_its_endpoint_and_stops_the_child(tmp_path: Path, signum: int) -> None:
    children: list[int] = []
    process = subprocess.Popen(
        [sys.executable, "-m", "mhsm_emulator.azurite", "--location", str(tmp_path / "azurite")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        account_url = process.stdout.readline().strip().removeprefix("Azurite blob service: ")
        connection = process.stdout.readline().strip()
        assert account_url.startswith("http://127.0.0.1:") and account_url.endswith("/devstoreaccount1")
        assert connection.startswith("AZURE_STORAGE_CONNECTION_STRING=")
        assert f"BlobEndpoint={account_url};" in connection
        container_url = process.stdout.readline().strip().removeprefix("BLOB_CONTAINER_URL=")
        sas = process.stdout.readline().strip().removeprefix("BLOB_SAS_TOKEN=")
        assert container_url == account_url + "/backups"
        listing = requests.get(f"{container_url}?restype=container&comp=list&{sas}", timeout=10)
        assert listing.status_code == 200, listing.text  # the container exists and the SAS lists it
        children = _children(process.pid)
        assert children  # the node process
    finally:
        process.send_signal(signum)
        status = process.wait(timeout=30)
        leftovers = [child for child in children if _alive(child)]
        for child in leftovers:  # do not leak a node process when the test fails
            os.kill(child, signal.SIGKILL)
    assert status == 0
    assert not leftovers


def test_cli_help_does_not_start_azurite() -> None:
    result = subprocess.run([sys.executable, "-m", "mhsm_emulator.azurite", "--help"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "--port" in result.stdout and "Azurite blob service" not in result.stdout
