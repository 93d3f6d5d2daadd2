"""Role assignments: create/get/list/delete at /, /keys and /keys/<name>; paging and $filter."""

from __future__ import annotations

from typing import Any

import pytest
from emu_helpers import Api, assert_error, new_guid
from mhsm_emulator import SYSTEM_PRINCIPAL_ID, RunningEmulator

DEFINITION_PREFIX = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/"
ADMIN = DEFINITION_PREFIX + "a290e904-7015-4bba-90c8-60543313cdb4"
CRYPTO_USER = DEFINITION_PREFIX + "21dbd100-6940-42c2-9190-5d6cb909625b"


def _path(scope: str, name: str = "") -> str:
    prefix = "" if scope == "/" else scope
    return f"{prefix}/providers/Microsoft.Authorization/roleAssignments" + (f"/{name}" if name else "")


def _create(api: Api, scope: str, principal: str, definition: str = CRYPTO_USER) -> dict[str, Any]:
    response = api.put(_path(scope, new_guid()),
                       json={"properties": {"roleDefinitionId": definition, "principalId": principal}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _all(api: Api, scope: str, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    response = api.get(_path(scope), params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["value"])
        if not body.get("nextLink"):
            return items
        response = api.get(body["nextLink"], api_version=None)


@pytest.mark.parametrize("scope", ["/", "/keys", "/keys/my-key"])
def test_lifecycle_and_shapes(api: Api, scope: str) -> None:
    principal = new_guid()
    created = _create(api, scope, principal)
    name = created["name"]
    prefix = "" if scope == "/" else scope
    assert created == {
        "id": f"{prefix}/providers/Microsoft.Authorization/roleAssignments/{name}",
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {"scope": scope, "roleDefinitionId": CRYPTO_USER, "principalId": principal},
    }
    assert api.get(_path(scope, name)).json() == created
    deleted = api.delete(_path(scope, name))
    assert deleted.status_code == 200 and deleted.json() == created
    assert_error(api.get(_path(scope, name)), 404, "RoleAssignmentNotFound")
    assert_error(api.delete(_path(scope, name)), 404, "RoleAssignmentNotFound")


def test_bootstrap_administrator(api: Api) -> None:
    admins = _all(api, "/", **{"$filter": f"principalId eq '{SYSTEM_PRINCIPAL_ID}'"})
    assert [a["properties"]["roleDefinitionId"] for a in admins] == [ADMIN]
    assert admins[0]["properties"]["scope"] == "/"


def test_get_at_another_scope_is_404(api: Api) -> None:
    created = _create(api, "/keys", new_guid())
    assert_error(api.get(_path("/", created["name"])), 404, "RoleAssignmentNotFound")


@pytest.mark.parametrize(
    ("properties", "status"),
    [
        ({"roleDefinitionId": CRYPTO_USER}, 400),
        ({"principalId": "p"}, 400),
        ({"roleDefinitionId": 5, "principalId": "p"}, 400),
        ({"roleDefinitionId": "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/"
                              "00000000-0000-0000-0000-000000000000", "principalId": "p"}, 400),
    ],
)
def test_invalid_create(api: Api, properties: dict[str, Any], status: int) -> None:
    assert_error(api.put(_path("/", new_guid()), json={"properties": properties}), status, "BadParameter")


def test_missing_properties_and_bad_name(api: Api) -> None:
    assert_error(api.put(_path("/", new_guid()), json={}), 400, "BadParameter")
    body = {"properties": {"roleDefinitionId": CRYPTO_USER, "principalId": "p"}}
    assert_error(api.put(_path("/", "not-a-guid"), json=body), 400, "BadParameter")


def test_same_name_different_content_conflicts(api: Api) -> None:
    name = new_guid()
    body = {"properties": {"roleDefinitionId": CRYPTO_USER, "principalId": new_guid()}}
    assert api.put(_path("/", name), json=body).status_code == 201
    assert api.put(_path("/", name), json=body).status_code == 201  # identical repeat is idempotent
    other = {"properties": {"roleDefinitionId": CRYPTO_USER, "principalId": new_guid()}}
    assert_error(api.put(_path("/", name), json=other), 409, "RoleAssignmentExists")


def test_paging_and_filters(emu: RunningEmulator) -> None:
    api = Api(emu)
    principal = new_guid()
    made = {_create(api, "/", principal)["name"] for _ in range(7)}
    made |= {_create(api, "/keys", principal)["name"] for _ in range(3)}
    made |= {_create(api, "/keys/k1", principal)["name"] for _ in range(2)}
    first = api.get(_path("/"), params={"$filter": f"principalId eq '{principal}'"}).json()
    assert len(first["value"]) == 5 and "nextLink" in first
    assert "%24filter=" in first["nextLink"] or "$filter=" in first["nextLink"]
    everything = _all(api, "/", **{"$filter": f"principalId eq '{principal}'"})
    names = [a["name"] for a in everything]
    assert len(names) == len(set(names)) == 12 and set(names) == made
    at_keys = _all(api, "/keys", **{"$filter": f"atScope() and principalId eq '{principal}'"})
    assert sorted({a["properties"]["scope"] for a in at_keys}) == ["/", "/keys"]
    assert len(at_keys) == 10
    at_key = _all(api, "/keys/k1", **{"$filter": "atScope()"})
    assert {a["properties"]["scope"] for a in at_key} <= {"/", "/keys", "/keys/k1"}
    assert sum(1 for a in at_key if a["properties"]["scope"] == "/keys/k1") >= 2
    unrelated = _all(api, "/keys/other", **{"$filter": f"principalId eq '{principal}'"})
    assert {a["properties"]["scope"] for a in unrelated} == {"/", "/keys"}


@pytest.mark.parametrize("text", ["principalId eq x", "atScope() or principalId eq 'x'", "roleName eq 'x'", "foo()"])
def test_bad_filters(api: Api, text: str) -> None:
    assert_error(api.get(_path("/"), params={"$filter": text}), 400, "BadParameter")


def test_bad_skiptoken(api: Api) -> None:
    assert_error(api.get(_path("/"), params={"$skiptoken": "!!"}), 400, "BadParameter")
