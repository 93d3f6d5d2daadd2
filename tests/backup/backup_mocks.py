"""In-memory azure-core transports for unit tests: scripted responses, recorded requests.

A handler receives each outgoing :class:`azure.core.rest.HttpRequest` and returns a :class:`MockReply`.
The same handler drives the sync and the async transport, so twin tests share their scripts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Optional

from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl import HttpResponseImpl
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl
from azure.core.utils import case_insensitive_dict

REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class MockReply:
    """A canned HTTP response."""

    status: int = 200
    body: Any = None  # dict/list -> JSON, bytes -> raw, None -> empty
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


def _impl_kwargs(request: HttpRequest, reply: MockReply) -> dict[str, Any]:
    headers = case_insensitive_dict(reply.headers)
    if reply.body is not None and "content-type" not in headers:
        headers["Content-Type"] = "application/json; charset=utf-8"
    return {
        "request": request,
        "internal_response": None,
        "status_code": reply.status,
        "reason": REASONS.get(reply.status, "Unknown"),
        "content_type": headers.get("Content-Type"),
        "headers": headers,
        "stream_download_generator": None,
    }


class _SyncResponse(HttpResponseImpl):  # type: ignore[misc]
    def __init__(self, request: HttpRequest, reply: MockReply) -> None:
        super().__init__(**_impl_kwargs(request, reply))
        self._content = reply.content()
        self._is_stream_consumed = True

    def read(self) -> bytes:
        return self._content  # type: ignore[return-value]

    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._content  # type: ignore[misc]

    iter_raw = iter_bytes


class _AsyncResponse(AsyncHttpResponseImpl):  # type: ignore[misc]
    def __init__(self, request: HttpRequest, reply: MockReply) -> None:
        super().__init__(**_impl_kwargs(request, reply))
        self._content = reply.content()
        self._is_stream_consumed = True

    async def read(self) -> bytes:
        return self._content  # type: ignore[return-value]

    async def close(self) -> None:
        self._is_closed = True


Handler = Callable[[HttpRequest], MockReply]


@dataclass
class SentRequest:
    """What a test can assert about a request the client sent."""

    method: str
    url: str
    headers: dict[str, str]
    body: Optional[bytes]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _record(request: HttpRequest) -> SentRequest:
    body = (
        request.content
        if isinstance(request.content, bytes)
        else (request.content.encode() if isinstance(request.content, str) else None)
    )
    return SentRequest(request.method, request.url, dict(request.headers), body)


class MockTransport(HttpTransport):  # type: ignore[misc]
    """Sync transport answering from ``handler`` and recording every request."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[SentRequest] = []
        self.send_kwargs: list[dict[str, Any]] = []  # the keywords each send() received

    def send(self, request: HttpRequest, **kwargs: Any) -> _SyncResponse:  # type: ignore[override]
        self.requests.append(_record(request))
        self.send_kwargs.append(kwargs)
        return _SyncResponse(request, self.handler(request))

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> MockTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass


class AsyncMockTransport(AsyncHttpTransport):  # type: ignore[misc]
    """Async twin of :class:`MockTransport`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[SentRequest] = []
        self.send_kwargs: list[dict[str, Any]] = []  # the keywords each send() received

    async def send(self, request: HttpRequest, **kwargs: Any) -> _AsyncResponse:  # type: ignore[override]
        self.requests.append(_record(request))
        self.send_kwargs.append(kwargs)
        return _AsyncResponse(request, self.handler(request))

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> AsyncMockTransport:
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


class FakeCredential:
    """A sync TokenCredential that always succeeds."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("fake-token", 4102444800)


class AsyncFakeCredential:
    """An async TokenCredential that always succeeds."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("fake-token", 4102444800)

    async def close(self) -> None:
        pass


CHALLENGE = MockReply(
    401,
    None,
    {
        "WWW-Authenticate": 'Bearer authorization="https://login.microsoftonline.com/'
        '72f988bf-86f1-41af-91ab-2d7cd011db47", '
        'resource="https://managedhsm.azure.net"'
    },
)

