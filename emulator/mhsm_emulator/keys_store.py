"""The emulator's keys in SQLite: versions, soft delete, purge, recover, and export/import for backups."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from .errors import ServiceError, bad_parameter, not_found
from .key_material import DEFAULT_OPS, KeyMaterial, check_material
from .store import Migration, Store

RECOVERABLE_DAYS = 90
RECOVERY_LEVEL = "Recoverable+Purgeable"
_KEY_NAME = re.compile(r"[0-9A-Za-z-]{1,127}")

MIGRATIONS = [
    Migration(
        "keys-0001-tables",
        """
        CREATE TABLE key_versions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL COLLATE NOCASE,
            version TEXT NOT NULL COLLATE NOCASE,
            kty TEXT NOT NULL,
            crv TEXT,
            key_ops TEXT NOT NULL,
            secret TEXT NOT NULL,
            attributes TEXT NOT NULL,
            tags TEXT,
            UNIQUE (name, version)
        );
        CREATE TABLE deleted_keys (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            deleted_date INTEGER NOT NULL,
            scheduled_purge_date INTEGER NOT NULL
        );
        """,
    ),
]


@dataclass
class KeyVersion:
    """One stored key version."""

    name: str
    version: str
    material: KeyMaterial
    key_ops: list[str]
    attributes: dict[str, Any]
    tags: Optional[dict[str, str]] = None

    def to_json(self) -> dict[str, Any]:
        """A plain JSON form (used in backup blobs)."""
        return {
            "name": self.name,
            "version": self.version,
            "kty": self.material.kty,
            "crv": self.material.crv,
            "key_ops": self.key_ops,
            "secret": self.material.secret,
            "attributes": self.attributes,
            "tags": self.tags,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyVersion:
        """Read :meth:`to_json` output, checking the key material (CPU work: call it off the event loop).

        :raises KeyError, TypeError, ValueError: The data is malformed, or its material is not a key of its type.
        """
        material = KeyMaterial(str(data["kty"]), str(data["secret"]), data.get("crv"))
        check_material(material)
        return cls(
            name=str(data["name"]),
            version=str(data["version"]),
            material=material,
            key_ops=list(data["key_ops"]),
            attributes=dict(data["attributes"]),
            tags=data.get("tags"),
        )


@dataclass
class DeletedInfo:
    """When a key was deleted and when it will be purged."""

    deleted_date: int
    scheduled_purge_date: int


@dataclass
class RestoreCount:
    """What an import did."""

    restored: int = 0
    not_overwritten: int = 0
    names: list[str] = field(default_factory=list)


def check_key_name(name: str) -> str:
    """A valid key name, returned as it is.

    :raises ServiceError: 400 ``BadParameter`` unless it is 1-127 letters, digits and dashes.
    """
    if not _KEY_NAME.fullmatch(name):
        shown = name if len(name) <= 130 else name[:127] + "..."
        raise bad_parameter(
            f"The key name '{shown}' is invalid: a key name is 1 to 127 characters, each a letter (a-z, A-Z), "
            "a digit (0-9) or a dash (-)."
        )
    return name


def key_not_found(name: str) -> ServiceError:
    """The service's 404 for a missing key."""
    return not_found(
        "KeyNotFound",
        f"A key with (name/id) {name} was not found in this key vault. If you recently deleted this key you may be "
        "able to recover it using the correct recovery command.",
    )


def deleted_key_not_found(name: str) -> ServiceError:
    """The service's 404 for a missing deleted key."""
    return not_found("KeyNotFound", f"Deleted Key not found: {name}")


def key_in_deleted_state(name: str) -> ServiceError:
    """The service's 409 when a name is held by a deleted key."""
    return ServiceError(
        409,
        "Conflict",
        f"Key {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this "
        "state, the key can only be recovered or purged.",
    )


