"""Public models. They are plain objects built from the generated wire models (``_from_generated``)."""

from typing import Any, Optional, Union

from ._enums import KeyVaultSettingType

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
