"""Account settings (api-version 7.4+): list, get, update (PATCH)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .. import actions
from ..errors import bad_parameter, json_response, not_found
from ..http import read_json_object
from ..rbac import require_data_action
from ..scopes import GLOBAL
from ..state import get_state
from ..store import Migration, Store
from ..versions import SETTINGS_MIN_VERSION, require_api_version

routes = web.RouteTableDef()

MIGRATIONS = [
    Migration(
        "settings-0001-defaults",
        "INSERT OR IGNORE INTO settings (name, type, value) VALUES ('AllowKeyManagementOperationsThroughARM', "
        "'boolean', 'false');",
    ),
]
_BOOLEAN_VALUES = ("true", "false")


def _setting(row: Any) -> dict[str, str]:
    return {"name": row["name"], "type": row["type"], "value": row["value"]}  # the service's key order


def _find(store: Store, name: str) -> dict[str, str]:
    row = store.query_one("SELECT name, type, value FROM settings WHERE name = ?", (name,))
    if row is None:
        raise not_found("SettingNotFound", f"Setting '{name}' was not found.")
    return _setting(row)


@routes.get("/settings")
async def list_settings(request: web.Request) -> web.Response:
    """``{"settings": [...]}`` (not paged)."""
    require_api_version(request, SETTINGS_MIN_VERSION)
    require_data_action(request, actions.SETTINGS_READ, GLOBAL)
    rows = get_state(request).store.query("SELECT name, type, value FROM settings ORDER BY name")
    return json_response({"settings": [_setting(row) for row in rows]})


@routes.get("/settings/{name}")
async def get_setting(request: web.Request) -> web.Response:
    """One setting; 404 ``SettingNotFound``."""
    require_api_version(request, SETTINGS_MIN_VERSION)
    require_data_action(request, actions.SETTINGS_READ, GLOBAL)
    return json_response(_find(get_state(request).store, request.match_info["name"]))


@routes.patch("/settings/{name}")
async def update_setting(request: web.Request) -> web.Response:
    """Set a setting's value (``{"value": "true"}``); boolean settings accept only ``"true"``/``"false"``."""
    require_api_version(request, SETTINGS_MIN_VERSION)
    require_data_action(request, actions.SETTINGS_WRITE, GLOBAL)
    store = get_state(request).store
    current = _find(store, request.match_info["name"])
    body = await read_json_object(request)
    value = body.get("value")
    if not isinstance(value, str):
        raise bad_parameter("'value' is required and must be a string.")
    if current["type"] == "boolean" and value not in _BOOLEAN_VALUES:
        raise bad_parameter(f"Invalid value '{value}' for boolean setting '{current['name']}'; use 'true' or 'false'.")
    with store.transaction() as conn:
        conn.execute("UPDATE settings SET value = ? WHERE name = ?", (value, current["name"]))
    return json_response({**current, "value": value})
