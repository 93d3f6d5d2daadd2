"""Recorded end-to-end tests of the access control clients (sync and async, every service API version).

Playback by default; ``AZURE_TEST_RUN_LIVE=true`` runs them against the emulator (or a real HSM) and re-records.
See ``tests/_recording/__init__.py``.
"""

import uuid
from typing import Any

import pytest
from _recording import Recording
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleAssignment,
    KeyVaultRoleDefinition,
    KeyVaultRoleScope,
    _access_control_common,
)

from .conftest import ACCESS_CONTROL_VERSIONS, LATEST
from .fake_service import collect, resolve

CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b"  # built-in "Managed HSM Crypto User"
ADMINISTRATOR = "a290e904-7015-4bba-90c8-60543313cdb4"  # built-in "Managed HSM Administrator"
SEEDED_ASSIGNMENTS = 250  # more than two pages of the emulator's (and the service's) page size


async def close(client: Any) -> None:
    await resolve(client.close())


@pytest.mark.parametrize("api_version", ACCESS_CONTROL_VERSIONS)
async def test_list_role_definitions(recorded: Recording, access_control_class: type, api_version: str) -> None:
    client = recorded.client(access_control_class, api_version=api_version)
    definitions = await collect(client.list_role_definitions(KeyVaultRoleScope.GLOBAL))
    await close(client)
    by_name = {d.name: d for d in definitions}
    assert {CRYPTO_USER, ADMINISTRATOR} <= set(by_name)
    admin = by_name[ADMINISTRATOR]
    assert isinstance(admin, KeyVaultRoleDefinition)
    assert admin.role_name == "Managed HSM Administrator"
    assert admin.role_type == "AKVBuiltInRole"
    assert admin.type == "Microsoft.Authorization/roleDefinitions"
    assert admin.id.endswith(f"/roleDefinitions/{ADMINISTRATOR}")
    assert KeyVaultRoleScope.GLOBAL in admin.assignable_scopes
    assert all(isinstance(p, KeyVaultPermission) for p in admin.permissions)
    assert any(p.data_actions for p in by_name[CRYPTO_USER].permissions)


@pytest.mark.parametrize("api_version", ACCESS_CONTROL_VERSIONS)
async def test_role_definition_round_trip(recorded: Recording, access_control_class: type, api_version: str) -> None:
    client = recorded.client(access_control_class, api_version=api_version)
    name = recorded.uuid("definition")
    reader = [KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])]

    created = await resolve(
        client.set_role_definition(
            KeyVaultRoleScope.GLOBAL,
            name=uuid.UUID(name),
            role_name="test reader",
            description="reads keys",
            permissions=reader,
            assignable_scopes=[KeyVaultRoleScope.GLOBAL],
        )
    )
    assert (created.name, created.role_name, created.description) == (name, "test reader", "reads keys")
    assert created.role_type == "CustomRole"
    assert created.assignable_scopes == ["/"]
    assert created.permissions[0].data_actions == [KeyVaultDataAction.READ_HSM_KEY]

    writer = [
        KeyVaultPermission(
            data_actions=[KeyVaultDataAction.READ_HSM_KEY, KeyVaultDataAction.CREATE_HSM_KEY],
            not_data_actions=[KeyVaultDataAction.DELETE_HSM_KEY],
        )
    ]
    updated = await resolve(
        client.set_role_definition("/", name=name, role_name="test writer", permissions=writer)
    )
    assert updated.name == name and updated.role_name == "test writer"
    granted = {KeyVaultDataAction.READ_HSM_KEY, KeyVaultDataAction.CREATE_HSM_KEY}
    assert set(updated.permissions[0].data_actions) == granted
    assert updated.permissions[0].not_data_actions == [KeyVaultDataAction.DELETE_HSM_KEY]

    fetched = await resolve(client.get_role_definition("/", name))
    assert (fetched.id, fetched.role_name) == (updated.id, "test writer")
    assert fetched.permissions[0].not_data_actions == [KeyVaultDataAction.DELETE_HSM_KEY]

    listed = await collect(client.list_role_definitions("/"))
    assert name in {d.name for d in listed}

    assert await resolve(client.delete_role_definition("/", name)) is None
    with pytest.raises(ResourceNotFoundError):
        await resolve(client.get_role_definition("/", name))
    assert await resolve(client.delete_role_definition("/", name)) is None  # already gone: not an error
    assert name not in {d.name for d in await collect(client.list_role_definitions("/"))}
    await close(client)


@pytest.mark.parametrize("scope", [KeyVaultRoleScope.GLOBAL, KeyVaultRoleScope.KEYS], ids=["global", "keys"])
@pytest.mark.parametrize("api_version", ACCESS_CONTROL_VERSIONS)
async def test_role_assignment_round_trip(
    recorded: Recording, access_control_class: type, api_version: str, scope: KeyVaultRoleScope
) -> None:
    client = recorded.client(access_control_class, api_version=api_version)
    definition = await resolve(client.get_role_definition("/", CRYPTO_USER))
    principal = recorded.uuid("principal")
    name = recorded.uuid("assignment")

    created = await resolve(client.create_role_assignment(scope, definition.id, principal, name=name))
    assert isinstance(created, KeyVaultRoleAssignment)
    assert created.name == name
    assert created.type == "Microsoft.Authorization/roleAssignments"
    assert created.role_assignment_id.endswith(f"/roleAssignments/{name}")
    assert created.properties.principal_id == principal
    assert created.properties.role_definition_id == definition.id
    assert created.properties.scope == scope

    fetched = await resolve(client.get_role_assignment(scope, uuid.UUID(name)))
    assert (fetched.name, fetched.role_assignment_id) == (name, created.role_assignment_id)
    assert fetched.properties.principal_id == principal

    listed = await collect(client.list_role_assignments(scope))
    assert name in {a.name for a in listed}

    assert await resolve(client.delete_role_assignment(scope, name)) is None
    with pytest.raises(ResourceNotFoundError):
        await resolve(client.get_role_assignment(scope, name))
    assert await resolve(client.delete_role_assignment(scope, name)) is None
    await close(client)


