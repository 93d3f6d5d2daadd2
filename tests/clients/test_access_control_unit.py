"""Unit tests of the access control clients (sync and async) against a scripted service: exact wire traffic,
model conversion, paging, error handling. No recordings, no server."""

import uuid
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleAssignment,
    KeyVaultRoleDefinition,
    KeyVaultRoleScope,
    aio,
)

from .fake_service import (
    DEFINITION_ID_PREFIX,
    VAULT_URL,
    FakeService,
    Reply,
    Sent,
    assignment_json,
    collect,
    definition_json,
    error_json,
    make_client,
    resolve,
)

RA = "/providers/Microsoft.Authorization/roleAssignments"
RD = "/providers/Microsoft.Authorization/roleDefinitions"


@pytest.fixture(params=["sync", "async"])
def client_class(request: pytest.FixtureRequest) -> type:
    return KeyVaultAccessControlClient if request.param == "sync" else aio.KeyVaultAccessControlClient


def echo(sent: Sent) -> Reply:
    """A service that answers every operation with a plausible object built from the request."""
    name = sent.path.rsplit("/", 1)[-1]
    if sent.path.endswith(("roleAssignments", "roleDefinitions")):
        return Reply(200, {"value": []})
    status = 201 if sent.method == "PUT" else 200
    if "roleAssignments" in sent.path:
        return Reply(status, assignment_json(name))
    return Reply(status, definition_json(name, roleName="r", type="CustomRole", permissions=[]))


async def call(client_class: type, handler: Any, method: str, *args: Any, **kwargs: Any) -> tuple[Any, FakeService]:
    service = FakeService(handler)
    client = make_client(client_class, service)
    result = await resolve(getattr(client, method)(*args, **kwargs))
    if method.startswith("list_"):
        result = await collect(result)
    await resolve(client.close())
    return result, service


# --- request shapes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "path_prefix"),
    [
        ("/", ""),
        ("", ""),
        ("//", ""),
        (KeyVaultRoleScope.GLOBAL, ""),
        ("/keys", "/keys"),
        ("keys", "/keys"),
        (KeyVaultRoleScope.KEYS, "/keys"),
        ("/keys/k1", "/keys/k1"),
    ],
)
async def test_scope_forms(client_class: type, scope: Any, path_prefix: str) -> None:
    _, service = await call(client_class, echo, "get_role_assignment", scope, "a1")
    assert service.sent[0].path == f"{path_prefix}{RA}/a1"
    assert service.sent[0].query == {"api-version": ["2025-07-01"]}


async def test_names_are_quoted_and_uuids_stringified(client_class: type) -> None:
    _, service = await call(client_class, echo, "get_role_definition", "/", "a b/c?d")
    assert service.sent[0].url == f"{VAULT_URL}{RD}/a%20b%2Fc%3Fd?api-version=2025-07-01"
    name = uuid.UUID(int=7)
    result, service = await call(client_class, echo, "get_role_assignment", "/", name)
    assert service.sent[0].path == f"{RA}/{name}"
    assert isinstance(result, KeyVaultRoleAssignment)


async def test_set_role_definition_minimal_body(client_class: type) -> None:
    result, service = await call(client_class, echo, "set_role_definition", "/")
    sent = service.sent[0]
    assert sent.method == "PUT"
    assert sent.body == b'{"properties": {"permissions": []}}'
    generated_name = sent.path.rsplit("/", 1)[-1]
    assert uuid.UUID(generated_name).version == 4
    assert result.name == generated_name


async def test_set_role_definition_full_body(client_class: type) -> None:
    permissions = [
        KeyVaultPermission(actions=[], not_data_actions=[KeyVaultDataAction.READ_HSM_KEY]),
        KeyVaultPermission(),
    ]
    name = uuid.UUID(int=5)
    _, service = await call(
        client_class,
        echo,
        "set_role_definition",
        KeyVaultRoleScope.GLOBAL,
        name=name,
        role_name="r",
        description="d",
        permissions=permissions,
        assignable_scopes=[KeyVaultRoleScope.KEYS, "/"],
    )
    sent = service.sent[0]
    assert sent.path == f"{RD}/{name}"
    assert sent.body == (
        b'{"properties": {"roleName": "r", "description": "d", "permissions": [{"actions": [], "notDataActions": '
        b'["Microsoft.KeyVault/managedHsm/keys/read/action"]}, {}], "assignableScopes": ["/keys", "/"]}}'
    )


