"""Runs in a separate venv with the OFFICIAL azure-keyvault-administration 4.7.2 and azure-identity 1.27.0.

Configured only by environment variables (AZURE_MANAGEDHSM_URL, SSL_CERT_FILE, REQUESTS_CA_BUNDLE,
IDENTITY_ENDPOINT, IDENTITY_HEADER). Prints one ``CHECK <name> ok`` line per step and ``ALL OK`` at the end;
any failure raises (non-zero exit).
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import DefaultAzureCredential, ManagedIdentityCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential

from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleScope,
    KeyVaultSetting,
    KeyVaultSettingsClient,
)
from azure.keyvault.administration.aio import (
    KeyVaultAccessControlClient as AsyncAccessControlClient,
)
from azure.keyvault.administration.aio import (
    KeyVaultSettingsClient as AsyncSettingsClient,
)

SETTING = "AllowKeyManagementOperationsThroughARM"
ADMIN_ROLE = "a290e904-7015-4bba-90c8-60543313cdb4"


def check(name: str, condition: bool) -> None:
    if not condition:
        raise AssertionError(f"check failed: {name}")
    print(f"CHECK {name} ok", flush=True)


def sync_flow(url: str) -> None:
    credential = DefaultAzureCredential()
    with KeyVaultAccessControlClient(url, credential) as client:
        listed = list(client.list_role_definitions(KeyVaultRoleScope.GLOBAL))
        builtins = [d for d in listed if d.role_type == "AKVBuiltInRole"]
        check("sync.list_builtin_roles", len(builtins) == 10)
        name = str(uuid.uuid4())
        permissions = [KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])]
        created = client.set_role_definition(KeyVaultRoleScope.GLOBAL, name=name, permissions=permissions)
        check("sync.set_role_definition", created.name == name and created.role_type == "CustomRole")
        updated = client.set_role_definition(
            KeyVaultRoleScope.GLOBAL, name=name, role_name="emulator-test", permissions=permissions
        )
        check("sync.update_role_definition", updated.role_name == "emulator-test")
        fetched = client.get_role_definition(KeyVaultRoleScope.GLOBAL, name)
        check("sync.get_role_definition", fetched.permissions[0].data_actions == [KeyVaultDataAction.READ_HSM_KEY])
        principal = str(uuid.uuid4())
        assignment = client.create_role_assignment(KeyVaultRoleScope.KEYS, fetched.id, principal)
        check("sync.create_role_assignment", assignment.properties.principal_id == principal)
        got = client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
        check("sync.get_role_assignment", got.role_assignment_id == assignment.role_assignment_id)
        listed = [a.name for a in client.list_role_assignments(KeyVaultRoleScope.KEYS)]
        check("sync.list_role_assignments", assignment.name in listed)
        try:
            client.delete_role_definition(KeyVaultRoleScope.GLOBAL, name)
            refused = False
        except HttpResponseError:
            refused = True
        check("sync.delete_assigned_definition_refused", refused)
        client.delete_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
        try:
            client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
            gone = False
        except ResourceNotFoundError:
            gone = True
        check("sync.delete_role_assignment", gone)
        client.delete_role_definition(KeyVaultRoleScope.GLOBAL, name)
        names = [d.name for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL)]
        check("sync.delete_role_definition", name not in names)
    with KeyVaultSettingsClient(url, credential) as settings:
        check("sync.list_settings", [s.name for s in settings.list_settings()] == [SETTING])
        check("sync.get_setting", settings.get_setting(SETTING).value in ("true", "false"))
        check("sync.update_setting", settings.update_setting(KeyVaultSetting(name=SETTING, value=True)).value == "true")
        check("sync.read_back_setting", settings.get_setting(SETTING).getboolean() is True)
        back = settings.update_setting(KeyVaultSetting(name=SETTING, value=False))
        check("sync.update_setting_back", back.value == "false")
    # A user-assigned identity is a different principal with no role: the service answers 403.
    other = ManagedIdentityCredential(client_id=str(uuid.uuid4()))
    with KeyVaultSettingsClient(url, other) as settings:
        try:
            settings.get_setting(SETTING)
            status = 200
        except HttpResponseError as exc:
            status = exc.status_code or 0
        check("sync.user_assigned_identity_forbidden", status == 403)


async def async_flow(url: str) -> None:
    credential = AsyncDefaultAzureCredential()
    async with credential, AsyncAccessControlClient(url, credential) as client:
        definitions = [d async for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL)]
        check("async.list_role_definitions", len(definitions) >= 10)
        name = str(uuid.uuid4())
        permission = KeyVaultPermission(data_actions=["Microsoft.KeyVault/managedHsm/keys/read/action"])
        created = await client.set_role_definition(KeyVaultRoleScope.GLOBAL, name=name, permissions=[permission])
        check("async.set_role_definition", created.name == name)
        check("async.get_role_definition", (await client.get_role_definition("/", name)).name == name)
        assignment = await client.create_role_assignment("/", created.id, str(uuid.uuid4()))
        check("async.create_role_assignment", assignment.properties.scope == "/")
        got = await client.get_role_assignment("/", assignment.name)
        check("async.get_role_assignment", got.name == assignment.name)
        admin = [
            a async for a in client.list_role_assignments("/") if a.properties.role_definition_id.endswith(ADMIN_ROLE)
        ]
        check("async.list_role_assignments", len(admin) >= 1)
        await client.delete_role_assignment("/", assignment.name)
        await client.delete_role_definition("/", name)
        remaining = [d.name async for d in client.list_role_definitions("/")]
        check("async.delete_role_definition", name not in remaining)
    credential2 = AsyncDefaultAzureCredential()
    async with credential2, AsyncSettingsClient(url, credential2) as settings:
        listed = [s.name async for s in settings.list_settings()]
        check("async.list_settings", listed == [SETTING])
        check("async.get_setting", (await settings.get_setting(SETTING)).name == SETTING)
        updated = await settings.update_setting(KeyVaultSetting(name=SETTING, value=True))
        check("async.update_setting", updated.value == "true")
        back = await settings.update_setting(KeyVaultSetting(name=SETTING, value=False))
        check("async.update_setting_back", back.value == "false")


def main() -> int:
    url = os.environ["AZURE_MANAGEDHSM_URL"]
    sync_flow(url)
    asyncio.run(async_flow(url))
    print("ALL OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
