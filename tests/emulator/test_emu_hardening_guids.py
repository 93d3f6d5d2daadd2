"""GUIDs are canonical wherever they name or reference something (issue 8 item 3).

Every spelling of a built-in role's GUID is that built-in role: it cannot be re-created, re-defined or deleted
under another spelling; definitions, assignments, ``roleDefinitionId`` references, ``$filter`` values and GUID
principal ids all resolve to one canonical (lower-case, dashed) GUID. Databases written before are migrated.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from emu_helpers import ASSIGNMENTS, DEFS, Api, assert_error, new_guid
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator.guids import canonical_guid, canonical_principal
from mhsm_emulator.rbac_store import DEFINITION_ID_PREFIX
from mhsm_emulator.store import CORE_MIGRATIONS, Store
from reliability_ledger import ledger

BUILTINS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "builtin-roles.json").read_text())
BUILTIN_MESSAGE = "Cannot re-use the name/GUID matching that of a built-in role. Please use a unique role ID."
ADMIN = "a290e904-7015-4bba-90c8-60543313cdb4"
PREFIX = "Microsoft.KeyVault/managedHsm/"


def url_spellings(guid: str) -> list[str]:
    """Spellings of one GUID that fit in a URL path segment (aiohttp routes never match braces)."""
    bare = guid.replace("-", "")
    return [guid, guid.upper(), guid[:8].upper() + guid[8:], bare, bare.upper(), f"({guid})", f"({guid.upper()})",
            f"urn:uuid:{guid}", f"URN:UUID:{guid.upper()}", f"urn:uuid:{bare}", f"Urn:Uuid:({guid})"]


def spellings(guid: str) -> list[str]:
    """Every accepted spelling (bodies and filters may also use braces)."""
    return [*url_spellings(guid), f"{{{guid}}}", f"{{{guid.upper()}}}", f"urn:uuid:{{{guid}}}"]


NOT_GUIDS = ["", "x", ADMIN + "0", ADMIN[:-1], "a290-e904-7015-4bba-90c8-60543313cdb4",
             "a290e904-70154bba-90c8-60543313cdb4", " " + ADMIN, ADMIN + " ", "{" + ADMIN, ADMIN + "}",
             "(" + ADMIN + "}", "uuid:" + ADMIN, "urn:" + ADMIN,
             "a290e904urn:uuid:-7015-4bba-90c8-60543313cdb4", "g290e904-7015-4bba-90c8-60543313cdb4",
             "{{" + ADMIN + "}}", "0x" + ADMIN.replace("-", "")]


@pytest.mark.parametrize("spelling", spellings(ADMIN))
def test_canonical_guid_accepts_every_spelling(spelling: str) -> None:
    assert canonical_guid(spelling) == ADMIN
    assert canonical_principal(spelling) == ADMIN


@pytest.mark.parametrize("text", NOT_GUIDS)
def test_canonical_guid_refuses_the_rest(text: str) -> None:
    assert canonical_guid(text) is None
    assert canonical_principal(text) == text  # non-GUID principal ids are kept as sent


@pytest.mark.parametrize("role", BUILTINS, ids=[r["properties"]["roleName"] for r in BUILTINS])
def test_builtin_guids_cannot_be_reused_in_any_spelling(api: Api, role: dict[str, Any]) -> None:
    body = {"properties": {"roleName": role["properties"]["roleName"], "permissions": [
        {"dataActions": [PREFIX + "*"]}]}}
    for spelling in url_spellings(role["name"]):
        error = assert_error(api.put(f"{DEFS}/{spelling}", json=body), 400, "BadParameter")
        assert error["error"]["message"].startswith(BUILTIN_MESSAGE), spelling
        assert_error(api.delete(f"{DEFS}/{spelling}"), 400, "BadParameter")
        got = api.get(f"{DEFS}/{spelling}")
        assert got.status_code == 200 and got.json() == role, spelling
        ledger.add("scope_spellings", 3)
    listed = api.get(DEFS, params={"$filter": f"roleName eq '{role['properties']['roleName']}'"}).json()["value"]
    assert listed == [role]


@pytest.mark.parametrize("text", [t for t in NOT_GUIDS if t and "/" not in t and t.strip() == t and "{" not in t
                                  and "}" not in t])
def test_non_guid_definition_names(api: Api, text: str) -> None:
    error = assert_error(api.put(f"{DEFS}/{text}", json={"properties": {}}), 400, "BadParameter")
    assert error["error"]["message"].startswith("Role definition name must be a GUID")
    assert_error(api.get(f"{DEFS}/{text}"), 404, "RoleDefinitionNotFound")
    assert_error(api.delete(f"{DEFS}/{text}"), 404, "RoleDefinitionNotFound")
    body = {"properties": {"roleDefinitionId": DEFINITION_ID_PREFIX + ADMIN, "principalId": new_guid()}}
    assert_error(api.put(f"{ASSIGNMENTS}/{text}", json=body), 400, "BadParameter")
    assert_error(api.get(f"{ASSIGNMENTS}/{text}"), 404, "RoleAssignmentNotFound")
    ledger.add("scope_spellings", 5)


def test_one_custom_definition_under_every_spelling(api: Api) -> None:
    name = new_guid()
    names = url_spellings(name)
    for index, spelling in enumerate(names):
        body = {"properties": {"roleName": f"r{index}", "permissions": []}}
        created = api.put(f"{DEFS}/{spelling}", json=body)
        assert created.status_code == 201 and created.json()["name"] == name, created.text
        assert created.json()["id"] == DEFINITION_ID_PREFIX + name
    for spelling in names:
        got = api.get(f"{DEFS}/{spelling}").json()
        assert (got["name"], got["properties"]["roleName"]) == (name, f"r{len(names) - 1}")
    everything = api.get(DEFS, params={"$filter": f"roleName eq 'r{len(names) - 1}'"}).json()["value"]
    assert [d["name"] for d in everything] == [name]
    assert api.delete(f"{DEFS}/{names[-1]}").status_code == 200
    for spelling in names:
        assert_error(api.get(f"{DEFS}/{spelling}"), 404, "RoleDefinitionNotFound")
    ledger.add("scope_spellings", 3 * len(names) + 1)


def test_assignment_names_are_canonical(api: Api) -> None:
    name = new_guid()
    principal = new_guid()
    body = {"properties": {"roleDefinitionId": DEFINITION_ID_PREFIX + ADMIN, "principalId": principal}}
    created = api.put(f"{ASSIGNMENTS}/{name.upper()}", json=body)
    assert created.status_code == 201
    assert created.json()["name"] == name and created.json()["id"].endswith("/" + name)
    other = {"properties": {"roleDefinitionId": DEFINITION_ID_PREFIX + ADMIN, "principalId": new_guid()}}
    for spelling in url_spellings(name):
        assert api.put(f"{ASSIGNMENTS}/{spelling}", json=body).json() == created.json()  # idempotent repeat
        assert_error(api.put(f"{ASSIGNMENTS}/{spelling}", json=other), 409, "RoleAssignmentExists")
        assert api.get(f"{ASSIGNMENTS}/{spelling}").json() == created.json()
    assert len(api.get(ASSIGNMENTS, params={"$filter": f"principalId eq '{principal}'"}).json()["value"]) == 1
    assert api.delete(f"{ASSIGNMENTS}/urn:uuid:{name.replace('-', '')}").status_code == 200
    for spelling in url_spellings(name):
        assert_error(api.get(f"{ASSIGNMENTS}/{spelling}"), 404, "RoleAssignmentNotFound")
    ledger.add("scope_spellings", 4 * len(url_spellings(name)) + 2)


@pytest.mark.parametrize("role", BUILTINS, ids=[r["properties"]["roleName"] for r in BUILTINS])
def test_role_definition_ids_in_every_spelling(emu: RunningEmulator, api: Api, role: dict[str, Any]) -> None:
    """A reference in any spelling (full id, scoped id, bare GUID) is the built-in role, echoed as sent."""
    guid = role["name"]
    principal = new_guid()
    references = [f"{prefix}{spelling}" for spelling in spellings(guid)
                  for prefix in (DEFINITION_ID_PREFIX, "/keys/providers/Microsoft.Authorization/roleDefinitions/",
                                 "/providers/microsoft.authorization/ROLEDEFINITIONS/", "")]
    for reference in references:
        body = {"properties": {"roleDefinitionId": reference, "principalId": principal}}
        created = api.put(f"/keys/k1{ASSIGNMENTS}/{new_guid()}", json=body)
        assert created.status_code == 201, (reference, created.text)
        assert created.json()["properties"]["roleDefinitionId"] == reference
        ledger.add("scope_spellings")
    listed = _all(api, f"/keys/k1{ASSIGNMENTS}", principal)
    assert len(listed) == len(references)
    # the role's data actions apply (all of them at /keys/k1, checked through the permission function)
    from mhsm_emulator.rbac import is_allowed

    for action in role["properties"]["permissions"][0]["dataActions"]:
        assert is_allowed(emu.state.store, principal, action, "/keys/k1"), action
    for assignment in listed:
        assert api.delete(assignment["id"]).status_code == 200


def _all(api: Api, path: str, principal: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    response = api.get(path, params={"$filter": f"principalId eq '{principal}'"})
    while True:
        assert response.status_code == 200, response.text
        items.extend(response.json()["value"])
        if not response.json().get("nextLink"):
            return items
        response = api.get(response.json()["nextLink"], api_version=None)


@pytest.mark.parametrize("reference", [
    "00000000-0000-0000-0000-000000000000", DEFINITION_ID_PREFIX + "not-a-guid", DEFINITION_ID_PREFIX,
    "Microsoft.KeyVault/providers/Microsoft.Authorization/roleAssignments/" + ADMIN, "foo/" + ADMIN + "x",
    ADMIN + "/", "a290-e904-7015-4bba-90c8-60543313cdb4", "roleDefinitions/" + ADMIN,
])
def test_bad_role_definition_ids(api: Api, reference: str) -> None:
    body = {"properties": {"roleDefinitionId": reference, "principalId": new_guid()}}
    assert_error(api.put(f"{ASSIGNMENTS}/{new_guid()}", json=body), 400, "BadParameter")
    ledger.add("scope_spellings")


def test_principal_ids_in_every_spelling(emu: RunningEmulator, api: Api) -> None:
    principal = new_guid()
    caller = api.for_principal(principal)
    for index, spelling in enumerate(spellings(principal)):
        body = {"properties": {"roleDefinitionId": DEFINITION_ID_PREFIX + ADMIN, "principalId": spelling}}
        created = api.put(f"{ASSIGNMENTS}/{new_guid()}", json=body)
        assert created.status_code == 201 and created.json()["properties"]["principalId"] == principal
        assert caller.get("/settings").status_code == 200
        for query in spellings(principal):
            assert len(_all(api, ASSIGNMENTS, query)) == index + 1, query
        # a token whose oid is another spelling of the same id is the same principal
        assert api.for_principal(spelling.upper()).get("/settings").status_code == 200
        ledger.add("scope_spellings", len(spellings(principal)) + 2)
    for assignment in _all(api, ASSIGNMENTS, principal):
        assert api.delete(assignment["id"]).status_code == 200
    assert_error(caller.get("/settings"), 403, "Forbidden")


def test_deleting_an_assigned_definition_under_another_spelling(emu: RunningEmulator, api: Api) -> None:
    name = new_guid()
    assert api.put(f"{DEFS}/{name}", json={"properties": {"permissions": []}}).status_code == 201
    emu.assign_role(new_guid(), name.replace("-", "").upper())
    for spelling in url_spellings(name):
        assert_error(api.delete(f"{DEFS}/{spelling}"), 400, "RoleDefinitionHasAssignments")
    ledger.add("scope_spellings", len(url_spellings(name)))


# --- databases written before GUIDs were canonical ----------------------------------------------------------


def _old_database(path: Path, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    store = Store(str(path), CORE_MIGRATIONS)  # the schema before the RBAC migrations
    with store.transaction() as conn:
        for properties, name in rows["definitions"]:
            conn.execute("INSERT INTO role_definitions (name, properties) VALUES (?, ?)",
                         (name, json.dumps(properties)))
        for row in rows["assignments"]:
            conn.execute("INSERT INTO role_assignments (name, scope, role_definition_id, role_definition_name,"
                         " principal_id) VALUES (?, ?, ?, ?, ?)", row)
    store.close()


def _properties(role_name: str, actions: list[str]) -> dict[str, Any]:
    return {"assignableScopes": ["/"], "description": "", "permissions": [
        {"actions": [], "dataActions": actions, "notActions": [], "notDataActions": []}],
        "roleName": role_name, "type": "CustomRole"}


def test_old_rows_are_migrated(tmp_path: Path) -> None:
    spoof = ADMIN.replace("-", "")  # the built-in Administrator's GUID, as the issue re-used it
    custom = str(uuid.uuid4())
    twin = str(uuid.uuid4())
    assignment = str(uuid.uuid4())
    spoofer, user, twin_user = (str(uuid.uuid4()) for _ in range(3))
    _old_database(tmp_path / "state.sqlite3", {
        "definitions": [
            (_properties("spoof", [PREFIX + "settings/read/action"]), spoof),
            (_properties("custom", [PREFIX + "keys/read/action"]), "{" + custom.upper() + "}"),
            (_properties("twin-old", [PREFIX + "backup/status/action"]), twin),
            (_properties("twin-new", [PREFIX + "restore/status/action"]), twin.replace("-", "")),
        ],
        "assignments": [
            (assignment.upper(), "/", DEFINITION_ID_PREFIX + spoof, spoof, spoofer.upper()),
            (str(uuid.uuid4()).replace("-", ""), "/keys", DEFINITION_ID_PREFIX + "{" + custom.upper() + "}",
             "{" + custom.upper() + "}", "urn:uuid:" + user),
            (str(uuid.uuid4()), "/", DEFINITION_ID_PREFIX + twin.replace("-", ""), twin.replace("-", ""), twin_user),
            (str(uuid.uuid4()), "/", DEFINITION_ID_PREFIX + ADMIN.upper(), ADMIN.upper(), "not-a-guid-principal"),
        ],
    })
    with run_emulator(data_dir=tmp_path) as emu:
        api = Api(emu)
        definitions = {d["properties"]["roleName"]: d for d in api.get(DEFS).json()["value"]}
        # The spoof keeps its permissions under a fresh GUID, and so does its assignment: no Administrator.
        spoof_now = definitions["spoof"]
        assert spoof_now["name"] not in (ADMIN, spoof) and canonical_guid(spoof_now["name"]) == spoof_now["name"]
        spoofer_api = api.for_principal(spoofer)
        assert spoofer_api.get("/settings").status_code == 200
        assert_error(spoofer_api.patch("/settings/AllowKeyManagementOperationsThroughARM", json={"value": "true"}),
                     403, "Forbidden")
        migrated = api.get(ASSIGNMENTS + "/" + assignment).json()
        assert migrated["name"] == assignment
        assert migrated["properties"]["principalId"] == spoofer
        assert migrated["properties"]["roleDefinitionId"] == DEFINITION_ID_PREFIX + spoof_now["name"]
        assert [d["name"] for d in api.get(DEFS, params={
            "$filter": "roleName eq 'Managed HSM Administrator'"}).json()["value"]] == [ADMIN]
        # Other spellings become canonical; references keep their target, echoed as they were sent.
        assert definitions["custom"]["name"] == custom
        user_assignments = api.get("/keys" + ASSIGNMENTS, params={"$filter": f"principalId eq '{user}'"}).json()
        (user_assignment,) = user_assignments["value"]
        assert user_assignment["properties"]["principalId"] == user
        assert canonical_guid(user_assignment["name"]) == user_assignment["name"]
        assert api.for_principal(user).get("/keys").status_code == 200
        # Two spellings of one GUID: the older row keeps it, the newer gets a fresh one with its assignments.
        assert definitions["twin-old"]["name"] == twin
        assert definitions["twin-new"]["name"] not in (twin, twin.replace("-", ""))
        twin_api = api.for_principal(twin_user)
        assert_error(twin_api.get("/restore/00000000-0000-0000-0000-000000000000/pending"), 404)
        assert_error(twin_api.get("/backup/00000000-0000-0000-0000-000000000000/pending"), 403, "Forbidden")
        # Non-GUID principal ids are kept; built-in references in upper case still name the built-in.
        assert api.for_principal("NOT-A-GUID-PRINCIPAL").get("/settings").status_code == 200
    with sqlite3.connect(tmp_path / "state.sqlite3") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not any(table.startswith("rbac_canon") for table in tables)
        names = [row[0] for row in conn.execute("SELECT name FROM role_assignments")]
        assert all(canonical_guid(name) == name for name in names)
