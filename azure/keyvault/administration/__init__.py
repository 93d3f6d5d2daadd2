"""Azure Key Vault administration client library (Managed HSM)."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._enums import (
    KeyVaultDataAction,
    KeyVaultEkmConnectivityMode,
    KeyVaultEkmPrivateEndpointConnectionStatus,
    KeyVaultEkmPrivateEndpointOperationStatus,
    KeyVaultEkmPrivateEndpointOperationType,
    KeyVaultEkmPrivateEndpointProvisioningState,
    KeyVaultRoleScope,
    KeyVaultSettingType,
)
from ._internal.client_base import ApiVersion
from ._models import (
    KeyVaultBackupResult,
    KeyVaultEkmConnection,
    KeyVaultEkmPrivateEndpoint,
    KeyVaultEkmPrivateEndpointConnectionState,
    KeyVaultEkmPrivateEndpointOperation,
    KeyVaultEkmPrivateEndpointProperties,
    KeyVaultEkmProxyClientCertificateInfo,
    KeyVaultEkmProxyInfo,
    KeyVaultPermission,
    KeyVaultRoleAssignment,
    KeyVaultRoleAssignmentProperties,
    KeyVaultRoleDefinition,
    KeyVaultSetting,
)
from ._version import VERSION

if TYPE_CHECKING:
    from ._access_control_client import KeyVaultAccessControlClient
    from ._backup_client import KeyVaultBackupClient
    from ._ekm_client import KeyVaultEkmClient
    from ._settings_client import KeyVaultSettingsClient

__version__ = VERSION

# The clients are imported when first named (PEP 562): a program using one client does not load the others.
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

# Same names, same order as the official package (alphabetical, ignoring case).
__all__ = [  # noqa: RUF022 (official order: case-insensitive, so KeyVaultSettingType comes last)
    "ApiVersion",
    "KeyVaultAccessControlClient",
    "KeyVaultBackupClient",
    "KeyVaultBackupResult",
    "KeyVaultDataAction",
    "KeyVaultEkmClient",
    "KeyVaultEkmConnection",
    "KeyVaultEkmConnectivityMode",
    "KeyVaultEkmPrivateEndpoint",
    "KeyVaultEkmPrivateEndpointConnectionState",
    "KeyVaultEkmPrivateEndpointConnectionStatus",
    "KeyVaultEkmPrivateEndpointOperation",
    "KeyVaultEkmPrivateEndpointOperationStatus",
    "KeyVaultEkmPrivateEndpointOperationType",
    "KeyVaultEkmPrivateEndpointProperties",
    "KeyVaultEkmPrivateEndpointProvisioningState",
    "KeyVaultEkmProxyClientCertificateInfo",
    "KeyVaultEkmProxyInfo",
    "KeyVaultPermission",
    "KeyVaultRoleAssignment",
    "KeyVaultRoleAssignmentProperties",
    "KeyVaultRoleDefinition",
    "KeyVaultRoleScope",
    "KeyVaultSetting",
    "KeyVaultSettingsClient",
    "KeyVaultSettingType",
]
