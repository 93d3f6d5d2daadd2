"""Role definitions and role assignments: persistence and the service's wire shapes.

GUIDs that name or reference something (definition and assignment names, the GUID of a ``roleDefinitionId``,
GUID principal ids) are stored and compared in their canonical form (:mod:`mhsm_emulator.guids`), so one GUID
cannot be re-used under another spelling. A ``roleDefinitionId`` itself is echoed as the client sent it, like
the service does; the definition it names is kept, canonical, in ``role_definition_name``.
"""

from __future__ import annotations

import copy
import json
import re
import weakref
from typing import Any

from .builtin_roles import BUILTIN_ROLES
from .errors import ServiceError, bad_parameter, not_found
from .guids import canonical_guid, canonical_principal
from .scopes import normalize_scope, scope_contains, scopes_related, url_prefix
from .store import Migration, Store

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
_BUILTIN_BY_NAME = {d["name"]: d for d in BUILTIN_DEFINITIONS}  # canonical GUIDs

BOOTSTRAP_ASSIGNMENT_NAME = "9c1e7a4e-0b5f-5d3c-8a61-5f0d2a7c0001"


# --- schema -----------------------------------------------------------------------------------------------

_HEX = "[0-9a-f]"
_DASHED_GLOB = "-".join(_HEX * n for n in (8, 4, 4, 4, 12))


def _canonical_select(table: str, column: str) -> str:
    """``SELECT seq, old, new`` over ``table``: ``new`` is the canonical GUID of ``column`` (NULL for non-GUIDs).

    The SQL twin of :func:`mhsm_emulator.guids.canonical_guid` (same spellings accepted).
    """
    return (
        "SELECT seq, old, CASE WHEN d IS NULL THEN NULL ELSE substr(d, 1, 8) || '-' || substr(d, 9, 4) || '-' ||"
        " substr(d, 13, 4) || '-' || substr(d, 17, 4) || '-' || substr(d, 21, 12) END AS new FROM ("
        f" SELECT seq, old, CASE WHEN t GLOB '{_DASHED_GLOB}' THEN replace(t, '-', '')"
        "  WHEN length(t) = 32 AND t NOT GLOB '*[^0-9a-f]*' THEN t END AS d FROM ("
        "  SELECT seq, old, CASE WHEN length(s) = 38 AND substr(s, 1, 1) || substr(s, 38, 1) IN ('{}', '()')"
        "   THEN substr(s, 2, 36) ELSE s END AS t FROM ("
        "   SELECT seq, old, CASE WHEN substr(l, 1, 9) = 'urn:uuid:' THEN substr(l, 10) ELSE l END AS s FROM ("
        f"    SELECT seq, {column} AS old, lower({column}) AS l FROM {table}))))"
    )