@pytest.mark.parametrize("name", [None, ""])
async def test_falsy_names_get_fresh_uuids(client_class: type, name: Any) -> None:
    _, first = await call(client_class, echo, "create_role_assignment", "/", "d", "p", name=name)
    _, second = await call(client_class, echo, "create_role_assignment", "/", "d", "p", name=name)
    names = {first.sent[0].path.rsplit("/", 1)[-1], second.sent[0].path.rsplit("/", 1)[-1]}
    assert len(names) == 2
    assert all(uuid.UUID(n).version == 4 for n in names)


async def test_create_role_assignment_body(client_class: type) -> None:
    definition = uuid.UUID(int=3)
    result, service = await call(
        client_class, echo, "create_role_assignment", "/keys", definition, "principal", name=uuid.UUID(int=2)
    )
    sent = service.sent[0]
    assert sent.method == "PUT"
    assert sent.path == f"/keys{RA}/{uuid.UUID(int=2)}"
    assert sent.body == b'{"properties": {"principalId": "principal", "roleDefinitionId": "' + str(
        definition
    ).encode() + b'"}}'
    assert result.properties.principal_id == "p"


async def test_create_role_assignment_positional_name_is_refused(client_class: type) -> None:
    client = make_client(client_class, FakeService(echo))
    with pytest.raises(TypeError):
        await resolve(client.create_role_assignment("/", "d", "p", "name"))  # name is keyword-only


# --- model conversion ---------------------------------------------------------------------------------------


async def test_role_definition_conversion(client_class: type) -> None:
    body = definition_json(
        "n1",
        roleName="Reader",
        description="reads",
        type="CustomRole",
        permissions=[{"dataActions": [KeyVaultDataAction.READ_HSM_KEY.value], "notDataActions": []}],
        assignableScopes=["/"],
    )
    result, _ = await call(client_class, lambda sent: Reply(200, body), "get_role_definition", "/", "n1")
    assert isinstance(result, KeyVaultRoleDefinition)
    assert result.id == DEFINITION_ID_PREFIX + "n1"
    assert (result.name, result.role_name, result.description) == ("n1", "Reader", "reads")
    assert result.role_type == "CustomRole"
    assert result.type == "Microsoft.Authorization/roleDefinitions"
    assert result.assignable_scopes == [KeyVaultRoleScope.GLOBAL]
    assert isinstance(result.permissions[0], KeyVaultPermission)
    assert result.permissions[0].data_actions == [KeyVaultDataAction.READ_HSM_KEY]
    assert result.permissions[0].not_data_actions == []
    assert result.permissions[0].actions is None


async def test_role_definition_without_properties(client_class: type) -> None:
    result, _ = await call(client_class, lambda sent: Reply(200, definition_json("n")), "get_role_definition", "/", "n")
    assert (result.name, result.role_name, result.permissions, result.assignable_scopes) == ("n", None, None, None)
    body = definition_json("n", roleName="x")
    result, _ = await call(client_class, lambda sent: Reply(200, body), "get_role_definition", "/", "n")
    assert result.permissions == []


async def test_role_assignment_without_properties_gets_empty_properties(client_class: type) -> None:
    body = {"id": "/x", "name": "n", "type": "t"}
    result, _ = await call(client_class, lambda sent: Reply(200, body), "get_role_assignment", "/", "n")
    assert result.properties is not None
    assert (result.properties.scope, result.properties.principal_id) == (None, None)
    assert repr(result) == "KeyVaultRoleAssignment</x>"


async def test_role_assignment_scope_compares_to_enum(client_class: type) -> None:
    body = assignment_json("n", scope="/keys")
    result, _ = await call(client_class, lambda sent: Reply(200, body), "get_role_assignment", "/keys", "n")
    assert result.properties.scope == KeyVaultRoleScope.KEYS == "/keys"
    assert result.type == "Microsoft.Authorization/roleAssignments"


# --- deletes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["delete_role_assignment", "delete_role_definition"])
async def test_delete_returns_none_and_swallows_404(client_class: type, method: str) -> None:
    result, service = await call(client_class, echo, method, "/", "n")
    assert result is None
    assert service.sent[0].method == "DELETE"
    missing = Reply(404, error_json("RoleAssignmentNotFound", "not there"))
    result, _ = await call(client_class, lambda sent: missing, method, "/", "n")
    assert result is None


@pytest.mark.parametrize("method", ["delete_role_assignment", "delete_role_definition"])
async def test_delete_raises_other_errors(client_class: type, method: str) -> None:
    forbidden = Reply(403, error_json("Forbidden", "no way"))
    with pytest.raises(HttpResponseError) as info:
        await call(client_class, lambda sent: forbidden, method, "/", "n")
    assert info.value.status_code == 403
    assert not isinstance(info.value, ResourceNotFoundError)
    assert "no way" in str(info.value)


