"""Azure Key Vault administration client library (Managed HSM)."""

from ._backup_client import KeyVaultBackupClient
from ._enums import KeyVaultDataAction, KeyVaultRoleScope, KeyVaultSettingType
from ._models import (
    KeyVaultBackupResult,
    KeyVaultPermission,
    KeyVaultRoleAssignment,
    KeyVaultRoleAssignmentProperties,
    KeyVaultRoleDefinition,
    KeyVaultSetting,
)
from ._version import VERSION

__version__ = VERSION

__all__ = [
    "KeyVaultBackupResult",
    "KeyVaultBackupClient",
    "KeyVaultDataAction",
    "KeyVaultPermission",
    "KeyVaultRoleAssignment",
    "KeyVaultRoleAssignmentProperties",
    "KeyVaultRoleDefinition",
    "KeyVaultRoleScope",
    "KeyVaultSetting",
    "KeyVaultSettingType",
]
