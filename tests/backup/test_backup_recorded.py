"""Recorded end-to-end tests of KeyVaultBackupClient (sync and async) against the emulator and Azurite.

Playback by default (cassettes in tests/recordings/backup); ``AZURE_TEST_RUN_LIVE=true`` runs them against the
in-process emulator writing real blobs to Azurite, and re-records.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from _recording import Recording
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from backup_helpers import Keys, Storage, client_class, public_material, resolve, result, wait

from azure.keyvault.administration import KeyVaultBackupResult

FOLDER = re.compile(r"/mhsm-[a-z0-9-]+-\d{16}$")


def names(recorded: Recording, *labels: str) -> list[str]:
    """Key names unique to this test (and stable between runs)."""
    return ["k" + recorded.uuid(label).replace("-", "")[:20] for label in labels]


async def test_full_backup_and_restore(recorded: Recording, storage: Storage, flavor: str) -> None:
    client = recorded.client(client_class(flavor))
    keys = Keys(client)
    rsa_name, ec_name = names(recorded, "rsa", "ec")
    rsa = await keys.create(rsa_name, "RSA-HSM", key_size=2048)
    ec = await keys.create(ec_name, "EC-HSM", crv="P-256")
    assert set(rsa["key"]) >= {"n", "e"} and set(ec["key"]) >= {"crv", "x", "y"}

    poller = await resolve(
        client.begin_backup(
            storage.container_url, sas_token=storage.sas_token, _polling_interval=recorded.polling_interval
        )
    )
    backup = await result(poller)
    assert isinstance(backup, KeyVaultBackupResult)
    assert backup.folder_url.startswith(storage.container_url + "/") and FOLDER.search(backup.folder_url)
    assert poller.status() == "Succeeded" and poller.done()

    for name in (rsa_name, ec_name):
        await keys.delete_and_purge(name)
        assert await keys.get(name) is None

    restore = await resolve(
        client.begin_restore(
            backup.folder_url, sas_token=storage.sas_token, _polling_interval=recorded.polling_interval
        )
    )
    assert await result(restore) is None
    assert restore.status() == "Succeeded"
    for original in (rsa, ec):
        name = original["key"]["kid"].split("/")[-2]
        restored = await keys.get(name)
        assert restored is not None
        assert public_material(restored) == public_material(original)
    await resolve(client.close())


async def test_selective_key_restore(recorded: Recording, storage: Storage, flavor: str) -> None:
    client = recorded.client(client_class(flavor))
    keys = Keys(client)
    (name,) = names(recorded, "selective")
    first = await keys.create(name, "RSA-HSM")
    second = await keys.create(name, "RSA-HSM", key_size=3072)
    versions = await keys.versions(name)
    assert len(versions) == 2

    backup = await result(
        await resolve(
            client.begin_backup(storage.container_url, storage.sas_token, _polling_interval=recorded.polling_interval)
        )
    )
    await keys.delete_and_purge(name)

    poller = await resolve(
        client.begin_restore(
            backup.folder_url, sas_token=storage.sas_token, key_name=name, polling_interval=recorded.polling_interval
        )
    )
    await wait(poller)
    assert poller.status() == "Succeeded"
    assert poller.polling_method().status_details == (
        "Number of successful key versions restored: 2, Number of key versions could not overwrite: 0"
    )
    assert await keys.versions(name) == versions
    latest = await keys.get(name)
    assert latest is not None and public_material(latest) == public_material(second) != public_material(first)

    # Restoring again over the existing versions overwrites nothing.
    again = await resolve(
        client.begin_restore(
            backup.folder_url, sas_token=storage.sas_token, key_name=name, polling_interval=recorded.polling_interval
        )
    )
    await wait(again)
    assert again.polling_method().status_details == (
        "Number of successful key versions restored: 0, Number of key versions could not overwrite: 2"
    )

    missing = await resolve(
        client.begin_restore(
            backup.folder_url,
            sas_token=storage.sas_token,
            key_name="not-in-the-backup",
            polling_interval=recorded.polling_interval,
        )
    )
    with pytest.raises(HttpResponseError) as info:
        await result(missing)
    assert info.value.error is not None and info.value.error.code == "KeyNotFound"
    assert missing.status() == "Failed"
    await resolve(client.close())


async def test_pre_backup_and_pre_restore(recorded: Recording, storage: Storage, flavor: str) -> None:
    client = recorded.client(client_class(flavor))
    await keys_exist(client, recorded)
    interval = recorded.polling_interval
    check = await resolve(
        client.begin_pre_backup(storage.container_url, sas_token=storage.sas_token, _polling_interval=interval)
    )
    assert await result(check) is None and check.status() == "Succeeded"

    denied = await resolve(
        client.begin_pre_backup(storage.container_url, sas_token=storage.read_only_sas, _polling_interval=interval)
    )
    with pytest.raises(HttpResponseError) as info:
        await wait(denied)
    assert info.value.error is not None and info.value.error.code == "AuthorizationFailure"

    backup = await result(
        await resolve(
            client.begin_backup(storage.container_url, sas_token=storage.sas_token, _polling_interval=interval)
        )
    )
    check = await resolve(
        client.begin_pre_restore(backup.folder_url, sas_token=storage.sas_token, _polling_interval=interval)
    )
    assert await result(check) is None and check.status() == "Succeeded"

    nothing_there = await resolve(
        client.begin_pre_restore(
            storage.container_url + "/mhsm-none-2020010100000000",
            sas_token=storage.sas_token,
            _polling_interval=interval,
        )
    )
    with pytest.raises(HttpResponseError) as info:
        await wait(nothing_there)
    assert info.value.error is not None and info.value.error.code == "FolderNotFound"
    await resolve(client.close())


async def keys_exist(client: Any, recorded: Recording) -> None:
    (name,) = names(recorded, "present")
    await Keys(client).create(name, "EC-HSM", crv="P-384")


async def test_managed_identity(recorded: Recording, storage: Storage, flavor: str) -> None:
    client = recorded.client(client_class(flavor))
    keys = Keys(client)
    (name,) = names(recorded, "mi")
    original = await keys.create(name, "RSA-HSM")
    backup = await result(
        await resolve(
            client.begin_backup(
                storage.container_url, use_managed_identity=True, _polling_interval=recorded.polling_interval
            )
        )
    )
    assert FOLDER.search(backup.folder_url)
    await keys.delete_and_purge(name)
    await wait(
        await resolve(
            client.begin_restore(
                backup.folder_url, use_managed_identity=True, _polling_interval=recorded.polling_interval
            )
        )
    )
    restored = await keys.get(name)
    assert restored is not None and public_material(restored) == public_material(original)
    await resolve(client.close())


async def test_storage_failures(recorded: Recording, storage: Storage, flavor: str) -> None:
    client = recorded.client(client_class(flavor))
    interval = recorded.polling_interval
    # A SAS without an expiry is refused at once, with the service's message.
    with pytest.raises(HttpResponseError) as info:
        await resolve(client.begin_backup(storage.container_url, sas_token="bad_token", _polling_interval=interval))
    assert info.value.status_code == 400
    assert info.value.error is not None and info.value.error.code == "BadRequest"
    assert info.value.error.message.startswith(
        "The customer provided SAS token is malformed. The SAS token does not contain the expiry field"
    )

    # An expired SAS fails the job.
    poller = await resolve(
        client.begin_backup(storage.container_url, sas_token=storage.expired_sas, _polling_interval=interval)
    )
    with pytest.raises(HttpResponseError) as info:
        await result(poller)
    assert poller.status() == "Failed"
    assert info.value.error is not None and info.value.error.code == "AuthorizationFailure"
    assert "denied" in info.value.error.message

    # A folder that holds no backup fails the restore.
    poller = await resolve(
        client.begin_restore(
            storage.container_url + "/mhsm-missing-2020010100000000",
            sas_token=storage.sas_token,
            _polling_interval=interval,
        )
    )
    with pytest.raises(HttpResponseError) as info:
        await wait(poller)
    assert info.value.error is not None and info.value.error.code == "FolderNotFound"
    await resolve(client.close())


async def test_poller_semantics_and_rehydration(
    recorded: Recording, storage: Storage, flavor: str, job_delay: Any
) -> None:
    job_delay(0.5)  # live: the job stays InProgress for a while, so the first polls see it running
    cls = client_class(flavor)
    client = recorded.client(cls)
    poller = await resolve(
        client.begin_backup(
            storage.container_url, sas_token=storage.sas_token, _polling_interval=recorded.polling_interval
        )
    )
    token = poller.continuation_token()
    assert poller.status() in ("InProgress", "Succeeded")
    first = await result(poller)
    assert poller.done() and poller.status() == "Succeeded"
    await wait(poller)  # waiting again returns at once

    # A new client resumes from the token: the job is finished, and result() still gives the folder.
    other = recorded.client(cls)
    resumed = await resolve(
        other.begin_backup("ignored", continuation_token=token, _polling_interval=recorded.polling_interval)
    )
    assert resumed.status() == "Succeeded"
    assert (await result(resumed)).folder_url == first.folder_url
    assert resumed.continuation_token() == token

    with pytest.raises(ResourceNotFoundError):
        await resolve(other.begin_restore(first.folder_url, continuation_token=token))  # a backup job id
    await resolve(client.close())
    await resolve(other.close())