def _canonical_guids_sql() -> str:
    builtins = ", ".join(f"'{name}'" for name, _, _ in BUILTIN_ROLES)
    renamed_definition = (
        "SELECT r.seq FROM rbac_canon r JOIN rbac_canon d ON d.kind = 'definition' AND d.old = r.old COLLATE NOCASE"
        " JOIN rbac_canon_conflict x ON x.kind = 'definition' AND x.seq = d.seq WHERE r.kind = 'reference'"
    )
    # Names are unique: rename in two steps (to a placeholder, then to the final name) so that no intermediate
    # state holds the same name twice.
    return f"""
        CREATE TABLE rbac_canon (kind TEXT NOT NULL, seq INTEGER NOT NULL, old TEXT NOT NULL, new TEXT, r TEXT);
        INSERT INTO rbac_canon (kind, seq, old, new)
            SELECT 'definition', seq, old, new FROM ({_canonical_select('role_definitions', 'name')});
        INSERT INTO rbac_canon (kind, seq, old, new)
            SELECT 'assignment', seq, old, new FROM ({_canonical_select('role_assignments', 'name')});
        INSERT INTO rbac_canon (kind, seq, old, new)
            SELECT 'reference', seq, old, new FROM ({_canonical_select('role_assignments', 'role_definition_name')});
        INSERT INTO rbac_canon (kind, seq, old, new)
            SELECT 'principal', seq, old, new FROM ({_canonical_select('role_assignments', 'principal_id')});
        UPDATE rbac_canon SET new = old WHERE new IS NULL;
        CREATE TABLE rbac_canon_conflict (kind TEXT NOT NULL, seq INTEGER NOT NULL);
        INSERT INTO rbac_canon_conflict (kind, seq)
            SELECT kind, seq FROM rbac_canon c
            WHERE (kind = 'definition' AND new IN ({builtins}))
               OR (kind IN ('definition', 'assignment') AND EXISTS (
                   SELECT 1 FROM rbac_canon o WHERE o.kind = c.kind AND o.new = c.new AND o.seq < c.seq));
        UPDATE rbac_canon SET r = lower(hex(randomblob(16)))
            WHERE EXISTS (SELECT 1 FROM rbac_canon_conflict x WHERE x.kind = rbac_canon.kind
                          AND x.seq = rbac_canon.seq);
        UPDATE rbac_canon SET new = substr(r, 1, 8) || '-' || substr(r, 9, 4) || '-4' || substr(r, 14, 3) || '-8'
            || substr(r, 18, 3) || '-' || substr(r, 21, 12) WHERE r IS NOT NULL;
        UPDATE rbac_canon SET new = (SELECT d.new FROM rbac_canon d
                                     WHERE d.kind = 'definition' AND d.old = rbac_canon.old COLLATE NOCASE)
            WHERE kind = 'reference' AND EXISTS (SELECT 1 FROM rbac_canon d
                                                 WHERE d.kind = 'definition' AND d.old = rbac_canon.old COLLATE NOCASE);
        UPDATE role_definitions SET name = 'rbac-canon-' || seq, version = version + 1
            WHERE seq IN (SELECT seq FROM rbac_canon WHERE kind = 'definition' AND new != old);
        UPDATE role_definitions SET name = (SELECT new FROM rbac_canon
                                            WHERE kind = 'definition' AND seq = role_definitions.seq)
            WHERE name = 'rbac-canon-' || seq;
        UPDATE role_assignments SET role_definition_id = '{DEFINITION_ID_PREFIX}' || (
                SELECT new FROM rbac_canon WHERE kind = 'reference' AND seq = role_assignments.seq)
            WHERE seq IN ({renamed_definition});
        UPDATE role_assignments SET
            role_definition_name = (SELECT new FROM rbac_canon WHERE kind = 'reference' AND seq = role_assignments.seq),
            principal_id = (SELECT new FROM rbac_canon WHERE kind = 'principal' AND seq = role_assignments.seq);
        UPDATE role_assignments SET name = 'rbac-canon-' || seq
            WHERE seq IN (SELECT seq FROM rbac_canon WHERE kind = 'assignment' AND new != old);
        UPDATE role_assignments SET name = (SELECT new FROM rbac_canon
                                            WHERE kind = 'assignment' AND seq = role_assignments.seq)
            WHERE name = 'rbac-canon-' || seq;
        DROP TABLE rbac_canon_conflict;
        DROP TABLE rbac_canon;
    """


MIGRATIONS: list[Migration] = [
    # ``version`` changes with every update of a definition: compiled permissions are cached per (seq, version).
    # The NOCASE index serves the per-request lookup of a principal's assignments.
    Migration(
        "rbac-0001-definition-version",
        """
        ALTER TABLE role_definitions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX role_assignments_principal_nocase ON role_assignments (principal_id COLLATE NOCASE);
        """,
    ),
    # Rows written before GUIDs were canonicalised: names, references and principal ids get the canonical form.
    # A custom definition that re-used a built-in's GUID (or a GUID already taken under another spelling, the
    # older row keeps it) gets a fresh GUID; its assignments follow it (their roleDefinitionId names the new GUID),
    # so none of them silently becomes an assignment of the built-in role.
    Migration("rbac-0002-canonical-guids", _canonical_guids_sql()),
]
"""The RBAC tables' own migrations (after ``core-0002-rbac``); applied by :func:`ensure_schema`."""

_MIGRATED: weakref.WeakSet[Store] = weakref.WeakSet()


def ensure_schema(store: Store) -> None:
    """Apply :data:`MIGRATIONS` to ``store`` once (whatever route modules the store was opened with)."""
    if store not in _MIGRATED:
        store.migrate(MIGRATIONS)
        _MIGRATED.add(store)


