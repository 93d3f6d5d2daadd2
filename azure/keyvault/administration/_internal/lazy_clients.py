"""Lazy client attributes (PEP 562) for ``azure.keyvault.administration`` and its ``aio`` package.

Each client class is imported when first named, so a program using one client does not load the others. Both
packages name their client modules alike; the module path is resolved against the package asking.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

CLIENT_MODULES = {
    "KeyVaultAccessControlClient": "._access_control_client",
    "KeyVaultBackupClient": "._backup_client",
    "KeyVaultEkmClient": "._ekm_client",
    "KeyVaultSettingsClient": "._settings_client",
}


def load_client(package: str, namespace: dict[str, Any], name: str) -> Any:
    """Import the client ``name`` of ``package``, keep it in the package's ``namespace`` and return it."""
    module = CLIENT_MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(import_module(module, package), name)
    namespace[name] = value
    return value


def client_dir(namespace: dict[str, Any]) -> list[str]:
    """The package's names, the clients not yet imported included."""
    return sorted(set(namespace) | set(CLIENT_MODULES))
