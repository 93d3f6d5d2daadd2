"""Enforced RBAC: every built-in role x every administration operation, scopes, notDataActions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from emu_helpers import ASSIGNMENTS, DEFS, Api, assert_error, new_guid
from mhsm_emulator import RunningEmulator
from mhsm_emulator.backup_jobs import fail_interrupted
from reliability_ledger import ledger

ROLES = json.loads((Path(__file__).parent / "data" / "builtin-roles.json").read_text())
PREFIX = "Microsoft.KeyVault/managedHsm/"
ADMIN_GUID = "a290e904-7015-4bba-90c8-60543313cdb4"
SETTING = "/settings/AllowKeyManagementOperationsThroughARM"


def _definition_body() -> dict[str, object]:
    return {"properties": {"roleName": "t", "permissions": [{"dataActions": [PREFIX + "keys/read/action"]}]}}


def _assignment_body(principal: str | None = None) -> dict[str, object]:
    return {"properties": {"roleDefinitionId": f"Microsoft.KeyVault/providers/Microsoft.Authorization/"
                                               f"roleDefinitions/{ADMIN_GUID}", "principalId": principal or new_guid()}}


def _custom_definition(admin: Api) -> str:
    name = new_guid()
    assert admin.put(f"{DEFS}/{name}", json=_definition_body()).status_code == 201
    return name


def _assignment(admin: Api) -> str:
    name = new_guid()
    assert admin.put(f"{ASSIGNMENTS}/{name}", json=_assignment_body()).status_code == 201
    return name


# Nothing listens on port 9 (discard): started jobs fail later, in the background; the RBAC answer comes first.
# (A path-style container URL: account, then container.)
STORAGE = {"storageResourceUri": "http://127.0.0.1:9/devstoreaccount1/backups",
           "token": "se=2099-01-01T00%3A00%3A00Z&sp=rcwdl&sig=x"}
RESTORE_BODY = {"folderToRestore": "mhsm-emulator-2025010100000000", "sasTokenParameters": STORAGE}


def _end_running_jobs(emu: RunningEmulator) -> None:
    """One job at a time (409 Conflict): end the job an earlier call started, as a restart would."""
    fail_interrupted(emu.state.store)


def _job(admin: Api, kind: str) -> str:
    _end_running_jobs(admin.emulator)
    if kind == "backup":
        response = admin.request("POST", "/backup", json=STORAGE)
    else:
        response = admin.put("/restore", json=RESTORE_BODY)
    assert response.status_code == 202, response.text
    return str(response.json()["jobId"])


Operation = Callable[[Api, Api], requests.Response]
# operation -> (data action it needs, call as `caller`, with `admin` preparing what it needs)
OPERATIONS: dict[str, tuple[str, Operation]] = {
    "list_role_definitions": ("roleDefinitions/read/action", lambda admin, caller: caller.get(DEFS)),
    "get_role_definition": ("roleDefinitions/read/action", lambda admin, caller: caller.get(f"{DEFS}/{ADMIN_GUID}")),
    "set_role_definition": (
        "roleDefinitions/write/action",
        lambda admin, caller: caller.put(f"{DEFS}/{new_guid()}", json=_definition_body()),
    ),
    "delete_role_definition": (
        "roleDefinitions/delete/action",
        lambda admin, caller: caller.delete(f"{DEFS}/{_custom_definition(admin)}"),
    ),
    "list_role_assignments": ("roleAssignments/read/action", lambda admin, caller: caller.get(ASSIGNMENTS)),
    "get_role_assignment": (
        "roleAssignments/read/action",
        lambda admin, caller: caller.get(f"{ASSIGNMENTS}/{_assignment(admin)}"),
    ),
    "create_role_assignment": (
        "roleAssignments/write/action",
        lambda admin, caller: caller.put(f"{ASSIGNMENTS}/{new_guid()}", json=_assignment_body()),
    ),
    "delete_role_assignment": (
        "roleAssignments/delete/action",
        lambda admin, caller: caller.delete(f"{ASSIGNMENTS}/{_assignment(admin)}"),
    ),
    "list_settings": ("settings/read/action", lambda admin, caller: caller.get("/settings")),
    "get_setting": ("settings/read/action", lambda admin, caller: caller.get(SETTING)),
    "update_setting": ("settings/write/action", lambda admin, caller: caller.patch(SETTING, json={"value": "false"})),
    "begin_backup": ("backup/start/action", lambda admin, caller: caller.request("POST", "/backup", json=STORAGE)),
    "begin_pre_backup": (
        "backup/start/action",
        lambda admin, caller: caller.request("POST", "/prebackup", json=STORAGE),
    ),
    "backup_status": (
        "backup/status/action",
        lambda admin, caller: caller.get(f"/backup/{_job(admin, 'backup')}/pending"),
    ),
    "begin_restore": ("restore/start/action", lambda admin, caller: caller.put("/restore", json=RESTORE_BODY)),
    "begin_pre_restore": ("restore/start/action", lambda admin, caller: caller.put("/prerestore", json=RESTORE_BODY)),
    "begin_restore_key_name": (
        "restore/start/action",
        lambda admin, caller: caller.put(
            "/keys/some-key/restore", json={"folder": RESTORE_BODY["folderToRestore"], "sasTokenParameters": STORAGE}
        ),
    ),
    "restore_status": (
        "restore/status/action",
        lambda admin, caller: caller.get(f"/restore/{_job(admin, 'restore')}/pending"),
    ),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("role", ROLES, ids=[r["properties"]["roleName"] for r in ROLES])
def test_builtin_role_matrix(emu: RunningEmulator, role: dict[str, object], operation: str) -> None:
    action, call = OPERATIONS[operation]
    granted = {a.removeprefix(PREFIX) for a in role["properties"]["permissions"][0]["dataActions"]}  # type: ignore[index]
    principal = emu.create_principal(f"{role['name']}-{operation}")
    emu.assign_role(principal.object_id, str(role["name"]))
    admin = Api(emu)
    _end_running_jobs(emu)
    response = call(admin, admin.for_principal(principal.object_id))
    if action in granted:
        assert 200 <= response.status_code < 300, (response.status_code, response.text)
    else:
        body = assert_error(response, 403, "Forbidden")
        assert f"oid={principal.object_id}" in body["error"]["message"]
        assert "Assignment: (not found)" in body["error"]["message"]
        assert body["error"]["innererror"] == {"code": "ForbiddenByRbac"}
    ledger.add("rbac_cases")


def test_no_assignment_is_forbidden(emu: RunningEmulator) -> None:
    caller = Api(emu).for_principal(emu.create_principal().object_id)
    for operation in OPERATIONS.values():
        assert_error(operation[1](Api(emu), caller), 403, "Forbidden")
    ledger.add("rbac_cases", len(OPERATIONS))  # the "no role" row of the matrix


def test_assignment_scope_applies_at_and_below(emu: RunningEmulator) -> None:
    principal = emu.create_principal()
    emu.assign_role(principal.object_id, "Managed HSM Crypto Auditor", scope="/keys")
    caller = Api(emu).for_principal(principal.object_id)
    assert caller.get("/keys" + ASSIGNMENTS).status_code == 200
    assert caller.get("/keys/some-key" + ASSIGNMENTS).status_code == 200
    assert_error(caller.get(ASSIGNMENTS), 403, "Forbidden")


def test_custom_role_wildcards_and_not_data_actions(emu: RunningEmulator) -> None:
    admin = Api(emu)
    name = new_guid()
    body = {"properties": {"permissions": [{"dataActions": [PREFIX + "settings/*"],
                                            "notDataActions": [PREFIX + "settings/write/action"]}]}}
    assert admin.put(f"{DEFS}/{name}", json=body).status_code == 201
    principal = emu.create_principal()
    emu.assign_role(principal.object_id, name)
    caller = admin.for_principal(principal.object_id)
    assert caller.get("/settings").status_code == 200
    assert_error(caller.patch(SETTING, json={"value": "false"}), 403, "Forbidden")


def test_rights_follow_assignment_changes(emu: RunningEmulator) -> None:
    admin = Api(emu)
    principal = emu.create_principal()
    caller = admin.for_principal(principal.object_id)
    assert_error(caller.get("/settings"), 403, "Forbidden")
    name = new_guid()
    assert admin.put(f"{ASSIGNMENTS}/{name}", json=_assignment_body(principal.object_id)).status_code == 201
    assert caller.get("/settings").status_code == 200
    assert admin.delete(f"{ASSIGNMENTS}/{name}").status_code == 200
    assert_error(caller.get("/settings"), 403, "Forbidden")
