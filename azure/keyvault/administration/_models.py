"""Public models. They are plain objects built from the generated wire models (``_from_generated``)."""

import datetime
from typing import Any, Optional, Union

from ._enums import (
    KeyVaultEkmConnectivityMode,
    KeyVaultEkmPrivateEndpointConnectionStatus,
    KeyVaultEkmPrivateEndpointOperationStatus,
    KeyVaultEkmPrivateEndpointOperationType,
    KeyVaultEkmPrivateEndpointProvisioningState,
    KeyVaultSettingType,
)
from ._internal.ekm_values import certificates_from_wire, public_enum

_REPR_LIMIT = 1024


class KeyVaultPermission:
    """One permission block of a role definition: what it allows and what it carves out.

    Exclusions (``not_*``) only narrow this block; another role of the same principal may still allow them.

    :keyword actions: Control-plane actions allowed (Managed HSM roles leave this empty).
    :paramtype actions: list[str] or None
    :keyword not_actions: Control-plane actions carved out of ``actions``.
    :paramtype not_actions: list[str] or None
    :keyword data_actions: Data-plane actions allowed.
    :paramtype data_actions: list[str or KeyVaultDataAction] or None
    :keyword not_data_actions: Data-plane actions carved out of ``data_actions``.
    :paramtype not_data_actions: list[str or KeyVaultDataAction] or None

    .. code-block:: python

        reader = KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])
    """

    def __init__(self, **kwargs: Any) -> None:
        self.actions: Optional[list[str]] = kwargs.get("actions")
        self.not_actions: Optional[list[str]] = kwargs.get("not_actions")
        self.data_actions: Optional[list[str]] = kwargs.get("data_actions")
        self.not_data_actions: Optional[list[str]] = kwargs.get("not_data_actions")

    @classmethod
    def _from_generated(cls, permission: Any) -> "KeyVaultPermission":
        return cls(
            actions=permission.actions,
            not_actions=permission.not_actions,
            data_actions=permission.data_actions,
            not_data_actions=permission.not_data_actions,
        )


class KeyVaultRoleAssignmentProperties:
    """Who holds which role where: the body of a :class:`KeyVaultRoleAssignment`.

    :keyword str principal_id: Object id of the user, group or service principal holding the role.
    :keyword str role_definition_id: The ``id`` of the assigned :class:`KeyVaultRoleDefinition`.
    :keyword scope: Where the role applies, such as ``/`` or ``/keys``.
    :paramtype scope: str or KeyVaultRoleScope
    """

    def __init__(self, **kwargs: Any) -> None:
        self.principal_id: Optional[str] = kwargs.get("principal_id")
        self.role_definition_id: Optional[str] = kwargs.get("role_definition_id")
        self.scope: Optional[str] = kwargs.get("scope")

    def __repr__(self) -> str:
        text = (
            f"KeyVaultRoleAssignmentProperties(principal_id={self.principal_id}, "
            f"role_definition_id={self.role_definition_id}, scope={self.scope})"
        )
        return text[:_REPR_LIMIT]

    @classmethod
    def _from_generated(cls, properties: Any) -> "KeyVaultRoleAssignmentProperties":
        return cls(
            principal_id=properties.principal_id,
            role_definition_id=properties.role_definition_id,
            scope=properties.scope,
        )


