"""RBAC matrix: every role x every route (at every scope it can name) x every assignment scope.

The expected status comes from the Azure RBAC permission model written out here, independently of the
emulator's code: roles from the service's own listing (``data/builtin-roles.json``) plus custom roles defined
below; a data action pattern matches case-insensitively with ``*`` as the only wildcard (a regular expression
built here); an assignment at scope A applies at A and below, and only exists where the definition's
``assignableScopes`` allow it; each operation needs one data action at the scope where it takes effect:

- role definitions: reads at the URL's scope; PUT and DELETE at ``/`` (definitions are global);
- role assignments: every operation at the URL's scope (where the assignment takes effect);
- settings, full backup/restore, the pre-checks, selective key restore and job status: ``/``;
- keys: lists at ``/keys``, everything else at ``/keys/<name>``;
- EKM (connection, certificate, check, private endpoints): ``/``.

Allowed -> the operation's success status (for EKM, which has no connection here: any answer below 500 but
401/403); otherwise 403 ``Forbidden`` (innererror ``ForbiddenByRbac``).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from emu_helpers import ASSIGNMENTS, DEFS, Api
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator.app import ROUTE_MODULES
from mhsm_emulator.backup_jobs import fail_interrupted
from mhsm_emulator.errors import ServiceError
from reliability_ledger import ledger

PREFIX = "Microsoft.KeyVault/managedHsm/"
BUILTINS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "builtin-roles.json").read_text())
SCOPES = ("/", "/keys", "/keys/k1", "/keys/k2")
KEYS = ("k1", "k2")
AUDITOR = "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3"
SETTING = "/settings/AllowKeyManagementOperationsThroughARM"
# Nothing listens on port 9: started jobs fail in the background; the RBAC answer comes first.
STORAGE = {"storageResourceUri": "http://127.0.0.1:9/devstoreaccount1/backups",
           "token": "se=2099-01-01T00%3A00%3A00Z&sp=rcwdl&sig=x"}
FOLDER = "mhsm-emulator-2025010100000000"
EKM_VERSION = "2026-07-01-preview"


def _custom(name: str, *permissions: tuple[list[str], list[str]], scopes: list[str] | None = None) -> dict[str, Any]:
    return {
        "name": str(uuid.uuid5(uuid.NAMESPACE_URL, f"matrix-{name}")),
        "properties": {
            "roleName": f"matrix {name}",
            "permissions": [{"dataActions": allowed, "notDataActions": denied} for allowed, denied in permissions],
            "assignableScopes": scopes or ["/"],
        },
    }


CUSTOM_ROLES = [
    _custom("everything", ([PREFIX + "*"], [])),
    _custom("keys-without-deletes", ([PREFIX + "keys/*"], [PREFIX + "keys/deletedKeys/*", PREFIX + "keys/delete"])),
    _custom("policy-by-wildcard", ([PREFIX + "role*/*/action"], ["*/roleDefinitions/write/action"])),
    # fnmatch would read these as a character class and single-character wildcards: in RBAC they are literal.
    _custom("brackets-are-literal", ([PREFIX + "[rs]*", PREFIX + "settings/?????/action", PREFIX + "keys/rea?/*"],
                                     [])),
    _custom("case-and-middle-stars",
            (["MICROSOFT.KEYVAULT/MANAGEDHSM/SETTINGS/READ/ACTION", "microsoft.keyvault/managedhsm/backup/*",
              "Microsoft.KeyVault/*/restore/*/action"], []),
            ([PREFIX + "keys/read/action"], [])),
    _custom("keys-scope-only", ([PREFIX + "*"], []), scopes=["/keys"]),
]
ROLES = [{"name": r["name"], "properties": r["properties"]} for r in BUILTINS] + CUSTOM_ROLES


# --- the permission model (independent of the emulator) -----------------------------------------------------


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in text.split("*")), re.IGNORECASE | re.DOTALL)


def _within(outer: str, inner: str) -> bool:
    outer, inner = outer.lower(), inner.lower()
    return outer == "/" or outer == inner or inner.startswith(outer + "/")


def grants(role: dict[str, Any], action: str) -> bool:
    full = PREFIX + action
    for permission in role["properties"]["permissions"]:
        allowed = any(_pattern(p).fullmatch(full) for p in permission.get("dataActions", []))
        denied = any(_pattern(p).fullmatch(full) for p in permission.get("notDataActions", []))
        if allowed and not denied:
            return True
    return False


def assignable(role: dict[str, Any], scope: str) -> bool:
    return any(_within(s, scope) for s in role["properties"].get("assignableScopes") or ["/"])


def expected_allowed(role: dict[str, Any], assigned_at: str, op: Op) -> bool:
    return assignable(role, assigned_at) and _within(assigned_at, op.effect_scope) and grants(role, op.action)


# --- operations ---------------------------------------------------------------------------------------------


def _prefix(scope: str) -> str:
    return "" if scope == "/" else scope


class Arranger:
    """Prepares what an operation needs, as a principal with every data action at ``/``."""

    def __init__(self, emu: RunningEmulator) -> None:
        self.emu = emu
        principal = emu.create_principal("matrix-arranger")
        emu.assign_role(principal.object_id, CUSTOM_ROLES[0]["name"])
        self.api = Api(emu).for_principal(principal.object_id)

    def ok(self, response: requests.Response, *statuses: int) -> requests.Response:
        assert response.status_code in (statuses or (200,)), (response.request.method, response.url, response.text)
        return response

    def definition(self) -> str:
        name = str(uuid.uuid4())
        self.ok(self.api.put(f"{DEFS}/{name}", json={"properties": {"permissions": []}}), 201)
        return name

    def assignment(self, scope: str) -> str:
        name = str(uuid.uuid4())
        body = {"properties": {"roleDefinitionId": AUDITOR, "principalId": str(uuid.uuid4())}}
        self.ok(self.api.put(f"{_prefix(scope)}{ASSIGNMENTS}/{name}", json=body), 201)
        return name

    def key_state(self, key: str, state: str) -> str:
        """Bring ``key`` to ``state`` (``active``: exists, ``deleted``: soft-deleted); the latest version id."""
        active = self.api.get(f"/keys/{key}").status_code == 200
        deleted = not active and self.api.get(f"/deletedkeys/{key}").status_code == 200
        if state == "active" and not active:
            if deleted:
                self.ok(self.api.delete(f"/deletedkeys/{key}"), 204)
            self.ok(self.api.request("POST", f"/keys/{key}/create", json={"kty": "EC", "crv": "P-256"}))
        if state == "deleted" and not deleted:
            if not active:
                self.ok(self.api.request("POST", f"/keys/{key}/create", json={"kty": "EC", "crv": "P-256"}))
            self.ok(self.api.delete(f"/keys/{key}"))
            return ""
        if state == "creatable" and deleted:
            self.ok(self.api.delete(f"/deletedkeys/{key}"), 204)
            return ""
        if state == "active":
            return str(self.ok(self.api.get(f"/keys/{key}")).json()["key"]["kid"].rsplit("/", 1)[-1])
        return ""

    def job(self, kind: str) -> str:
        fail_interrupted(self.emu.state.store)
        if kind == "backup":
            response = self.api.request("POST", "/backup", json=STORAGE)
        else:
            response = self.api.put("/restore", json={"folderToRestore": FOLDER, "sasTokenParameters": STORAGE})
        return str(self.ok(response, 202).json()["jobId"])


Call = Callable[[Arranger, Api], requests.Response]


@dataclass(frozen=True)
class Op:
    """One route called one way: the data action it needs, where that takes effect, and its success status."""

    name: str
    route: tuple[str, str]  # (method, the route's path template) it exercises
    action: str
    effect_scope: str
    success: int | None  # None: any answer below 500 but 401/403 (the check passed, the operation may fail)
    call: Call
    cleanup: Callable[[Arranger, requests.Response], None] | None = None


def _drop_definition(arranger: Arranger, response: requests.Response) -> None:
    arranger.ok(arranger.api.delete(f"{DEFS}/{response.json()['name']}"))


def _drop_assignment(arranger: Arranger, response: requests.Response) -> None:
    arranger.ok(arranger.api.delete(response.json()["id"]))


DEF_LIST = "/{scope:(?:.*/)?}providers/Microsoft.Authorization/roleDefinitions"
ASSIGN_LIST = "/{scope:(?:.*/)?}providers/Microsoft.Authorization/roleAssignments"


def _operations() -> list[Op]:
    ops: list[Op] = []
    for scope in SCOPES:
        p = _prefix(scope)
        ops += [
            Op(f"list_role_definitions@{scope}", ("GET", DEF_LIST), "roleDefinitions/read/action", scope, 200,
               lambda a, c, p=p: c.get(f"{p}{DEFS}")),
            Op(f"get_role_definition@{scope}", ("GET", DEF_LIST + "/{name}"), "roleDefinitions/read/action", scope,
               200, lambda a, c, p=p: c.get(f"{p}{DEFS}/{AUDITOR}")),
            Op(f"set_role_definition@{scope}", ("PUT", DEF_LIST + "/{name}"), "roleDefinitions/write/action", "/",
               201, lambda a, c, p=p: c.put(f"{p}{DEFS}/{uuid.uuid4()}", json={"properties": {"permissions": []}}),
               _drop_definition),
            Op(f"delete_role_definition@{scope}", ("DELETE", DEF_LIST + "/{name}"), "roleDefinitions/delete/action",
               "/", 200, lambda a, c, p=p: c.delete(f"{p}{DEFS}/{a.definition()}")),
            Op(f"list_role_assignments@{scope}", ("GET", ASSIGN_LIST), "roleAssignments/read/action", scope, 200,
               lambda a, c, p=p: c.get(f"{p}{ASSIGNMENTS}")),
            Op(f"get_role_assignment@{scope}", ("GET", ASSIGN_LIST + "/{name}"), "roleAssignments/read/action", scope,
               200, lambda a, c, p=p, s=scope: c.get(f"{p}{ASSIGNMENTS}/{a.assignment(s)}")),
            Op(f"create_role_assignment@{scope}", ("PUT", ASSIGN_LIST + "/{name}"), "roleAssignments/write/action",
               scope, 201,
               lambda a, c, p=p: c.put(f"{p}{ASSIGNMENTS}/{uuid.uuid4()}", json={
                   "properties": {"roleDefinitionId": AUDITOR, "principalId": str(uuid.uuid4())}}),
               _drop_assignment),
            Op(f"delete_role_assignment@{scope}", ("DELETE", ASSIGN_LIST + "/{name}"),
               "roleAssignments/delete/action", scope, 200,
               lambda a, c, p=p, s=scope: c.delete(f"{p}{ASSIGNMENTS}/{a.assignment(s)}")),
        ]
    ops += [
        Op("list_settings", ("GET", "/settings"), "settings/read/action", "/", 200, lambda a, c: c.get("/settings")),
        Op("get_setting", ("GET", "/settings/{name}"), "settings/read/action", "/", 200, lambda a, c: c.get(SETTING)),
        Op("update_setting", ("PATCH", "/settings/{name}"), "settings/write/action", "/", 200,
           lambda a, c: c.patch(SETTING, json={"value": "false"})),
        Op("list_keys", ("GET", "/keys"), "keys/read/action", "/keys", 200, lambda a, c: c.get("/keys")),
        Op("list_deleted_keys", ("GET", "/deletedkeys"), "keys/deletedKeys/read/action", "/keys", 200,
           lambda a, c: c.get("/deletedkeys")),
        Op("begin_backup", ("POST", "/backup"), "backup/start/action", "/", 202,
           lambda a, c: c.request("POST", "/backup", json=STORAGE)),
        Op("begin_pre_backup", ("POST", "/prebackup"), "backup/start/action", "/", 202,
           lambda a, c: c.request("POST", "/prebackup", json=STORAGE)),
        Op("backup_status", ("GET", "/backup/{job_id}/pending"), "backup/status/action", "/", 200,
           lambda a, c: c.get(f"/backup/{a.job('backup')}/pending")),
        Op("begin_restore", ("PUT", "/restore"), "restore/start/action", "/", 202,
           lambda a, c: c.put("/restore", json={"folderToRestore": FOLDER, "sasTokenParameters": STORAGE})),
        Op("begin_pre_restore", ("PUT", "/prerestore"), "restore/start/action", "/", 202,
           lambda a, c: c.put("/prerestore", json={"folderToRestore": FOLDER, "sasTokenParameters": STORAGE})),
        Op("restore_status", ("GET", "/restore/{job_id}/pending"), "restore/status/action", "/", 200,
           lambda a, c: c.get(f"/restore/{a.job('restore')}/pending")),
    ]
    ekm = {"api_version": EKM_VERSION}
    ekm_job = "00000000-0000-0000-0000-000000000000"
    ops += [
        Op("get_ekm_connection", ("GET", "/ekm"), "ekm/read/action", "/", None, lambda a, c: c.get("/ekm", **ekm)),
        Op("create_ekm_connection", ("POST", "/ekm/create"), "ekm/write/action", "/", None,
           lambda a, c: c.request("POST", "/ekm/create", json={}, **ekm)),
        Op("update_ekm_connection", ("PATCH", "/ekm"), "ekm/write/action", "/", None,
           lambda a, c: c.patch("/ekm", json={}, **ekm)),
        Op("delete_ekm_connection", ("DELETE", "/ekm"), "ekm/delete/action", "/", None,
           lambda a, c: c.delete("/ekm", **ekm)),
        Op("get_ekm_certificate", ("GET", "/ekm/certificate"), "ekm/read/action", "/", 200,
           lambda a, c: c.get("/ekm/certificate", **ekm)),
        Op("check_ekm_connection", ("POST", "/ekm/check"), "ekm/read/action", "/", None,
           lambda a, c: c.request("POST", "/ekm/check", **ekm)),
        Op("list_ekm_private_endpoints", ("GET", "/ekm/privateendpoint"), "ekm/read/action", "/", 200,
           lambda a, c: c.get("/ekm/privateendpoint", **ekm)),
        Op("get_ekm_private_endpoint_operation", ("GET", "/ekm/privateendpoint/operations/{job_id}"),
           "ekm/read/action", "/", None, lambda a, c: c.get(f"/ekm/privateendpoint/operations/{ekm_job}", **ekm)),
        Op("get_ekm_private_endpoint", ("GET", "/ekm/privateendpoint/{name}"), "ekm/read/action", "/", None,
           lambda a, c: c.get("/ekm/privateendpoint/pe1", **ekm)),
        Op("create_ekm_private_endpoint", ("POST", "/ekm/privateendpoint/{name}"), "ekm/write/action", "/", None,
           lambda a, c: c.request("POST", "/ekm/privateendpoint/pe1", json={}, **ekm)),
        Op("delete_ekm_private_endpoint", ("DELETE", "/ekm/privateendpoint/{name}"), "ekm/write/action", "/", None,
           lambda a, c: c.delete("/ekm/privateendpoint/pe1", **ekm)),
    ]
    for key in KEYS:
        at = f"/keys/{key}"
        ops += [
            Op(f"create_key@{key}", ("POST", "/keys/{name}/create"), "keys/create", at, 200,
               lambda a, c, k=key: (a.key_state(k, "creatable"), c.request(
                   "POST", f"/keys/{k}/create", json={"kty": "EC", "crv": "P-256"}))[1]),
            Op(f"get_key@{key}", ("GET", "/keys/{name}"), "keys/read/action", at, 200,
               lambda a, c, k=key: (a.key_state(k, "active"), c.get(f"/keys/{k}"))[1]),
            Op(f"get_key_version@{key}", ("GET", "/keys/{name}/{version:[^/]*}"), "keys/read/action", at, 200,
               lambda a, c, k=key: c.get(f"/keys/{k}/{a.key_state(k, 'active')}")),
            Op(f"list_key_versions@{key}", ("GET", "/keys/{name}/versions"), "keys/read/action", at, 200,
               lambda a, c, k=key: (a.key_state(k, "active"), c.get(f"/keys/{k}/versions"))[1]),
            Op(f"delete_key@{key}", ("DELETE", "/keys/{name}"), "keys/delete", at, 200,
               lambda a, c, k=key: (a.key_state(k, "active"), c.delete(f"/keys/{k}"))[1]),
            Op(f"get_deleted_key@{key}", ("GET", "/deletedkeys/{name}"), "keys/deletedKeys/read/action", at, 200,
               lambda a, c, k=key: (a.key_state(k, "deleted"), c.get(f"/deletedkeys/{k}"))[1]),
            Op(f"purge_deleted_key@{key}", ("DELETE", "/deletedkeys/{name}"), "keys/deletedKeys/delete", at, 204,
               lambda a, c, k=key: (a.key_state(k, "deleted"), c.delete(f"/deletedkeys/{k}"))[1]),
            Op(f"recover_deleted_key@{key}", ("POST", "/deletedkeys/{name}/recover"),
               "keys/deletedKeys/recover/action", at, 200,
               lambda a, c, k=key: (a.key_state(k, "deleted"), c.request("POST", f"/deletedkeys/{k}/recover"))[1]),
            Op(f"selective_key_restore@{key}", ("PUT", "/keys/{name}/restore"), "restore/start/action", "/", 202,
               lambda a, c, k=key: c.put(f"/keys/{k}/restore", json={"folder": FOLDER, "sasTokenParameters": STORAGE})),
        ]
    return ops


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def matrix_emu() -> Iterator[RunningEmulator]:
    with run_emulator(database=":memory:") as running:
        admin = Api(running)
        for role in CUSTOM_ROLES:
            response = admin.put(f"{DEFS}/{role['name']}", json={"properties": role["properties"]})
            assert response.status_code == 201, response.text
        yield running


@pytest.fixture(scope="module")
def arranger(matrix_emu: RunningEmulator) -> Arranger:
    return Arranger(matrix_emu)


def test_every_route_is_in_the_matrix() -> None:
    served = set()
    for module in ROUTE_MODULES:
        for route in getattr(module, "routes", []):
            served.add((route.method, route.path))
    covered = {op.route for op in OPERATIONS}
    assert served - covered == set(), "add the new routes to OPERATIONS"
    assert covered <= served


def test_model_sanity() -> None:
    """The model itself: a few facts from the service's documentation."""
    by_name = {r["properties"]["roleName"]: r for r in ROLES}
    administrator = by_name["Managed HSM Administrator"]
    assert grants(administrator, "settings/write/action") and not grants(administrator, "keys/create")
    assert grants(by_name["Managed HSM Crypto User"], "keys/create")
    assert not grants(by_name["matrix brackets-are-literal"], "settings/write/action")
    assert not grants(by_name["matrix policy-by-wildcard"], "roleDefinitions/write/action")
    assert grants(by_name["matrix policy-by-wildcard"], "roleAssignments/write/action")
    assert grants(by_name["matrix case-and-middle-stars"], "restore/status/action")
    assert not assignable(by_name["matrix keys-scope-only"], "/") and assignable(by_name["matrix keys-scope-only"],
                                                                                   "/keys/k1")


