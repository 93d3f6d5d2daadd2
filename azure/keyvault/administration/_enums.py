"""Public enumerations of the administration library."""

from enum import Enum

from azure.core import CaseInsensitiveEnumMeta


class KeyVaultRoleScope(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """Scopes that role assignments commonly use; any other scope string (e.g. ``/keys/<name>``) works too."""

    #: The whole Managed HSM.
    GLOBAL = "/"
    #: Every key of the Managed HSM.
    KEYS = "/keys"


class KeyVaultDataAction(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """Data-plane permissions a role definition can grant or exclude (``KeyVaultPermission.data_actions``)."""

    #: Read a key and its attributes.
    READ_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/read/action"
    #: Change a key's attributes.
    WRITE_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/write/action"
    #: Read keys in the deleted state.
    READ_DELETED_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action"
    #: Bring a deleted key back.
    RECOVER_DELETED_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action"
    #: Export keys in protected backup form.
    BACKUP_HSM_KEYS = "Microsoft.KeyVault/managedHsm/keys/backup/action"
    #: Import keys from a protected backup.
    RESTORE_HSM_KEYS = "Microsoft.KeyVault/managedHsm/keys/restore/action"
    #: Remove role assignments.
    DELETE_ROLE_ASSIGNMENT = "Microsoft.KeyVault/managedHsm/roleAssignments/delete/action"
    #: Read role assignments.
    GET_ROLE_ASSIGNMENT = "Microsoft.KeyVault/managedHsm/roleAssignments/read/action"
    #: Add role assignments.
    WRITE_ROLE_ASSIGNMENT = "Microsoft.KeyVault/managedHsm/roleAssignments/write/action"
    #: Read role definitions.
    READ_ROLE_DEFINITION = "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action"
    #: Add or change role definitions.
    WRITE_ROLE_DEFINITION = "Microsoft.KeyVault/managedHsm/roleDefinitions/write/action"
    #: Remove role definitions.
    DELETE_ROLE_DEFINITION = "Microsoft.KeyVault/managedHsm/roleDefinitions/delete/action"
    #: Encrypt data with a key.
    ENCRYPT_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/encrypt/action"
    #: Decrypt data with a key.
    DECRYPT_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/decrypt/action"
    #: Wrap another key with a key.
    WRAP_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/wrap/action"
    #: Unwrap a wrapped key with a key.
    UNWRAP_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/unwrap/action"
    #: Sign a digest with a key.
    SIGN_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/sign/action"
    #: Verify a signature with a key.
    VERIFY_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/verify/action"
    #: Generate new keys.
    CREATE_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/create"
    #: Delete keys (soft delete).
    DELETE_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/delete"
    #: Export key material.
    EXPORT_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/export/action"
    #: Release a key to an attested environment (secure key release).
    RELEASE_KEY = "Microsoft.KeyVault/managedHsm/keys/release/action"
    #: Bring external key material in as a key.
    IMPORT_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/import/action"
    #: Permanently remove deleted keys.
    PURGE_DELETED_HSM_KEY = "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete"
    #: Start downloading the security domain.
    DOWNLOAD_HSM_SECURITY_DOMAIN = "Microsoft.KeyVault/managedHsm/securitydomain/download/action"
    #: Read the progress of a security domain download.
    DOWNLOAD_HSM_SECURITY_DOMAIN_STATUS = "Microsoft.KeyVault/managedHsm/securitydomain/download/read"
    #: Upload a security domain.
    UPLOAD_HSM_SECURITY_DOMAIN = "Microsoft.KeyVault/managedHsm/securitydomain/upload/action"
    #: Read the progress of a security domain upload.
    READ_HSM_SECURITY_DOMAIN_STATUS = "Microsoft.KeyVault/managedHsm/securitydomain/upload/read"
    #: Read the security domain transfer key.
    READ_HSM_SECURITY_DOMAIN_TRANSFER_KEY = "Microsoft.KeyVault/managedHsm/securitydomain/transferkey/read"
    #: Start a full backup.
    START_HSM_BACKUP = "Microsoft.KeyVault/managedHsm/backup/start/action"
    #: Start a full or selective restore.
    START_HSM_RESTORE = "Microsoft.KeyVault/managedHsm/restore/start/action"
    #: Read the status of a backup job.
    READ_HSM_BACKUP_STATUS = "Microsoft.KeyVault/managedHsm/backup/status/action"
    #: Read the status of a restore job.
    READ_HSM_RESTORE_STATUS = "Microsoft.KeyVault/managedHsm/restore/status/action"
    #: Get random bytes from the HSM.
    RANDOM_NUMBERS_GENERATE = "Microsoft.KeyVault/managedHsm/rng/action"


class KeyVaultSettingType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """Value types of account settings; the service defines booleans only."""

    BOOLEAN = "boolean"


class KeyVaultEkmConnectivityMode(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """How the Managed HSM reaches the EKM proxy (``KeyVaultEkmConnection.connectivity_mode``)."""

    #: Over the internet: ``host`` is the proxy's DNS name or IP address (optionally with ``:port``).
    PUBLIC = "Public"
    #: Through an EKM private endpoint: ``host`` is the private endpoint's name.
    PRIVATE_ENDPOINT = "PrivateEndpoint"


class KeyVaultEkmPrivateEndpointProvisioningState(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """Where an EKM private endpoint is in its life cycle."""

    #: Ready.
    SUCCEEDED = "Succeeded"
    #: Provisioning failed.
    FAILED = "Failed"
    #: Being created or changed.
    UPDATING = "Updating"
    #: Being removed.
    DELETING = "Deleting"


class KeyVaultEkmPrivateEndpointConnectionStatus(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The Private Link Service owner's decision on an EKM private endpoint's connection."""

    #: Awaiting the owner's approval.
    PENDING = "Pending"
    #: Approved: the HSM can reach the proxy through the endpoint.
    APPROVED = "Approved"
    #: Rejected by the owner.
    REJECTED = "Rejected"
    #: Removed by the owner after approval.
    DISCONNECTED = "Disconnected"


class KeyVaultEkmPrivateEndpointOperationType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """What an EKM private-endpoint operation does."""

    #: Creates a private endpoint.
    CREATE = "Create"
    #: Deletes a private endpoint.
    DELETE = "Delete"


class KeyVaultEkmPrivateEndpointOperationStatus(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The state of an EKM private-endpoint operation."""

    #: Accepted, not yet running.
    NOT_STARTED = "NotStarted"
    #: In progress.
    RUNNING = "Running"
    #: Finished successfully.
    SUCCEEDED = "Succeeded"
    #: Finished with an error.
    FAILED = "Failed"
    #: Stopped before it finished.
    CANCELED = "Canceled"
