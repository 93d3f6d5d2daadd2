"""The README's patterns as a user writes them, type-clean under ``mypy --strict`` (sync clients)."""

import os
import uuid

from azure.core.exceptions import HttpResponseError
from azure.identity import DefaultAzureCredential

from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultBackupClient,
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleScope,
    KeyVaultSetting,
    KeyVaultSettingsClient,
)


def access_control(client: KeyVaultAccessControlClient) -> None:
    definition_name = uuid.uuid4()
    permissions = [KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])]
    definition = client.set_role_definition(
        KeyVaultRoleScope.GLOBAL, name=definition_name, role_name="Key reader", permissions=permissions
    )
    assert definition.id is not None  # model attributes are Optional: the service may leave them out
    print(definition.id, definition.permissions[0].data_actions if definition.permissions else [])
    definition = client.get_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)

    principal_id = os.environ.get("AZURE_PRINCIPAL_ID", str(uuid.uuid4()))
    assignment = client.create_role_assignment(KeyVaultRoleScope.KEYS, definition.id or "", principal_id)
    assignment_name = assignment.name
    assert assignment_name is not None
    if assignment.properties is not None:
        print(assignment_name, assignment.properties.scope)
    assignment = client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment_name)
    for item in client.list_role_assignments(KeyVaultRoleScope.KEYS):
        if item.properties is not None:
            print(item.name, item.properties.principal_id, item.properties.role_definition_id)
    client.delete_role_assignment(KeyVaultRoleScope.KEYS, assignment_name)
    client.delete_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)


def settings(client: KeyVaultSettingsClient) -> None:
    setting = client.get_setting("AllowKeyManagementOperationsThroughARM")
    updated = client.update_setting(KeyVaultSetting(name=setting.name, value=not setting.getboolean()))
    print(updated.name, updated.value)


def backup(client: KeyVaultBackupClient, blob_storage_url: str, sas_token: str) -> None:
    backup_result = client.begin_backup(blob_storage_url, sas_token=sas_token).result()
    folder_url = backup_result.folder_url
    assert folder_url is not None
    client.begin_pre_backup(blob_storage_url, sas_token=sas_token).wait()
    client.begin_pre_restore(folder_url, sas_token=sas_token).wait()
    client.begin_restore(folder_url, sas_token=sas_token).wait()
    selective = client.begin_restore(folder_url, sas_token=sas_token, key_name="my-key")
    selective.wait()
    print(getattr(selective.polling_method(), "status_details", None))
    client.begin_backup(blob_storage_url, use_managed_identity=True).result()
    client.begin_restore(folder_url, use_managed_identity=True).wait()

    # Resuming from a continuation token: the form issue 11 found failing "No overload variant matches".
    token = client.begin_backup(blob_storage_url, sas_token=sas_token).continuation_token()
    resumed = client.begin_backup(blob_storage_url, continuation_token=token)
    print("resumed backup:", resumed.result().folder_url)
    restore_token = client.begin_restore(folder_url, sas_token=sas_token).continuation_token()
    client.begin_restore(folder_url, continuation_token=restore_token).wait()
    check_token = client.begin_pre_backup(blob_storage_url, sas_token=sas_token).continuation_token()
    client.begin_pre_backup(blob_storage_url, continuation_token=check_token).wait()
    check_token = client.begin_pre_restore(folder_url, sas_token=sas_token).continuation_token()
    client.begin_pre_restore(folder_url, continuation_token=check_token).wait()

    try:
        client.begin_restore(blob_storage_url + "/no-such-folder", sas_token=sas_token).wait()
    except HttpResponseError as error:
        print("restore failed:", error.error.code if error.error else error.status_code)


def main() -> None:
    vault_url = os.environ["AZURE_MANAGEDHSM_URL"]
    credential = DefaultAzureCredential()
    access_control(KeyVaultAccessControlClient(vault_url, credential))
    settings(KeyVaultSettingsClient(vault_url, credential))
    backup(KeyVaultBackupClient(vault_url, credential), os.environ["BLOB_CONTAINER_URL"], os.environ["BLOB_SAS_TOKEN"])
