"""The OFFICIAL azure-keyvault-administration 4.7.2 and azure-keyvault-keys 4.11.3 back up and restore through the
emulator, with real blobs in Azurite (the venv and its builder are shared with ``test_official_sdk``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mhsm_emulator.azurite import Azurite
from test_official_sdk import ENV_KEYS, _ensure_venv

SCRIPT = Path(__file__).parent / "scripts" / "backup_official_roundtrip.py"


@pytest.fixture(scope="module")
def azurite_for_official() -> Iterator[Azurite]:
    with Azurite() as azurite:
        yield azurite


@pytest.fixture(scope="module")
def backup_emulator_process(
    tmp_path_factory: pytest.TempPathFactory, azurite_for_official: Azurite
) -> Iterator[dict[str, Any]]:
    data_dir = tmp_path_factory.mktemp("official-backup-emulator")
    env = dict(os.environ)
    env["MHSM_STORAGE_CONNECTION_STRING"] = azurite_for_official.connection_string
    process = subprocess.Popen(
        [sys.executable, "-m", "mhsm_emulator", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, "emulator printed no startup record"
        yield json.loads(line)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_official_backup_and_restore(backup_emulator_process: dict[str, Any], azurite_for_official: Azurite) -> None:
    official_python = _ensure_venv()
    container = "official-backups"
    env = {key: backup_emulator_process["env"][key] for key in ENV_KEYS}
    env.update(
        PATH=os.environ.get("PATH", "/usr/bin:/bin"),
        BACKUP_CONTAINER_URL=azurite_for_official.create_container(container),
        BACKUP_SAS_TOKEN=azurite_for_official.container_sas(container),
        BACKUP_PRINCIPAL_ID=backup_emulator_process["principal_id"],
    )
    result = subprocess.run([str(official_python), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "ALL OK"
    checks = {line.split()[1] for line in lines if line.startswith("CHECK ")}
    for expected in (
        "keys.create",
        "keys.get",
        "keys.list",
        "sync.begin_backup",
        "keys.delete_and_purge",
        "sync.begin_restore",
        "sync.selective_restore",
        "sync.begin_pre_backup",
        "sync.begin_pre_restore",
        "sync.resume_from_token",
        "sync.restore_failure",
        "async.begin_backup",
        "async.begin_restore",
    ):
        assert expected in checks
    blobs = azurite_for_official.blob_service_client().get_container_client(container).list_blobs()
    assert any(blob.name.endswith("/manifest.json") for blob in blobs)