class KeyVaultRoleAssignment:
    """A role granted to a principal over a scope, as the HSM reports it.

    :keyword str name: The assignment's GUID name (its last path segment).
    :keyword properties: Principal, role definition and scope.
    :paramtype properties: KeyVaultRoleAssignmentProperties
    :keyword str role_assignment_id: The assignment's full resource id.
    :keyword str assignment_type: The resource type; available as the ``type`` attribute.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.name: Optional[str] = kwargs.get("name")
        self.properties: Optional[KeyVaultRoleAssignmentProperties] = kwargs.get("properties")
        self.role_assignment_id: Optional[str] = kwargs.get("role_assignment_id")
        self.type: Optional[str] = kwargs.get("assignment_type")

    def __repr__(self) -> str:
        return f"KeyVaultRoleAssignment<{self.role_assignment_id}>"[:_REPR_LIMIT]

    @classmethod
    def _from_generated(cls, role_assignment: Any) -> "KeyVaultRoleAssignment":
        # A returned assignment always has properties, even when the service sent none.
        generated_properties = role_assignment.properties
        properties = (
            KeyVaultRoleAssignmentProperties._from_generated(generated_properties)
            if generated_properties is not None
            else KeyVaultRoleAssignmentProperties()
        )
        return cls(
            role_assignment_id=role_assignment.id,
            name=role_assignment.name,
            assignment_type=role_assignment.type,
            properties=properties,
        )


class KeyVaultRoleDefinition:
    """A built-in or custom role: a named set of permissions that assignments refer to by ``id``.

    :keyword list[str] assignable_scopes: Where assignments of this role may be made.
    :keyword str description: Free text about the role.
    :keyword str id: Full resource id; pass it as ``definition_id`` when creating an assignment.
    :keyword str name: The role's GUID name.
    :keyword permissions: What the role allows and excludes.
    :paramtype permissions: list[KeyVaultPermission]
    :keyword str role_name: Display name, e.g. ``Managed HSM Crypto User``.
    :keyword str role_type: ``AKVBuiltInRole`` or ``CustomRole``.
    :keyword str type: Resource type, ``Microsoft.Authorization/roleDefinitions``.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.assignable_scopes: Optional[list[str]] = kwargs.get("assignable_scopes")
        self.description: Optional[str] = kwargs.get("description")
        self.id: Optional[str] = kwargs.get("id")
        self.name: Optional[str] = kwargs.get("name")
        self.permissions: Optional[list[KeyVaultPermission]] = kwargs.get("permissions")
        self.role_name: Optional[str] = kwargs.get("role_name")
        self.role_type: Optional[str] = kwargs.get("role_type")
        self.type: Optional[str] = kwargs.get("type")

    def __repr__(self) -> str:
        return f"KeyVaultRoleDefinition<{self.id}>"[:_REPR_LIMIT]

    @classmethod
    def _from_generated(cls, definition: Any) -> "KeyVaultRoleDefinition":
        properties = definition.properties
        if properties is None:
            return cls(id=definition.id, name=definition.name, type=definition.type)
        return cls(
            id=definition.id,
            name=definition.name,
            type=definition.type,
            role_name=properties.role_name,
            description=properties.description,
            role_type=properties.role_type,
            permissions=[KeyVaultPermission._from_generated(p) for p in properties.permissions or []],
            assignable_scopes=properties.assignable_scopes,
        )