@pytest.mark.parametrize("api_version", ACCESS_CONTROL_VERSIONS)
async def test_missing_items(recorded: Recording, access_control_class: type, api_version: str) -> None:
    client = recorded.client(access_control_class, api_version=api_version)
    missing = recorded.uuid("missing")
    with pytest.raises(ResourceNotFoundError) as definition_error:
        await resolve(client.get_role_definition("/", missing))
    assert definition_error.value.status_code == 404
    assert definition_error.value.error.code == "RoleDefinitionNotFound"
    with pytest.raises(ResourceNotFoundError) as assignment_error:
        await resolve(client.get_role_assignment("/", missing))
    assert assignment_error.value.error.code == "RoleAssignmentNotFound"
    assert await resolve(client.delete_role_definition("/", missing)) is None
    assert await resolve(client.delete_role_assignment("/", missing)) is None
    await close(client)


@pytest.mark.parametrize("api_version", ACCESS_CONTROL_VERSIONS)
async def test_principal_without_rights_is_forbidden(
    recorded: Recording, access_control_class: type, api_version: str
) -> None:
    client = recorded.client(access_control_class, api_version=api_version, client_id="unprivileged-test-identity")
    with pytest.raises(HttpResponseError) as info:
        await collect(client.list_role_definitions("/"))
    error = info.value
    assert error.status_code == 403
    assert not isinstance(error, ResourceNotFoundError)
    assert error.error.code == "Forbidden"
    assert error.error.message and error.error.message in str(error)
    # Deletes only forgive "not found": a refusal is raised.
    with pytest.raises(HttpResponseError) as delete_info:
        await resolve(client.delete_role_assignment("/", recorded.uuid("anything")))
    assert delete_info.value.status_code == 403
    await close(client)


async def test_generated_names(
    recorded: Recording, access_control_class: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Names left out are fresh uuid4 values; make them deterministic so the cassette can match the request path.
    names = iter([uuid.UUID(recorded.uuid("generated-definition")), uuid.UUID(recorded.uuid("generated-assignment"))])
    monkeypatch.setattr(_access_control_common, "uuid4", lambda: next(names))
    client = recorded.client(access_control_class, api_version=LATEST)
    definition = await resolve(client.set_role_definition("/", role_name="generated"))
    assert definition.name == recorded.uuid("generated-definition")
    assert definition.permissions == []
    assignment = await resolve(client.create_role_assignment("/", definition.id, recorded.uuid("principal")))
    assert assignment.name == recorded.uuid("generated-assignment")
    await resolve(client.delete_role_assignment("/", assignment.name))
    await resolve(client.delete_role_definition("/", definition.name))
    await close(client)


async def test_filter_role_assignments(recorded: Recording, access_control_class: type) -> None:
    client = recorded.client(access_control_class, api_version=LATEST)
    definition_id = (await resolve(client.get_role_definition("/", CRYPTO_USER))).id
    principal = recorded.uuid("filtered-principal")
    names = [recorded.uuid(f"filtered-{i}") for i in range(2)]
    for name in names:
        await resolve(client.create_role_assignment("/", definition_id, principal, name=name))
    filtered = await collect(client.list_role_assignments("/", filter=f"principalId eq '{principal}'"))
    assert sorted(a.name for a in filtered) == sorted(names)
    assert {a.properties.principal_id for a in filtered} == {principal}
    for name in names:
        await resolve(client.delete_role_assignment("/", name))
    await close(client)


async def test_empty_name_reaches_the_service(recorded: Recording, access_control_class: type) -> None:
    # Like the official package, an empty name is not checked locally: the request goes out and the service
    # answers (the emulator, like the service, has no resource at ".../roleDefinitions/").
    client = recorded.client(access_control_class, api_version=LATEST)
    with pytest.raises(ResourceNotFoundError):
        await resolve(client.get_role_definition("/", ""))
    await close(client)


async def test_list_hundreds_of_assignments(recorded: Recording, access_control_class: type) -> None:
    names = [recorded.uuid(f"seeded-{i}") for i in range(SEEDED_ASSIGNMENTS)]
    definition_id = f"Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{CRYPTO_USER}"
    if recorded.is_live:
        with recorded.paused():  # seeding is set-up, not part of the recording
            seeder = recorded.client(KeyVaultAccessControlClient)
            for index, name in enumerate(names):
                seeder.create_role_assignment("/keys", definition_id, recorded.uuid(f"p{index}"), name=name)
            seeder.close()

    client = recorded.client(access_control_class, api_version=LATEST)
    pages = client.list_role_assignments(KeyVaultRoleScope.KEYS).by_page()
    page_sizes = []
    seen: set[str] = set()
    if hasattr(pages, "__aiter__"):
        async for page in pages:
            items = [item async for item in page]
            page_sizes.append(len(items))
            seen.update(item.name for item in items)
    else:
        for page in pages:
            items = list(page)
            page_sizes.append(len(items))
            seen.update(item.name for item in items)
    await close(client)
    assert len(page_sizes) >= 3
    assert set(names) <= seen

    if recorded.is_live:
        with recorded.paused():
            cleaner = recorded.client(KeyVaultAccessControlClient)
            for name in names:
                cleaner.delete_role_assignment("/keys", name)
            cleaner.close()
