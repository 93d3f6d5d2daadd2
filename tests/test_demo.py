"""`make demo` (scripts/demo.py) runs every sample against a fresh emulator and Azurite and stops both."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _server_processes() -> set[int]:
    """Process ids of running emulators and Azurite instances."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"mhsm_emulator" in cmdline or b"azurite-blob" in cmdline:
                found.add(int(entry.name))
    return found


def test_demo_runs_all_samples_and_stops_its_servers() -> None:
    before = _server_processes()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AZURE_", "BLOB_", "IDENTITY_"))}
    process = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "demo.py")],
        cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output[-4000:]
    for sample in ("access_control_operations", "settings_operations", "backup_restore_operations"):
        assert f"=== {sample}.py: ok" in output
        assert f"=== {sample}_async.py: ok" in output
    assert "All 6 samples succeeded" in output
    assert "the key is back, same material: True" in output
    assert _server_processes() <= before  # the emulator and Azurite it started were stopped
