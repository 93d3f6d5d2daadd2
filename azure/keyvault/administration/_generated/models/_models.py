"""msrest models of every Managed HSM administration wire shape (api-versions 7.2 to 2026-07-01-preview).

``_attribute_map`` gives each attribute's wire key and msrest type; enum-typed attributes name
their enum class so that known values deserialize to members and unknown ones stay ``str``.
``_validation`` marks read-only (server-set) and required attributes; the client does not
validate them before sending (the service decides), as the official package does not either.
"""

import datetime
from typing import Any, Optional, Union

from msrest.serialization import Model

from ._enums import (
    DataAction,
    EkmConnectivityMode,
    EkmPrivateEndpointConnectionStatus,
    EkmPrivateEndpointOperationType,
    EkmPrivateEndpointProvisioningState,
    OperationState,
    OperationStatus,
    RoleDefinitionType,
    RoleScope,
    RoleType,
    SettingTypeEnum,
)

_READONLY = {"readonly": True}
_REQUIRED = {"required": True}


class Error(Model):
    """A service error: code, message and an optional nested error.

    :ivar code: The error code.
    :vartype code: str
    :ivar message: The error message.
    :vartype message: str
    :ivar inner_error: The nested error (wire name ``innererror``).
    :vartype inner_error: Error
    """

    _validation = {"code": _READONLY, "message": _READONLY, "inner_error": _READONLY}
    _attribute_map = {
        "code": {"key": "code", "type": "str"},
        "message": {"key": "message", "type": "str"},
        "inner_error": {"key": "innererror", "type": "Error"},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.code: Optional[str] = None
        self.message: Optional[str] = None
        self.inner_error: Optional[Error] = None


class KeyVaultError(Model):
    """The body of every error response: ``{"error": {...}}``.

    :ivar error: The error.
    :vartype error: Error
    """

    _validation = {"error": _READONLY}
    _attribute_map = {"error": {"key": "error", "type": "Error"}}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error: Optional[Error] = None


# ----------------------------------------------------------------------------------------------
# Role-based access control
# ----------------------------------------------------------------------------------------------


class Permission(Model):
    """The actions a role allows and denies.

    :keyword actions: Allowed control-plane actions.
    :paramtype actions: list[str]
    :keyword not_actions: Denied control-plane actions.
    :paramtype not_actions: list[str]
    :keyword data_actions: Allowed data actions.
    :paramtype data_actions: list[str or DataAction]
    :keyword not_data_actions: Denied data actions.
    :paramtype not_data_actions: list[str or DataAction]
    """

    _attribute_map = {
        "actions": {"key": "actions", "type": "[str]"},
        "not_actions": {"key": "notActions", "type": "[str]"},
        "data_actions": {"key": "dataActions", "type": "[DataAction]"},
        "not_data_actions": {"key": "notDataActions", "type": "[DataAction]"},
    }

    def __init__(
        self,
        *,
        actions: Optional[list[str]] = None,
        not_actions: Optional[list[str]] = None,
        data_actions: Optional[list[Union[str, DataAction]]] = None,
        not_data_actions: Optional[list[Union[str, DataAction]]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.actions = actions
        self.not_actions = not_actions
        self.data_actions = data_actions
        self.not_data_actions = not_data_actions


class RoleDefinitionProperties(Model):
    """The properties of a role definition.

    :keyword role_name: The role name.
    :paramtype role_name: str
    :keyword description: The role definition description.
    :paramtype description: str
    :keyword role_type: Built-in or custom (wire name ``type``).
    :paramtype role_type: str or RoleType
    :keyword permissions: The role's permissions.
    :paramtype permissions: list[Permission]
    :keyword assignable_scopes: The scopes the role can be assigned at.
    :paramtype assignable_scopes: list[str or RoleScope]
    """

    _attribute_map = {
        "role_name": {"key": "roleName", "type": "str"},
        "description": {"key": "description", "type": "str"},
        "role_type": {"key": "type", "type": "RoleType"},
        "permissions": {"key": "permissions", "type": "[Permission]"},
        "assignable_scopes": {"key": "assignableScopes", "type": "[RoleScope]"},
    }

    def __init__(
        self,
        *,
        role_name: Optional[str] = None,
        description: Optional[str] = None,
        role_type: Optional[Union[str, RoleType]] = None,
        permissions: Optional[list[Permission]] = None,
        assignable_scopes: Optional[list[Union[str, RoleScope]]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.role_name = role_name
        self.description = description
        self.role_type = role_type
        self.permissions = permissions
        self.assignable_scopes = assignable_scopes


class RoleDefinition(Model):
    """A role definition as the service returns it.

    :ivar id: The role definition id (read-only).
    :vartype id: str
    :ivar name: The role definition name (read-only).
    :vartype name: str
    :ivar type: The resource type (read-only).
    :vartype type: str or RoleDefinitionType
    :keyword properties: The role definition's properties.
    :paramtype properties: RoleDefinitionProperties
    """

    _validation = {"id": _READONLY, "name": _READONLY, "type": _READONLY}
    _attribute_map = {
        "id": {"key": "id", "type": "str"},
        "name": {"key": "name", "type": "str"},
        "type": {"key": "type", "type": "RoleDefinitionType"},
        "properties": {"key": "properties", "type": "RoleDefinitionProperties"},
    }

    def __init__(self, *, properties: Optional[RoleDefinitionProperties] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.id: Optional[str] = None
        self.name: Optional[str] = None
        self.type: Optional[Union[str, RoleDefinitionType]] = None
        self.properties = properties


class RoleDefinitionCreateParameters(Model):
    """The body of a role definition create-or-update request.

    :keyword properties: The role definition's properties. Required by the service.
    :paramtype properties: RoleDefinitionProperties
    """

    _validation = {"properties": _REQUIRED}
    _attribute_map = {"properties": {"key": "properties", "type": "RoleDefinitionProperties"}}

    def __init__(self, *, properties: Optional[RoleDefinitionProperties] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.properties = properties


class RoleDefinitionListResult(Model):
    """One page of role definitions.

    :keyword value: The role definitions of this page.
    :paramtype value: list[RoleDefinition]
    :keyword next_link: The URL of the next page, if any.
    :paramtype next_link: str
    """

    _attribute_map = {
        "value": {"key": "value", "type": "[RoleDefinition]"},
        "next_link": {"key": "nextLink", "type": "str"},
    }

    def __init__(
        self, *, value: Optional[list[RoleDefinition]] = None, next_link: Optional[str] = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.value = value
        self.next_link = next_link


class RoleAssignmentProperties(Model):
    """The properties of a role assignment to create.

    :keyword principal_id: The principal to assign the role to. Required by the service.
    :paramtype principal_id: str
    :keyword role_definition_id: The id of the role definition to assign. Required by the service.
    :paramtype role_definition_id: str
    """

    _validation = {"principal_id": _REQUIRED, "role_definition_id": _REQUIRED}
    # Wire order principalId, roleDefinitionId: the official client sends them in this order.
    _attribute_map = {
        "principal_id": {"key": "principalId", "type": "str"},
        "role_definition_id": {"key": "roleDefinitionId", "type": "str"},
    }

    def __init__(
        self, *, principal_id: Optional[str] = None, role_definition_id: Optional[str] = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.principal_id = principal_id
        self.role_definition_id = role_definition_id


class RoleAssignmentPropertiesWithScope(Model):
    """The properties of a role assignment as the service returns them.

    :keyword scope: The assignment's scope.
    :paramtype scope: str or RoleScope
    :keyword role_definition_id: The id of the assigned role definition.
    :paramtype role_definition_id: str
    :keyword principal_id: The principal the role is assigned to.
    :paramtype principal_id: str
    """

    _attribute_map = {
        "scope": {"key": "scope", "type": "RoleScope"},
        "role_definition_id": {"key": "roleDefinitionId", "type": "str"},
        "principal_id": {"key": "principalId", "type": "str"},
    }

    def __init__(
        self,
        *,
        scope: Optional[Union[str, RoleScope]] = None,
        role_definition_id: Optional[str] = None,
        principal_id: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.scope = scope
        self.role_definition_id = role_definition_id
        self.principal_id = principal_id


class RoleAssignment(Model):
    """A role assignment as the service returns it.

    :ivar id: The assignment id (read-only).
    :vartype id: str
    :ivar name: The assignment name (read-only).
    :vartype name: str
    :ivar type: The resource type (read-only).
    :vartype type: str
    :keyword properties: The assignment's properties.
    :paramtype properties: RoleAssignmentPropertiesWithScope
    """

    _validation = {"id": _READONLY, "name": _READONLY, "type": _READONLY}
    _attribute_map = {
        "id": {"key": "id", "type": "str"},
        "name": {"key": "name", "type": "str"},
        "type": {"key": "type", "type": "str"},
        "properties": {"key": "properties", "type": "RoleAssignmentPropertiesWithScope"},
    }

    def __init__(self, *, properties: Optional[RoleAssignmentPropertiesWithScope] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.id: Optional[str] = None
        self.name: Optional[str] = None
        self.type: Optional[str] = None
        self.properties = properties


class RoleAssignmentCreateParameters(Model):
    """The body of a role assignment create request.

    :keyword properties: The assignment's properties. Required by the service.
    :paramtype properties: RoleAssignmentProperties
    """

    _validation = {"properties": _REQUIRED}
    _attribute_map = {"properties": {"key": "properties", "type": "RoleAssignmentProperties"}}

    def __init__(self, *, properties: Optional[RoleAssignmentProperties] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.properties = properties


class RoleAssignmentListResult(Model):
    """One page of role assignments.

    :keyword value: The role assignments of this page.
    :paramtype value: list[RoleAssignment]
    :keyword next_link: The URL of the next page, if any.
    :paramtype next_link: str
    """

    _attribute_map = {
        "value": {"key": "value", "type": "[RoleAssignment]"},
        "next_link": {"key": "nextLink", "type": "str"},
    }

    def __init__(
        self, *, value: Optional[list[RoleAssignment]] = None, next_link: Optional[str] = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.value = value
        self.next_link = next_link


# ----------------------------------------------------------------------------------------------
# Backup and restore
# ----------------------------------------------------------------------------------------------


class SASTokenParameter(Model):
    """Where a backup goes or comes from: a blob container and the credential to use.

    :keyword storage_resource_uri: The blob container URL. Required by the service.
    :paramtype storage_resource_uri: str
    :keyword token: A SAS token for the container (omitted from the body when None).
    :paramtype token: str
    :keyword use_managed_identity: Use the HSM's managed identity instead of a SAS token.
     Always sent; defaults to False.
    :paramtype use_managed_identity: bool
    """

    _validation = {"storage_resource_uri": _REQUIRED}
    _attribute_map = {
        "storage_resource_uri": {"key": "storageResourceUri", "type": "str"},
        "token": {"key": "token", "type": "str"},
        "use_managed_identity": {"key": "useManagedIdentity", "type": "bool"},
    }

    def __init__(
        self,
        *,
        storage_resource_uri: Optional[str] = None,
        token: Optional[str] = None,
        use_managed_identity: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.storage_resource_uri = storage_resource_uri
        self.token = token
        self.use_managed_identity = use_managed_identity


class PreBackupOperationParameters(Model):
    """The body of a pre-backup check (same fields as :class:`SASTokenParameter`, all optional).

    :keyword storage_resource_uri: The blob container URL.
    :paramtype storage_resource_uri: str
    :keyword token: A SAS token for the container.
    :paramtype token: str
    :keyword use_managed_identity: Use the HSM's managed identity. Defaults to False.
    :paramtype use_managed_identity: bool
    """

    _attribute_map = SASTokenParameter._attribute_map

    def __init__(
        self,
        *,
        storage_resource_uri: Optional[str] = None,
        token: Optional[str] = None,
        use_managed_identity: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.storage_resource_uri = storage_resource_uri
        self.token = token
        self.use_managed_identity = use_managed_identity


class RestoreOperationParameters(Model):
    """The body of a full restore.

    :keyword sas_token_parameters: The container holding the backup. Required by the service.
    :paramtype sas_token_parameters: SASTokenParameter
    :keyword folder_to_restore: The backup's folder name in the container. Required by the service.
    :paramtype folder_to_restore: str
    """

    _validation = {"sas_token_parameters": _REQUIRED, "folder_to_restore": _REQUIRED}
    _attribute_map = {
        "sas_token_parameters": {"key": "sasTokenParameters", "type": "SASTokenParameter"},
        "folder_to_restore": {"key": "folderToRestore", "type": "str"},
    }

    def __init__(
        self,
        *,
        sas_token_parameters: Optional[SASTokenParameter] = None,
        folder_to_restore: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sas_token_parameters = sas_token_parameters
        self.folder_to_restore = folder_to_restore


class PreRestoreOperationParameters(Model):
    """The body of a pre-restore check (``folderToRestore`` is sent first).

    :keyword folder_to_restore: The backup's folder name in the container.
    :paramtype folder_to_restore: str
    :keyword sas_token_parameters: The container holding the backup.
    :paramtype sas_token_parameters: SASTokenParameter
    """

    _attribute_map = {
        "folder_to_restore": {"key": "folderToRestore", "type": "str"},
        "sas_token_parameters": {"key": "sasTokenParameters", "type": "SASTokenParameter"},
    }

    def __init__(
        self,
        *,
        folder_to_restore: Optional[str] = None,
        sas_token_parameters: Optional[SASTokenParameter] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.folder_to_restore = folder_to_restore
        self.sas_token_parameters = sas_token_parameters


class SelectiveKeyRestoreOperationParameters(Model):
    """The body of a selective key restore (note the wire name ``folder``).

    :keyword sas_token_parameters: The container holding the backup. Required by the service.
    :paramtype sas_token_parameters: SASTokenParameter
    :keyword folder: The backup's folder name in the container. Required by the service.
    :paramtype folder: str
    """

    _validation = {"sas_token_parameters": _REQUIRED, "folder": _REQUIRED}
    _attribute_map = {
        "sas_token_parameters": {"key": "sasTokenParameters", "type": "SASTokenParameter"},
        "folder": {"key": "folder", "type": "str"},
    }

    def __init__(
        self, *, sas_token_parameters: Optional[SASTokenParameter] = None, folder: Optional[str] = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.sas_token_parameters = sas_token_parameters
        self.folder = folder


_JOB_ATTRIBUTES = {
    "status": {"key": "status", "type": "OperationStatus"},
    "status_details": {"key": "statusDetails", "type": "str"},
    "error": {"key": "error", "type": "Error"},
    "start_time": {"key": "startTime", "type": "unix-time"},
    "end_time": {"key": "endTime", "type": "unix-time"},
    "job_id": {"key": "jobId", "type": "str"},
}


class _JobStatus(Model):
    """Fields shared by every backup/restore job status (times are aware UTC datetimes)."""

    _attribute_map = _JOB_ATTRIBUTES

    def __init__(
        self,
        *,
        status: Optional[Union[str, OperationStatus]] = None,
        status_details: Optional[str] = None,
        error: Optional[Error] = None,
        start_time: Optional[datetime.datetime] = None,
        end_time: Optional[datetime.datetime] = None,
        job_id: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.status = status
        self.status_details = status_details
        self.error = error
        self.start_time = start_time
        self.end_time = end_time
        self.job_id = job_id


class FullBackupOperation(_JobStatus):
    """The status of a full backup or pre-backup job.

    :keyword status: InProgress, Succeeded, Canceled or Failed.
    :paramtype status: str or OperationStatus
    :keyword status_details: Details of the status.
    :paramtype status_details: str
    :keyword error: The error of a failed job.
    :paramtype error: Error
    :keyword start_time: When the job started.
    :paramtype start_time: ~datetime.datetime
    :keyword end_time: When the job ended.
    :paramtype end_time: ~datetime.datetime
    :keyword job_id: The job id.
    :paramtype job_id: str
    :keyword azure_storage_blob_container_uri: The URL of the backup folder (set when done).
    :paramtype azure_storage_blob_container_uri: str
    """

    _attribute_map = {
        **_JOB_ATTRIBUTES,
        "azure_storage_blob_container_uri": {"key": "azureStorageBlobContainerUri", "type": "str"},
    }

    def __init__(self, *, azure_storage_blob_container_uri: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.azure_storage_blob_container_uri = azure_storage_blob_container_uri


class RestoreOperation(_JobStatus):
    """The status of a full restore or pre-restore job (fields as :class:`FullBackupOperation`
    without the container URI)."""


class SelectiveKeyRestoreOperation(_JobStatus):
    """The status of a selective key restore job (fields as :class:`RestoreOperation`)."""


# ----------------------------------------------------------------------------------------------
# Settings
# ----------------------------------------------------------------------------------------------


class Setting(Model):
    """An account setting.

    :keyword name: The setting name. Required by the service.
    :paramtype name: str
    :keyword value: The value, as a string. Required by the service.
    :paramtype value: str
    :keyword type: The value's type.
    :paramtype type: str or SettingTypeEnum
    """

    _validation = {"name": _REQUIRED, "value": _REQUIRED}
    _attribute_map = {
        "name": {"key": "name", "type": "str"},
        "value": {"key": "value", "type": "str"},
        "type": {"key": "type", "type": "SettingTypeEnum"},
    }

    def __init__(
        self,
        *,
        name: Optional[str] = None,
        value: Optional[str] = None,
        type: Optional[Union[str, SettingTypeEnum]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.value = value
        self.type = type


class SettingsListResult(Model):
    """All account settings (one object, not paged).

    :ivar settings: The settings (read-only).
    :vartype settings: list[Setting]
    """

    _validation = {"settings": _READONLY}
    _attribute_map = {"settings": {"key": "settings", "type": "[Setting]"}}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings: Optional[list[Setting]] = None


class UpdateSettingRequest(Model):
    """The body of a setting update.

    :keyword value: The new value, as a string. Required by the service.
    :paramtype value: str
    """

    _validation = {"value": _REQUIRED}
    _attribute_map = {"value": {"key": "value", "type": "str"}}

    def __init__(self, *, value: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.value = value


# ----------------------------------------------------------------------------------------------
# External Key Manager
# ----------------------------------------------------------------------------------------------
#
# Certificate lists are typed ``[object]``: requests carry what the public layer made of the caller's items
# (base64 text, or anything else as it is) and responses keep the service's JSON values unchanged, so that the
# public layer decides how to decode them. Connection members are snake_case on the wire, private-endpoint
# members camelCase.


class EkmConnection(Model):
    """An EKM connection: where the HSM reaches the customer's EKM proxy and how it trusts it.

    Also the body of the connection create (POST /ekm/create) and update (PATCH /ekm) requests; members left
    as None are omitted from the body.

    :keyword host: The proxy's host name, ``host:port``, or (private endpoint connectivity) the private
     endpoint's name. Required by the service.
    :paramtype host: str
    :keyword path_prefix: The path prefix of the proxy's EKM API.
    :paramtype path_prefix: str
    :keyword server_ca_certificates: The CA chain that issued the proxy's server certificate (base64 DER).
     Required by the service.
    :paramtype server_ca_certificates: list[object]
    :keyword server_subject_common_name: The common name the proxy's server certificate must have.
    :paramtype server_subject_common_name: str
    :keyword connectivity_mode: Public or PrivateEndpoint (2026-07-01-preview).
    :paramtype connectivity_mode: str or EkmConnectivityMode
    """

    # Wire order host, server_ca_certificates, path_prefix, ...: the official client sends them in this order.
    _attribute_map = {
        "host": {"key": "host", "type": "str"},
        "server_ca_certificates": {"key": "server_ca_certificates", "type": "[object]"},
        "path_prefix": {"key": "path_prefix", "type": "str"},
        "server_subject_common_name": {"key": "server_subject_common_name", "type": "str"},
        "connectivity_mode": {"key": "connectivity_mode", "type": "EkmConnectivityMode"},
    }

    def __init__(
        self,
        *,
        host: Optional[str] = None,
        server_ca_certificates: Optional[list[Any]] = None,
        path_prefix: Optional[str] = None,
        server_subject_common_name: Optional[str] = None,
        connectivity_mode: Optional[Union[str, EkmConnectivityMode]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.host = host
        self.server_ca_certificates = server_ca_certificates
        self.path_prefix = path_prefix
        self.server_subject_common_name = server_subject_common_name
        self.connectivity_mode = connectivity_mode


class EkmProxyClientCertificateInfo(Model):
    """The client certificate the HSM presents to the EKM proxy (read-only).

    :ivar ca_certificates: The CA chain that issued the HSM's client certificate (base64 DER).
    :vartype ca_certificates: list[object]
    :ivar subject_common_name: The common name of the HSM's client certificate.
    :vartype subject_common_name: str
    """

    _validation = {"ca_certificates": _READONLY, "subject_common_name": _READONLY}
    _attribute_map = {
        "ca_certificates": {"key": "ca_certificates", "type": "[object]"},
        "subject_common_name": {"key": "subject_common_name", "type": "str"},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ca_certificates: Optional[list[Any]] = None
        self.subject_common_name: Optional[str] = None


class EkmProxyInfo(Model):
    """What the EKM proxy reports about itself (the answer of POST /ekm/check; read-only).

    :ivar api_version: The newest EKM proxy API version the proxy supports.
    :vartype api_version: str
    :ivar proxy_vendor: The proxy's vendor.
    :vartype proxy_vendor: str
    :ivar proxy_name: The proxy's product name and version.
    :vartype proxy_name: str
    :ivar ekm_vendor: The external key manager's vendor.
    :vartype ekm_vendor: str
    :ivar ekm_product: The external key manager's product name and version.
    :vartype ekm_product: str
    """

    _validation = {
        "api_version": _READONLY,
        "proxy_vendor": _READONLY,
        "proxy_name": _READONLY,
        "ekm_vendor": _READONLY,
        "ekm_product": _READONLY,
    }
    _attribute_map = {
        "api_version": {"key": "api_version", "type": "str"},
        "proxy_vendor": {"key": "proxy_vendor", "type": "str"},
        "proxy_name": {"key": "proxy_name", "type": "str"},
        "ekm_vendor": {"key": "ekm_vendor", "type": "str"},
        "ekm_product": {"key": "ekm_product", "type": "str"},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_version: Optional[str] = None
        self.proxy_vendor: Optional[str] = None
        self.proxy_name: Optional[str] = None
        self.ekm_vendor: Optional[str] = None
        self.ekm_product: Optional[str] = None


class _WireObject(Model):
    """A nested response object whose deserializer records whether the service sent it with any member.

    ``{}`` and an object with members all ``null`` deserialize to equal-looking models; the public layer treats
    only the former as absent (like the official package), so :class:`..._serialization.Deserializer` sets
    ``_received_members`` on these models.
    """

    _received_members: frozenset[str] = frozenset()


class EkmPrivateEndpointProperties(_WireObject):
    """The Private Link Service an EKM private endpoint connects to (read-only).

    :ivar private_link_service_id: The Private Link Service's resource id or alias.
    :vartype private_link_service_id: str
    :ivar private_link_service_connection_name: The connection's name (generated by the service).
    :vartype private_link_service_connection_name: str
    """

    _validation = {"private_link_service_id": _READONLY, "private_link_service_connection_name": _READONLY}
    _attribute_map = {
        "private_link_service_id": {"key": "privateLinkServiceId", "type": "str"},
        "private_link_service_connection_name": {"key": "privateLinkServiceConnectionName", "type": "str"},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.private_link_service_id: Optional[str] = None
        self.private_link_service_connection_name: Optional[str] = None


class EkmPrivateEndpointConnectionState(_WireObject):
    """The Private Link Service owner's decision on an EKM private endpoint (read-only).

    :ivar status: Pending, Approved, Rejected or Disconnected.
    :vartype status: str or EkmPrivateEndpointConnectionStatus
    :ivar description: The owner's reason.
    :vartype description: str
    :ivar actions_required: What the consumer must do, if anything.
    :vartype actions_required: str
    """

    _validation = {"status": _READONLY, "description": _READONLY, "actions_required": _READONLY}
    _attribute_map = {
        "status": {"key": "status", "type": "EkmPrivateEndpointConnectionStatus"},
        "description": {"key": "description", "type": "str"},
        "actions_required": {"key": "actionsRequired", "type": "str"},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status: Optional[Union[str, EkmPrivateEndpointConnectionStatus]] = None
        self.description: Optional[str] = None
        self.actions_required: Optional[str] = None


class EkmPrivateEndpoint(Model):
    """An EKM private endpoint (read-only).

    :ivar name: The private endpoint's name.
    :vartype name: str
    :ivar location: The Azure region.
    :vartype location: str
    :ivar provisioning_state: Succeeded, Failed, Updating or Deleting.
    :vartype provisioning_state: str or EkmPrivateEndpointProvisioningState
    :ivar properties: The Private Link Service it connects to.
    :vartype properties: EkmPrivateEndpointProperties
    :ivar private_link_service_connection_state: The connection's approval state.
    :vartype private_link_service_connection_state: EkmPrivateEndpointConnectionState
    """

    _validation = {
        "name": _READONLY,
        "location": _READONLY,
        "provisioning_state": _READONLY,
        "properties": _READONLY,
        "private_link_service_connection_state": _READONLY,
    }
    _attribute_map = {
        "name": {"key": "name", "type": "str"},
        "location": {"key": "location", "type": "str"},
        "provisioning_state": {"key": "provisioningState", "type": "EkmPrivateEndpointProvisioningState"},
        "properties": {"key": "properties", "type": "EkmPrivateEndpointProperties"},
        "private_link_service_connection_state": {
            "key": "privateLinkServiceConnectionState",
            "type": "EkmPrivateEndpointConnectionState",
        },
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name: Optional[str] = None
        self.location: Optional[str] = None
        self.provisioning_state: Optional[Union[str, EkmPrivateEndpointProvisioningState]] = None
        self.properties: Optional[EkmPrivateEndpointProperties] = None
        self.private_link_service_connection_state: Optional[EkmPrivateEndpointConnectionState] = None


class EkmPrivateEndpointListResult(Model):
    """The body of GET /ekm/privateendpoint: every EKM private endpoint, in one page (no next link).

    :ivar value: The private endpoints.
    :vartype value: list[EkmPrivateEndpoint]
    """

    _validation = {"value": _READONLY}
    _attribute_map = {"value": {"key": "value", "type": "[EkmPrivateEndpoint]"}}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.value: Optional[list[EkmPrivateEndpoint]] = None


class EkmPrivateEndpointCreateParameters(Model):
    """The body of an EKM private endpoint create request; members left as None are omitted.

    :keyword private_link_service_id: The Private Link Service's resource id or alias. Required by the service.
    :paramtype private_link_service_id: str
    :keyword request_message: A message for the Private Link Service owner.
    :paramtype request_message: str
    """

    _validation = {"private_link_service_id": _REQUIRED}
    _attribute_map = {
        "private_link_service_id": {"key": "privateLinkServiceId", "type": "str"},
        "request_message": {"key": "requestMessage", "type": "str"},
    }

    def __init__(
        self, *, private_link_service_id: Optional[str] = None, request_message: Optional[str] = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.private_link_service_id = private_link_service_id
        self.request_message = request_message


class EkmPrivateEndpointOperation(Model):
    """The status of an EKM private-endpoint create or delete job (times are aware UTC datetimes; read-only).

    :ivar job_id: The job id.
    :vartype job_id: str
    :ivar private_endpoint_name: The private endpoint the job works on.
    :vartype private_endpoint_name: str
    :ivar operation_type: Create or Delete.
    :vartype operation_type: str or EkmPrivateEndpointOperationType
    :ivar status: NotStarted, Running, Succeeded, Failed or Canceled.
    :vartype status: str or OperationState
    :ivar status_details: Details of the status.
    :vartype status_details: str
    :ivar start_time: When the job started (wire: unix seconds).
    :vartype start_time: ~datetime.datetime
    :ivar end_time: When the job ended (wire: unix seconds).
    :vartype end_time: ~datetime.datetime
    :ivar error: The error of a failed job.
    :vartype error: Error
    """

    _validation = {
        "job_id": _READONLY,
        "private_endpoint_name": _READONLY,
        "operation_type": _READONLY,
        "status": _READONLY,
        "status_details": _READONLY,
        "start_time": _READONLY,
        "end_time": _READONLY,
        "error": _READONLY,
    }
    _attribute_map = {
        "job_id": {"key": "jobId", "type": "str"},
        "private_endpoint_name": {"key": "privateEndpointName", "type": "str"},
        "operation_type": {"key": "operationType", "type": "EkmPrivateEndpointOperationType"},
        "status": {"key": "status", "type": "OperationState"},
        "status_details": {"key": "statusDetails", "type": "str"},
        "start_time": {"key": "startTime", "type": "unix-time"},
        "end_time": {"key": "endTime", "type": "unix-time"},
        "error": {"key": "error", "type": "Error"},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_id: Optional[str] = None
        self.private_endpoint_name: Optional[str] = None
        self.operation_type: Optional[Union[str, EkmPrivateEndpointOperationType]] = None
        self.status: Optional[Union[str, OperationState]] = None
        self.status_details: Optional[str] = None
        self.start_time: Optional[datetime.datetime] = None
        self.end_time: Optional[datetime.datetime] = None
        self.error: Optional[Error] = None
