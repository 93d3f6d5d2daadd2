"""Azure Key Vault administration client library (Managed HSM)."""

from ._access_control_client import KeyVaultAccessControlClient
from ._backup_client import KeyVaultBackupClient
from ._ekm_client import KeyVaultEkmClient
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
from ._settings_client import KeyVaultSettingsClient
from ._version import VERSION

__version__ = VERSION

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
