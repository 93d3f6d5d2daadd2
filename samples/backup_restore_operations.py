"""Back up a Managed HSM to Azure Blob Storage and restore it, fully or one key (KeyVaultBackupClient).

Prerequisites: ``pip install azure-keyvault-administration azure-identity``.

* With ``AZURE_MANAGEDHSM_URL``, ``BLOB_CONTAINER_URL`` (e.g. ``https://<account>.blob.core.windows.net/backup``)
  and ``BLOB_SAS_TOKEN`` (a container SAS with read, write, create, delete and list permissions) set, the sample
  uses that HSM with ``DefaultAzureCredential`` and that container. The caller needs the Managed HSM
  Administrator (backup/restore) and Crypto User/Officer (keys) roles.
* Otherwise it starts Azurite (the Azure Storage emulator, from the repository's ``node_modules``) and the local
  Managed HSM emulator in this process and uses them.

Steps: create a key, back up the HSM, delete and purge the key, restore the whole backup, restore the key alone,
and resume an operation from a continuation token. Each poller's status is printed as it changes.
"""

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from azure.core.polling import LROPoller
from azure.core.rest import HttpRequest
from azure.identity import DefaultAzureCredential

from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultRoleScope

KEY_ROLES = ("Managed HSM Crypto User", "Managed HSM Crypto Officer")


@dataclass
class Setup:
    vault_url: str
    client_kwargs: dict[str, Any]
    container_url: str
    sas_token: str


@contextmanager
def environment() -> Iterator[Setup]:
    """The HSM and container from the environment, or local emulators started for the sample's lifetime."""
    if os.environ.get("AZURE_MANAGEDHSM_URL"):
        yield Setup(
            os.environ["AZURE_MANAGEDHSM_URL"], {}, os.environ["BLOB_CONTAINER_URL"], os.environ["BLOB_SAS_TOKEN"]
        )
        return
    from mhsm_emulator import run_emulator
    from mhsm_emulator.azurite import Azurite

    with ExitStack() as stack:
        azurite = stack.enter_context(Azurite())
        # A short job delay makes the InProgress state visible; the storage connection string is the HSM's own
        # storage identity (used by use_managed_identity=True).
        emulator = stack.enter_context(
            run_emulator(database=":memory:", storage_connection_string=azurite.connection_string, backup_job_delay=0.5)
        )
        print(f"AZURE_MANAGEDHSM_URL is not set: using a local emulator at {emulator.vault_url}")
        print(f"and Azurite at {azurite.account_url}")
        saved = dict(os.environ)
        os.environ.update(emulator.env())  # its managed identity endpoint, for DefaultAzureCredential
        stack.callback(lambda: (os.environ.clear(), os.environ.update(saved)))
        container_url = azurite.create_container("backups")
        grant_key_roles(emulator.vault_url, emulator.client_kwargs(), emulator.principal_id)
        yield Setup(emulator.vault_url, emulator.client_kwargs(), container_url, azurite.container_sas("backups"))


def grant_key_roles(vault_url: str, client_kwargs: dict[str, Any], principal_id: str) -> None:
    """The emulator's administrator may back up and restore, but needs key roles to create and delete keys."""
    with KeyVaultAccessControlClient(vault_url, DefaultAzureCredential(), **client_kwargs) as client:
        roles = {d.role_name: d.id for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL)}
        for role in KEY_ROLES:
            client.create_role_assignment(KeyVaultRoleScope.KEYS, roles[role], principal_id)


def follow(poller: LROPoller[Any], what: str) -> Any:
    """Print the operation's status each time it changes, then return its result."""
    last = None
    while True:
        status = poller.status()
        if status != last:
            print(f"   {what}: {status}")
            last = status
        if poller.done():
            return poller.result()
        time.sleep(0.1)


def main() -> None:
    with environment() as setup:
        with KeyVaultBackupClient(setup.vault_url, DefaultAzureCredential(), **setup.client_kwargs) as client:
            key_name = f"sample-key-{uuid.uuid4().hex[:8]}"

            print(f"\n1. Create the key {key_name}")
            created = client.send_request(HttpRequest("POST", f"/keys/{key_name}/create", json={"kty": "RSA-HSM"}))
            created.raise_for_status()
            modulus = created.json()["key"]["n"]

            print("\n2. Back up the whole HSM")
            poller = client.begin_backup(setup.container_url, sas_token=setup.sas_token, polling_interval=0.2)
            backup = follow(poller, "backup")
            print(f"   backup folder: {backup.folder_url}")

            print("\n3. Delete and purge the key")
            client.send_request(HttpRequest("DELETE", f"/keys/{key_name}")).raise_for_status()
            client.send_request(HttpRequest("DELETE", f"/deletedkeys/{key_name}")).raise_for_status()
            print(
                f"   GET the key now answers {client.send_request(HttpRequest('GET', f'/keys/{key_name}')).status_code}"
            )

            print("\n4. Restore the whole backup")
            follow(client.begin_restore(backup.folder_url, sas_token=setup.sas_token, polling_interval=0.2), "restore")
            restored = client.send_request(HttpRequest("GET", f"/keys/{key_name}")).json()
            print(f"   the key is back, same material: {restored['key']['n'] == modulus}")

            print("\n5. Delete and purge the key again, then restore only this key (selective restore)")
            client.send_request(HttpRequest("DELETE", f"/keys/{key_name}")).raise_for_status()
            client.send_request(HttpRequest("DELETE", f"/deletedkeys/{key_name}")).raise_for_status()
            poller = client.begin_restore(
                backup.folder_url, sas_token=setup.sas_token, key_name=key_name, polling_interval=0.2
            )
            follow(poller, "selective restore")
            print(f"   {poller.polling_method().status_details}")  # type: ignore[attr-defined]

            print("\n6. Save a continuation token and resume from it (any process, sync or async client)")
            started = client.begin_backup(setup.container_url, sas_token=setup.sas_token, polling_interval=0.2)
            token = started.continuation_token()
            print(f"   token: {token[:32]}...")
            resumed = client.begin_backup(setup.container_url, continuation_token=token, polling_interval=0.2)
            print(f"   resumed backup folder: {follow(resumed, 'resumed backup').folder_url}")


if __name__ == "__main__":
    main()
