"""Azure Key Vault administration client library (Managed HSM)."""

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
from ._internal.lazy_clients import client_dir, load_client
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
def __getattr__(name: str) -> Any:
    return load_client(__name__, globals(), name)


def __dir__() -> list[str]:
    return client_dir(globals())

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
