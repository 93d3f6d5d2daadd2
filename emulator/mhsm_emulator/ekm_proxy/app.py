"""The reference proxy's aiohttp application: the EKM Proxy API 0.1-preview.

Every operation is ``POST`` with a JSON body and ``?api-version=0.1-preview``, at ``{path_prefix}/...`` and,
because the sources disagree on whether the HSM inserts it, also at ``/azureekm{path_prefix}/...``:

=====================================  ========================================  =====================================
path                                   body                                      200 answer
=====================================  ========================================  =====================================
``/info``                              ``{"request_context"}``                   ``api_version``, ``proxy_vendor``,
                                                                                 ``proxy_name``, ``ekm_vendor``,
                                                                                 ``ekm_product``
``/{key}/metadata``                    ``{"request_context"}``                   ``key_type``, ``key_size``,
                                                                                 ``key_ops`` (+ ``n``, ``e``)
``/{key}/wrapkey``, ``/unwrapkey``     ``{"request_context", "alg", "value"}``   ``{"value"}`` (base64url)
=====================================  ========================================  =====================================

Errors are ``{"code", "message"}``: 400 ``InvalidRequest`` (bad JSON, members, key name or value; also an unknown
path, with 404, and a method other than POST, with 405), 400 ``UnsupportedApiVersion``, 400
``UnsupportedAlgorithm``, 404 ``KeyNotFound``, 413 ``InvalidRequest`` (body over 64 KiB), 500 ``InternalError``.
"""

from __future__ import annotations

import json
import logging
import ssl
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography import x509

from ..ekm_certs import certificate_common_name
from .keys import ProxyError, ProxyKeys, b64url, from_b64url, invalid_request

_log = logging.getLogger(__name__)

API_VERSION = "0.1-preview"
AZUREEKM = "/azureekm"
MAX_BODY_BYTES = 64 * 1024
KEY_OPERATIONS = ("metadata", "wrapkey", "unwrapkey")


@dataclass
class ProxySettings:
    """What the app serves: the path prefix, the info answer, the keys, and a record of requests seen."""

    path_prefix: str
    proxy_info: dict[str, str]
    keys: ProxyKeys
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=200))


SETTINGS_KEY = web.AppKey("ekm_proxy_settings", ProxySettings)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure answers the proxy's ``{"code", "message"}``."""
    try:
        return await handler(request)
    except ProxyError as exc:
        return _error(exc.status, exc.code, exc.message)
    except web.HTTPException as exc:
        if exc.status == 413:
            return _error(413, "InvalidRequest", f"The request body exceeds {MAX_BODY_BYTES} bytes.")
        return _error(exc.status, "InvalidRequest", exc.reason or "The request was refused.")
    except Exception:
        _log.exception("EKM proxy: unhandled error in %s %s", request.method, request.path)
        return _error(500, "InternalError", "The proxy failed unexpectedly.")


def _client_subject(request: web.Request) -> str | None:
    """CN of the client certificate the TLS layer verified (``None`` when none was asked for)."""
    transport = request.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if not isinstance(ssl_object, ssl.SSLObject):
        return None
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    return certificate_common_name(x509.load_der_x509_certificate(der))


def _route(settings: ProxySettings, path: str) -> tuple[str, str | None]:
    """(operation, key name) for a request path; 404 for a path the API does not have."""
    prefix = settings.path_prefix
    for base in (AZUREEKM + prefix, prefix):
        if path.startswith(base + "/"):
            parts = path[len(base) + 1 :].split("/")
            if parts == ["info"]:
                return "info", None
            if len(parts) == 2 and parts[1] in KEY_OPERATIONS:
                return parts[1], parts[0]
    raise ProxyError(
        404,
        "InvalidRequest",
        f"No EKM Proxy API operation at this path; this proxy serves {prefix}/info, {prefix}/{{key}}/metadata, "
        f"/wrapkey and /unwrapkey (also under {AZUREEKM}{prefix}).",
    )


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads((await request.read()).decode("utf-8"))
    except (ValueError, RecursionError):
        raise invalid_request("The request body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    context = body.get("request_context")
    if not isinstance(context, dict):
        raise invalid_request("'request_context' is required and must be an object.")
    for name in ("correlation_id", "pool_name"):
        if not isinstance(context.get(name), str):
            raise invalid_request(f"'request_context.{name}' is required and must be a string.")
    if "request_id" in context and not isinstance(context["request_id"], str):
        raise invalid_request("'request_context.request_id' must be a string.")
    return body


async def dispatch(request: web.Request) -> web.Response:
    """Every request: route, check method and api-version, validate the body, run the operation."""
    settings = request.app[SETTINGS_KEY]
    operation, key = _route(settings, request.path)
    if request.method != "POST":
        raise ProxyError(405, "InvalidRequest", "EKM Proxy API operations use POST.")
    version = request.query.get("api-version")
    if version != API_VERSION:
        raise ProxyError(
            400, "UnsupportedApiVersion", f"api-version {version!r} is not supported; this proxy speaks {API_VERSION}."
        )
    body = await _body(request)
    settings.requests.append(
        {
            "operation": operation,
            "key": key,
            "path": request.path,
            "query": dict(request.query),
            "headers": {name.lower(): value for name, value in request.headers.items()},
            "body": body,
            "client_subject": _client_subject(request),
        }
    )
    if operation == "info":
        return web.json_response(settings.proxy_info)
    assert key is not None
    if operation == "metadata":
        return web.json_response(settings.keys.metadata(key))
    value = from_b64url(body.get("value"), "value")
    if operation == "wrapkey":
        result = settings.keys.wrap(key, body.get("alg"), value)
    else:
        result = settings.keys.unwrap(key, body.get("alg"), value)
    return web.json_response({"value": b64url(result)})


def build_proxy_app(settings: ProxySettings) -> web.Application:
    """The proxy application."""
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY_BYTES)
    app[SETTINGS_KEY] = settings
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
