"""Asynchronous clients of the Azure Key Vault administration library; models come from the parent package."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._access_control_client import KeyVaultAccessControlClient
    from ._backup_client import KeyVaultBackupClient
    from ._ekm_client import KeyVaultEkmClient
    from ._settings_client import KeyVaultSettingsClient

# The clients are imported when first named (PEP 562), like the parent package's.
_CLIENT_MODULES = {
    "KeyVaultAccessControlClient": "._access_control_client",
    "KeyVaultBackupClient": "._backup_client",
    "KeyVaultEkmClient": "._ekm_client",
    "KeyVaultSettingsClient": "._settings_client",
}


def __getattr__(name: str) -> Any:
    module = _CLIENT_MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_CLIENT_MODULES))

__all__ = [
    "KeyVaultAccessControlClient",
    "KeyVaultBackupClient",
    "KeyVaultEkmClient",
    "KeyVaultSettingsClient",
]
