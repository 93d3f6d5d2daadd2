"""A scripted in-memory Managed HSM for unit tests: answers the challenge, records requests, replies from a handler.

The same handler drives sync and async clients (``azure-core`` transports without sockets), so unit tests of the
twins share their scripts.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

from _recording import AsyncFakeCredential, FakeCredential
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl import HttpResponseImpl
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl
from azure.core.utils import case_insensitive_dict

VAULT_URL = "https://unit.managedhsm.azure.net"
CHALLENGE_HEADER = (
    'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa", '
    'resource="https://managedhsm.azure.net"'
)


@dataclass
class Reply:
    """A canned response: ``body`` is JSON-encoded unless it is ``bytes`` or ``None``."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        if self.body is None:
            return b""
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()


@dataclass
class Sent:
    """An authorized request the client sent."""

    method: str
    url: str
    body: Optional[bytes]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query)

    @property
    def raw_query(self) -> str:
        return urlsplit(self.url).query

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


Handler = Callable[[Sent], Reply]


def _impl_kwargs(request: HttpRequest, reply: Reply) -> dict[str, Any]:
    headers = case_insensitive_dict(reply.headers)
    if reply.body is not None:
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    return {
        "request": request,
        "internal_response": None,
        "status_code": reply.status,
        "reason": {200: "OK", 201: "Created", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(
            reply.status, "Error"
        ),
        "content_type": headers.get("Content-Type"),
        "headers": headers,
        "stream_download_generator": None,
    }


class _Response(HttpResponseImpl):  # type: ignore[misc]
    def __init__(self, request: HttpRequest, reply: Reply) -> None:
        super().__init__(**_impl_kwargs(request, reply))
        self._content = reply.content()
        self._is_stream_consumed = True

    def read(self) -> bytes:
        return self._content  # type: ignore[no-any-return]

    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._content


class _AsyncResponse(AsyncHttpResponseImpl):  # type: ignore[misc]
    def __init__(self, request: HttpRequest, reply: Reply) -> None:
        super().__init__(**_impl_kwargs(request, reply))
        self._content = reply.content()
        self._is_stream_consumed = True

    async def read(self) -> bytes:
        return self._content  # type: ignore[no-any-return]

    async def close(self) -> None:
        self._is_closed = True


class FakeService:
    """Answers unauthenticated requests with the Key Vault challenge and the rest with ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.sent: list[Sent] = []

    def answer(self, request: HttpRequest) -> Reply:
        if "Authorization" not in request.headers:
            return Reply(401, None, {"WWW-Authenticate": CHALLENGE_HEADER})
        content = request.content
        body = content.encode() if isinstance(content, str) else content if isinstance(content, bytes) else None
        sent = Sent(request.method, request.url, body)
        self.sent.append(sent)
        return self.handler(sent)


class SyncTransport(HttpTransport):  # type: ignore[misc]
    def __init__(self, service: FakeService) -> None:
        self.service = service

    def send(self, request: HttpRequest, **kwargs: Any) -> _Response:  # type: ignore[override]
        return _Response(request, self.service.answer(request))

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> "SyncTransport":
        return self

    def __exit__(self, *args: Any) -> None:
        pass


class AsyncTransport(AsyncHttpTransport):  # type: ignore[misc]
    def __init__(self, service: FakeService) -> None:
        self.service = service

    async def send(self, request: HttpRequest, **kwargs: Any) -> _AsyncResponse:  # type: ignore[override]
        return _AsyncResponse(request, self.service.answer(request))

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> "AsyncTransport":
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


def make_client(client_class: type, service: FakeService, **kwargs: Any) -> Any:
    """A client of ``client_class`` (sync or aio) talking to ``service``."""
    if ".aio" in client_class.__module__:
        return client_class(VAULT_URL, AsyncFakeCredential(), transport=AsyncTransport(service), **kwargs)
    return client_class(VAULT_URL, FakeCredential(), transport=SyncTransport(service), **kwargs)


async def resolve(value: Any) -> Any:
    """Await ``value`` if it is awaitable (so one test body can drive a sync or an async client)."""
    if hasattr(value, "__await__"):
        return await value
    return value


async def collect(paged: Any) -> list[Any]:
    """Iterate an ``ItemPaged`` or ``AsyncItemPaged`` into a list."""
    if hasattr(paged, "__aiter__"):
        return [item async for item in paged]
    return list(paged)


# --- canned service objects --------------------------------------------------------------------------------

DEFINITION_ID_PREFIX = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/"


def definition_json(name: str, **properties: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": DEFINITION_ID_PREFIX + name,
        "name": name,
        "type": "Microsoft.Authorization/roleDefinitions",
    }
    if properties:
        body["properties"] = properties
    return body


def assignment_json(name: str, scope: str = "/", principal_id: str = "p", definition: str = "d") -> dict[str, Any]:
    return {
        "id": f"{scope.rstrip('/')}/providers/Microsoft.Authorization/roleAssignments/{name}",
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {"scope": scope, "principalId": principal_id, "roleDefinitionId": definition},
    }


def error_json(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
