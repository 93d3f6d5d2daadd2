"""Child process of test_backup_emulator: resume a backup from a continuation token given on the command line.

Reads the vault from the emulator's environment variables (AZURE_MANAGEDHSM_URL, IDENTITY_ENDPOINT, ...), uses
DefaultAzureCredential, and prints one JSON line: the status right after resuming, the final status and folder.
"""

import asyncio
import json
import os
import sys

from azure.identity import DefaultAzureCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential

from azure.keyvault.administration import KeyVaultBackupClient
from azure.keyvault.administration.aio import KeyVaultBackupClient as AsyncKeyVaultBackupClient


def run_sync(vault: str, token: str) -> dict:
    with KeyVaultBackupClient(vault, DefaultAzureCredential()) as client:
        poller = client.begin_backup("ignored", continuation_token=token, polling_interval=0.1)
        first = poller.status()
        folder = poller.result().folder_url
        return {"first": first, "status": poller.status(), "folder_url": folder, "token": poller.continuation_token()}


async def run_async(vault: str, token: str) -> dict:
    async with AsyncDefaultAzureCredential() as credential, AsyncKeyVaultBackupClient(vault, credential) as client:
        poller = await client.begin_backup("ignored", continuation_token=token, polling_interval=0.1)
        first = poller.status()
        folder = (await poller.result()).folder_url
        return {"first": first, "status": poller.status(), "folder_url": folder, "token": poller.continuation_token()}


def main() -> None:
    flavor, token = sys.argv[1], sys.argv[2]
    vault = os.environ["AZURE_MANAGEDHSM_URL"]
    outcome = run_sync(vault, token) if flavor == "sync" else asyncio.run(run_async(vault, token))
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
