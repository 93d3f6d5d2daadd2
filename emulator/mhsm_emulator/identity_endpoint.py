"""The managed identity token endpoint (App Service style, plain HTTP on loopback).

azure-identity sends ``GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<resource>`` with the headers
``X-IDENTITY-HEADER: {IDENTITY_HEADER}`` and ``Metadata: true`` (plus ``client_id``/``object_id``/``mi_res_id`` for
a user-assigned identity). The answer carries both ``expires_on`` (int epoch) and ``expires_in``: the sync (MSAL)
path needs the first, other sources the second.
"""

from __future__ import annotations

import hmac
import json
import time

from aiohttp import web

from .identities import user_assigned
from .state import STATE_KEY, get_state

TOKEN_PATH = "/msi/token"
IDENTITY_API_VERSION = "2019-08-01"

routes = web.RouteTableDef()


def _error(status: int, error: str, description: str) -> web.Response:
    body = {"statusCode": status, "error": error, "error_description": description, "message": description}
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


@routes.get(TOKEN_PATH)
async def token(request: web.Request) -> web.Response:
    """Issue a token for ``resource`` to the selected identity."""
    state = get_state(request)
    secret = request.headers.get("X-IDENTITY-HEADER")
    if secret is None:
        return _error(400, "invalid_request", "Required header X-IDENTITY-HEADER is missing.")
    if not hmac.compare_digest(secret.encode(), state.identity_header.encode()):
        return _error(401, "unauthorized", "The X-IDENTITY-HEADER value is not valid.")
    if request.query.get("api-version") != IDENTITY_API_VERSION:
        return _error(400, "invalid_request", f"api-version must be {IDENTITY_API_VERSION}.")
    resource = request.query.get("resource", "").strip()
    if not resource:
        return _error(400, "invalid_request", "Required query parameter 'resource' is missing.")
    principal = user_assigned(
        client_id=request.query.get("client_id"),
        object_id=request.query.get("object_id") or request.query.get("principal_id"),
        resource_id=request.query.get("mi_res_id") or request.query.get("msi_res_id"),
    )
    lifetime = state.config.token_lifetime
    issued = state.issuer.issue(principal, resource, lifetime)
    body = {
        "access_token": issued.token,
        "expires_on": issued.expires_on,
        "expires_in": max(0, issued.expires_on - int(time.time())),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": principal.client_id,
    }
    return web.Response(text=json.dumps(body), content_type="application/json")


def build_identity_app(app_state_source: web.Application) -> web.Application:
    """The token endpoint app, sharing the vault app's state."""
    app = web.Application()
    app[STATE_KEY] = app_state_source[STATE_KEY]
    app.add_routes(routes)
    return app
