"""The backup samples run to the end against the emulator and Azurite they start themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mhsm_emulator.azurite import Azurite

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("sample", ["backup_restore_operations.py", "backup_restore_operations_async.py"])
def test_sample_runs(sample: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AZURE_", "BLOB_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    completed = subprocess.run(
        [sys.executable, str(REPO / "samples" / sample)],
        cwd=str(REPO),
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    assert "backup: InProgress" in out and "backup: Succeeded" in out  # progress is printed
    assert "GET the key now answers 404" in out  # the key is gone before the restore (both samples show it)
    assert "the key is back, same material: True" in out
    assert "Number of successful key versions restored: 1" in out
    assert "resumed backup folder: http" in out


@pytest.mark.parametrize("sample", ["backup_restore_operations.py", "backup_restore_operations_async.py"])
def test_sample_uses_a_configured_hsm_and_container(sample: str, backup_emulator: Any, azurite: Azurite) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AZURE_", "BLOB_"))}
    env.update(backup_emulator.env())
    env["BLOB_CONTAINER_URL"] = azurite.create_container("configured-samples")
    env["BLOB_SAS_TOKEN"] = azurite.container_sas("configured-samples")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    completed = subprocess.run(
        [sys.executable, str(REPO / "samples" / sample)],
        cwd=str(REPO),
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "using a local emulator" not in completed.stdout
    assert f"backup folder: {env['BLOB_CONTAINER_URL']}/mhsm-" in completed.stdout
    assert "the key is back, same material: True" in completed.stdout
