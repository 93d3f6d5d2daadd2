"""Status objects and headers of the backup/restore endpoints as public recordings of a real Managed HSM show
them (7.3, 2022): a backup's 202 lists its keys in declaration order, every other status object (backup
polls, restore 202s and polls) alphabetically; start and status answers carry ``Server: Kestrel`` and
``api-supported-versions``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from azure.core.rest import HttpRequest
from backup_helpers import container_name
from mhsm_emulator.azurite import Azurite
from mhsm_emulator.backup_jobs import BACKUP, RESTORE, Job

from azure.keyvault.administration import KeyVaultBackupClient

DECLARED = ["status", "statusDetails", "error", "startTime", "endTime", "jobId", "azureStorageBlobContainerUri"]
BACKUP_SORTED = ["azureStorageBlobContainerUri", "endTime", "error", "jobId", "startTime", "status", "statusDetails"]
RESTORE_SORTED = ["endTime", "error", "jobId", "startTime", "status", "statusDetails"]
JOB_HEADERS = {"Server": "Kestrel", "api-supported-versions": "20180927, 20211111"}


def _job(kind: str) -> Job:
    return Job(job_id="0" * 32, kind=kind, operation="full", status="InProgress", start_time=1652131469)


def test_backup_start_body_keeps_declaration_order() -> None:
    assert list(_job(BACKUP).body(started=True)) == DECLARED


@pytest.mark.parametrize(("kind", "started", "keys"), [
    (BACKUP, False, BACKUP_SORTED), (RESTORE, True, RESTORE_SORTED), (RESTORE, False, RESTORE_SORTED)])
def test_other_status_bodies_are_alphabetical(kind: str, started: bool, keys: list[str]) -> None:
    assert list(_job(kind).body(started=started)) == keys


def _assert_wire(response: Any, keys: list[str]) -> dict[str, Any]:
    for name, value in JOB_HEADERS.items():
        assert response.headers[name] == value
    body: dict[str, Any] = json.loads(response.content)
    assert list(body) == keys
    assert response.content == json.dumps(body, separators=(",", ":")).encode()  # compact, like the service
    return body


def test_start_and_status_answers_on_the_wire(backup_emulator: Any, azurite: Azurite,
                                              request: pytest.FixtureRequest) -> None:
    container = container_name(request.node.nodeid)
    azurite.create_container(container)
    sas = {"storageResourceUri": azurite.container_url(container), "token": azurite.container_sas(container)}
    client = KeyVaultBackupClient(backup_emulator.vault_url, backup_emulator.credential(),
                                  **backup_emulator.client_kwargs())
    with client:
        started = client.send_request(HttpRequest("POST", "/backup", json=sas))
        assert started.status_code == 202
        job = _assert_wire(started, DECLARED)
        location = started.headers["Azure-AsyncOperation"]
        client.begin_backup("ignored", continuation_token=_token(location), polling_interval=0.05).wait()
        final = _assert_wire(client.send_request(HttpRequest("GET", location)), BACKUP_SORTED)
        assert final["jobId"] == job["jobId"] and final["status"] == "Succeeded"
        folder = final["azureStorageBlobContainerUri"].rsplit("/", 1)[1]
        restore = client.send_request(
            HttpRequest("PUT", "/restore", json={"sasTokenParameters": sas, "folderToRestore": folder}))
        assert restore.status_code == 202
        _assert_wire(restore, RESTORE_SORTED)
        polled = client.send_request(HttpRequest("GET", restore.headers["Azure-AsyncOperation"]))
        _assert_wire(polled, RESTORE_SORTED)


def _token(status_url: str) -> str:
    return base64.b64encode(status_url.encode()).decode()