def bootstrap(store: Store, principal_id: str) -> None:
    """Make ``principal_id`` Managed HSM Administrator at ``/`` the first time the database is opened."""
    ensure_schema(store)
    if store.get_meta("rbac-bootstrapped") is not None:
        return
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO role_assignments (name, scope, role_definition_id, role_definition_name,"
            " principal_id) VALUES (?, '/', ?, ?, ?)",
            (BOOTSTRAP_ASSIGNMENT_NAME, definition_id(ADMINISTRATOR_ROLE_NAME), ADMINISTRATOR_ROLE_NAME,
             canonical_principal(principal_id)),
        )
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('rbac-bootstrapped', '1')")


def is_guid(value: str) -> bool:
    """True for a GUID in one of the accepted spellings (see :func:`mhsm_emulator.guids.canonical_guid`)."""
    return canonical_guid(value) is not None


# --- role definitions -------------------------------------------------------------------------------------


def list_definitions(store: Store) -> list[dict[str, Any]]:
    """Built-in roles (service order), then custom roles in creation order.

    The built-in entries are the shared definitions: read them, never change them (copy first).
    """
    custom = [
        _definition(row["name"], json.loads(row["properties"]))
        for row in store.query("SELECT name, properties FROM role_definitions ORDER BY seq")
    ]
    return [*BUILTIN_DEFINITIONS, *custom]


def builtin_definition(name: str) -> dict[str, Any] | None:
    """The built-in definition named by ``name`` (any GUID spelling), shared and read-only; else ``None``."""
    canonical = canonical_guid(name)
    return None if canonical is None else _BUILTIN_BY_NAME.get(canonical)


def find_definition(store: Store, name: str) -> dict[str, Any] | None:
    """A definition by name (a GUID in any spelling), or ``None``."""
    canonical = canonical_guid(name)
    if canonical is None:
        return None
    builtin = _BUILTIN_BY_NAME.get(canonical)
    if builtin is not None:
        return copy.deepcopy(builtin)  # a private copy
    row = store.query_one("SELECT name, properties FROM role_definitions WHERE name = ?", (canonical,))
    return None if row is None else _definition(row["name"], json.loads(row["properties"]))


def get_definition(store: Store, name: str) -> dict[str, Any]:
    """A definition by name, for answering a read; 404 ``RoleDefinitionNotFound`` when absent.

    A built-in definition is the shared one, not a copy (a lookup per request used to deep-copy it): read it,
    never change it. :func:`find_definition` gives private copies.
    """
    canonical = canonical_guid(name)
    builtin = None if canonical is None else _BUILTIN_BY_NAME.get(canonical)
    found = builtin if builtin is not None else find_definition(store, name)
    if found is None:
        raise not_found("RoleDefinitionNotFound", "Requested role definition not found.")
    return found


def custom_definition_row(store: Store, seq: int) -> tuple[int, dict[str, Any]] | None:
    """``(version, properties)`` of the custom definition with row id ``seq``, or ``None`` once deleted."""
    ensure_schema(store)
    row = store.query_one("SELECT version, properties FROM role_definitions WHERE seq = ?", (seq,))
    return None if row is None else (int(row["version"]), json.loads(row["properties"]))


def _string_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_parameter(f"'{field}' must be an array of strings.")
    return list(value)


