"""The managed identity token endpoint (App Service style, plain HTTP on loopback).

azure-identity sends ``GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<resource>`` with the headers
``X-IDENTITY-HEADER: {IDENTITY_HEADER}`` and ``Metadata: true`` (plus ``client_id``/``object_id``/``mi_res_id`` for
a user-assigned identity). The answer carries both ``expires_on`` (int epoch) and ``expires_in``: the sync (MSAL)
path needs the first, other sources the second.

The same listener answers the readiness check ``GET /ready`` without authentication: 200
``{"status": "ready", "vault_url": ...}`` once the vault listener accepts connections, 503
``{"status": "starting"}`` or ``{"status": "stopping"}`` otherwise. It is here, not on the vault, whose URL space
stays the service's.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from .access_log import PRINCIPAL_KEY, access_log_middleware
from .identities import user_assigned
from .state import STATE_KEY, get_state

TOKEN_PATH = "/msi/token"
IDENTITY_API_VERSION = "2019-08-01"
READY_PATH = "/ready"
"""The unauthenticated readiness check on the identity endpoint's port."""

routes = web.RouteTableDef()
_log = logging.getLogger(__name__)


@dataclass
class Readiness:
    """What ``GET /ready`` tells: ``"starting"``, then ``"ready"`` (with the vault URL), then ``"stopping"``."""

    status: str = "starting"
    vault_url: str | None = None

    def set_ready(self, vault_url: str) -> None:
        """The vault listener accepts connections at ``vault_url``."""
        self.status, self.vault_url = "ready", vault_url

    def set_stopping(self) -> None:
        """The emulator is stopping: new requests may be refused."""
        self.status = "stopping"


READINESS_KEY = web.AppKey("mhsm_readiness", Readiness)


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
    if not secret.isascii() or not hmac.compare_digest(secret.encode(), state.identity_header.encode()):
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
    request[PRINCIPAL_KEY] = principal.object_id  # who got a token, for the request log
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


@routes.get(READY_PATH)
async def ready(request: web.Request) -> web.Response:
    """The readiness check (no authentication): 200 once the vault accepts connections, else 503."""
    readiness = request.app[READINESS_KEY]
    headers = {"Cache-Control": "no-store"}
    if readiness.status != "ready":
        return web.json_response({"status": readiness.status}, status=503, headers=headers)
    return web.json_response({"status": "ready", "vault_url": readiness.vault_url}, headers=headers)


def protocol_error_response(status: int) -> web.Response:
    """The endpoint's JSON error for a request aiohttp could not parse."""
    if status >= 500:
        return _error(500, "internal_error", "An unexpected error occurred.")
    return _error(status if 400 <= status < 500 else 400, "invalid_request", "The request could not be parsed.")


@web.middleware
async def _errors_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Unknown paths, wrong methods and unexpected failures answer in the endpoint's JSON error format."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = _error(exc.status, "invalid_request", exc.reason or "Request failed.")
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        _log.exception("unhandled error in the token endpoint (%s %s)", request.method, request.path)
        response = _error(500, "internal_error", "An unexpected error occurred.")
    response.headers.setdefault("x-ms-request-id", str(uuid.uuid4()))
    return response


def build_identity_app(app_state_source: web.Application) -> web.Application:
    """The token endpoint app, sharing the vault app's state; its :data:`READINESS_KEY` says ``"starting"`` until
    the server calls :meth:`Readiness.set_ready`."""
    app = web.Application(
        middlewares=[access_log_middleware("identity"), _errors_middleware], client_max_size=64 * 1024
    )
    app[STATE_KEY] = app_state_source[STATE_KEY]
    app[READINESS_KEY] = Readiness()
    app.add_routes(routes)
    return app
