"""Data action names checked by each operation (full ``Microsoft.KeyVault/managedHsm/...`` form)."""

from __future__ import annotations

PREFIX = "Microsoft.KeyVault/managedHsm/"


def full(action: str) -> str:
    """Add the ``Microsoft.KeyVault/managedHsm/`` prefix unless present."""
    return action if action.lower().startswith(PREFIX.lower()) else PREFIX + action


ROLE_DEFINITIONS_READ = full("roleDefinitions/read/action")
ROLE_DEFINITIONS_WRITE = full("roleDefinitions/write/action")
ROLE_DEFINITIONS_DELETE = full("roleDefinitions/delete/action")
ROLE_ASSIGNMENTS_READ = full("roleAssignments/read/action")
ROLE_ASSIGNMENTS_WRITE = full("roleAssignments/write/action")
ROLE_ASSIGNMENTS_DELETE = full("roleAssignments/delete/action")
SETTINGS_READ = full("settings/read/action")
SETTINGS_WRITE = full("settings/write/action")
BACKUP_START = full("backup/start/action")
BACKUP_STATUS = full("backup/status/action")
RESTORE_START = full("restore/start/action")
RESTORE_STATUS = full("restore/status/action")
KEYS_READ = full("keys/read/action")
KEYS_WRITE = full("keys/write/action")
KEYS_CREATE = full("keys/create")
KEYS_DELETE = full("keys/delete")
KEYS_BACKUP = full("keys/backup/action")
KEYS_RESTORE = full("keys/restore/action")
KEYS_IMPORT = full("keys/import/action")
KEYS_DELETED_READ = full("keys/deletedKeys/read/action")
KEYS_DELETED_RECOVER = full("keys/deletedKeys/recover/action")
KEYS_DELETED_DELETE = full("keys/deletedKeys/delete")
EKM_READ = full("ekm/read/action")
EKM_WRITE = full("ekm/write/action")
EKM_DELETE = full("ekm/delete/action")
