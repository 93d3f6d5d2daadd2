"""Role definitions: built-ins exactly as the service lists them, custom role lifecycle and errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from emu_helpers import DEFS, Api, assert_error, new_guid
from mhsm_emulator import RunningEmulator

# The real service's 2025-07-01 listing (copied from the project's reference facts).
BUILTINS = json.loads((Path(__file__).parent / "data" / "builtin-roles.json").read_text())
BUILTIN_MESSAGE = "Cannot re-use the name/GUID matching that of a built-in role. Please use a unique role ID."


def _all(api: Api, path: str = DEFS, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    response = api.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["value"])
        if not body.get("nextLink"):
            return items
        response = api.get(body["nextLink"], api_version=None)


def test_builtins_match_the_service_listing(api: Api) -> None:
    from mhsm_emulator.rbac_store import BUILTIN_DEFINITIONS

    listed = _all(api)
    assert listed[: len(BUILTIN_DEFINITIONS)] == list(BUILTIN_DEFINITIONS)
    assert list(BUILTIN_DEFINITIONS) == BUILTINS
    assert json.dumps(listed[:10]) == json.dumps(BUILTINS)  # same key order too


def test_get_builtin(api: Api) -> None:
    body = api.get(DEFS + "/a290e904-7015-4bba-90c8-60543313cdb4").json()
    assert body["properties"]["roleName"] == "Managed HSM Administrator"
    assert body["id"] == "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/" + body["name"]


def test_custom_role_lifecycle_and_normalisation(api: Api) -> None:
    name = new_guid()
    body = {"properties": {"permissions": [{"dataActions": ["Microsoft.KeyVault/managedHsm/keys/read/action"]}]}}
    created = api.put(f"{DEFS}/{name}", json=body)
    assert created.status_code == 201
    definition = created.json()
    assert definition == {
        "id": f"Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{name}",
        "name": name,
        "properties": {
            "assignableScopes": ["/"],
            "description": "",
            "permissions": [{"actions": [], "dataActions": ["Microsoft.KeyVault/managedHsm/keys/read/action"],
                             "notActions": [], "notDataActions": []}],
            "roleName": "",
            "type": "CustomRole",
        },
        "type": "Microsoft.Authorization/roleDefinitions",
    }
    update = {"properties": {"roleName": "r", "description": "d", "permissions": [], "assignableScopes": ["/keys"]}}
    updated = api.put(f"{DEFS}/{name}", json=update)
    assert updated.status_code == 201
    assert updated.json()["properties"]["roleName"] == "r"
    assert updated.json()["properties"]["assignableScopes"] == ["/keys"]
    assert api.get(f"{DEFS}/{name}").json() == updated.json()
    listed = _all(api)
    assert [d["name"] for d in listed].count(name) == 1
    assert listed[-1]["name"] == name  # custom roles follow the built-ins
    deleted = api.delete(f"{DEFS}/{name}")
    assert deleted.status_code == 200 and deleted.json() == updated.json()
    assert_error(api.get(f"{DEFS}/{name}"), 404, "RoleDefinitionNotFound")
    assert_error(api.delete(f"{DEFS}/{name}"), 404, "RoleDefinitionNotFound")


def test_name_must_be_a_guid(api: Api) -> None:
    body = assert_error(api.put(f"{DEFS}/not-a-guid", json={"properties": {}}), 400, "BadParameter")
    assert body["error"]["message"].startswith("Role definition name must be a GUID")


def test_builtin_roles_are_immutable(api: Api) -> None:
    name = "a290e904-7015-4bba-90c8-60543313cdb4"
    body = assert_error(api.put(f"{DEFS}/{name}", json={"properties": {}}), 400, "BadParameter")
    assert body["error"]["message"].startswith(BUILTIN_MESSAGE)
    assert_error(api.delete(f"{DEFS}/{name}"), 400, "BadParameter")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"properties": "x"},
        {"properties": {"permissions": "x"}},
        {"properties": {"permissions": [{"dataActions": "x"}]}},
        {"properties": {"permissions": [{"dataActions": [1]}]}},
        {"properties": {"permissions": ["x"]}},
        {"properties": {"roleName": 5}},
        {"properties": {"assignableScopes": "/"}},
        {"properties": {"type": "AKVBuiltInRole"}},
    ],
)
def test_invalid_bodies(api: Api, body: dict[str, Any]) -> None:
    assert_error(api.put(f"{DEFS}/{new_guid()}", json=body), 400, "BadParameter")


def test_role_name_filter(api: Api) -> None:
    items = _all(api, **{"$filter": "roleName eq 'Managed HSM Backup User'"})
    assert [d["name"] for d in items] == ["7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8"]
    assert_error(api.get(DEFS, params={"$filter": "bogus"}), 400, "BadParameter")


def test_definitions_page_with_next_link(api: Api, emu: RunningEmulator) -> None:
    first = api.get(DEFS).json()
    assert len(first["value"]) == 5 and first["nextLink"].startswith(emu.vault_url)
    assert len(_all(api)) >= 10


def test_deleting_an_assigned_definition_is_refused(api: Api) -> None:
    name = new_guid()
    api.put(f"{DEFS}/{name}", json={"properties": {"permissions": []}})
    assignment = new_guid()
    properties = {"roleDefinitionId": f"Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{name}",
                  "principalId": new_guid()}
    path = f"/providers/Microsoft.Authorization/roleAssignments/{assignment}"
    assert api.put(path, json={"properties": properties}).status_code == 201
    assert_error(api.delete(f"{DEFS}/{name}"), 400, "RoleDefinitionHasAssignments")
    assert api.delete(path).status_code == 200
    assert api.delete(f"{DEFS}/{name}").status_code == 200