@pytest.mark.parametrize("assigned_at", SCOPES)
@pytest.mark.parametrize("role", ROLES, ids=[r["properties"]["roleName"] for r in ROLES])
def test_matrix(matrix_emu: RunningEmulator, arranger: Arranger, role: dict[str, Any], assigned_at: str) -> None:
    principal = matrix_emu.create_principal(f"matrix-{role['name']}-{assigned_at}")
    if assignable(role, assigned_at):
        matrix_emu.assign_role(principal.object_id, role["name"], scope=assigned_at)
    else:
        with pytest.raises(ServiceError) as refused:
            matrix_emu.assign_role(principal.object_id, role["name"], scope=assigned_at)
        assert refused.value.status == 400
    caller = Api(matrix_emu).for_principal(principal.object_id)
    mismatches = []
    for op in OPERATIONS:
        fail_interrupted(matrix_emu.state.store)  # one job at a time: end the one an earlier call started
        response = op.call(arranger, caller)
        allowed = expected_allowed(role, assigned_at, op)
        passed = response.status_code == op.success or (
            op.success is None and response.status_code not in (401, 403) and response.status_code < 500
        )
        if allowed and passed:
            if op.cleanup is not None:
                op.cleanup(arranger, response)
            continue
        if not allowed and response.status_code == 403:
            error = response.json()["error"]
            if error["code"] == "Forbidden" and error["innererror"] == {"code": "ForbiddenByRbac"} and (
                f"oid={principal.object_id}" in error["message"]
            ):
                continue
        mismatches.append((op.name, "allowed" if allowed else "forbidden", response.status_code, response.text[:200]))
    assert mismatches == []
    ledger.add("rbac_cases", len(OPERATIONS))