def normalize_definition_properties(raw: Any) -> dict[str, Any]:
    """Validate a create/update body's ``properties`` and fill the service's defaults.

    ``assignableScopes`` are normalised like URL scopes (``keys`` -> ``/keys``).

    :raises ServiceError: 400 ``BadParameter`` on wrong types or an unsupported assignable scope.
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
    scopes = [normalize_scope(scope) for scope in _string_list(raw.get("assignableScopes"), "assignableScopes")]
    return _properties(role_name or "", description or "", permissions, scopes or ["/"], CUSTOM_TYPE)


def assignable_at(properties: dict[str, Any], scope: str) -> bool:
    """True when a definition may be assigned at ``scope``: at or below one of its ``assignableScopes``."""
    return any(scope_contains(assignable, scope) for assignable in properties.get("assignableScopes") or ["/"])


def _canonical_definition_name(name: str) -> str:
    canonical = canonical_guid(name)
    if canonical is None:
        raise bad_parameter("Role definition name must be a GUID")
    if canonical in _BUILTIN_BY_NAME:
        raise bad_parameter(BUILTIN_MESSAGE)
    return canonical


def put_definition(store: Store, name: str, properties: dict[str, Any]) -> dict[str, Any]:
    """Create or replace a custom role definition (already normalised properties).

    :raises ServiceError: 400 ``BadParameter`` for a non-GUID name or a built-in's GUID (in any spelling);
        400 ``RoleDefinitionHasAssignments`` when an update would leave an assignment outside the new
        ``assignableScopes``.
    """
    ensure_schema(store)
    canonical = _canonical_definition_name(name)
    text = json.dumps(properties)
    with store.transaction() as conn:
        row = conn.execute("SELECT seq FROM role_definitions WHERE name = ?", (canonical,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO role_definitions (name, properties) VALUES (?, ?)", (canonical, text))
        else:
            stranded = [
                assigned["scope"]
                for assigned in conn.execute(
                    "SELECT DISTINCT scope FROM role_assignments WHERE role_definition_name = ? ORDER BY scope",
                    (canonical,),
                )
                if not assignable_at(properties, assigned["scope"])
            ]
            if stranded:
                raise ServiceError(
                    400,
                    "RoleDefinitionHasAssignments",
                    f"The role definition is assigned at scope '{stranded[0]}', which its new assignableScopes "
                    f"{properties['assignableScopes']} do not include. Delete those assignments first.",
                )
            conn.execute("UPDATE role_definitions SET properties = ?, version = version + 1 WHERE seq = ?",
                         (text, row["seq"]))
    return _definition(canonical, properties)


def delete_definition(store: Store, name: str) -> dict[str, Any]:
    """Delete a custom role definition and return it.

    :raises ServiceError: 400 for a built-in role, 400 ``RoleDefinitionHasAssignments`` while assigned,
        404 ``RoleDefinitionNotFound``.
    """
    canonical = canonical_guid(name)
    if canonical in _BUILTIN_BY_NAME:
        raise bad_parameter("Built-in role definitions cannot be deleted.")
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT name, properties FROM role_definitions WHERE name = ?", (canonical or "",)
        ).fetchone()
        if row is None:
            raise not_found("RoleDefinitionNotFound", "Requested role definition not found.")
        in_use = conn.execute(
            "SELECT COUNT(*) FROM role_assignments WHERE role_definition_name = ?", (row["name"],)
        ).fetchone()[0]
        if in_use:
            raise ServiceError(
                400,
                "RoleDefinitionHasAssignments",
                f"The role definition cannot be deleted because {in_use} role assignment(s) still reference it.",
            )
        conn.execute("DELETE FROM role_definitions WHERE name = ?", (row["name"],))
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
# "[<anything>/]providers/Microsoft.Authorization/roleDefinitions/<guid>" (the service's ids, with or without a
# leading slash or a scope, e.g. "/keys/providers/...") or a bare GUID.
_DEFINITION_ID = re.compile(r"^(?:.*/)?providers/Microsoft\.Authorization/roleDefinitions/(?P<guid>[^/]+)/?$",
                            re.IGNORECASE)


def definition_name_from_id(role_definition_id: str) -> str | None:
    """The canonical GUID named by a ``roleDefinitionId`` (full id or bare GUID, any spelling), else ``None``."""
    match = _DEFINITION_ID.match(role_definition_id.strip())
    return canonical_guid(match.group("guid") if match else role_definition_id.strip())


def _assignment_row(conn: Any, name: str) -> Any:
    return conn.execute(f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments WHERE name = ?", (name,)).fetchone()


def get_assignment(store: Store, scope: str, name: str) -> dict[str, Any]:
    """An assignment by name (any GUID spelling) at exactly ``scope``; 404 ``RoleAssignmentNotFound`` otherwise."""
    canonical = canonical_guid(name)
    row = None if canonical is None else store.query_one(
        f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments WHERE name = ?", (canonical,)
    )
    if row is None or row["scope"].lower() != scope.lower():
        raise not_found("RoleAssignmentNotFound", "Requested role assignment not found.")
    return _assignment(row)


def create_assignment(
    store: Store, scope: str, name: str, role_definition_id: str, principal_id: str
) -> dict[str, Any]:
    """Create an assignment at ``scope``; an identical repeat is idempotent, a different one with the same name
    (at any scope) is 409 and changes nothing.

    :raises ServiceError: 400 ``BadParameter`` for a non-GUID name, an unknown definition, or a definition whose
        ``assignableScopes`` do not include ``scope``; 409 ``RoleAssignmentExists``.
    """
    canonical = canonical_guid(name)
    if canonical is None:
        raise bad_parameter("Role assignment name must be a GUID")
    definition_name = definition_name_from_id(role_definition_id)
    principal = canonical_principal(principal_id)
    with store.transaction() as conn:
        definition = None if definition_name is None else find_definition(store, definition_name)
        if definition is None or definition_name is None:
            raise bad_parameter(f"The specified role definition with ID '{role_definition_id}' does not exist.")
        if not assignable_at(definition["properties"], scope):
            raise bad_parameter(
                f"The role definition '{definition_name}' cannot be assigned at scope '{scope}': its "
                f"assignableScopes are {definition['properties']['assignableScopes']}."
            )
        row = _assignment_row(conn, canonical)
        if row is not None:
            same = (
                row["scope"].lower() == scope.lower()
                and row["role_definition_name"] == definition_name
                and row["principal_id"].lower() == principal.lower()
            )
            if not same:
                raise ServiceError(
                    409, "RoleAssignmentExists", "A role assignment with this name already exists."
                )
            return _assignment(row)
        conn.execute(
            "INSERT INTO role_assignments (name, scope, role_definition_id, role_definition_name, principal_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (canonical, scope, role_definition_id, definition_name, principal),
        )
        created = _assignment_row(conn, canonical)
    return _assignment(created)


def delete_assignment(store: Store, scope: str, name: str) -> dict[str, Any]:
    """Delete an assignment at exactly ``scope`` and return it; 404 ``RoleAssignmentNotFound`` otherwise."""
    canonical = canonical_guid(name)
    with store.transaction() as conn:
        row = None if canonical is None else _assignment_row(conn, canonical)
        if row is None or row["scope"].lower() != scope.lower():
            raise not_found("RoleAssignmentNotFound", "Requested role assignment not found.")
        conn.execute("DELETE FROM role_assignments WHERE name = ?", (canonical,))
    return _assignment(row)


def list_assignments(
    store: Store, scope: str, *, at_scope_only: bool = False, principal_id: str | None = None
) -> list[dict[str, Any]]:
    """Assignments related to ``scope`` in creation order.

    Without ``at_scope_only`` the assignments at, above and below the scope are listed; with it (``atScope()``)
    only those at or above. ``principal_id`` (any GUID spelling) keeps one principal's.
    """
    if principal_id is None:
        rows = store.query(f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments ORDER BY seq")
    else:
        rows = store.query(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM role_assignments WHERE principal_id = ? COLLATE NOCASE ORDER BY seq",
            (canonical_principal(principal_id),),
        )
    result = []
    for row in rows:
        related = scope_contains(row["scope"], scope) if at_scope_only else scopes_related(row["scope"], scope)
        if related:
            result.append(_assignment(row))
    return result


def principal_grants(store: Store, principal_id: str) -> list[tuple[str, str, int | None, int | None]]:
    """``(scope, definition name, custom definition seq, its version)`` of every assignment of a principal.

    One indexed query, no JSON: seq and version are ``None`` for built-in roles (and for a reference to a
    definition that no longer exists).
    """
    ensure_schema(store)
    rows = store.query(
        "SELECT a.scope, a.role_definition_name, d.seq, d.version FROM role_assignments a"
        " LEFT JOIN role_definitions d ON d.name = a.role_definition_name"
        " WHERE a.principal_id = ? COLLATE NOCASE",
        (canonical_principal(principal_id),),
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def assignments_for_principal(store: Store, principal_id: str) -> list[tuple[str, str]]:
    """``(scope, role definition name)`` of every assignment of a principal."""
    return [(scope, name) for scope, name, _, _ in principal_grants(store, principal_id)]