def _row_to_version(row: sqlite3.Row) -> KeyVersion:
    return KeyVersion(
        name=row["name"],
        version=row["version"],
        material=KeyMaterial(row["kty"], row["secret"], row["crv"]),
        key_ops=json.loads(row["key_ops"]),
        attributes=json.loads(row["attributes"]),
        tags=json.loads(row["tags"]) if row["tags"] is not None else None,
    )


def _insert(conn: sqlite3.Connection, key: KeyVersion) -> None:
    conn.execute(
        "INSERT INTO key_versions (name, version, kty, crv, key_ops, secret, attributes, tags) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key.name,
            key.version,
            key.material.kty,
            key.material.crv,
            json.dumps(key.key_ops),
            key.material.secret,
            json.dumps(key.attributes),
            None if key.tags is None else json.dumps(key.tags),
        ),
    )


def _is_deleted(conn: Any, name: str) -> bool:
    return conn.execute("SELECT 1 FROM deleted_keys WHERE name = ?", (name,)).fetchone() is not None


def new_attributes(requested: Optional[dict[str, Any]], now: Optional[int] = None) -> dict[str, Any]:
    """Attributes of a new version from the request's ``attributes`` (enabled, nbf, exp, exportable)."""
    now = int(time.time()) if now is None else now
    requested = requested or {}
    attributes: dict[str, Any] = {"enabled": bool(requested.get("enabled", True))}
    for name in ("nbf", "exp"):
        if isinstance(requested.get(name), int):
            attributes[name] = requested[name]
    attributes.update(
        created=now,
        updated=now,
        recoveryLevel=RECOVERY_LEVEL,
        recoverableDays=RECOVERABLE_DAYS,
        exportable=bool(requested.get("exportable", False)),
    )
    return attributes


def create_key(
    store: Store,
    name: str,
    material: KeyMaterial,
    *,
    key_ops: Optional[list[str]] = None,
    attributes: Optional[dict[str, Any]] = None,
    tags: Optional[dict[str, str]] = None,
) -> KeyVersion:
    """Add a new version of ``name`` (creating the key if needed).

    :raises ServiceError: 409 when the name belongs to a deleted key.
    """
    key = KeyVersion(
        name=name,
        version=uuid.uuid4().hex,
        material=material,
        key_ops=list(key_ops) if key_ops else list(DEFAULT_OPS[material.kty]),
        attributes=new_attributes(attributes),
        tags=tags,
    )
    with store.transaction() as conn:
        if _is_deleted(conn, name):
            raise key_in_deleted_state(name)
        existing = conn.execute("SELECT name FROM key_versions WHERE name = ? LIMIT 1", (name,)).fetchone()
        if existing is not None:
            key.name = existing["name"]  # names are case-insensitive; keep the first spelling
        _insert(conn, key)
    return key


def get_key(store: Store, name: str, version: Optional[str] = None) -> KeyVersion:
    """The latest (or a given) version of an active key.

    :raises ServiceError: 404 ``KeyNotFound``.
    """
    if store.query_one("SELECT 1 FROM deleted_keys WHERE name = ?", (name,)) is not None:
        raise key_not_found(name)
    if version:
        row = store.query_one("SELECT * FROM key_versions WHERE name = ? AND version = ?", (name, version))
    else:
        row = store.query_one("SELECT * FROM key_versions WHERE name = ? ORDER BY seq DESC LIMIT 1", (name,))
    if row is None:
        raise key_not_found(name)
    return _row_to_version(row)


def list_keys(store: Store) -> list[KeyVersion]:
    """The latest version of every active key, by name."""
    rows = store.query(
        "SELECT * FROM key_versions WHERE seq IN (SELECT MAX(seq) FROM key_versions GROUP BY name COLLATE NOCASE) "
        "AND name NOT IN (SELECT name FROM deleted_keys) ORDER BY name"
    )
    return [_row_to_version(row) for row in rows]


def list_versions(store: Store, name: str) -> list[KeyVersion]:
    """Every version of an active key, oldest first (404 when there is none)."""
    get_key(store, name)
    return [_row_to_version(r) for r in store.query("SELECT * FROM key_versions WHERE name = ? ORDER BY seq", (name,))]


