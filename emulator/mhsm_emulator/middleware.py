"""The vault app's middleware chain: service headers and errors, fault injection, challenge authentication."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import NoReturn

from aiohttp import web

from .errors import JSON_CONTENT_TYPE, ServiceError, error_body, json_response
from .state import CALLER_KEY, REQUEST_ID_KEY, get_state
from .tokens import TokenError

_log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SERVICE_VERSION = "1.9.2690.1"
BUILD_VERSION = "1.0.20250101-1-mhsmemu-1.0.20250101-1-mhsmemu"
"""Stands in for the live ``x-ms-build-version``, which a Managed HSM puts on its answers to GET requests."""
_STATIC_HEADERS = {
    "Cache-Control": "no-cache",
    "x-ms-keyvault-region": "local",
    "x-ms-keyvault-service-version": SERVICE_VERSION,
    # As a Managed HSM writes them (a key vault says act_addr_fam=InterNetwork).
    "x-ms-keyvault-network-info": "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=Ipv4;",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "default-src 'self'",
}


def _error_response(error: ServiceError, request_id: str) -> web.Response:
    message = f"{error.message} (Activity ID: {request_id})"
    return json_response(error_body(error.code, message, error.innererror), status=error.status, headers=error.headers)


def _from_http_exception(exc: web.HTTPException) -> ServiceError:
    if exc.status == 404:
        return ServiceError(404, "NotFound", "The requested URL was not found on this server.")
    if exc.status == 405:
        return ServiceError(405, "MethodNotAllowed", "The requested method is not allowed for this URL.")
    if exc.status == 413:
        return ServiceError(413, "RequestEntityTooLarge", "The request body is too large.")
    code = "".join(word.capitalize() for word in (exc.reason or "Error").split())
    return ServiceError(exc.status, code, exc.reason or "Request failed.")


def protocol_error_response(status: int) -> web.Response:
    """The answer to a request aiohttp could not parse (it never reaches the middlewares): the same JSON error
    shape and service headers as every other answer."""
    request_id = str(uuid.uuid4())
    if status >= 500:
        error = ServiceError(500, "InternalError", "An unexpected error occurred.")
    elif status == 413:
        error = ServiceError(413, "RequestEntityTooLarge", "The request body is too large.")
    else:
        error = ServiceError(
            status if 400 <= status < 500 else 400,
            "BadRequest",
            "The request could not be parsed as HTTP/1.1 (request line and each header are limited to 8190 bytes).",
        )
    response = _error_response(error, request_id)
    for name, value in _STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["x-ms-request-id"] = request_id
    return response


@web.middleware
async def service_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost: request id, service headers on every answer, exceptions turned into JSON errors.

    Unexpected exceptions become a JSON 500 without a stack trace (logged server-side); bad input is meant to
    be caught earlier as a 4xx.
    """
    request_id = str(uuid.uuid4())
    request[REQUEST_ID_KEY] = request_id
    started = time.monotonic()
    try:
        response = await handler(request)
    except ServiceError as exc:
        response = _error_response(exc, request_id)
    except web.HTTPException as exc:
        response = _error_response(_from_http_exception(exc), request_id)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        _log.exception("unhandled error in %s %s", request.method, request.path)
        response = _error_response(ServiceError(500, "InternalError", "An unexpected error occurred."), request_id)
    for name, value in _STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.method == "GET":
        response.headers.setdefault("x-ms-build-version", BUILD_VERSION)
    response.headers["x-ms-request-id"] = request_id
    response.headers["x-ms-server-latency"] = str(int((time.monotonic() - started) * 1000))
    if "Content-Type" not in response.headers or response.headers["Content-Type"].startswith("application/octet"):
        response.headers["Content-Type"] = JSON_CONTENT_TYPE
    if response.status >= 400 and response.status not in (429, 503):
        # azure-core retries any error carrying Retry-After: only injected faults may have it.
        response.headers.pop("Retry-After", None)
    return response


class DroppedConnection(Exception):
    """Raised after a fault-injected connection drop so nothing is written back."""


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply the fault injector's decision for this request (no-op while faults are off).

    A lost answer (``lost_answer``) lets the request be handled first: only a successful answer is then replaced
    by a 500/503 (without ``Retry-After``) or a dropped connection, so the request's changes are committed.
    """

    def drop() -> NoReturn:
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise asyncio.CancelledError("fault injection: connection dropped")

    faults = get_state(request).faults
    decision = faults.decide(request.method, request.path)
    if decision.delay:
        await asyncio.sleep(decision.delay)
    if decision.drop:
        drop()
    if decision.status is not None:
        retry_after = str(faults.config.retry_after)
        code = "Throttled" if decision.status == 429 else "ServiceUnavailable"
        message = (
            "Request was not processed because too many requests were received. Retry after the period in the "
            "Retry-After header." if decision.status == 429 else "The service is temporarily unavailable."
        )
        raise ServiceError(decision.status, code, message, headers={"Retry-After": retry_after})
    response = await handler(request)
    if decision.lost_answer is not None and 200 <= response.status < 300 and faults.claim_lost_answer():
        _log.info("fault injection: the %s answer of %s %s is lost (%s)", response.status, request.method,
                  request.path, decision.lost_answer)
        if decision.lost_answer == "drop":
            drop()
        if decision.lost_answer == "500":
            raise ServiceError(500, "InternalError", "An unexpected error occurred.")
        raise ServiceError(503, "ServiceUnavailable", "The service is temporarily unavailable.")
    return response


def challenge_header(tenant_id: str, resource: str) -> str:
    """The ``WWW-Authenticate`` value of a 401: authority URL with the tenant, and the resource."""
    return f'Bearer authorization="https://login.microsoftonline.com/{tenant_id}", resource="{resource}"'


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Challenge authentication: 401 with a challenge unless a valid bearer token comes with the request.

    Runs before any handler reads the body, so the client's body-less probe (``Content-Length: 0``) is answered
    at once. A rejected token gets a fresh challenge too. The challenge's resource and the accepted audience are
    the instance's fixed :attr:`~mhsm_emulator.state.EmulatorState.resource`, never taken from the request
    (a ``Host`` header could otherwise make a token minted for another resource acceptable).
    """
    state = get_state(request)

    def unauthorized(message: str) -> ServiceError:
        # The challenge is formatted only for a refusal, not for every authenticated request.
        challenge = challenge_header(state.config.tenant_id, state.resource)
        return ServiceError(401, "Unauthorized", message, headers={"WWW-Authenticate": challenge})

    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.strip().partition(" ")
    if not authorization:
        raise unauthorized("AKV10000: Request is missing a Bearer or PoP token.")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("The Authorization header must be 'Bearer <token>'.")
    if not token.isascii():
        # Tokens are base64url text; other bytes arrive as surrogate escapes that no JWT library can handle.
        raise unauthorized("Token validation failed: DecodeError.")
    try:
        caller = state.issuer.verify(token.strip(), state.audiences)
    except TokenError as exc:
        raise unauthorized(str(exc)) from None
    request[CALLER_KEY] = caller
    return await handler(request)
