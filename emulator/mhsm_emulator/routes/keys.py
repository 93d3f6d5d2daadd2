"""The keys subset backup needs (and the official ``azure-keyvault-keys`` client uses).

create (RSA/EC/oct, real material), get (latest or a version), list, list versions, delete (soft),
deleted keys get/list, purge, recover. RBAC with the keys data actions at ``/keys/<name>``.

Key generation runs in a worker thread (:func:`~mhsm_emulator.key_material.generate_in_thread`): other requests
are answered while a large RSA key is generated. Database writes stay on the event loop.

While a full or selective key restore runs, key writes (create, delete, purge, recover) are refused with the
service's ``409 Conflict`` "User triggered Restore operation is in progress"; reads are answered.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Optional

from aiohttp import web

from .. import actions, key_material
from ..backup_jobs import RESTORES, restore_in_progress, running_job
from ..errors import bad_parameter, json_response
from ..http import paginate, read_json_object
from ..key_material import hsm_key_type
from ..keys_store import (
    MIGRATIONS as KEYS_MIGRATIONS,
)
from ..keys_store import (
    DeletedInfo,
    KeyVersion,
    check_key_name,
    create_key,
    delete_key,
    get_deleted_key,
    get_key,
    list_deleted_keys,
    list_keys,
    list_versions,
    purge_deleted_key,
    recover_deleted_key,
)
from ..rbac import require_data_action
from ..scopes import KEYS, normalize_scope
from ..state import get_state
from ..versions import require_api_version

routes = web.RouteTableDef()
MIGRATIONS = list(KEYS_MIGRATIONS)

_KEY_OPS = {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export"}


def vault_base(request: web.Request) -> str:
    """The vault URL as the client addressed it (ids in responses use it)."""
    return f"https://{request.host}"


def _key_scope(name: str) -> str:
    # 400 BadParameter for anything but 1-127 letters, digits and dashes, with a message about the key name.
    return normalize_scope(f"/keys/{check_key_name(name)}")


def _refuse_during_restore(request: web.Request) -> None:
    """409 while a full or selective key restore is in progress (it is about to replace keys)."""
    try:
        job = running_job(get_state(request).store)
    except sqlite3.OperationalError:
        return  # the backup module is not served: no jobs table, no restores
    if job is not None and job.operation in RESTORES:
        raise restore_in_progress()


def key_bundle(request: web.Request, key: KeyVersion) -> dict[str, Any]:
    """A KeyBundle: the JWK (public members only), attributes and tags."""
    jwk: dict[str, Any] = {
        "kid": f"{vault_base(request)}/keys/{key.name}/{key.version}",
        "kty": key.material.kty,
        "key_ops": key.key_ops,
    }
    jwk.update(key.material.public_jwk())
    bundle: dict[str, Any] = {"key": jwk, "attributes": key.attributes}
    if key.tags:
        bundle["tags"] = key.tags
    return bundle


def key_item(request: web.Request, key: KeyVersion, *, versioned: bool = False) -> dict[str, Any]:
    """A KeyItem (list entry): the key id, attributes and tags."""
    kid = f"{vault_base(request)}/keys/{key.name}" + (f"/{key.version}" if versioned else "")
    item: dict[str, Any] = {"kid": kid, "attributes": key.attributes}
    if key.tags:
        item["tags"] = key.tags
    return item


def _deleted_fields(request: web.Request, key: KeyVersion, info: DeletedInfo) -> dict[str, Any]:
    return {
        "recoveryId": f"{vault_base(request)}/deletedkeys/{key.name}",
        "deletedDate": info.deleted_date,
        "scheduledPurgeDate": info.scheduled_purge_date,
    }


def _optional_int(body: dict[str, Any], name: str) -> Optional[int]:
    value = body.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise bad_parameter(f"'{name}' must be an integer.")
    return value


def _optional_str(body: dict[str, Any], name: str) -> Optional[str]:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_parameter(f"'{name}' must be a string.")
    return value


@routes.post("/keys/{name}/create")
async def create(request: web.Request) -> web.Response:
    """Create a key (or a new version): ``{kty, key_size?, crv?, public_exponent?, key_ops?, attributes?, tags?}``."""
    require_api_version(request)
    name = request.match_info["name"]
    require_data_action(request, actions.KEYS_CREATE, _key_scope(name))
    _refuse_during_restore(request)
    body = await read_json_object(request)
    kty = hsm_key_type(body.get("kty"))
    key_ops = body.get("key_ops")
    if key_ops is not None and (
        not isinstance(key_ops, list) or not all(isinstance(op, str) and op in _KEY_OPS for op in key_ops)
    ):
        raise bad_parameter(f"'key_ops' must be a list of: {', '.join(sorted(_KEY_OPS))}.")
    attributes = body.get("attributes")
    tags = body.get("tags")
    if attributes is not None and not isinstance(attributes, dict):
        raise bad_parameter("'attributes' must be an object.")
    if tags is not None and not (isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())):
        raise bad_parameter("'tags' must be an object of strings.")
    material = await key_material.generate_in_thread(
        kty,
        key_size=_optional_int(body, "key_size"),
        crv=_optional_str(body, "crv"),
        public_exponent=_optional_int(body, "public_exponent"),
    )
    key = create_key(get_state(request).store, name, material, key_ops=key_ops, attributes=attributes, tags=tags)
    return json_response(key_bundle(request, key))


@routes.get("/keys")
async def list_all(request: web.Request) -> web.Response:
    """The latest version of every key, paged (``value``/``nextLink``)."""
    require_api_version(request)
    require_data_action(request, actions.KEYS_READ, KEYS)
    items = [key_item(request, key) for key in list_keys(get_state(request).store)]
    return json_response(paginate(request, items))


@routes.get("/keys/{name}/versions")
async def versions(request: web.Request) -> web.Response:
    """Every version of a key, paged."""
    require_api_version(request)
    name = request.match_info["name"]
    require_data_action(request, actions.KEYS_READ, _key_scope(name))
    items = [key_item(request, key, versioned=True) for key in list_versions(get_state(request).store, name)]
    return json_response(paginate(request, items))


@routes.get("/keys/{name}")
@routes.get("/keys/{name}/{version:[^/]*}")
async def get(request: web.Request) -> web.Response:
    """The latest version (no or empty version segment) or a given version; 404 ``KeyNotFound``."""
    require_api_version(request)
    name = request.match_info["name"]
    require_data_action(request, actions.KEYS_READ, _key_scope(name))
    key = get_key(get_state(request).store, name, request.match_info.get("version") or None)
    return json_response(key_bundle(request, key))


@routes.delete("/keys/{name}")
async def delete(request: web.Request) -> web.Response:
    """Soft-delete a key; answers the DeletedKeyBundle."""
    require_api_version(request)
    name = request.match_info["name"]
    require_data_action(request, actions.KEYS_DELETE, _key_scope(name))
    _refuse_during_restore(request)
    key, info = delete_key(get_state(request).store, name)
    return json_response({**_deleted_fields(request, key, info), **key_bundle(request, key)})


@routes.get("/deletedkeys")
async def list_deleted(request: web.Request) -> web.Response:
    """Every deleted key, paged."""
    require_api_version(request)
    require_data_action(request, actions.KEYS_DELETED_READ, KEYS)
    items = [
        {**key_item(request, key), **_deleted_fields(request, key, info)}
        for key, info in list_deleted_keys(get_state(request).store)
    ]
    return json_response(paginate(request, items))


@routes.get("/deletedkeys/{name}")
async def get_deleted(request: web.Request) -> web.Response:
    """A deleted key; 404 ``KeyNotFound`` when it is not deleted."""
    require_api_version(request)
    name = request.match_info["name"]
    require_data_action(request, actions.KEYS_DELETED_READ, _key_scope(name))
    key, info = get_deleted_key(get_state(request).store, name)
    return json_response({**_deleted_fields(request, key, info), **key_bundle(request, key)})


@routes.delete("/deletedkeys/{name}")
async def purge(request: web.Request) -> web.Response:
    """Purge a deleted key: 204, no body."""
    require_api_version(request)
    name = request.match_info["name"]
    require_data_action(request, actions.KEYS_DELETED_DELETE, _key_scope(name))
    _refuse_during_restore(request)
    purge_deleted_key(get_state(request).store, name)
    return web.Response(status=204)


@routes.post("/deletedkeys/{name}/recover")
async def recover(request: web.Request) -> web.Response:
    """Recover a deleted key; answers its KeyBundle."""
    require_api_version(request)
    name = request.match_info["name"]
    require_data_action(request, actions.KEYS_DELETED_RECOVER, _key_scope(name))
    _refuse_during_restore(request)
    return json_response(key_bundle(request, recover_deleted_key(get_state(request).store, name)))
