"""Backup against the emulator and Azurite without cassettes: things a recording cannot show.

Continuation tokens used by another process, jobs surviving an emulator restart, the service's wire shapes,
RBAC, the backup blobs themselves, and the keys subset.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from backup_helpers import container_name, prepare_emulator
from mhsm_emulator.azurite import Azurite
from mhsm_emulator.backup_jobs import BACKUP, IN_PROGRESS, RESTORE, Job, create_job, fail_interrupted, get_job
from mhsm_emulator.backup_jobs import MIGRATIONS as JOB_MIGRATIONS
from mhsm_emulator.errors import ServiceError
from mhsm_emulator.inprocess import run_emulator
from mhsm_emulator.store import CORE_MIGRATIONS, Store

from azure.keyvault.administration import KeyVaultBackupClient

REPO = Path(__file__).resolve().parents[2]
JOB_URL = re.compile(r"^https://127\.0\.0\.1:\d+/(backup|restore)/[0-9a-f]{32}/pending$")


def make_client(emulator: Any, **kwargs: Any) -> KeyVaultBackupClient:
    return KeyVaultBackupClient(emulator.vault_url, emulator.credential(**kwargs), **emulator.client_kwargs())


@pytest.fixture
def container(azurite: Azurite, request: pytest.FixtureRequest) -> str:
    name = container_name(request.node.nodeid)
    azurite.create_container(name)
    return name


def child_env(emulator: Any) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AZURE_")}
    env.update(emulator.env())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


@pytest.mark.parametrize("flavor", ["sync", "async"])
def test_continuation_token_in_another_process(
    backup_emulator: Any, azurite: Azurite, container: str, flavor: str
) -> None:
    backup_emulator.state.config.backup_job_delay = 4.0  # outlives the child process starting on a busy machine
    try:
        with make_client(backup_emulator) as client:
            poller = client.begin_backup(
                azurite.container_url(container), sas_token=azurite.container_sas(container), polling=False
            )
            token = poller.continuation_token()
            assert poller.status() == "InProgress"
            completed = subprocess.run(
                [sys.executable, str(Path(__file__).with_name("resume_child.py")), flavor, token],
                env=child_env(backup_emulator),
                cwd=str(REPO),
                capture_output=True,
                text=True,
                timeout=120,
            )
    finally:
        backup_emulator.state.config.backup_job_delay = 0.0
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome["first"] == "InProgress"  # resumed while the job was still running, then polled to the end
    assert outcome["status"] == "Succeeded"
    assert outcome["folder_url"].startswith(azurite.container_url(container) + "/mhsm-emulator-")
    assert outcome["token"] == token
    blobs = {blob.name for blob in azurite.blob_service_client().get_container_client(container).list_blobs()}
    folder = outcome["folder_url"].rsplit("/", 1)[1]
    assert f"{folder}/manifest.json" in blobs


def test_job_interrupted_by_restart_ends_failed(azurite: Azurite, container: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "hsm"
    with run_emulator(data_dir, backup_job_delay=60.0) as emulator:
        with make_client(emulator) as client:
            poller = client.begin_backup(
                azurite.container_url(container), sas_token=azurite.container_sas(container), polling=False
            )
            token = poller.continuation_token()
    with run_emulator(data_dir) as restarted:
        with make_client(restarted) as client:
            resumed = client.begin_backup("ignored", continuation_token=token, polling_interval=0)
            assert resumed.status() == "Failed" and resumed.done()
            with pytest.raises(HttpResponseError) as info:
                resumed.result()
    assert info.value.error is not None and info.value.error.code == "OperationInterrupted"


def test_wire_shapes_of_start_and_status(backup_emulator: Any, azurite: Azurite, container: str) -> None:
    body = {
        "storageResourceUri": azurite.container_url(container),
        "token": azurite.container_sas(container),
        "useManagedIdentity": False,
    }
    with make_client(backup_emulator) as client:
        started = client.send_request(HttpRequest("POST", "/backup", json=body))
        assert started.status_code == 202
        location = started.headers["Azure-AsyncOperation"]
        assert JOB_URL.match(location) and location.startswith(backup_emulator.vault_url)
        assert started.headers["Retry-After"] == "10"
        job = started.json()
        assert list(job) == [
            "status",
            "statusDetails",
            "error",
            "startTime",
            "endTime",
            "jobId",
            "azureStorageBlobContainerUri",
        ]
        assert job["status"] == "InProgress" and isinstance(job["startTime"], int) and job["endTime"] is None
        assert location.endswith(f"/backup/{job['jobId']}/pending")
        poller = client.begin_backup("ignored", continuation_token=_token(location), polling_interval=0.05)
        poller.wait()
        status = client.send_request(HttpRequest("GET", location))  # as polled: api-version added by send_request
        assert "Retry-After" not in status.headers and "Azure-AsyncOperation" not in status.headers
        final = status.json()
        assert final["status"] == "Succeeded" and isinstance(final["endTime"], int)
        assert re.fullmatch(
            re.escape(azurite.container_url(container)) + r"/mhsm-emulator-\d{16}",
            final["azureStorageBlobContainerUri"],
        )
        restore = client.send_request(
            HttpRequest(
                "PUT",
                "/restore",
                json={
                    "sasTokenParameters": body,
                    "folderToRestore": final["azureStorageBlobContainerUri"].rsplit("/", 1)[1],
                },
            )
        )
        assert restore.status_code == 202 and "azureStorageBlobContainerUri" not in restore.json()
        assert "/restore/" in restore.headers["Azure-AsyncOperation"]
        restored = client.begin_restore(
            final["azureStorageBlobContainerUri"],
            continuation_token=_token(restore.headers["Azure-AsyncOperation"]),
            polling_interval=0.05,
        )
        restored.wait()  # one job at a time: the next test's keys and jobs wait for no one
        assert restored.status() == "Succeeded"
        wrong_kind = client.send_request(HttpRequest("GET", location.replace("/backup/", "/restore/")))
        assert wrong_kind.status_code == 404


def _token(url: str) -> str:
    import base64

    return base64.b64encode(url.encode()).decode()


def test_backup_blobs_hold_every_key_version(backup_emulator: Any, azurite: Azurite, container: str) -> None:
    with make_client(backup_emulator) as client:
        for _ in range(2):
            assert (
                client.send_request(HttpRequest("POST", "/keys/blobcheck/create", json={"kty": "EC-HSM"})).status_code
                == 200
            )
        folder_url = (
            client.begin_backup(
                azurite.container_url(container), azurite.container_sas(container), polling_interval=0.05
            )
            .result()
            .folder_url
        )
    folder = folder_url.rsplit("/", 1)[1]
    blobs = azurite.blob_service_client().get_container_client(container)
    manifest = json.loads(blobs.download_blob(f"{folder}/manifest.json").readall())
    assert "blobcheck" in manifest["keys"]
    stored = json.loads(blobs.download_blob(f"{folder}/keys/blobcheck.json").readall())
    assert len(stored["versions"]) == 2 and stored["versions"][0]["kty"] == "EC-HSM"


def test_rbac_refuses_callers_without_the_data_actions(backup_emulator: Any, azurite: Azurite, container: str) -> None:
    with make_client(backup_emulator, client_id="backup-test-nobody") as client:
        with pytest.raises(HttpResponseError) as info:
            client.begin_backup(azurite.container_url(container), sas_token=azurite.container_sas(container))
        assert info.value.status_code == 403
        assert "backup/start/action" in str(info.value)
        created = client.send_request(HttpRequest("POST", "/keys/nope/create", json={"kty": "RSA"}))
        assert created.status_code == 403
        status = client.send_request(HttpRequest("GET", f"/restore/{'0' * 32}/pending"))
        assert status.status_code == 403


def test_backup_user_role_is_enough(backup_emulator: Any, azurite: Azurite, container: str) -> None:
    principal = backup_emulator.principal_for_client_id("backup-test-operator")
    backup_emulator.assign_role(principal.object_id, "Managed HSM Backup User")
    with make_client(backup_emulator, client_id="backup-test-operator") as client:
        result = client.begin_backup(
            azurite.container_url(container), sas_token=azurite.container_sas(container), polling_interval=0.05
        ).result()
        assert result.folder_url
        with pytest.raises(HttpResponseError) as info:
            client.begin_restore(result.folder_url, sas_token=azurite.container_sas(container))
        assert info.value.status_code == 403


def test_keys_subset(backup_emulator: Any) -> None:
    with make_client(backup_emulator) as client:

        def send(method: str, url: str, body: Any = None) -> Any:
            return client.send_request(
                HttpRequest(method, url, json=body) if body is not None else HttpRequest(method, url)
            )

        ec = send("POST", "/keys/subset-ec/create", {"kty": "EC", "crv": "P-521", "tags": {"a": "b"}}).json()
        assert ec["key"]["kty"] == "EC-HSM" and ec["key"]["crv"] == "P-521" and ec["tags"] == {"a": "b"}
        assert len(ec["key"]["x"]) == len(ec["key"]["y"]) == 88  # 66 bytes, base64url without padding
        rsa = send("POST", "/keys/subset-rsa/create", {"kty": "RSA-HSM", "key_size": 3072}).json()
        assert rsa["key"]["e"] == "AQAB" and len(rsa["key"]["n"]) == 512
        assert rsa["attributes"]["recoveryLevel"] == "Recoverable+Purgeable"
        version = rsa["key"]["kid"].rsplit("/", 1)[1]
        assert send("GET", f"/keys/subset-rsa/{version}").json()["key"]["n"] == rsa["key"]["n"]
        assert send("POST", "/keys/subset-bad/create", {"kty": "DSA"}).status_code == 400
        assert send("POST", "/keys/bad_name/create", {"kty": "RSA"}).status_code == 400
        listed = {item["kid"].rsplit("/", 1)[1] for item in send("GET", "/keys").json()["value"]}
        assert {"subset-ec", "subset-rsa"} <= listed

        deleted = send("DELETE", "/keys/subset-rsa").json()
        assert deleted["recoveryId"].endswith("/deletedkeys/subset-rsa") and deleted["key"]["n"] == rsa["key"]["n"]
        assert send("GET", "/keys/subset-rsa").status_code == 404
        assert send("POST", "/keys/subset-rsa/create", {"kty": "RSA"}).status_code == 409
        assert send("GET", "/deletedkeys/subset-rsa").json()["scheduledPurgeDate"] > deleted["deletedDate"]
        assert "subset-rsa" in {i["kid"].rsplit("/", 1)[1] for i in send("GET", "/deletedkeys").json()["value"]}
        assert send("POST", "/deletedkeys/subset-rsa/recover").json()["key"]["kid"] == rsa["key"]["kid"]
        assert send("GET", "/deletedkeys/subset-rsa").status_code == 404
        assert send("DELETE", "/deletedkeys/subset-rsa").status_code == 404


def test_job_rows_survive_and_interrupted_jobs_fail() -> None:
    store = Store(":memory:", [*CORE_MIGRATIONS, *JOB_MIGRATIONS])
    backup = create_job(store, BACKUP, "backup", now=1_700_000_000)
    with pytest.raises(ServiceError) as conflict:
        create_job(store, RESTORE, "selective", now=1_700_000_000)
    assert conflict.value.status == 409 and backup.job_id in conflict.value.message
    # A database from before one-job-at-a-time may hold several running jobs: all are failed at startup.
    restore = Job(uuid.uuid4().hex, RESTORE, "selective", IN_PROGRESS, 1_700_000_000)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO backup_jobs (job_id, kind, operation, status, start_time) VALUES (?, ?, ?, ?, ?)",
            (restore.job_id, RESTORE, "selective", IN_PROGRESS, restore.start_time),
        )
    assert re.fullmatch(r"[0-9a-f]{32}", backup.job_id)
    assert get_job(store, RESTORE, restore.job_id).body() == {
        "status": IN_PROGRESS,
        "statusDetails": None,
        "error": None,
        "startTime": 1_700_000_000,
        "endTime": None,
        "jobId": restore.job_id,
    }
    with pytest.raises(ServiceError):
        get_job(store, RESTORE, backup.job_id)
    assert fail_interrupted(store) == 2
    failed = get_job(store, BACKUP, backup.job_id)
    assert failed.status == "Failed" and failed.error is not None and failed.error["code"] == "OperationInterrupted"
    assert isinstance(failed.end_time, int)


def test_managed_identity_needs_a_configured_storage_identity(azurite: Azurite, container: str) -> None:
    with run_emulator(database=":memory:") as emulator, make_client(emulator) as client:
        prepare_emulator(emulator, azurite)
        emulator.state.config.storage_connection_string = None
        with pytest.raises(HttpResponseError) as info:
            client.begin_backup(azurite.container_url(container), use_managed_identity=True)
        assert info.value.status_code == 400 and "managed identity" in str(info.value)
