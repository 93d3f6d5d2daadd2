"""Role assignments at ``/``, ``/keys`` and ``/keys/<name>``: list (paged, filtered), get, create, delete.

An assignment takes effect at its own scope (and below), which is the URL's scope: every operation is authorized
there, and get, delete and an idempotent repeat of a create only ever touch an assignment at exactly that
scope (a name taken at another scope is 404 for get/delete and 409 for create, never changed). A create also
needs a definition assignable at the scope (its ``assignableScopes``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .. import actions
from ..errors import bad_parameter, json_response
from ..filters import parse_filter
from ..http import paginate, read_json_object, scope_from_url
from ..rbac import require_data_action
from ..rbac_store import create_assignment, delete_assignment, get_assignment, list_assignments
from ..state import get_state
from ..versions import require_api_version

routes = web.RouteTableDef()

_LIST = "/{scope:(?:.*/)?}providers/Microsoft.Authorization/roleAssignments"
_ITEM = _LIST + "/{name}"


@routes.get(_LIST)
async def list_role_assignments(request: web.Request) -> web.Response:
    """Assignments related to the scope; ``$filter`` accepts ``atScope()`` and ``principalId eq '<id>'``."""
    require_api_version(request)
    scope = scope_from_url(request)
    require_data_action(request, actions.ROLE_ASSIGNMENTS_READ, scope)
    query_filter = parse_filter(request.query.get("$filter"), allowed={"atScope", "principalId"})
    items = list_assignments(
        get_state(request).store, scope, at_scope_only=query_filter.at_scope, principal_id=query_filter.principal_id
    )
    return json_response(paginate(request, items))


@routes.get(_ITEM)
async def get_role_assignment(request: web.Request) -> web.Response:
    """One assignment at the scope; 404 ``RoleAssignmentNotFound``."""
    require_api_version(request)
    scope = scope_from_url(request)
    require_data_action(request, actions.ROLE_ASSIGNMENTS_READ, scope)
    return json_response(get_assignment(get_state(request).store, scope, request.match_info["name"]))


def _required_string(properties: dict[str, Any], name: str) -> str:
    value = properties.get(name)
    if not isinstance(value, str) or not value.strip():
        raise bad_parameter(f"'properties.{name}' is required and must be a non-empty string.")
    return value


@routes.put(_ITEM)
async def create_role_assignment(request: web.Request) -> web.Response:
    """Create an assignment; 201 with it. The role definition must exist."""
    require_api_version(request)
    scope = scope_from_url(request)
    require_data_action(request, actions.ROLE_ASSIGNMENTS_WRITE, scope)
    body = await read_json_object(request)
    properties = body.get("properties")
    if not isinstance(properties, dict):
        raise bad_parameter("The request body must contain a 'properties' object.")
    role_definition_id = _required_string(properties, "roleDefinitionId")
    principal_id = _required_string(properties, "principalId")
    assignment = create_assignment(
        get_state(request).store, scope, request.match_info["name"], role_definition_id, principal_id
    )
    return json_response(assignment, status=201)


@routes.delete(_ITEM)
async def delete_role_assignment(request: web.Request) -> web.Response:
    """Delete an assignment; 200 with the deleted object."""
    require_api_version(request)
    scope = scope_from_url(request)
    require_data_action(request, actions.ROLE_ASSIGNMENTS_DELETE, scope)
    return json_response(delete_assignment(get_state(request).store, scope, request.match_info["name"]))
