"""`make demo` (scripts/demo.py) runs every sample against a fresh emulator, Azurite and the reference EKM proxy, and
stops all three."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_demo_runs_all_samples_and_stops_its_servers() -> None:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("AZURE_", "BLOB_", "IDENTITY_", "EKM_"))
    }
    # Its own process group: if the test fails or times out, the demo and the servers it started are killed.
    process = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "demo.py")],
        cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert process.returncode == 0, output[-4000:]
    for sample in ("access_control_operations", "settings_operations", "backup_restore_operations", "ekm_operations",
                   "ekm_private_endpoint_operations"):
        assert f"=== {sample}.py: ok" in output
        assert f"=== {sample}_async.py: ok" in output
    assert "All 10 samples succeeded" in output
    assert "the key is back, same material: True" in output
    # The EKM samples used the demo's proxy and private link service (not ones of their own), and saw the jobs run.
    assert "Reference EKM proxy at 127.0.0.1:" in output and "EKM_PROXY_HOST is not set" not in output
    assert "privateLinkServices/ekm-proxy" in output and "create: Running" in output
    assert "the HSM reached mhsm-emulator reference EKM proxy" in output
    # The servers it started (Azurite, the emulator, the EKM proxy: it prints their pids) were stopped. Checked by pid:
    # other programs on the machine may start and stop such servers meanwhile.
    started = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", output)]
    assert len(started) == 3, output[:2000]
    assert not [pid for pid in started if _alive(pid)]
