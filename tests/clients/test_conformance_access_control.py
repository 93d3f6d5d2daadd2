"""Access control facts of API.md §3 not pinned elsewhere: scopes are not percent-quoted and keep a trailing
slash, next links get the client's api-version, and known strings come back as str-enums (unknown ones as str)."""

from typing import Any

import pytest

from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultDataAction,
    KeyVaultRoleScope,
    aio,
)

from .fake_service import VAULT_URL, FakeService, Reply, Sent, assignment_json, collect, make_client, resolve

RA = "/providers/Microsoft.Authorization/roleAssignments"
NEXT = f"{VAULT_URL}{RA}?api-version=1.0&$skiptoken=x&a=b"


@pytest.fixture(params=["sync", "async"])
def client_class(request: pytest.FixtureRequest) -> type:
    return KeyVaultAccessControlClient if request.param == "sync" else aio.KeyVaultAccessControlClient


@pytest.mark.parametrize(
    ("scope", "url_path"),
    [
        ("/keys/", "/keys//providers"),  # a trailing slash is kept
        ("/keys/a%20b", "/keys/a%20b/providers"),  # not quoted again
        ("/keys/a b", "/keys/a b/providers"),  # left to the HTTP layer, which turns the space into %20
        ("keys/k1", "/keys/k1/providers"),
    ],
)
async def test_scope_is_inserted_without_quoting(client_class: type, scope: str, url_path: str) -> None:
    service = FakeService(lambda sent: Reply(200, assignment_json("n")))
    client = make_client(client_class, service)
    await resolve(client.get_role_assignment(scope, "n"))
    expected = f"{VAULT_URL}{url_path}/Microsoft.Authorization/roleAssignments/n?api-version=2025-07-01"
    assert service.sent[0].url == expected


async def test_next_link_keeps_its_query_but_gets_the_client_api_version(client_class: type) -> None:
    def pages(sent: Sent) -> Reply:
        return Reply(200, {"value": [], "nextLink": NEXT} if "skiptoken" not in sent.url else {"value": []})

    service = FakeService(pages)
    client = make_client(client_class, service, api_version="7.5")
    assert await collect(client.list_role_assignments("/")) == []
    assert [s.url for s in service.sent] == [
        f"{VAULT_URL}{RA}?api-version=7.5",
        f"{VAULT_URL}{RA}?api-version=7.5&$skiptoken=x&a=b",
    ]


async def test_known_strings_are_str_enums_unknown_stay_str(client_class: type) -> None:
    body = {
        "id": "/d",
        "name": "n",
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": "r",
            "type": "CustomRole",
            "permissions": [{"dataActions": [KeyVaultDataAction.READ_HSM_KEY.value, "unknown/action"]}],
            "assignableScopes": ["/", "/other"],
        },
    }
    client = make_client(client_class, FakeService(lambda sent: Reply(200, body)))
    definition: Any = await resolve(client.get_role_definition("/", "n"))
    assert definition.role_type == "CustomRole" and type(definition.role_type) is not str
    assert definition.type == "Microsoft.Authorization/roleDefinitions" and type(definition.type) is not str
    scopes = definition.assignable_scopes
    assert scopes == [KeyVaultRoleScope.GLOBAL, "/other"]
    assert type(scopes[0]) is not str and type(scopes[1]) is str
    actions = definition.permissions[0].data_actions
    assert actions == [KeyVaultDataAction.READ_HSM_KEY, "unknown/action"] and type(actions[1]) is str

    unknown_scope = make_client(client_class, FakeService(lambda sent: Reply(200, assignment_json("n", "/keys/k1"))))
    assignment: Any = await resolve(unknown_scope.get_role_assignment("/keys/k1", "n"))
    assert type(assignment.properties.scope) is str
    assert repr(assignment.properties) == (
        "KeyVaultRoleAssignmentProperties(principal_id=p, role_definition_id=d, scope=/keys/k1)"
    )
