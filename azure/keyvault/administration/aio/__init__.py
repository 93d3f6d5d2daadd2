"""Asynchronous clients of the Azure Key Vault administration library; models come from the parent package."""

from ._access_control_client import KeyVaultAccessControlClient
from ._backup_client import KeyVaultBackupClient
from ._ekm_client import KeyVaultEkmClient
from ._settings_client import KeyVaultSettingsClient

__all__ = [
    "KeyVaultAccessControlClient",
    "KeyVaultBackupClient",
    "KeyVaultEkmClient",
    "KeyVaultSettingsClient",
]