class KeyVaultBackupResult:
    """What a finished full backup produced.

    :keyword str folder_url: URL of the blob folder that holds the backup; pass it to ``begin_restore``.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.folder_url: Optional[str] = kwargs.get("folder_url")


class KeyVaultSetting:
    """One account-wide option of a Managed HSM, such as ``AllowKeyManagementOperationsThroughARM``.

    :param str name: The name of the setting.
    :param value: The value of the setting. Non-string values are stored as strings; boolean settings are stored
        lower-cased (``"true"`` or ``"false"``).
    :type value: str or bool
    :param setting_type: The type of the setting. Inferred as :attr:`KeyVaultSettingType.BOOLEAN` when not given and
        ``value`` is a ``bool``.
    :type setting_type: str or KeyVaultSettingType or None

    .. code-block:: python

        setting = KeyVaultSetting(name="AllowKeyManagementOperationsThroughARM", value=True)
        assert setting.value == "true" and setting.getboolean() is True
    """

    def __init__(
        self,
        name: str,
        value: Union[str, bool],
        setting_type: Union[str, KeyVaultSettingType, None] = None,
        **kwargs: Any,
    ) -> None:
        self.name = name
        self.value: str = value if isinstance(value, str) else str(value)
        if setting_type is None and isinstance(value, bool):
            setting_type = KeyVaultSettingType.BOOLEAN
        if setting_type == KeyVaultSettingType.BOOLEAN:  # exactly "boolean": str-enum equality is case-sensitive
            setting_type = KeyVaultSettingType.BOOLEAN
        elif isinstance(setting_type, str):
            setting_type = setting_type.lower()
        self.setting_type: Union[str, KeyVaultSettingType, None] = setting_type
        if self.setting_type == KeyVaultSettingType.BOOLEAN:
            self.value = self.value.lower()

    def getboolean(self) -> bool:
        """Return the setting's value as a ``bool``.

        :returns: ``True`` or ``False``.
        :rtype: bool
        :raises ValueError: if the setting is not a boolean setting holding ``"true"`` or ``"false"``.
        """
        if self.setting_type == KeyVaultSettingType.BOOLEAN:
            if self.value == "true":
                return True
            if self.value == "false":
                return False
        raise ValueError(
            "The `setting_type` of the setting must be `KeyVaultSettingType.BOOLEAN` and the `value` must be "
            '"true" or "false" in order to use `getboolean`.'
        )

    @classmethod
    def _from_generated(cls, setting: Any) -> "KeyVaultSetting":
        return cls(name=setting.name, value=setting.value, setting_type=setting.type)


# ----------------------------------------------------------------------------------------------
# External Key Manager (EKM)
#
# Read from the service, enum-valued attributes hold members of the public KeyVaultEkm* enums when the value is
# one they list (exact spelling) and the plain string otherwise; certificates are DER bytes (see
# _internal/ekm_values.py for the decoding rules).
# ----------------------------------------------------------------------------------------------


class KeyVaultEkmConnection:
    """The Managed HSM's connection to an External Key Manager (EKM) proxy.

    The HSM keeps its key-encryption keys in the customer's own HSM, reached through an EKM proxy over mutual
    TLS: the HSM presents the client certificate of ``get_ekm_certificate()`` and checks the proxy's server
    certificate against ``server_ca_certificates`` (and ``server_subject_common_name`` when set).

    :param str host: The proxy's host name or IP address, optionally with ``:port`` (443 when omitted); with
        :attr:`KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT`, the name of the EKM private endpoint.
    :param server_ca_certificates: The CA chain that issued the proxy's server certificate, as DER ``bytes``.
    :type server_ca_certificates: list[bytes]
    :keyword path_prefix: The path under which the proxy serves the EKM proxy API, for example ``/api/v1``.
    :paramtype path_prefix: str or None
    :keyword server_subject_common_name: The common name the proxy's server certificate must carry.
    :paramtype server_subject_common_name: str or None
    :keyword connectivity_mode: How the HSM reaches the proxy (service API version 2026-07-01-preview).
    :paramtype connectivity_mode: str or KeyVaultEkmConnectivityMode or None

    .. code-block:: python

        connection = KeyVaultEkmConnection(
            "ekm-proxy.contoso.com", [root_ca_der], path_prefix="/api/v1", server_subject_common_name="ekm-proxy"
        )
    """

    def __init__(
        self,
        host: str,
        server_ca_certificates: list[bytes],
        *,
        path_prefix: Optional[str] = None,
        server_subject_common_name: Optional[str] = None,
        connectivity_mode: Union[str, KeyVaultEkmConnectivityMode, None] = None,
    ) -> None:
        self.host = host
        self.server_ca_certificates = server_ca_certificates
        self.path_prefix = path_prefix
        self.server_subject_common_name = server_subject_common_name
        self.connectivity_mode = connectivity_mode

    def __repr__(self) -> str:
        return f"KeyVaultEkmConnection<{self.host}>"

    @classmethod
    def _from_generated(cls, connection: Any) -> "KeyVaultEkmConnection":
        return cls(
            connection.host,
            certificates_from_wire(connection.server_ca_certificates),  # type: ignore[arg-type]
            path_prefix=connection.path_prefix,
            server_subject_common_name=connection.server_subject_common_name,
            connectivity_mode=public_enum(connection.connectivity_mode, KeyVaultEkmConnectivityMode),
        )


class KeyVaultEkmProxyClientCertificateInfo:
    """The client certificate the Managed HSM presents to EKM proxies; configure the proxy to trust it.

    :keyword ca_certificates: The CA chain that issued the HSM's client certificate, as DER ``bytes``.
    :paramtype ca_certificates: list[bytes] or None
    :keyword subject_common_name: The common name of the HSM's client certificate.
    :paramtype subject_common_name: str or None
    """

    def __init__(self, **kwargs: Any) -> None:
        self.ca_certificates: Optional[list[bytes]] = kwargs.get("ca_certificates")
        self.subject_common_name: Optional[str] = kwargs.get("subject_common_name")

    def __repr__(self) -> str:
        return f"KeyVaultEkmProxyClientCertificateInfo<{self.subject_common_name}>"

    @classmethod
    def _from_generated(cls, info: Any) -> "KeyVaultEkmProxyClientCertificateInfo":
        return cls(
            ca_certificates=certificates_from_wire(info.ca_certificates), subject_common_name=info.subject_common_name
        )


class KeyVaultEkmProxyInfo:
    """What an EKM proxy reports about itself when the Managed HSM checks the connection.

    :keyword api_version: The newest EKM proxy API version the proxy supports.
    :paramtype api_version: str or None
    :keyword proxy_vendor: The proxy's vendor.
    :paramtype proxy_vendor: str or None
    :keyword proxy_name: The proxy's product name and version.
    :paramtype proxy_name: str or None
    :keyword ekm_vendor: The external key manager's vendor.
    :paramtype ekm_vendor: str or None
    :keyword ekm_product: The external key manager's product name and version.
    :paramtype ekm_product: str or None
    """

    def __init__(self, **kwargs: Any) -> None:
        self.api_version: Optional[str] = kwargs.get("api_version")
        self.proxy_vendor: Optional[str] = kwargs.get("proxy_vendor")
        self.proxy_name: Optional[str] = kwargs.get("proxy_name")
        self.ekm_vendor: Optional[str] = kwargs.get("ekm_vendor")
        self.ekm_product: Optional[str] = kwargs.get("ekm_product")

    def __repr__(self) -> str:
        return (
            f"KeyVaultEkmProxyInfo(api_version={self.api_version}, proxy_vendor={self.proxy_vendor}, "
            f"proxy_name={self.proxy_name}, ekm_vendor={self.ekm_vendor}, ekm_product={self.ekm_product})"
        )

    @classmethod
    def _from_generated(cls, info: Any) -> "KeyVaultEkmProxyInfo":
        return cls(
            api_version=info.api_version,
            proxy_vendor=info.proxy_vendor,
            proxy_name=info.proxy_name,
            ekm_vendor=info.ekm_vendor,
            ekm_product=info.ekm_product,
        )


def _sent(nested: Any) -> bool:
    # A nested object counts only when the service sent it with at least one member ({} is "absent").
    return nested is not None and bool(getattr(nested, "_received_members", True))


class KeyVaultEkmPrivateEndpointProperties:
    """The Private Link Service an EKM private endpoint connects to.

    :keyword private_link_service_id: The Private Link Service's resource id or alias.
    :paramtype private_link_service_id: str or None
    :keyword private_link_service_connection_name: The connection's name (chosen by the service).
    :paramtype private_link_service_connection_name: str or None
    """

    def __init__(self, **kwargs: Any) -> None:
        self.private_link_service_id: Optional[str] = kwargs.get("private_link_service_id")
        self.private_link_service_connection_name: Optional[str] = kwargs.get("private_link_service_connection_name")

    def __repr__(self) -> str:
        return f"KeyVaultEkmPrivateEndpointProperties<{self.private_link_service_id}>"

    @classmethod
    def _from_generated(cls, properties: Any) -> "KeyVaultEkmPrivateEndpointProperties":
        return cls(
            private_link_service_id=properties.private_link_service_id,
            private_link_service_connection_name=properties.private_link_service_connection_name,
        )


class KeyVaultEkmPrivateEndpointConnectionState:
    """The Private Link Service owner's decision on an EKM private endpoint's connection.

    :keyword status: Pending, Approved, Rejected or Disconnected.
    :paramtype status: str or KeyVaultEkmPrivateEndpointConnectionStatus or None
    :keyword description: The owner's reason.
    :paramtype description: str or None
    :keyword actions_required: What must be done on the consumer side, if anything.
    :paramtype actions_required: str or None
    """

    def __init__(self, **kwargs: Any) -> None:
        self.status: Union[str, KeyVaultEkmPrivateEndpointConnectionStatus, None] = kwargs.get("status")
        self.description: Optional[str] = kwargs.get("description")
        self.actions_required: Optional[str] = kwargs.get("actions_required")

    def __repr__(self) -> str:
        return f"KeyVaultEkmPrivateEndpointConnectionState<{self.status}>"

    @classmethod
    def _from_generated(cls, state: Any) -> "KeyVaultEkmPrivateEndpointConnectionState":
        return cls(
            status=public_enum(state.status, KeyVaultEkmPrivateEndpointConnectionStatus),
            description=state.description,
            actions_required=state.actions_required,
        )


class KeyVaultEkmPrivateEndpoint:
    """A private endpoint through which the Managed HSM reaches an EKM proxy behind a Private Link Service.

    :keyword name: The private endpoint's name (the ``host`` of a private-endpoint EKM connection).
    :paramtype name: str or None
    :keyword location: The Azure region.
    :paramtype location: str or None
    :keyword provisioning_state: Succeeded, Failed, Updating or Deleting.
    :paramtype provisioning_state: str or KeyVaultEkmPrivateEndpointProvisioningState or None
    :keyword properties: The Private Link Service it connects to.
    :paramtype properties: KeyVaultEkmPrivateEndpointProperties or None
    :keyword private_link_service_connection_state: Whether the Private Link Service owner approved it.
    :paramtype private_link_service_connection_state: KeyVaultEkmPrivateEndpointConnectionState or None
    """

    def __init__(self, **kwargs: Any) -> None:
        self.name: Optional[str] = kwargs.get("name")
        self.location: Optional[str] = kwargs.get("location")
        self.provisioning_state: Union[str, KeyVaultEkmPrivateEndpointProvisioningState, None] = kwargs.get(
            "provisioning_state"
        )
        self.properties: Optional[KeyVaultEkmPrivateEndpointProperties] = kwargs.get("properties")
        self.private_link_service_connection_state: Optional[KeyVaultEkmPrivateEndpointConnectionState] = kwargs.get(
            "private_link_service_connection_state"
        )

    def __repr__(self) -> str:
        return f"KeyVaultEkmPrivateEndpoint<{self.name}>"

    @classmethod
    def _from_generated(cls, endpoint: Any) -> "KeyVaultEkmPrivateEndpoint":
        properties = endpoint.properties
        state = endpoint.private_link_service_connection_state
        return cls(
            name=endpoint.name,
            location=endpoint.location,
            provisioning_state=public_enum(endpoint.provisioning_state, KeyVaultEkmPrivateEndpointProvisioningState),
            properties=KeyVaultEkmPrivateEndpointProperties._from_generated(properties) if _sent(properties) else None,
            private_link_service_connection_state=(
                KeyVaultEkmPrivateEndpointConnectionState._from_generated(state) if _sent(state) else None
            ),
        )


class KeyVaultEkmPrivateEndpointOperation:
    """The state of an EKM private-endpoint create or delete operation.

    :keyword job_id: The operation's id (for ``get_ekm_private_endpoint_operation_status``).
    :paramtype job_id: str or None
    :keyword private_endpoint_name: The private endpoint it works on.
    :paramtype private_endpoint_name: str or None
    :keyword operation_type: Create or Delete.
    :paramtype operation_type: str or KeyVaultEkmPrivateEndpointOperationType or None
    :keyword status: NotStarted, Running, Succeeded, Failed or Canceled.
    :paramtype status: str or KeyVaultEkmPrivateEndpointOperationStatus or None
    :keyword status_details: The service's description of the status.
    :paramtype status_details: str or None
    :keyword start_time: When the operation started (UTC).
    :paramtype start_time: ~datetime.datetime or None
    :keyword end_time: When the operation ended (UTC).
    :paramtype end_time: ~datetime.datetime or None
    :keyword error_code: The error code of a failed operation.
    :paramtype error_code: str or None
    :keyword error_message: The error message of a failed operation.
    :paramtype error_message: str or None
    """

    def __init__(self, **kwargs: Any) -> None:
        self.job_id: Optional[str] = kwargs.get("job_id")
        self.private_endpoint_name: Optional[str] = kwargs.get("private_endpoint_name")
        self.operation_type: Union[str, KeyVaultEkmPrivateEndpointOperationType, None] = kwargs.get("operation_type")
        self.status: Union[str, KeyVaultEkmPrivateEndpointOperationStatus, None] = kwargs.get("status")
        self.status_details: Optional[str] = kwargs.get("status_details")
        self.start_time: Optional[datetime.datetime] = kwargs.get("start_time")
        self.end_time: Optional[datetime.datetime] = kwargs.get("end_time")
        self.error_code: Optional[str] = kwargs.get("error_code")
        self.error_message: Optional[str] = kwargs.get("error_message")

    def __repr__(self) -> str:
        return f"KeyVaultEkmPrivateEndpointOperation<{self.private_endpoint_name}>"

    @classmethod
    def _from_generated(cls, operation: Any) -> "KeyVaultEkmPrivateEndpointOperation":
        error = operation.error
        return cls(
            job_id=operation.job_id,
            private_endpoint_name=operation.private_endpoint_name,
            operation_type=public_enum(operation.operation_type, KeyVaultEkmPrivateEndpointOperationType),
            status=public_enum(operation.status, KeyVaultEkmPrivateEndpointOperationStatus),
            status_details=operation.status_details,
            start_time=operation.start_time,
            end_time=operation.end_time,
            error_code=error.code if error is not None else None,
            error_message=error.message if error is not None else None,
        )
