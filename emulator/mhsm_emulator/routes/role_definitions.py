"""Role definitions: list, get, create/update (PUT), delete.

Definitions are global: the same set is seen at every scope, and one definition may be assigned at ``/`` and at
any key. So a change of a definition takes effect at ``/`` whatever scope the URL names, and PUT and DELETE
require ``roleDefinitions/write`` / ``roleDefinitions/delete`` at ``/``. (The specification says "Managed HSM
only supports '/'" for these paths, yet its own create example uses the scope ``keys`` and gets 201, so other
valid scopes are accepted, not refused; they grant nothing more.) Reads change nothing and are checked at the
URL's scope.
"""

from __future__ import annotations

from aiohttp import web

from .. import actions
from ..errors import bad_parameter, json_response
from ..filters import parse_filter
from ..http import paginate, read_json_object, scope_from_url
from ..rbac import require_data_action
from ..rbac_store import (
    MIGRATIONS as RBAC_MIGRATIONS,
)
from ..rbac_store import (
    delete_definition,
    get_definition,
    list_definitions,
    normalize_definition_properties,
    put_definition,
)
from ..scopes import GLOBAL
from ..state import get_state
from ..versions import require_api_version

routes = web.RouteTableDef()
MIGRATIONS = list(RBAC_MIGRATIONS)

_LIST = "/{scope:(?:.*/)?}providers/Microsoft.Authorization/roleDefinitions"
_ITEM = _LIST + "/{name}"


@routes.get(_LIST)
async def list_role_definitions(request: web.Request) -> web.Response:
    """All definitions (built-in first, service order), optionally ``$filter=roleName eq '...'``."""
    require_api_version(request)
    scope = scope_from_url(request)
    require_data_action(request, actions.ROLE_DEFINITIONS_READ, scope)
    query_filter = parse_filter(request.query.get("$filter"), allowed={"roleName", "atScopeAndBelow"})
    items = list_definitions(get_state(request).store)
    if query_filter.role_name is not None:
        items = [d for d in items if d["properties"]["roleName"].lower() == query_filter.role_name.lower()]
    return json_response(paginate(request, items))


@routes.get(_ITEM)
async def get_role_definition(request: web.Request) -> web.Response:
    """One definition; 404 ``RoleDefinitionNotFound``."""
    require_api_version(request)
    scope = scope_from_url(request)
    require_data_action(request, actions.ROLE_DEFINITIONS_READ, scope)
    return json_response(get_definition(get_state(request).store, request.match_info["name"]))


@routes.put(_ITEM)
async def put_role_definition(request: web.Request) -> web.Response:
    """Create or update a custom role; 201 in both cases, with the normalised definition."""
    require_api_version(request)
    scope_from_url(request)  # 400 for an unsupported scope
    require_data_action(request, actions.ROLE_DEFINITIONS_WRITE, GLOBAL)
    body = await read_json_object(request)
    if "properties" not in body:
        raise bad_parameter("The request body must contain 'properties'.")
    properties = normalize_definition_properties(body["properties"])
    definition = put_definition(get_state(request).store, request.match_info["name"], properties)
    return json_response(definition, status=201)


@routes.delete(_ITEM)
async def delete_role_definition(request: web.Request) -> web.Response:
    """Delete a custom role; 200 with the deleted definition."""
    require_api_version(request)
    scope_from_url(request)  # 400 for an unsupported scope
    require_data_action(request, actions.ROLE_DEFINITIONS_DELETE, GLOBAL)
    return json_response(delete_definition(get_state(request).store, request.match_info["name"]))
