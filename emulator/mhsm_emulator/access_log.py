"""The request log: one line per request on the ``mhsm_emulator.access`` logger, at INFO.

Each line names the listener (``vault`` or ``identity``), the method, the path with its query (SAS signatures and
other secrets masked by :func:`mhsm_emulator.redact.redact`), the status, the duration, the caller's object id
(once authenticated) and the request id; a 403 also names the data action and the scope that were missing::

    vault GET /settings?api-version=7.6 403 2.1ms caller=6f0c... request_id=5d2e... missing=Microsoft.KeyVault/
    managedHsm/settings/read/action scope=/

The CLI shows it with ``--log-level INFO`` (its default, WARNING, hides it); in process, give the logger a level
of INFO and a handler (or use pytest's ``caplog``). While INFO is off for the logger, the middleware costs one
level check per request and formats nothing. Each record also carries the fields as ``record.access``
(an :class:`AccessEntry`) for handlers that want them structured.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from .rbac import DENIAL_KEY
from .redact import redact
from .state import CALLER_KEY

ACCESS_LOGGER = "mhsm_emulator.access"
"""The request log's logger name."""

PRINCIPAL_KEY = web.RequestKey("mhsm_access_principal", str)
"""The principal a request acted for when it has no verified caller (the identity endpoint sets the one it issued a
token to)."""

_MAX_TARGET = 2048
_log = logging.getLogger(ACCESS_LOGGER)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class AccessEntry:
    """One request as the log line tells it.

    :ivar status: the answer's status, or None when the connection was closed without one (a dropped-connection
        fault, or a client that went away).
    :ivar missing_action: on a 403, the data action the caller lacked; :ivar scope: the scope it was checked at.
    """

    listener: str
    method: str
    target: str
    status: int | None
    duration_ms: float
    caller: str | None
    request_id: str | None
    missing_action: str | None = None
    scope: str | None = None

    def line(self) -> str:
        """The log line."""
        text = (
            f"{self.listener} {self.method} {self.target} {self.status if self.status is not None else 'no-answer'} "
            f"{self.duration_ms:.1f}ms caller={self.caller or '-'} request_id={self.request_id or '-'}"
        )
        if self.missing_action is not None:
            text += f" missing={self.missing_action} scope={self.scope}"
        return text


def _target(request: web.Request) -> str:
    """The path and query as sent, secrets masked, cut to a readable length."""
    target = redact(request.raw_path)
    return target if len(target) <= _MAX_TARGET else target[:_MAX_TARGET] + "..."


def _entry(
    listener: str, request: web.Request, response: web.StreamResponse | None, started: float
) -> AccessEntry:
    caller = request.get(CALLER_KEY)
    denial = request.get(DENIAL_KEY) if response is not None and response.status == 403 else None
    request_id = response.headers.get("x-ms-request-id") if response is not None else None
    return AccessEntry(
        listener=listener,
        method=request.method,
        target=_target(request),
        status=response.status if response is not None else None,
        duration_ms=(time.perf_counter() - started) * 1000,
        caller=caller.object_id if caller is not None else request.get(PRINCIPAL_KEY),
        request_id=request_id,
        missing_action=denial.action if denial is not None else None,
        scope=denial.scope if denial is not None else None,
    )


def access_log_middleware(listener: str) -> Middleware:
    """The middleware for one listener (``"vault"``, ``"identity"``); register it outermost, so that it sees every
    answer: 401s, errors turned into JSON by the inner middlewares, injected faults."""

    @web.middleware
    async def log_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not _log.isEnabledFor(logging.INFO):
            return await handler(request)
        started = time.perf_counter()
        try:
            response = await handler(request)
        except (asyncio.CancelledError, ConnectionResetError):
            entry = _entry(listener, request, None, started)
            _log.info("%s", entry.line(), extra={"access": entry})
            raise
        entry = _entry(listener, request, response, started)
        _log.info("%s", entry.line(), extra={"access": entry})
        return response

    return log_request
