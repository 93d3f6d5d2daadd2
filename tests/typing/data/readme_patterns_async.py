"""The README's resume pattern with the async backup client, type-clean under ``mypy --strict``."""

from azure.identity.aio import DefaultAzureCredential

from azure.keyvault.administration import KeyVaultBackupResult
from azure.keyvault.administration.aio import KeyVaultBackupClient


async def backup_and_resume(vault_url: str, blob_storage_url: str, sas_token: str) -> KeyVaultBackupResult:
    async with DefaultAzureCredential() as credential, KeyVaultBackupClient(vault_url, credential) as client:
        poller = await client.begin_backup(blob_storage_url, sas_token=sas_token)
        token = poller.continuation_token()
        resumed = await client.begin_backup(blob_storage_url, continuation_token=token)
        result = await resumed.result()
        folder_url = result.folder_url
        assert folder_url is not None
        restore = await client.begin_restore(folder_url, sas_token=sas_token)
        await (await client.begin_restore(folder_url, continuation_token=restore.continuation_token())).wait()
        check = await client.begin_pre_backup(blob_storage_url, sas_token=sas_token)
        await (await client.begin_pre_backup(blob_storage_url, continuation_token=check.continuation_token())).wait()
        check = await client.begin_pre_restore(folder_url, sas_token=sas_token)
        await (await client.begin_pre_restore(folder_url, continuation_token=check.continuation_token())).wait()
        return result
