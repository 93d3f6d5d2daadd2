"""In-memory azure-core transports that record requests and answer with canned responses.

A responder is either a list of :class:`Canned` (served in order; the last one repeats) or a
callable ``request -> Canned``.
"""

from __future__ import annotations

import json as _json
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl import HttpResponseImpl
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl
from azure.core.utils import case_insensitive_dict

from azure.keyvault.administration._generated import KeyVaultClient
from azure.keyvault.administration._generated.aio import KeyVaultClient as AsyncKeyVaultClient

JSON_TYPE = "application/json; charset=utf-8"
VAULT = "https://myhsm.managedhsm.azure.net"
_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
}


@dataclass
class Canned:
    """A canned response: status, body (dict/list -> JSON, str/bytes as is) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: Optional[str] = JSON_TYPE

    def content(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return _json.dumps(self.body).encode()


Responder = Union[list[Canned], Callable[[HttpRequest], Canned]]


def _response_kwargs(request: HttpRequest, canned: Canned) -> dict[str, Any]:
    headers = {str(k): str(v) for k, v in canned.headers.items()}
    if canned.content_type:
        headers["Content-Type"] = canned.content_type
    return {
        "request": request,
        "internal_response": None,
        "status_code": canned.status,
        "reason": _REASONS.get(canned.status, "Unknown"),
        "content_type": canned.content_type,
        "headers": case_insensitive_dict(headers),  # as real transports give
        "stream_download_generator": None,
    }


def _preload(response: Any, canned: Canned) -> None:
    # The body is already in memory: mark the (absent) stream as consumed and closed.
    response._content = canned.content()
    response._is_stream_consumed = True
    response._is_closed = True


class _Recorder:
    def __init__(self, responder: Responder) -> None:
        self.requests: list[HttpRequest] = []
        self.closed = 0
        self._responder = responder

    def _next(self, request: HttpRequest) -> Canned:
        self.requests.append(request)
        if callable(self._responder):
            return self._responder(request)
        return self._responder.pop(0) if len(self._responder) > 1 else self._responder[0]

    @property
    def last(self) -> HttpRequest:
        return self.requests[-1]


class MockTransport(_Recorder, HttpTransport):
    """Sync transport: records each request, returns the next canned response."""

    def send(self, request: HttpRequest, **kwargs: Any) -> HttpResponseImpl:
        canned = self._next(request)
        response = HttpResponseImpl(**_response_kwargs(request, canned))
        _preload(response, canned)
        return response

    def open(self) -> None:
        pass

    def close(self) -> None:
        self.closed += 1

    def __enter__(self) -> MockTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class AsyncMockTransport(_Recorder, AsyncHttpTransport):
    """Async twin of :class:`MockTransport`."""

    async def send(self, request: HttpRequest, **kwargs: Any) -> AsyncHttpResponseImpl:
        canned = self._next(request)
        response = AsyncHttpResponseImpl(**_response_kwargs(request, canned))
        _preload(response, canned)
        return response

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        self.closed += 1

    async def __aenter__(self) -> AsyncMockTransport:
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()


def make_client(
    api_version: Optional[str], responder: Responder, **kwargs: Any
) -> tuple[KeyVaultClient, MockTransport]:
    """A sync client on a mock transport with no retries."""
    transport = MockTransport(responder)
    kwargs.setdefault("retry_total", 0)
    return KeyVaultClient(api_version=api_version, transport=transport, **kwargs), transport  # type: ignore[arg-type]


def make_async_client(
    api_version: Optional[str], responder: Responder, **kwargs: Any
) -> tuple[AsyncKeyVaultClient, AsyncMockTransport]:
    """An async client on a mock transport with no retries."""
    transport = AsyncMockTransport(responder)
    kwargs.setdefault("retry_total", 0)
    return AsyncKeyVaultClient(api_version=api_version, transport=transport, **kwargs), transport  # type: ignore[arg-type]


def sent_json(request: HttpRequest) -> Any:
    """The JSON body of a recorded request (None when it has none)."""
    content = request.content
    if not content:
        return None
    return _json.loads(content)
