"""Restores read key material off the event loop and refuse damaged blobs (emulator + Azurite, no cassettes)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from backup_helpers import container_name
from mhsm_emulator import keys_store
from mhsm_emulator.azurite import Azurite
from mhsm_emulator.key_material import KeyMaterial

from azure.keyvault.administration import KeyVaultBackupClient


@pytest.fixture
def client(backup_emulator: Any) -> Any:
    with KeyVaultBackupClient(
        backup_emulator.vault_url, backup_emulator.credential(), **backup_emulator.client_kwargs()
    ) as backup_client:
        yield backup_client


@pytest.fixture
def backup(client: Any, azurite: Azurite, request: pytest.FixtureRequest) -> dict[str, str]:
    container = container_name(request.node.nodeid)
    url = azurite.create_container(container)
    sas = azurite.container_sas(container)
    for name, body in (("offloadrsa", {"kty": "RSA"}), ("offloadec", {"kty": "EC", "crv": "P-256"})):
        assert client.send_request(HttpRequest("POST", f"/keys/{name}/create", json=body)).status_code == 200
    folder_url = client.begin_backup(url, sas_token=sas, polling_interval=0.05).result().folder_url
    return {"container": container, "sas": sas, "folder_url": folder_url, "folder": folder_url.rsplit("/", 1)[1]}


async def _thread_id() -> int:
    return threading.get_ident()


def test_restored_material_is_checked_in_a_worker_thread(
    backup_emulator: Any, client: Any, backup: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = backup_emulator.run(_thread_id())
    checked: list[tuple[str, int]] = []
    real = keys_store.check_material

    def recording(material: KeyMaterial) -> None:
        checked.append((material.kty, threading.get_ident()))
        real(material)

    monkeypatch.setattr(keys_store, "check_material", recording)
    client.begin_restore(backup["folder_url"], sas_token=backup["sas"], polling_interval=0.05).wait()
    assert {"RSA-HSM", "EC-HSM"} <= {kty for kty, _ in checked}
    assert loop_thread not in {thread for _, thread in checked}


def test_a_damaged_key_blob_fails_the_restore(
    client: Any, azurite: Azurite, backup: dict[str, str]
) -> None:
    blobs = azurite.blob_service_client().get_container_client(backup["container"])
    name = f"{backup['folder']}/keys/offloadrsa.json"
    stored = json.loads(blobs.download_blob(name).readall())
    stored["versions"][0]["secret"] = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
    blobs.upload_blob(name, json.dumps(stored).encode(), overwrite=True)
    before = client.send_request(HttpRequest("GET", "/keys/offloadrsa")).json()
    poller = client.begin_restore(
        backup["folder_url"], sas_token=backup["sas"], key_name="offloadrsa", polling_interval=0.05
    )
    with pytest.raises(HttpResponseError) as info:
        poller.result()
    assert info.value.error is not None and info.value.error.code == "InvalidBackup"
    assert "offloadrsa" in info.value.error.message
    after = client.send_request(HttpRequest("GET", "/keys/offloadrsa"))
    assert after.status_code == 200 and after.json() == before  # nothing was imported
