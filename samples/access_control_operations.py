"""Manage Managed HSM role definitions and role assignments (KeyVaultAccessControlClient).

Prerequisites: ``pip install azure-keyvault-administration azure-identity``.

* With ``AZURE_MANAGEDHSM_URL`` set (e.g. ``https://myhsm.managedhsm.azure.net``) the sample uses that HSM and
  ``DefaultAzureCredential``; ``AZURE_PRINCIPAL_ID`` may name the principal to assign a role to.
* Otherwise it starts the local Managed HSM emulator (package ``mhsm_emulator``) in this process and uses it.

The sample: lists role definitions, creates a custom role, updates it, assigns it to a principal, reads and lists
the assignment, then deletes the assignment and the role.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from azure.identity import DefaultAzureCredential

from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleScope,
)


@contextmanager
def managed_hsm() -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(vault URL, client keywords)``: ``$AZURE_MANAGEDHSM_URL`` and no keywords, or a local emulator
    started for the sample's lifetime and ``connection_verify=<its CA certificate>``."""
    if os.environ.get("AZURE_MANAGEDHSM_URL"):
        yield os.environ["AZURE_MANAGEDHSM_URL"], {}
        return
    from mhsm_emulator import run_emulator

    with run_emulator(database=":memory:") as emulator:
        print(f"AZURE_MANAGEDHSM_URL is not set: using a local emulator at {emulator.vault_url}")
        saved = dict(os.environ)
        os.environ.update(emulator.env())  # its managed identity endpoint, for DefaultAzureCredential
        try:
            yield emulator.vault_url, emulator.client_kwargs()
        finally:
            os.environ.clear()
            os.environ.update(saved)


def main() -> None:
    with managed_hsm() as (vault_url, client_kwargs):
        credential = DefaultAzureCredential()
        with KeyVaultAccessControlClient(vault_url, credential, **client_kwargs) as client:
            print("\n1. List the role definitions")
            for definition in client.list_role_definitions(KeyVaultRoleScope.GLOBAL):
                print(f"   {definition.role_name} ({definition.name})")

            print("\n2. Create a custom role that can read keys")
            definition_name = uuid.uuid4()
            permissions = [KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])]
            definition = client.set_role_definition(
                KeyVaultRoleScope.GLOBAL, name=definition_name, role_name="Sample key reader", permissions=permissions
            )
            print(f"   created {definition.role_name!r} with id {definition.id}")

            print("\n3. Update it: allow creating keys too")
            permissions = [
                KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY, KeyVaultDataAction.CREATE_HSM_KEY])
            ]
            definition = client.set_role_definition(
                KeyVaultRoleScope.GLOBAL, name=definition_name, role_name="Sample key reader", permissions=permissions
            )
            definition = client.get_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)
            print(f"   {definition.role_name!r} now allows {len(definition.permissions[0].data_actions)} data actions")

            print("\n4. Assign the role to a principal over all keys")
            principal_id = os.environ.get("AZURE_PRINCIPAL_ID") or str(uuid.uuid4())
            assignment = client.create_role_assignment(KeyVaultRoleScope.KEYS, definition.id, principal_id)
            print(f"   assignment {assignment.name} gives {principal_id} the role at {assignment.properties.scope}")

            print("\n5. Get the assignment and list the assignments at /keys")
            assignment = client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
            print(f"   got {assignment.name}")
            for item in client.list_role_assignments(KeyVaultRoleScope.KEYS):
                print(f"   {item.name}: {item.properties.principal_id} -> {item.properties.role_definition_id}")

            print("\n6. Delete the assignment and the role")
            client.delete_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
            client.delete_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)
            print("   deleted")


if __name__ == "__main__":
    main()
