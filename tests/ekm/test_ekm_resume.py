"""A private-endpoint poller resumes from its continuation token in another process, sync and async, in both
directions (deliberate: 4.8.0b3's resumed pollers fail on their first status request)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .ekm_fakes import PLS, VAULT, EkmHsm, make_ekm_client, resolve

CHILD = Path(__file__).parent / "resume_child.py"
STATUS = VAULT + "/ekm/privateendpoint/operations/job01?api-version=2026-07-01-preview"


@pytest.mark.parametrize("resumer", ["sync", "async"])
@pytest.mark.parametrize("polling", [True, False], ids=["polled", "not_polled"])
async def test_resume_in_another_process(flavor: str, resumer: str, polling: bool, hsm: EkmHsm) -> None:
    hsm.pe_plan = ["Running"] if polling else ["Running", "Succeeded"]
    # polling_interval is moot for polling=False; for the polled original the job stays Running in this process
    poller = await resolve(make_ekm_client(flavor, hsm).begin_create_ekm_private_endpoint(
        "pe-1", PLS, polling=polling, polling_interval=0))
    token = poller.continuation_token()
    if polling:
        hsm.jobs["job01"].plan = ["Succeeded"]
        await resolve(poller.result())
    completed = subprocess.run([sys.executable, str(CHILD), resumer, token], capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout.splitlines()[-1])
    assert outcome == {
        "status": "Succeeded",
        "job_id": "job01",
        "operation_status": "Succeeded",
        "operation_type": "KeyVaultEkmPrivateEndpointOperationType",
        "requests": [["GET", STATUS], ["GET", STATUS]],  # only status requests: nothing was started again
        "token_unchanged": True,
    }
