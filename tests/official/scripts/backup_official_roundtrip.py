"""Runs in the separate venv with the OFFICIAL azure-keyvault-administration 4.7.2, azure-keyvault-keys 4.11.3 and
azure-identity 1.27.0: backup and restore against the emulator, with real blobs in Azurite.

Configured by environment variables only: the emulator's five (AZURE_MANAGEDHSM_URL, SSL_CERT_FILE,
REQUESTS_CA_BUNDLE, IDENTITY_ENDPOINT, IDENTITY_HEADER) plus BACKUP_CONTAINER_URL, BACKUP_SAS_TOKEN and
BACKUP_PRINCIPAL_ID (the emulator's administrator, who is given the keys roles here). Prints ``CHECK <name> ok``
per step and ``ALL OK`` at the end; any failure raises (non-zero exit).
"""

from __future__ import annotations

import asyncio
import os

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import DefaultAzureCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential
from azure.keyvault.keys import KeyClient

from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultRoleScope
from azure.keyvault.administration.aio import KeyVaultBackupClient as AsyncKeyVaultBackupClient

CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b"
CRYPTO_OFFICER = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"
POLL = {"_polling_interval": 0.2}


def check(name: str, condition: bool) -> None:
    if not condition:
        raise AssertionError(f"check failed: {name}")
    print(f"CHECK {name} ok", flush=True)


def grant_key_roles(url: str, credential: DefaultAzureCredential, principal: str) -> None:
    with KeyVaultAccessControlClient(url, credential) as client:
        for role in (CRYPTO_USER, CRYPTO_OFFICER):
            definition = client.get_role_definition(KeyVaultRoleScope.GLOBAL, role)
            client.create_role_assignment(KeyVaultRoleScope.KEYS, definition.id, principal)
    check("keys_roles_assigned", True)


def delete_and_purge(keys: KeyClient, name: str) -> None:
    keys.begin_delete_key(name).wait()
    keys.purge_deleted_key(name)
    try:
        keys.get_key(name)
    except ResourceNotFoundError:
        return
    raise AssertionError(f"{name} still exists after purge")


def sync_flow(url: str, container: str, sas: str) -> str:
    credential = DefaultAzureCredential()
    keys = KeyClient(url, credential)
    rsa = keys.create_rsa_key("official-rsa", size=2048, hardware_protected=True)
    ec = keys.create_ec_key("official-ec", curve="P-256", hardware_protected=True)
    check("keys.create", rsa.key.n is not None and ec.key.x is not None and ec.key.crv == "P-256")
    check("keys.get", keys.get_key("official-rsa").key.n == rsa.key.n)
    check("keys.list", {"official-rsa", "official-ec"} <= {k.name for k in keys.list_properties_of_keys()})

    with KeyVaultBackupClient(url, credential) as backup_client:
        poller = backup_client.begin_backup(container, sas_token=sas, **POLL)
        token = poller.continuation_token()
        folder_url = poller.result().folder_url
        check("sync.begin_backup", folder_url.startswith(container + "/mhsm-"))

        for name in ("official-rsa", "official-ec"):
            delete_and_purge(keys, name)
        check("keys.delete_and_purge", True)

        backup_client.begin_restore(folder_url, sas_token=sas, **POLL).wait()
        restored = keys.get_key("official-rsa")
        check("sync.begin_restore", restored.key.n == rsa.key.n and restored.id == rsa.id)
        check("sync.restored_ec", keys.get_key("official-ec").key.x == ec.key.x)

        delete_and_purge(keys, "official-ec")
        backup_client.begin_restore(folder_url, sas_token=sas, key_name="official-ec", **POLL).wait()
        check("sync.selective_restore", keys.get_key("official-ec").key.y == ec.key.y)

        backup_client.begin_pre_backup(container, sas_token=sas, **POLL).wait()
        check("sync.begin_pre_backup", True)
        backup_client.begin_pre_restore(folder_url, sas_token=sas, **POLL).wait()
        check("sync.begin_pre_restore", True)

        resumed = backup_client.begin_backup(container, sas_token=sas, continuation_token=token, **POLL)
        check("sync.resume_from_token", resumed.status() == "Succeeded" and resumed.done())

        failing = backup_client.begin_restore(container + "/mhsm-nothing-2020010100000000", sas_token=sas, **POLL)
        try:
            failing.wait()
        except HttpResponseError as error:
            check("sync.restore_failure", "FolderNotFound" in str(error))
        else:
            raise AssertionError("restore of a missing folder succeeded")
    keys.close()
    return folder_url


async def async_flow(url: str, container: str, sas: str) -> None:
    async with AsyncDefaultAzureCredential() as credential:
        async with AsyncKeyVaultBackupClient(url, credential) as client:
            poller = await client.begin_backup(container, sas_token=sas, **POLL)
            result = await poller.result()
            check("async.begin_backup", result.folder_url.startswith(container + "/mhsm-"))
            restore = await client.begin_restore(result.folder_url, sas_token=sas, **POLL)
            await restore.wait()
            check("async.begin_restore", restore.status() == "Succeeded")


def main() -> None:
    url = os.environ["AZURE_MANAGEDHSM_URL"]
    container = os.environ["BACKUP_CONTAINER_URL"]
    sas = os.environ["BACKUP_SAS_TOKEN"]
    grant_key_roles(url, DefaultAzureCredential(), os.environ["BACKUP_PRINCIPAL_ID"])
    sync_flow(url, container, sas)
    asyncio.run(async_flow(url, container, sas))
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
