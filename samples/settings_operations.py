"""Read and change Managed HSM account settings (KeyVaultSettingsClient).

Prerequisites: ``pip install azure-keyvault-administration azure-identity``.

* With ``AZURE_MANAGEDHSM_URL`` set the sample uses that HSM and ``DefaultAzureCredential``.
* Otherwise it starts the local Managed HSM emulator (package ``mhsm_emulator``) in this process and uses it.

The sample lists the settings, reads one, flips a boolean setting and puts it back.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from azure.identity import DefaultAzureCredential

from azure.keyvault.administration import KeyVaultSetting, KeyVaultSettingsClient


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
        with KeyVaultSettingsClient(vault_url, DefaultAzureCredential(), **client_kwargs) as client:
            print("\n1. List the account settings")
            for setting in client.list_settings():
                print(f"   {setting.name} = {setting.value} ({setting.setting_type})")

            print("\n2. Get one setting")
            setting = client.get_setting("AllowKeyManagementOperationsThroughARM")
            original = setting.getboolean()
            print(f"   {setting.name} is {original}")

            print("\n3. Change it, then put it back")
            updated = client.update_setting(KeyVaultSetting(name=setting.name, value=not original))
            print(f"   {updated.name} is now {updated.getboolean()}")
            restored = client.update_setting(KeyVaultSetting(name=setting.name, value=original))
            print(f"   {restored.name} is back to {restored.getboolean()}")


if __name__ == "__main__":
    main()