def delete_key(store: Store, name: str, now: Optional[int] = None) -> tuple[KeyVersion, DeletedInfo]:
    """Soft-delete a key; returns its latest version and the deletion dates.

    :raises ServiceError: 404 when there is no such active key.
    """
    now = int(time.time()) if now is None else now
    with store.transaction() as conn:
        key = get_key(store, name)
        info = DeletedInfo(now, now + RECOVERABLE_DAYS * 86400)
        conn.execute(
            "INSERT INTO deleted_keys (name, deleted_date, scheduled_purge_date) VALUES (?, ?, ?)",
            (key.name, info.deleted_date, info.scheduled_purge_date),
        )
    return key, info


def _deleted_row(store: Store, name: str) -> sqlite3.Row:
    row = store.query_one("SELECT * FROM deleted_keys WHERE name = ?", (name,))
    if row is None:
        raise deleted_key_not_found(name)
    return row


def get_deleted_key(store: Store, name: str) -> tuple[KeyVersion, DeletedInfo]:
    """A deleted key's latest version and deletion dates (404 when not deleted)."""
    row = _deleted_row(store, name)
    latest = store.query_one("SELECT * FROM key_versions WHERE name = ? ORDER BY seq DESC LIMIT 1", (name,))
    if latest is None:
        raise deleted_key_not_found(name)
    return _row_to_version(latest), DeletedInfo(row["deleted_date"], row["scheduled_purge_date"])


def list_deleted_keys(store: Store) -> list[tuple[KeyVersion, DeletedInfo]]:
    """Every deleted key, by name."""
    return [get_deleted_key(store, row["name"]) for row in store.query("SELECT name FROM deleted_keys ORDER BY name")]


def purge_deleted_key(store: Store, name: str) -> None:
    """Remove a deleted key for good (404 when not deleted)."""
    with store.transaction() as conn:
        _deleted_row(store, name)
        conn.execute("DELETE FROM key_versions WHERE name = ?", (name,))
        conn.execute("DELETE FROM deleted_keys WHERE name = ?", (name,))


def recover_deleted_key(store: Store, name: str) -> KeyVersion:
    """Undo a soft delete; returns the latest version (404 when not deleted)."""
    with store.transaction() as conn:
        _deleted_row(store, name)
        conn.execute("DELETE FROM deleted_keys WHERE name = ?", (name,))
    return get_key(store, name)


# ---- backup and restore ----


def export_keys(store: Store) -> dict[str, list[KeyVersion]]:
    """Every active key with all its versions (oldest first), for a full backup."""
    exported: dict[str, list[KeyVersion]] = {}
    for key in list_keys(store):
        exported[key.name] = list_versions(store, key.name)
    return exported


def import_full(store: Store, keys: dict[str, list[KeyVersion]]) -> RestoreCount:
    """Full restore: every key of the backup replaces the HSM's key of that name (deleted or not)."""
    count = RestoreCount()
    with store.transaction() as conn:
        for name, versions in keys.items():
            conn.execute("DELETE FROM key_versions WHERE name = ?", (name,))
            conn.execute("DELETE FROM deleted_keys WHERE name = ?", (name,))
            for version in versions:
                _insert(conn, version)
                count.restored += 1
            count.names.append(name)
    return count


def import_selective(store: Store, name: str, versions: list[KeyVersion]) -> RestoreCount:
    """Selective restore of one key: versions already present are not overwritten.

    :raises ServiceError: 409 when the key is in the deleted state.
    """
    count = RestoreCount(names=[name])
    with store.transaction() as conn:
        if _is_deleted(conn, name):
            raise key_in_deleted_state(name)
        for version in versions:
            present = conn.execute(
                "SELECT 1 FROM key_versions WHERE name = ? AND version = ?", (name, version.version)
            ).fetchone()
            if present is not None:
                count.not_overwritten += 1
                continue
            _insert(conn, version)
            count.restored += 1
    return count
