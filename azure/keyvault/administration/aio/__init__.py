"""Asynchronous clients of the Azure Key Vault administration library; models come from the parent package."""

from typing import TYPE_CHECKING, Any

from .._internal.lazy_clients import client_dir, load_client

if TYPE_CHECKING:
    from ._access_control_client import KeyVaultAccessControlClient
    from ._backup_client import KeyVaultBackupClient
    from ._ekm_client import KeyVaultEkmClient
    from ._settings_client import KeyVaultSettingsClient

# The clients are imported when first named (PEP 562): a program using one client does not load the others.
def __getattr__(name: str) -> Any:
    return load_client(__name__, globals(), name)


def __dir__() -> list[str]:
    return client_dir(globals())

__all__ = [
    "KeyVaultAccessControlClient",
    "KeyVaultBackupClient",
    "KeyVaultEkmClient",
    "KeyVaultSettingsClient",
]
