"""Role definitions and role assignments: persistence and the service's wire shapes."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from .builtin_roles import BUILTIN_ROLES
from .errors import ServiceError, bad_parameter, not_found
from .scopes import scope_contains, scopes_related, url_prefix
from .store import Store

DEFINITION_ID_PREFIX = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/"
DEFINITION_TYPE = "Microsoft.Authorization/roleDefinitions"
ASSIGNMENT_TYPE = "Microsoft.Authorization/roleAssignments"
BUILTIN_TYPE = "AKVBuiltInRole"
CUSTOM_TYPE = "CustomRole"
ACTION_PREFIX = "Microsoft.KeyVault/managedHsm/"
ADMINISTRATOR_ROLE_NAME = "a290e904-7015-4bba-90c8-60543313cdb4"
PERMISSION_KEYS = ("actions", "dataActions", "notActions", "notDataActions")

BUILTIN_MESSAGE = "Cannot re-use the name/GUID matching that of a built-in role. Please use a unique role ID."


def definition_id(name: str) -> str:
    """The ``id`` of a role definition (no leading slash, like the service)."""
    return DEFINITION_ID_PREFIX + name


def _properties(role_name: str, description: str, permissions: list[dict[str, list[str]]],
                scopes: list[str], role_type: str) -> dict[str, Any]:
    # Key order as the service sends it.
    return {
        "assignableScopes": scopes,
        "description": description,
        "permissions": permissions,
        "roleName": role_name,
        "type": role_type,
    }


def _definition(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": definition_id(name), "name": name, "properties": properties, "type": DEFINITION_TYPE}


def _builtin_definitions() -> list[dict[str, Any]]:
    result = []
    for name, role_name, actions in BUILTIN_ROLES:
        permission = {
            "actions": [],
            "dataActions": [ACTION_PREFIX + action for action in actions],
            "notActions": [],
            "notDataActions": [],
        }
        result.append(_definition(name, _properties(role_name, "", [permission], ["/"], BUILTIN_TYPE)))
    return result


BUILTIN_DEFINITIONS: tuple[dict[str, Any], ...] = tuple(_builtin_definitions())
_BUILTIN_BY_NAME = {d["name"].lower(): d for d in BUILTIN_DEFINITIONS}

BOOTSTRAP_ASSIGNMENT_NAME = "9c1e7a4e-0b5f-5d3c-8a61-5f0d2a7c0001"

def bootstrap(store: Store, principal_id: str) -> None:
    """Make ``principal_id`` Managed HSM Administrator at ``/`` the first time the database is opened."""
    if store.get_meta("rbac-bootstrapped") is not None:
        return
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO role_assignments (name, scope, role_definition_id, role_definition_name,"
            " principal_id) VALUES (?, '/', ?, ?, ?)",
            (BOOTSTRAP_ASSIGNMENT_NAME, definition_id(ADMINISTRATOR_ROLE_NAME), ADMINISTRATOR_ROLE_NAME, principal_id),
        )
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('rbac-bootstrapped', '1')")


def is_guid(value: str) -> bool:
    """True for a GUID in any of the usual spellings."""
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


# --- role definitions -------------------------------------------------------------------------------------


def list_definitions(store: Store) -> list[dict[str, Any]]:
    """Built-in roles (service order), then custom roles in creation order."""
    custom = [
        _definition(row["name"], json.loads(row["properties"]))
        for row in store.query("SELECT name, properties FROM role_definitions ORDER BY seq")
    ]
    return [copy.deepcopy(d) for d in BUILTIN_DEFINITIONS] + custom


def find_definition(store: Store, name: str) -> dict[str, Any] | None:
    """A definition by name (GUID, case-insensitive), or ``None``."""
    builtin = _BUILTIN_BY_NAME.get(name.lower())
    if builtin is not None:
        return copy.deepcopy(builtin)  # a private copy
    row = store.query_one("SELECT name, properties FROM role_definitions WHERE name = ?", (name,))
    return None if row is None else _definition(row["name"], json.loads(row["properties"]))


def get_definition(store: Store, name: str) -> dict[str, Any]:
    """A definition by name; 404 ``RoleDefinitionNotFound`` when absent."""
    found = find_definition(store, name)
    if found is None:
        raise not_found("RoleDefinitionNotFound", "Requested role definition not found.")
    return found


def _string_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_parameter(f"'{field}' must be an array of strings.")
    return list(value)


def normalize_definition_properties(raw: Any) -> dict[str, Any]:
    """Validate a create/update body's ``properties`` and fill the service's defaults.

    :raises ServiceError: 400 ``BadParameter`` on wrong types.
    """
    if not isinstance(raw, dict):
        raise bad_parameter("The request body must be a JSON object with a 'properties' object.")
    role_name = raw.get("roleName")
    description = raw.get("description")
    role_type = raw.get("type")
    for field, value in (("roleName", role_name), ("description", description), ("type", role_type)):
        if value is not None and not isinstance(value, str):
            raise bad_parameter(f"'{field}' must be a string.")
    if role_type is not None and role_type != CUSTOM_TYPE:
        raise bad_parameter(f"Role type '{role_type}' is not allowed; only '{CUSTOM_TYPE}' can be created.")
    raw_permissions = raw.get("permissions")
    if raw_permissions is None:
        raw_permissions = []
    if not isinstance(raw_permissions, list):
        raise bad_parameter("'permissions' must be an array.")
    permissions: list[dict[str, list[str]]] = []
    for item in raw_permissions:
        if not isinstance(item, dict):
            raise bad_parameter("Each permission must be a JSON object.")
        permissions.append({key: _string_list(item.get(key), key) for key in PERMISSION_KEYS})
    scopes = _string_list(raw.get("assignableScopes"), "assignableScopes") or ["/"]
    return _properties(role_name or "", description or "", permissions, scopes, CUSTOM_TYPE)


def put_definition(store: Store, name: str, properties: dict[str, Any]) -> dict[str, Any]:
    """Create or replace a custom role definition (already normalised properties)."""
    if name.lower() in _BUILTIN_BY_NAME:
        raise bad_parameter(BUILTIN_MESSAGE)
    if not is_guid(name):
        raise bad_parameter("Role definition name must be a GUID")
    text = json.dumps(properties)
    with store.transaction() as conn:
        row = conn.execute("SELECT name FROM role_definitions WHERE name = ?", (name,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO role_definitions (name, properties) VALUES (?, ?)", (name, text))
            stored_name = name
        else:
            stored_name = row["name"]
            conn.execute("UPDATE role_definitions SET properties = ? WHERE name = ?", (text, name))
    return _definition(stored_name, properties)


def delete_definition(store: Store, name: str) -> dict[str, Any]:
    """Delete a custom role definition and return it.

    :raises ServiceError: 400 for a built-in role, 400 ``RoleDefinitionHasAssignments`` while assigned,
        404 ``RoleDefinitionNotFound``.
    """
    if name.lower() in _BUILTIN_BY_NAME:
        raise bad_parameter("Built-in role definitions cannot be deleted.")
    with store.transaction() as conn:
        row = conn.execute("SELECT name, properties FROM role_definitions WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise not_found("RoleDefinitionNotFound", "Requested role definition not found.")
        in_use = conn.execute(
            "SELECT COUNT(*) FROM role_assignments WHERE role_definition_name = ?", (name,)
        ).fetchone()[0]
        if in_use:
            raise ServiceError(
                400,
                "RoleDefinitionHasAssignments",
                f"The role definition cannot be deleted because {in_use} role assignment(s) still reference it.",
            )
        conn.execute("DELETE FROM role_definitions WHERE name = ?", (name,))
    return _definition(row["name"], json.loads(row["properties"]))


# --- role assignments -------------------------------------------------------------------------------------


def _assignment(row: Any) -> dict[str, Any]:
    scope = row["scope"]
    # Keys in the live service's (alphabetical) order.
    return {
        "id": f"{url_prefix(scope)}/providers/Microsoft.Authorization/roleAssignments/{row['name']}",
        "name": row["name"],
        "properties": {
            "principalId": row["principal_id"],
            "roleDefinitionId": row["role_definition_id"],
            "scope": scope,
        },
        "type": ASSIGNMENT_TYPE,
    }


_ASSIGNMENT_COLUMNS = "name, scope, role_definition_id, role_definition_name, principal_id"


def definition_name_from_id(role_definition_id: str) -> str:
    """The GUID at the end of a role definition id (a bare GUID is accepted too)."""
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1]


def get_assignment(store: Store, scope: str, name: str) -> dict[str, Any]:
    """An assignment by name at exactly ``scope``; 404 ``RoleAssignmentNotFound`` otherwise."""
    row = store.query_one(f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments WHERE name = ?", (name,))
    if row is None or row["scope"].lower() != scope.lower():
        raise not_found("RoleAssignmentNotFound", "Requested role assignment not found.")
    return _assignment(row)


def create_assignment(
    store: Store, scope: str, name: str, role_definition_id: str, principal_id: str
) -> dict[str, Any]:
    """Create an assignment; an identical repeat is idempotent, a different one with the same name is 409."""
    if not is_guid(name):
        raise bad_parameter("Role assignment name must be a GUID")
    definition_name = definition_name_from_id(role_definition_id)
    with store.transaction() as conn:
        if find_definition(store, definition_name) is None:
            raise bad_parameter(f"The specified role definition with ID '{role_definition_id}' does not exist.")
        row = conn.execute(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments WHERE name = ?", (name,)
        ).fetchone()
        if row is not None:
            same = (
                row["scope"].lower() == scope.lower()
                and row["role_definition_name"].lower() == definition_name.lower()
                and row["principal_id"].lower() == principal_id.lower()
            )
            if not same:
                raise ServiceError(
                    409, "RoleAssignmentExists", "A role assignment with this name already exists."
                )
            return _assignment(row)
        conn.execute(
            "INSERT INTO role_assignments (name, scope, role_definition_id, role_definition_name, principal_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, scope, role_definition_id, definition_name, principal_id),
        )
        created = conn.execute(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments WHERE name = ?", (name,)
        ).fetchone()
    return _assignment(created)


def delete_assignment(store: Store, scope: str, name: str) -> dict[str, Any]:
    """Delete an assignment at ``scope`` and return it; 404 ``RoleAssignmentNotFound`` otherwise."""
    with store.transaction() as conn:
        row = conn.execute(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments WHERE name = ?", (name,)
        ).fetchone()
        if row is None or row["scope"].lower() != scope.lower():
            raise not_found("RoleAssignmentNotFound", "Requested role assignment not found.")
        conn.execute("DELETE FROM role_assignments WHERE name = ?", (name,))
    return _assignment(row)


def list_assignments(
    store: Store, scope: str, *, at_scope_only: bool = False, principal_id: str | None = None
) -> list[dict[str, Any]]:
    """Assignments related to ``scope`` in creation order.

    Without ``at_scope_only`` the assignments at, above and below the scope are listed; with it (``atScope()``)
    only those at or above.
    """
    rows = store.query(f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments ORDER BY seq")
    result = []
    for row in rows:
        related = scope_contains(row["scope"], scope) if at_scope_only else scopes_related(row["scope"], scope)
        if not related:
            continue
        if principal_id is not None and row["principal_id"].lower() != principal_id.lower():
            continue
        result.append(_assignment(row))
    return result


def assignments_for_principal(store: Store, principal_id: str) -> list[tuple[str, str]]:
    """``(scope, role definition name)`` of every assignment of a principal."""
    rows = store.query(
        "SELECT scope, role_definition_name FROM role_assignments WHERE principal_id = ? COLLATE NOCASE",
        (principal_id,),
    )
    return [(row["scope"], row["role_definition_name"]) for row in rows]
