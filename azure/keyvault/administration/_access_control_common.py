"""Sans-I/O logic shared by the sync and async access control clients.

Everything here is pure: argument normalisation, request body building and conversion of generated
(wire) models into public models. The two client twins only add the I/O.
"""

from enum import Enum
from typing import TYPE_CHECKING, Any, Optional, Union
from uuid import UUID, uuid4

from ._enums import KeyVaultRoleScope
from ._models import KeyVaultPermission, KeyVaultRoleAssignment, KeyVaultRoleDefinition

if TYPE_CHECKING:
    from ._generated import models as _wire

ScopeArg = Union[str, KeyVaultRoleScope]
NameArg = Union[str, UUID]


def scope_value(scope: ScopeArg) -> str:
    """Return the string to insert in a REST path for ``scope``.

    Enum members contribute their value (``KeyVaultRoleScope.KEYS`` -> ``"/keys"``); anything else is passed on
    unchanged so that the generated layer reports missing values the way the service package does.

    :param scope: A role scope, for example ``"/"`` or ``KeyVaultRoleScope.KEYS``.
    :type scope: str or KeyVaultRoleScope
    :returns: The scope as it goes into the URL.
    :rtype: str
    """
    return scope.value if isinstance(scope, Enum) else scope


def existing_name(name: NameArg) -> str:
    """Return the path segment naming an existing definition or assignment (``UUID`` objects become strings).

    :param name: The name of a role definition or assignment.
    :type name: str or ~uuid.UUID
    :returns: The name as a string.
    :rtype: str
    """
    return str(name)


def new_or_given_name(name: Optional[NameArg]) -> str:
    """Return the name to create or update: ``name`` as a string, or a fresh ``uuid4`` when ``name`` is falsy.

    :param name: The requested name, if any.
    :type name: str or ~uuid.UUID or None
    :returns: The name to use in the request path.
    :rtype: str
    """
    return str(name or uuid4())


def permission_to_wire(permission: KeyVaultPermission) -> "_wire.Permission":
    """Convert a public permission to its wire model; members left as ``None`` are omitted from the body.

    :param permission: The permission to convert.
    :type permission: KeyVaultPermission
    :returns: The generated permission model.
    :rtype: ~azure.keyvault.administration._generated.models.Permission
    """
    from ._generated import models as _wire  # msrest is imported with the first model built

    return _wire.Permission(
        actions=permission.actions,
        not_actions=permission.not_actions,
        data_actions=_values(permission.data_actions),
        not_data_actions=_values(permission.not_data_actions),
    )


def role_definition_parameters(
    *,
    role_name: Optional[str],
    description: Optional[str],
    permissions: Optional[list[KeyVaultPermission]],
    assignable_scopes: Optional[list[ScopeArg]],
) -> "_wire.RoleDefinitionCreateParameters":
    """Build the body of a role definition PUT.

    ``permissions`` is always sent (``[]`` when not given); the other properties are omitted when ``None``.

    :keyword role_name: The role's display name.
    :paramtype role_name: str or None
    :keyword description: The role's description.
    :paramtype description: str or None
    :keyword permissions: The permissions the role grants.
    :paramtype permissions: list[KeyVaultPermission] or None
    :keyword assignable_scopes: The scopes the role can be assigned over.
    :paramtype assignable_scopes: list[str or KeyVaultRoleScope] or None
    :returns: The generated request model.
    :rtype: ~azure.keyvault.administration._generated.models.RoleDefinitionCreateParameters
    """
    from ._generated import models as _wire

    properties = _wire.RoleDefinitionProperties(
        role_name=role_name,
        description=description,
        permissions=[permission_to_wire(permission) for permission in permissions or []],
        assignable_scopes=_values(assignable_scopes),
    )
    return _wire.RoleDefinitionCreateParameters(properties=properties)


def role_assignment_parameters(definition_id: Any, principal_id: Any) -> "_wire.RoleAssignmentCreateParameters":
    """Build the body of a role assignment PUT: ``principalId`` as given, ``roleDefinitionId`` as a string.

    :param definition_id: The ID of the role definition to assign (``str()`` is applied).
    :param principal_id: The principal the role is assigned to.
    :returns: The generated request model.
    :rtype: ~azure.keyvault.administration._generated.models.RoleAssignmentCreateParameters
    """
    from ._generated import models as _wire

    properties = _wire.RoleAssignmentProperties(role_definition_id=str(definition_id), principal_id=principal_id)
    return _wire.RoleAssignmentCreateParameters(properties=properties)


def role_definition_from_wire(definition: "_wire.RoleDefinition") -> KeyVaultRoleDefinition:
    """Convert one generated role definition to the public model."""
    return KeyVaultRoleDefinition._from_generated(definition)


def role_assignment_from_wire(assignment: "_wire.RoleAssignment") -> KeyVaultRoleAssignment:
    """Convert one generated role assignment to the public model."""
    return KeyVaultRoleAssignment._from_generated(assignment)


def role_definitions_from_wire(definitions: list["_wire.RoleDefinition"]) -> list[KeyVaultRoleDefinition]:
    """Map one page of generated role definitions (the generated pager's ``cls`` hook)."""
    return [role_definition_from_wire(definition) for definition in definitions]


def role_assignments_from_wire(assignments: list["_wire.RoleAssignment"]) -> list[KeyVaultRoleAssignment]:
    """Map one page of generated role assignments (the generated pager's ``cls`` hook)."""
    return [role_assignment_from_wire(assignment) for assignment in assignments]


def _values(items: Optional[list[Any]]) -> Optional[list[Any]]:
    # Enum members go on the wire as their values; other items (and None) are left for the serializer.
    if items is None or isinstance(items, str):
        return items
    return [item.value if isinstance(item, Enum) else item for item in items]
