"""Azure Key Vault administration client library (Managed HSM)."""

from ._access_control_client import KeyVaultAccessControlClient
from ._backup_client import KeyVaultBackupClient
from ._enums import KeyVaultDataAction, KeyVaultRoleScope, KeyVaultSettingType
from ._internal.client_base import ApiVersion
from ._models import (
    KeyVaultBackupResult,
    KeyVaultPermission,
    KeyVaultRoleAssignment,
    KeyVaultRoleAssignmentProperties,
    KeyVaultRoleDefinition,
    KeyVaultSetting,
)
from ._settings_client import KeyVaultSettingsClient
from ._version import VERSION

__version__ = VERSION

# Same names, same order as the official package.
__all__ = [  # noqa: RUF022 (official order, not sorted)
    "ApiVersion",
    "KeyVaultBackupResult",
    "KeyVaultAccessControlClient",
    "KeyVaultBackupClient",
    "KeyVaultDataAction",
    "KeyVaultPermission",
    "KeyVaultRoleAssignment",
    "KeyVaultRoleAssignmentProperties",
    "KeyVaultRoleDefinition",
    "KeyVaultRoleScope",
    "KeyVaultSetting",
    "KeyVaultSettingsClient",
    "KeyVaultSettingType",
]
