"""Service-shaped errors: ``{"error": {"code", "message"}}`` bodies and the exception that carries them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class ServiceError(Exception):
    """An error answer; raise it anywhere inside a handler and the middleware turns it into a response.

    :param status: HTTP status.
    :param code: the service error code (``BadParameter``, ``Forbidden``...).
    :param message: human readable message; the middleware appends ``(Activity ID: <request id>)``.
    :param innererror: optional nested error object (same shape as ``error``).
    :param headers: extra response headers.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        innererror: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.innererror = innererror
        self.headers = dict(headers or {})


def error_body(code: str, message: str, innererror: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The service's error object."""
    error: dict[str, Any] = {"code": code, "message": message}
    if innererror is not None:
        error["innererror"] = dict(innererror)
    return {"error": error}


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """A JSON answer with the service's content type, serialised compactly (no spaces) like the service."""
    content = json.dumps(body, separators=(",", ":")).encode("utf-8")
    response = web.Response(status=status, body=content, headers=dict(headers or {}))
    response.headers["Content-Type"] = JSON_CONTENT_TYPE
    return response


def service_error(
    status: int,
    code: str,
    message: str,
    *,
    innererror: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """Build an error response directly (prefer raising :class:`ServiceError` inside handlers)."""
    return json_response(error_body(code, message, innererror), status=status, headers=headers)


def bad_parameter(message: str) -> ServiceError:
    """400 ``BadParameter``, the service's answer to invalid input."""
    return ServiceError(400, "BadParameter", message)


def not_found(code: str, message: str) -> ServiceError:
    """404 with a specific code (``RoleDefinitionNotFound``...)."""
    return ServiceError(404, code, message)
