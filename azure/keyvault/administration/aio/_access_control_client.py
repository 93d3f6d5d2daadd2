"""The asynchronous client for Managed HSM role-based access control."""

from typing import Any, Optional, Union, cast
from uuid import UUID

from azure.core.async_paging import AsyncItemPaged
from azure.core.exceptions import ResourceNotFoundError
from azure.core.tracing.decorator import distributed_trace
from azure.core.tracing.decorator_async import distributed_trace_async

from .. import _access_control_common as _common
from .._enums import KeyVaultRoleScope
from .._internal.async_client_base import AsyncKeyVaultClientBase
from .._models import KeyVaultPermission, KeyVaultRoleAssignment, KeyVaultRoleDefinition


class KeyVaultAccessControlClient(AsyncKeyVaultClientBase):
    """Manages role definitions and role assignments of a Managed HSM, asynchronously.

    :param str vault_url: URL of the Managed HSM, for example ``https://myhsm.managedhsm.azure.net``.
    :param credential: An object that can provide an access token for the HSM, such as a credential from
        :mod:`azure.identity.aio`.
    :type credential: ~azure.core.credentials_async.AsyncTokenCredential

    :keyword api_version: Version of the service API to use. Defaults to the most recent
        (:attr:`ApiVersion.V2025_07_01`).
    :paramtype api_version: ~azure.keyvault.administration.ApiVersion or str
    :keyword bool verify_challenge_resource: Whether to check that the authentication challenge's resource matches
        the HSM's domain. Defaults to ``True``.

    Other keyword arguments configure the azure-core pipeline (``transport``, ``retry_total``,
    ``connection_verify``, ``logging_enable``, ...).

    .. code-block:: python

        from azure.identity.aio import DefaultAzureCredential
        from azure.keyvault.administration.aio import KeyVaultAccessControlClient

        async with KeyVaultAccessControlClient(vault_url, DefaultAzureCredential()) as client:
            ...
    """

    async def __aenter__(self) -> "KeyVaultAccessControlClient":
        await super().__aenter__()
        return self

    @distributed_trace_async
    async def create_role_assignment(
        self,
        scope: Union[str, KeyVaultRoleScope],
        definition_id: str,
        principal_id: str,
        *,
        name: Union[str, UUID, None] = None,
        **kwargs: Any,
    ) -> KeyVaultRoleAssignment:
        """Assign a role to a principal over a scope.

        :param scope: The scope the assignment applies to, for example ``KeyVaultRoleScope.GLOBAL``.
        :type scope: str or KeyVaultRoleScope
        :param str definition_id: ID of the role definition to assign (its ``id``, not its name).
        :param str principal_id: Object ID of the principal (user, group or service principal).

        :keyword name: Name of the new assignment. A new UUID is generated when not given.
        :paramtype name: str or ~uuid.UUID or None

        :returns: The created assignment.
        :rtype: KeyVaultRoleAssignment
        :raises ~azure.core.exceptions.HttpResponseError: if the service refuses the assignment.

        .. code-block:: python

            assignment = await client.create_role_assignment("/", definition.id, principal_id)
        """
        assignment = await self._client.role_assignments.create(
            self._vault_url,
            _common.scope_value(scope),
            _common.new_or_given_name(name),
            _common.role_assignment_parameters(definition_id, principal_id),
            **kwargs,
        )
        return _common.role_assignment_from_wire(assignment)

    @distributed_trace_async
    async def delete_role_assignment(
        self, scope: Union[str, KeyVaultRoleScope], name: Union[str, UUID], **kwargs: Any
    ) -> None:
        """Delete a role assignment. Deleting an assignment that does not exist is not an error.

        :param scope: The scope of the assignment.
        :type scope: str or KeyVaultRoleScope
        :param name: Name of the assignment.
        :type name: str or ~uuid.UUID

        :returns: None
        :raises ~azure.core.exceptions.HttpResponseError: for errors other than "not found".

        .. code-block:: python

            await client.delete_role_assignment("/", assignment.name)
        """
        try:
            await self._client.role_assignments.delete(
                self._vault_url, _common.scope_value(scope), _common.existing_name(name), **kwargs
            )
        except ResourceNotFoundError:
            pass

    @distributed_trace_async
    async def get_role_assignment(
        self, scope: Union[str, KeyVaultRoleScope], name: Union[str, UUID], **kwargs: Any
    ) -> KeyVaultRoleAssignment:
        """Get a role assignment.

        :param scope: The scope of the assignment.
        :type scope: str or KeyVaultRoleScope
        :param name: Name of the assignment.
        :type name: str or ~uuid.UUID

        :returns: The assignment.
        :rtype: KeyVaultRoleAssignment
        :raises ~azure.core.exceptions.ResourceNotFoundError: if there is no such assignment.

        .. code-block:: python

            assignment = await client.get_role_assignment("/", assignment_name)
        """
        assignment = await self._client.role_assignments.get(
            self._vault_url, _common.scope_value(scope), _common.existing_name(name), **kwargs
        )
        return _common.role_assignment_from_wire(assignment)

    @distributed_trace
    def list_role_assignments(
        self, scope: Union[str, KeyVaultRoleScope], **kwargs: Any
    ) -> AsyncItemPaged[KeyVaultRoleAssignment]:
        """List the role assignments of a scope. Not a coroutine: pages are fetched as the result is iterated.

        :param scope: The scope to list assignments for.
        :type scope: str or KeyVaultRoleScope

        :returns: An asynchronous iterable of assignments.
        :rtype: ~azure.core.async_paging.AsyncItemPaged[KeyVaultRoleAssignment]

        .. code-block:: python

            async for assignment in client.list_role_assignments("/"):
                print(assignment.properties.principal_id)
        """
        # cls= maps every page's items to public models, so the pager yields KeyVaultRoleAssignment.
        paged = self._client.role_assignments.list_for_scope(
            self._vault_url, _common.scope_value(scope), cls=_common.role_assignments_from_wire, **kwargs
        )
        return cast("AsyncItemPaged[KeyVaultRoleAssignment]", paged)

    @distributed_trace_async
    async def set_role_definition(
        self,
        scope: Union[str, KeyVaultRoleScope],
        *,
        name: Union[str, UUID, None] = None,
        role_name: Optional[str] = None,
        description: Optional[str] = None,
        permissions: Optional[list[KeyVaultPermission]] = None,
        assignable_scopes: Optional[list[Union[str, KeyVaultRoleScope]]] = None,
        **kwargs: Any,
    ) -> KeyVaultRoleDefinition:
        """Create a custom role definition, or update the one called ``name``.

        :param scope: The scope of the definition. Managed HSM only supports ``KeyVaultRoleScope.GLOBAL``.
        :type scope: str or KeyVaultRoleScope

        :keyword name: Name of the definition. A new UUID is generated (creating a new role) when not given.
        :paramtype name: str or ~uuid.UUID or None
        :keyword role_name: Display name of the role.
        :paramtype role_name: str or None
        :keyword description: Description of the role.
        :paramtype description: str or None
        :keyword permissions: What the role allows. Sent as an empty list when not given.
        :paramtype permissions: list[KeyVaultPermission] or None
        :keyword assignable_scopes: Scopes the role can be assigned over.
        :paramtype assignable_scopes: list[str or KeyVaultRoleScope] or None

        :returns: The created or updated definition.
        :rtype: KeyVaultRoleDefinition
        :raises ~azure.core.exceptions.HttpResponseError: if the service refuses the definition.

        .. code-block:: python

            permissions = [KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])]
            definition = await client.set_role_definition("/", role_name="reader", permissions=permissions)
        """
        definition = await self._client.role_definitions.create_or_update(
            self._vault_url,
            _common.scope_value(scope),
            _common.new_or_given_name(name),
            _common.role_definition_parameters(
                role_name=role_name,
                description=description,
                permissions=permissions,
                assignable_scopes=assignable_scopes,
            ),
            **kwargs,
        )
        return _common.role_definition_from_wire(definition)

    @distributed_trace_async
    async def get_role_definition(
        self, scope: Union[str, KeyVaultRoleScope], name: Union[str, UUID], **kwargs: Any
    ) -> KeyVaultRoleDefinition:
        """Get a role definition.

        :param scope: The scope of the definition.
        :type scope: str or KeyVaultRoleScope
        :param name: Name of the definition (for custom roles, the UUID chosen when it was created).
        :type name: str or ~uuid.UUID

        :returns: The definition.
        :rtype: KeyVaultRoleDefinition
        :raises ~azure.core.exceptions.ResourceNotFoundError: if there is no such definition.

        .. code-block:: python

            definition = await client.get_role_definition("/", definition_name)
        """
        definition = await self._client.role_definitions.get(
            self._vault_url, _common.scope_value(scope), _common.existing_name(name), **kwargs
        )
        return _common.role_definition_from_wire(definition)

    @distributed_trace_async
    async def delete_role_definition(
        self, scope: Union[str, KeyVaultRoleScope], name: Union[str, UUID], **kwargs: Any
    ) -> None:
        """Delete a custom role definition. Deleting a definition that does not exist is not an error.

        :param scope: The scope of the definition.
        :type scope: str or KeyVaultRoleScope
        :param name: Name of the definition.
        :type name: str or ~uuid.UUID

        :returns: None
        :raises ~azure.core.exceptions.HttpResponseError: for errors other than "not found".

        .. code-block:: python

            await client.delete_role_definition("/", definition.name)
        """
        try:
            await self._client.role_definitions.delete(
                self._vault_url, _common.scope_value(scope), _common.existing_name(name), **kwargs
            )
        except ResourceNotFoundError:
            pass

    @distributed_trace
    def list_role_definitions(
        self, scope: Union[str, KeyVaultRoleScope], **kwargs: Any
    ) -> AsyncItemPaged[KeyVaultRoleDefinition]:
        """List the role definitions of a scope. Not a coroutine: pages are fetched as the result is iterated.

        :param scope: The scope to list definitions for.
        :type scope: str or KeyVaultRoleScope

        :returns: An asynchronous iterable of definitions.
        :rtype: ~azure.core.async_paging.AsyncItemPaged[KeyVaultRoleDefinition]

        .. code-block:: python

            async for definition in client.list_role_definitions("/"):
                print(definition.role_name)
        """
        # cls= maps every page's items to public models, so the pager yields KeyVaultRoleDefinition.
        paged = self._client.role_definitions.list(
            self._vault_url, _common.scope_value(scope), cls=_common.role_definitions_from_wire, **kwargs
        )
        return cast("AsyncItemPaged[KeyVaultRoleDefinition]", paged)
