"""Back up a Managed HSM and restore it, fully or one key, with the async KeyVaultBackupClient.

Prerequisites: ``pip install azure-keyvault-administration azure-identity aiohttp``.

* With ``AZURE_MANAGEDHSM_URL``, ``BLOB_CONTAINER_URL`` and ``BLOB_SAS_TOKEN`` set, the sample uses that HSM (with
  ``DefaultAzureCredential``) and that container; see ``backup_restore_operations.py`` for the roles needed.
* Otherwise it starts Azurite and the local Managed HSM emulator in this process and uses them.

Steps: create a key, back up, delete and purge the key, restore everything, restore the key alone, and resume an
operation from a continuation token, printing each poller's status as it changes.
"""

import asyncio
import uuid
from typing import Any

from azure.core.polling import AsyncLROPoller
from azure.core.rest import HttpRequest
from azure.identity.aio import DefaultAzureCredential
from backup_restore_operations import environment

from azure.keyvault.administration.aio import KeyVaultBackupClient


async def follow(poller: AsyncLROPoller[Any], what: str) -> Any:
    """Print the operation's status each time it changes, then return its result."""
    waiter = asyncio.ensure_future(poller.result())
    last = None
    while True:
        status = poller.status()
        if status != last:
            print(f"   {what}: {status}")
            last = status
        if waiter.done():
            return waiter.result()
        await asyncio.sleep(0.1)


async def delete_and_purge(client: KeyVaultBackupClient, key_name: str) -> None:
    (await client.send_request(HttpRequest("DELETE", f"/keys/{key_name}"))).raise_for_status()
    (await client.send_request(HttpRequest("DELETE", f"/deletedkeys/{key_name}"))).raise_for_status()


async def run(vault_url: str, client_kwargs: dict[str, Any], container_url: str, sas_token: str) -> None:
    async with DefaultAzureCredential() as credential:
        async with KeyVaultBackupClient(vault_url, credential, **client_kwargs) as client:
            key_name = f"sample-key-{uuid.uuid4().hex[:8]}"

            print(f"\n1. Create the key {key_name}")
            created = await client.send_request(
                HttpRequest("POST", f"/keys/{key_name}/create", json={"kty": "EC-HSM", "crv": "P-256"})
            )
            created.raise_for_status()
            point = created.json()["key"]["x"]

            print("\n2. Back up the whole HSM")
            poller = await client.begin_backup(container_url, sas_token=sas_token, polling_interval=0.2)
            backup = await follow(poller, "backup")
            print(f"   backup folder: {backup.folder_url}")

            print("\n3. Delete and purge the key")
            await delete_and_purge(client, key_name)
            gone = await client.send_request(HttpRequest("GET", f"/keys/{key_name}"))
            print(f"   GET the key now answers {gone.status_code}")

            print("\n4. Restore the whole backup")
            await follow(
                await client.begin_restore(backup.folder_url, sas_token=sas_token, polling_interval=0.2), "restore"
            )
            restored = (await client.send_request(HttpRequest("GET", f"/keys/{key_name}"))).json()
            print(f"   the key is back, same material: {restored['key']['x'] == point}")

            print("\n5. Delete and purge the key again, then restore only this key (selective restore)")
            await delete_and_purge(client, key_name)
            poller = await client.begin_restore(
                backup.folder_url, sas_token=sas_token, key_name=key_name, polling_interval=0.2
            )
            await follow(poller, "selective restore")
            print(f"   {poller.polling_method().status_details}")  # type: ignore[attr-defined]

            print("\n6. Save a continuation token and resume from it")
            started = await client.begin_backup(container_url, sas_token=sas_token, polling_interval=0.2)
            token = started.continuation_token()
            resumed = await client.begin_backup(container_url, continuation_token=token, polling_interval=0.2)
            print(f"   resumed backup folder: {(await follow(resumed, 'resumed backup')).folder_url}")


def main() -> None:
    with environment() as setup:
        asyncio.run(run(setup.vault_url, setup.client_kwargs, setup.container_url, setup.sas_token))


if __name__ == "__main__":
    main()