async def test_get_missing_raises_not_found(client_class: type) -> None:
    missing = Reply(404, error_json("RoleDefinitionNotFound", "Requested role definition not found."))
    with pytest.raises(ResourceNotFoundError) as info:
        await call(client_class, lambda sent: missing, "get_role_definition", "/", "n")
    assert info.value.error.code == "RoleDefinitionNotFound"


# --- lists --------------------------------------------------------------------------------------------------


def paged_service(kind: str, pages: int, per_page: int) -> Any:
    """Serve ``pages`` pages; next links carry a skip token and a stale api-version the client must replace."""

    def handler(sent: Sent) -> Reply:
        page = int(sent.query.get("$skiptoken", ["0"])[0])
        items = [
            assignment_json(f"a{page}-{i}") if kind == "assignments" else definition_json(f"d{page}-{i}")
            for i in range(per_page)
        ]
        body: dict[str, Any] = {"value": items}
        if page + 1 < pages:
            body["nextLink"] = f"{VAULT_URL}{sent.path}?$skiptoken={page + 1}&api-version=1.0"
        return Reply(200, body)

    return handler


@pytest.mark.parametrize(("method", "kind"), [("list_role_assignments", "assignments"), ("list_role_definitions", "d")])
async def test_lists_follow_next_links(client_class: type, method: str, kind: str) -> None:
    items, service = await call(client_class, paged_service(kind, 3, 4), method, "/keys")
    assert len(items) == 12
    expected = KeyVaultRoleAssignment if kind == "assignments" else KeyVaultRoleDefinition
    assert all(isinstance(item, expected) for item in items)
    assert [s.query.get("$skiptoken") for s in service.sent] == [None, ["1"], ["2"]]
    assert all(s.query["api-version"] == ["2025-07-01"] for s in service.sent)
    assert all(s.path.startswith("/keys/providers/") for s in service.sent)


@pytest.mark.parametrize("method", ["list_role_assignments", "list_role_definitions"])
async def test_lists_are_lazy_and_pass_filter(client_class: type, method: str) -> None:
    service = FakeService(echo)
    client = make_client(client_class, service)
    paged = getattr(client, method)("/", filter="principalId eq 'x y'")
    assert service.sent == []  # nothing sent until iteration
    assert await collect(paged) == []
    assert service.sent[0].raw_query == "api-version=2025-07-01&$filter=principalId%20eq%20%27x%20y%27"
    await resolve(client.close())


@pytest.mark.parametrize("method", ["list_role_assignments", "list_role_definitions"])
async def test_list_with_missing_scope_fails_on_iteration(client_class: type, method: str) -> None:
    client = make_client(client_class, FakeService(echo))
    paged = getattr(client, method)(None)
    with pytest.raises(ValueError, match="No value for given attribute"):
        await collect(paged)


# --- bad arguments (same exception types as the official package) -------------------------------------------


async def test_missing_scope_raises_value_error_before_sending(client_class: type) -> None:
    service = FakeService(echo)
    client = make_client(client_class, service)
    with pytest.raises(ValueError, match="No value for given attribute"):
        await resolve(client.get_role_definition(None, "x"))
    with pytest.raises(ValueError, match="No value for given attribute"):
        await resolve(client.create_role_assignment(None, "d", "p"))
    assert service.sent == []


@pytest.mark.parametrize("permissions", ["abc", [1], [None]])
async def test_permissions_must_be_permission_objects(client_class: type, permissions: Any) -> None:
    service = FakeService(echo)
    client = make_client(client_class, service)
    with pytest.raises(AttributeError, match="has no attribute 'actions'"):
        await resolve(client.set_role_definition("/", permissions=permissions))
    assert service.sent == []


async def test_api_version_is_sent(client_class: type) -> None:
    service = FakeService(echo)
    client = make_client(client_class, service, api_version="7.3")
    await resolve(client.get_role_assignment("/", "a"))
    assert service.sent[0].query["api-version"] == ["7.3"]


async def test_assignment_body_omits_a_missing_principal(client_class: type) -> None:
    # As in the official package: None members are left out and the definition id always goes through str().
    _, service = await call(client_class, echo, "create_role_assignment", "/", None, None, name="a")
    assert service.sent[0].body == b'{"properties": {"roleDefinitionId": "None"}}'
