"""Every change is authorized where it takes effect (issue 8 item 1), and scope errors name the scope as written.

Role definitions are global: PUT/DELETE need the data action at ``/`` whatever the URL's scope. Role assignments
take effect at the URL's scope, and nothing there reaches an assignment at another scope; a definition can only
be assigned where its ``assignableScopes`` allow.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from emu_helpers import ASSIGNMENTS, DEFS, Api, assert_error, new_guid
from mhsm_emulator import RunningEmulator
from mhsm_emulator.rbac import is_allowed
from mhsm_emulator.rbac_store import DEFINITION_ID_PREFIX, definition_id
from reliability_ledger import ledger

PREFIX = "Microsoft.KeyVault/managedHsm/"
ADMIN = "a290e904-7015-4bba-90c8-60543313cdb4"
POLICY_ADMIN = "4bd23610-cdcf-4971-bdee-bdc562cc28e4"
AUDITOR = "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3"
SETTING = "/settings/AllowKeyManagementOperationsThroughARM"
STORAGE = {"storageResourceUri": "http://127.0.0.1:9/devstoreaccount1/backups",
           "token": "se=2099-01-01T00%3A00%3A00Z&sp=rcwdl&sig=x"}

# Spellings of the key scope /keys/k1 in a URL (all the same scope) and of scopes the service does not have.
KEY_SCOPE_SPELLINGS = ["/keys/k1", "//keys/k1", "///keys/k1", "/KEYS/k1", "/Keys/k1", "/keys//k1", "/keys/K1"]
OTHER_VALID_SPELLINGS = ["", "/", "//", "/keys", "/KEYS", "//keys", "/keys/k2"]
INVALID_SCOPES = {
    "/secrets": "/secrets",
    "/secrets/s1": "/secrets/s1",
    "/keys/k1/versions": "/keys/k1/versions",
    "/keys/a_b": "/keys/a_b",
    "/keys/a.b": "/keys/a.b",
    "/KEYS/k1/x/": "/KEYS/k1/x",
    "/providers/x": "/providers/x",
}


def _custom_role(api: Api, actions: list[str], scopes: list[str] | None = None) -> str:
    name = new_guid()
    properties: dict[str, Any] = {"roleName": "custom", "permissions": [{"dataActions": actions}]}
    if scopes is not None:
        properties["assignableScopes"] = scopes
    response = api.put(f"{DEFS}/{name}", json={"properties": properties})
    assert response.status_code == 201, response.text
    return name


def _key_policy_admin(emu: RunningEmulator) -> tuple[str, Api]:
    """A principal holding Managed HSM Policy Administrator at /keys/k1 only."""
    principal = emu.create_principal().object_id
    emu.assign_role(principal, POLICY_ADMIN, scope="/keys/k1")
    return principal, Api(emu).for_principal(principal)


def test_the_reported_escalation_is_refused(emu: RunningEmulator, api: Api) -> None:
    principal, caller = _key_policy_admin(emu)
    role = _custom_role(api, [PREFIX + "keys/read/action"])
    emu.assign_role(principal, role, scope="/")
    before = api.get(f"{DEFS}/{role}").json()
    body = {"properties": {"roleName": "pwned", "permissions": [{"dataActions": [PREFIX + "*"]}]}}
    response = caller.put(f"/keys/k1{DEFS}/{role}", json=body)
    error = assert_error(response, 403, "Forbidden")
    assert "Scope: /." in error["error"]["message"]
    assert api.get(f"{DEFS}/{role}").json() == before
    # ... so everything the issue chained afterwards stays forbidden.
    assert_error(caller.patch(SETTING, json={"value": "true"}), 403, "Forbidden")
    assign_admin = {"properties": {"roleDefinitionId": definition_id(ADMIN), "principalId": principal}}
    assert_error(caller.put(f"{ASSIGNMENTS}/{new_guid()}", json=assign_admin), 403, "Forbidden")
    assert_error(caller.request("POST", "/backup", json=STORAGE), 403, "Forbidden")
    unassigned = _custom_role(api, [])
    assert_error(caller.delete(f"/keys/k1{DEFS}/{unassigned}"), 403, "Forbidden")
    assert api.get(f"{DEFS}/{unassigned}").status_code == 200


@pytest.mark.parametrize("scope", KEY_SCOPE_SPELLINGS + OTHER_VALID_SPELLINGS)
def test_definition_changes_need_the_action_at_root_whatever_the_url_scope(
    emu: RunningEmulator, api: Api, scope: str
) -> None:
    _, caller = _key_policy_admin(emu)
    name = new_guid()
    body = {"properties": {"permissions": [{"dataActions": [PREFIX + "keys/read/action"]}]}}
    assert_error(caller.put(f"{scope}{DEFS}/{name}", json=body), 403, "Forbidden")
    assert_error(api.get(f"{DEFS}/{name}"), 404, "RoleDefinitionNotFound")
    # The administrator (at /) may use any valid scope: definitions are global, the change lands at /.
    assert api.put(f"{scope}{DEFS}/{name}", json=body).status_code == 201
    assert api.get(f"{DEFS}/{name}").status_code == 200
    assert_error(caller.delete(f"{scope}{DEFS}/{name}"), 403, "Forbidden")
    assert api.get(f"{DEFS}/{name}").status_code == 200
    assert api.delete(f"{scope}{DEFS}/{name}").status_code == 200
    assert_error(api.get(f"{DEFS}/{name}"), 404, "RoleDefinitionNotFound")
    ledger.add("scope_spellings", 4)  # PUT and DELETE at the spelled scope, as each principal


@pytest.mark.parametrize("scope", KEY_SCOPE_SPELLINGS)
def test_a_key_policy_admin_still_reads_definitions_at_its_scope(emu: RunningEmulator, scope: str) -> None:
    _, caller = _key_policy_admin(emu)
    assert caller.get(f"{scope}{DEFS}/{ADMIN}").status_code == 200
    assert caller.get(f"{scope}{DEFS}").status_code == 200
    assert_error(caller.get(f"{DEFS}/{ADMIN}"), 403, "Forbidden")
    ledger.add("scope_spellings", 2)


@pytest.mark.parametrize("scope", KEY_SCOPE_SPELLINGS)
def test_assignments_are_managed_at_their_own_scope(emu: RunningEmulator, api: Api, scope: str) -> None:
    _, caller = _key_policy_admin(emu)
    name = new_guid()
    body = {"properties": {"roleDefinitionId": definition_id(AUDITOR), "principalId": new_guid()}}
    created = caller.put(f"{scope}{ASSIGNMENTS}/{name}", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["scope"].lower() == "/keys/k1"
    assert caller.get(f"{scope}{ASSIGNMENTS}/{name}").status_code == 200
    assert caller.delete(f"{scope}{ASSIGNMENTS}/{name}").status_code == 200
    ledger.add("scope_spellings", 3)


def test_an_assignment_elsewhere_is_never_reached(emu: RunningEmulator, api: Api) -> None:
    """Nothing a key-scope policy admin sends at /keys/k1 reads, deletes or overwrites an assignment at / or
    /keys/k2, whatever the spelling of its name."""
    _, caller = _key_policy_admin(emu)
    victims = {}
    for scope in ("/", "/keys", "/keys/k2"):
        name = new_guid()
        body = {"properties": {"roleDefinitionId": definition_id(ADMIN), "principalId": new_guid()}}
        prefix = "" if scope == "/" else scope
        assert api.put(f"{prefix}{ASSIGNMENTS}/{name}", json=body).status_code == 201
        victims[scope] = (name, api.get(f"{prefix}{ASSIGNMENTS}/{name}").json())
    for scope, (name, original) in victims.items():
        for spelling in (name, name.upper(), name.replace("-", ""), "urn:uuid:" + name, f"({name})"):
            assert_error(caller.get(f"/keys/k1{ASSIGNMENTS}/{spelling}"), 404, "RoleAssignmentNotFound")
            assert_error(caller.delete(f"/keys/k1{ASSIGNMENTS}/{spelling}"), 404, "RoleAssignmentNotFound")
            same = {"properties": {"roleDefinitionId": original["properties"]["roleDefinitionId"],
                                   "principalId": original["properties"]["principalId"]}}
            mine = {"properties": {"roleDefinitionId": definition_id(ADMIN),
                                   "principalId": emu.create_principal().object_id}}
            for body in (same, mine):
                assert_error(caller.put(f"/keys/k1{ASSIGNMENTS}/{spelling}", json=body), 409, "RoleAssignmentExists")
            ledger.add("scope_spellings", 4)
        prefix = "" if scope == "/" else scope
        assert api.get(f"{prefix}{ASSIGNMENTS}/{name}").json() == original
        # and not at the caller's scope either: the admin at / cannot see it at /keys/k1.
        assert_error(api.get(f"/keys/k1{ASSIGNMENTS}/{name}"), 404, "RoleAssignmentNotFound")


def test_self_assigned_administrator_at_a_key_grants_nothing_above(emu: RunningEmulator) -> None:
    principal, caller = _key_policy_admin(emu)
    body = {"properties": {"roleDefinitionId": definition_id(ADMIN), "principalId": principal}}
    assert caller.put(f"/keys/k1{ASSIGNMENTS}/{new_guid()}", json=body).status_code == 201  # as in Azure
    assert_error(caller.patch(SETTING, json={"value": "true"}), 403, "Forbidden")
    assert_error(caller.get("/settings"), 403, "Forbidden")
    assert_error(caller.request("POST", "/backup", json=STORAGE), 403, "Forbidden")
    assert_error(caller.put(f"/keys/k2{ASSIGNMENTS}/{new_guid()}", json=body), 403, "Forbidden")
    assert_error(caller.put(f"{ASSIGNMENTS}/{new_guid()}", json=body), 403, "Forbidden")


@pytest.mark.parametrize(
    ("assignable", "scope", "allowed"),
    [
        (["/"], "/", True), (["/"], "/keys/k1", True),
        (["/keys"], "/", False), (["/keys"], "/keys", True), (["/keys"], "/keys/k1", True),
        (["/keys/k1"], "/", False), (["/keys/k1"], "/keys", False), (["/keys/k1"], "/keys/k1", True),
        (["/keys/k1"], "/keys/K1", True), (["/keys/k1"], "/keys/k2", False),
        (["/keys/k1", "/keys/k2"], "/keys/k2", True), (["keys"], "/keys/k9", True),
    ],
)
def test_assignments_respect_assignable_scopes(
    api: Api, assignable: list[str], scope: str, allowed: bool
) -> None:
    role = _custom_role(api, [PREFIX + "keys/read/action"], scopes=assignable)
    prefix = "" if scope == "/" else scope
    body = {"properties": {"roleDefinitionId": DEFINITION_ID_PREFIX + role, "principalId": new_guid()}}
    response = api.put(f"{prefix}{ASSIGNMENTS}/{new_guid()}", json=body)
    if allowed:
        assert response.status_code == 201, response.text
    else:
        error = assert_error(response, 400, "BadParameter")
        assert "cannot be assigned at scope" in error["error"]["message"]
    ledger.add("scope_spellings")


def test_assignable_scopes_are_normalised_and_validated(api: Api) -> None:
    name = new_guid()
    body = {"properties": {"assignableScopes": ["keys", "//keys/k1", "/"]}}
    assert api.put(f"{DEFS}/{name}", json=body).json()["properties"]["assignableScopes"] == ["/keys", "/keys/k1", "/"]
    for bad, shown in INVALID_SCOPES.items():
        error = assert_error(api.put(f"{DEFS}/{new_guid()}", json={"properties": {"assignableScopes": [bad]}}), 400,
                             "BadParameter")
        assert f"Invalid scope '{shown}'" in error["error"]["message"]
    ledger.add("scope_spellings", 1 + len(INVALID_SCOPES))


def test_narrowing_assignable_scopes_below_an_assignment_is_refused(emu: RunningEmulator, api: Api) -> None:
    role = _custom_role(api, [PREFIX + "settings/read/action"])
    principal = emu.create_principal().object_id
    emu.assign_role(principal, role, scope="/")
    before = api.get(f"{DEFS}/{role}").json()
    narrowed = {"properties": {"permissions": before["properties"]["permissions"], "assignableScopes": ["/keys"]}}
    error = assert_error(api.put(f"{DEFS}/{role}", json=narrowed), 400, "RoleDefinitionHasAssignments")
    assert "scope '/'" in error["error"]["message"]
    assert api.get(f"{DEFS}/{role}").json() == before
    assert Api(emu).for_principal(principal).get("/settings").status_code == 200


def test_an_out_of_scope_assignment_from_older_data_grants_nothing(emu: RunningEmulator, api: Api) -> None:
    role = _custom_role(api, [PREFIX + "settings/read/action"], scopes=["/keys"])
    principal = emu.create_principal().object_id
    with emu.state.store.transaction() as conn:  # as an emulator that did not check assignableScopes wrote it
        conn.execute(
            "INSERT INTO role_assignments (name, scope, role_definition_id, role_definition_name, principal_id)"
            " VALUES (?, '/', ?, ?, ?)", (new_guid(), DEFINITION_ID_PREFIX + role, role, principal))
    assert not is_allowed(emu.state.store, principal, PREFIX + "settings/read/action", "/")
    assert_error(Api(emu).for_principal(principal).get("/settings"), 403, "Forbidden")


@pytest.mark.parametrize("collection", [DEFS, ASSIGNMENTS])
@pytest.mark.parametrize(("scope", "shown"), sorted(INVALID_SCOPES.items()))
def test_scope_errors_name_the_scope_as_written(api: Api, collection: str, scope: str, shown: str) -> None:
    calls = [("GET", f"{scope}{collection}")] + [
        (method, f"{scope}{collection}/{uuid.uuid4()}") for method in ("GET", "PUT", "DELETE")
    ]
    for method, path in calls:
        body = {"properties": {"roleDefinitionId": definition_id(AUDITOR), "principalId": "p"}}
        error = assert_error(api.request(method, path, json=body), 400, "BadParameter")
        message = error["error"]["message"]
        assert message.startswith(f"Invalid scope '{shown}'. Supported scopes are"), message
    ledger.add("scope_spellings", len(calls))
