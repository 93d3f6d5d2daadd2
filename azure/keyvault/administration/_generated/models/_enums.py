"""String enums of the Managed HSM administration wire format.

Every enum is extensible on the service side: a value the client does not know is kept as a
plain ``str`` by the deserializer, so only the values listed here come back as members.
"""

from enum import Enum

from azure.core import CaseInsensitiveEnumMeta

_PREFIX = "Microsoft.KeyVault/managedHsm/"


class RoleScope(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The scope of a role definition or assignment."""

    GLOBAL = "/"
    KEYS = "/keys"


class RoleType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """Whether a role definition is built in or defined by a user."""

    BUILT_IN_ROLE = "AKVBuiltInRole"
    CUSTOM_ROLE = "CustomRole"


class RoleDefinitionType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The resource type of a role definition."""

    MICROSOFT_AUTHORIZATION_ROLE_DEFINITIONS = "Microsoft.Authorization/roleDefinitions"


class SettingTypeEnum(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The type of an account setting's value."""

    BOOLEAN = "boolean"


class OperationStatus(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The state of a backup or restore job."""

    IN_PROGRESS = "InProgress"
    SUCCEEDED = "Succeeded"
    CANCELED = "Canceled"
    FAILED = "Failed"


class DataAction(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """A data-plane permission of a Managed HSM role."""

    READ_HSM_KEY = _PREFIX + "keys/read/action"
    WRITE_HSM_KEY = _PREFIX + "keys/write/action"
    READ_DELETED_HSM_KEY = _PREFIX + "keys/deletedKeys/read/action"
    RECOVER_DELETED_HSM_KEY = _PREFIX + "keys/deletedKeys/recover/action"
    BACKUP_HSM_KEYS = _PREFIX + "keys/backup/action"
    RESTORE_HSM_KEYS = _PREFIX + "keys/restore/action"
    DELETE_ROLE_ASSIGNMENT = _PREFIX + "roleAssignments/delete/action"
    GET_ROLE_ASSIGNMENT = _PREFIX + "roleAssignments/read/action"
    WRITE_ROLE_ASSIGNMENT = _PREFIX + "roleAssignments/write/action"
    READ_ROLE_DEFINITION = _PREFIX + "roleDefinitions/read/action"
    WRITE_ROLE_DEFINITION = _PREFIX + "roleDefinitions/write/action"
    DELETE_ROLE_DEFINITION = _PREFIX + "roleDefinitions/delete/action"
    ENCRYPT_HSM_KEY = _PREFIX + "keys/encrypt/action"
    DECRYPT_HSM_KEY = _PREFIX + "keys/decrypt/action"
    WRAP_HSM_KEY = _PREFIX + "keys/wrap/action"
    UNWRAP_HSM_KEY = _PREFIX + "keys/unwrap/action"
    SIGN_HSM_KEY = _PREFIX + "keys/sign/action"
    VERIFY_HSM_KEY = _PREFIX + "keys/verify/action"
    CREATE_HSM_KEY = _PREFIX + "keys/create"
    DELETE_HSM_KEY = _PREFIX + "keys/delete"
    EXPORT_HSM_KEY = _PREFIX + "keys/export/action"
    RELEASE_KEY = _PREFIX + "keys/release/action"
    IMPORT_HSM_KEY = _PREFIX + "keys/import/action"
    PURGE_DELETED_HSM_KEY = _PREFIX + "keys/deletedKeys/delete"
    DOWNLOAD_HSM_SECURITY_DOMAIN = _PREFIX + "securitydomain/download/action"
    DOWNLOAD_HSM_SECURITY_DOMAIN_STATUS = _PREFIX + "securitydomain/download/read"
    UPLOAD_HSM_SECURITY_DOMAIN = _PREFIX + "securitydomain/upload/action"
    READ_HSM_SECURITY_DOMAIN_STATUS = _PREFIX + "securitydomain/upload/read"
    READ_HSM_SECURITY_DOMAIN_TRANSFER_KEY = _PREFIX + "securitydomain/transferkey/read"
    START_HSM_BACKUP = _PREFIX + "backup/start/action"
    START_HSM_RESTORE = _PREFIX + "restore/start/action"
    READ_HSM_BACKUP_STATUS = _PREFIX + "backup/status/action"
    READ_HSM_RESTORE_STATUS = _PREFIX + "restore/status/action"
    RANDOM_NUMBERS_GENERATE = _PREFIX + "rng/action"


# ----------------------------------------------------------------------------------------------
# External Key Manager (api-versions 2026-01-01-preview and later; private endpoints 2026-07-01-preview)
# ----------------------------------------------------------------------------------------------


class EkmConnectivityMode(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """How the HSM reaches the EKM proxy."""

    PUBLIC = "Public"
    PRIVATE_ENDPOINT = "PrivateEndpoint"


class EkmPrivateEndpointProvisioningState(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The provisioning state of an EKM private endpoint."""

    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    UPDATING = "Updating"
    DELETING = "Deleting"


class EkmPrivateEndpointConnectionStatus(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The Private Link Service owner's decision on an EKM private endpoint's connection."""

    PENDING = "Pending"
    APPROVED = "Approved"
    REJECTED = "Rejected"
    DISCONNECTED = "Disconnected"


class EkmPrivateEndpointOperationType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """What an EKM private-endpoint job does."""

    CREATE = "Create"
    DELETE = "Delete"


class OperationState(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The state of an EKM private-endpoint job."""

    NOT_STARTED = "NotStarted"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELED = "Canceled"
