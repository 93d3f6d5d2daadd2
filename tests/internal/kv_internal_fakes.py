"""Offline stand-ins for the tests of the internal layer: canned-response transports and recording credentials."""

import base64
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.pipeline import AsyncPipeline, Pipeline
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl import RestHttpClientTransportResponse
from azure.core.rest._http_response_impl_async import RestAsyncHttpClientTransportResponse

from azure.keyvault.administration._internal import ChallengeAuthPolicy
from azure.keyvault.administration._internal.async_challenge_auth_policy import AsyncChallengeAuthPolicy

VAULT = "https://myhsm.managedhsm.azure.net"
TENANT = "00000000-0000-0000-0000-00000000c0de"
RESOURCE = "https://managedhsm.azure.net"
SCOPE = RESOURCE + "/.default"
CHALLENGE = f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", resource="{RESOURCE}"'
CLAIMS_JSON = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'


def claims_challenge(claims: str = CLAIMS_JSON) -> str:
    """A CAE challenge as the service sends it (base64url claims without padding)."""
    encoded = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
    return (
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
        f'error="insufficient_claims", claims="{encoded}"'
    )


@dataclass
class Reply:
    """A canned response."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def challenge(cls, header: str = CHALLENGE) -> "Reply":
        return cls(401, {"WWW-Authenticate": header, "Content-Type": "application/json; charset=utf-8"})

    @classmethod
    def json(cls, status: int, payload: Any) -> "Reply":
        return cls(status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(payload).encode())


OK = Reply(200, {"Content-Type": "application/json; charset=utf-8"}, b"{}")


@dataclass
class Sent:
    """What the transport received."""

    method: str
    url: str
    headers: dict[str, str]
    body: Optional[bytes]
    options: dict[str, Any]

    @property
    def authorization(self) -> Optional[str]:
        return next((v for k, v in self.headers.items() if k.lower() == "authorization"), None)

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class _RawResponse:
    """Quacks like http.client.HTTPResponse, which azure-core's in-memory rest responses wrap."""

    def __init__(self, reply: Reply) -> None:
        self.status = reply.status
        self.reason = {200: "OK", 401: "Unauthorized", 404: "Not Found"}.get(reply.status, "Status")
        self._reply = reply

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self._reply.headers.items())

    def read(self) -> bytes:
        return self._reply.body

    def close(self) -> None:
        pass


class _AsyncRawResponse(_RawResponse):
    async def close(self) -> None:  # type: ignore[override]
        pass


ReplySource = Union[Iterable[Reply], Callable[[HttpRequest], Reply]]


class _Recorder:
    def __init__(self, replies: ReplySource = ()) -> None:
        self._responder = replies if callable(replies) else None
        self._replies = [] if callable(replies) else list(replies)
        self.requests: list[Sent] = []
        self.open_count = 0
        self.close_count = 0

    def _next_reply(self, request: HttpRequest, options: dict[str, Any]) -> Reply:
        body = request.content
        if isinstance(body, str):
            body = body.encode()
        self.requests.append(Sent(request.method, request.url, dict(request.headers), body, dict(options)))
        if self._responder is not None:
            return self._responder(request)
        if not self._replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        return self._replies.pop(0)

    @property
    def unused_replies(self) -> int:
        return len(self._replies)


class MockTransport(_Recorder, HttpTransport):
    """A sync transport answering from a list of replies (or a function) and recording each request."""

    def send(self, request: HttpRequest, **kwargs: Any) -> RestHttpClientTransportResponse:  # type: ignore[override]
        reply = self._next_reply(request, kwargs)
        response = RestHttpClientTransportResponse(request=request, internal_response=_RawResponse(reply))
        if not kwargs.get("stream"):
            response.read()
        return response

    def open(self) -> None:
        self.open_count += 1

    def close(self) -> None:
        self.close_count += 1

    def __enter__(self) -> "MockTransport":
        self.open()
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class AsyncMockTransport(_Recorder, AsyncHttpTransport):
    """The async twin of MockTransport."""

    async def send(self, request: HttpRequest, **kwargs: Any) -> RestAsyncHttpClientTransportResponse:  # type: ignore[override]
        reply = self._next_reply(request, kwargs)
        response = RestAsyncHttpClientTransportResponse(request=request, internal_response=_AsyncRawResponse(reply))
        if not kwargs.get("stream"):
            await response.read()
        return response

    async def open(self) -> None:
        self.open_count += 1

    async def close(self) -> None:
        self.close_count += 1

    async def __aenter__(self) -> "AsyncMockTransport":
        await self.open()
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()


class TokenFactory:
    """Hands out numbered tokens (token-1, token-2, ...) and records every credential call."""

    def __init__(self, lifetime: int = 3600, refresh_in: Optional[int] = None) -> None:
        self.lifetime = lifetime
        self.refresh_in = refresh_in
        self.calls: list[tuple[str, tuple[str, ...], dict[str, Any]]] = []

    def _token_string(self) -> str:
        return f"token-{len(self.calls)}"

    def access_token(self, method: str, scopes: tuple[str, ...], kwargs: dict[str, Any]) -> AccessToken:
        self.calls.append((method, scopes, kwargs))
        return AccessToken(self._token_string(), int(time.time()) + self.lifetime)

    def access_token_info(self, method: str, scopes: tuple[str, ...], kwargs: dict[str, Any]) -> AccessTokenInfo:
        self.calls.append((method, scopes, kwargs))
        now = int(time.time())
        refresh_on = None if self.refresh_in is None else now + self.refresh_in
        return AccessTokenInfo(self._token_string(), now + self.lifetime, refresh_on=refresh_on)


class TokenCredentialFake(TokenFactory):
    """A TokenCredential (get_token only)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return self.access_token("get_token", scopes, kwargs)


class TokenInfoCredentialFake(TokenCredentialFake):
    """A credential offering both get_token and get_token_info."""

    def get_token_info(self, *scopes: str, options: Optional[dict[str, Any]] = None) -> AccessTokenInfo:
        return self.access_token_info("get_token_info", scopes, {"options": options})


class AsyncTokenCredentialFake(TokenFactory):
    """An AsyncTokenCredential (awaitable get_token only)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return self.access_token("get_token", scopes, kwargs)

    async def close(self) -> None:
        pass


class AsyncTokenInfoCredentialFake(AsyncTokenCredentialFake):
    """An async credential offering both get_token and get_token_info."""

    async def get_token_info(self, *scopes: str, options: Optional[dict[str, Any]] = None) -> AccessTokenInfo:
        return self.access_token_info("get_token_info", scopes, {"options": options})


def make_credential(mode: str, *, token_info: bool = False, **kwargs: Any) -> TokenFactory:
    """A fake credential of the right flavour for ``mode`` ("sync" or "async")."""
    if mode == "sync":
        return TokenInfoCredentialFake(**kwargs) if token_info else TokenCredentialFake(**kwargs)
    return AsyncTokenInfoCredentialFake(**kwargs) if token_info else AsyncTokenCredentialFake(**kwargs)


class PolicyHarness:
    """A one-policy pipeline (the challenge policy over a mock transport), sync or async behind one interface."""

    def __init__(
        self, mode: str, replies: ReplySource = (), credential: Optional[TokenFactory] = None, **policy_kwargs: Any
    ):
        self.mode = mode
        self.credential = credential if credential is not None else make_credential(mode)
        if mode == "sync":
            self.transport: _Recorder = MockTransport(replies)
            self.policy: Any = ChallengeAuthPolicy(self.credential, **policy_kwargs)  # type: ignore[arg-type]
            self._pipeline: Any = Pipeline(transport=self.transport, policies=[self.policy])  # type: ignore[arg-type]
        else:
            self.transport = AsyncMockTransport(replies)
            self.policy = AsyncChallengeAuthPolicy(self.credential, **policy_kwargs)  # type: ignore[arg-type]
            self._pipeline = AsyncPipeline(transport=self.transport, policies=[self.policy])  # type: ignore[arg-type]

    def queue(self, *replies: Reply) -> None:
        self.transport._replies.extend(replies)

    async def send(self, method: str = "GET", url: str = VAULT + "/settings", **request_kwargs: Any) -> Any:
        """Send one request through the policy; returns the final http response."""
        request = HttpRequest(method, url, **request_kwargs)
        if self.mode == "sync":
            return self._pipeline.run(request).http_response
        return (await self._pipeline.run(request)).http_response

    @property
    def requests(self) -> list[Sent]:
        return self.transport.requests

    @property
    def calls(self) -> list[tuple[str, tuple[str, ...], dict[str, Any]]]:
        return self.credential.calls


class ClientHarness:
    """A KeyVaultClientBase or AsyncKeyVaultClientBase over a mock transport, behind one awaitable interface."""

    def __init__(
        self,
        mode: str,
        replies: ReplySource = (),
        credential: Optional[TokenFactory] = None,
        vault_url: str = VAULT,
        **client_kwargs: Any,
    ) -> None:
        from azure.keyvault.administration._internal.async_client_base import AsyncKeyVaultClientBase
        from azure.keyvault.administration._internal.client_base import KeyVaultClientBase

        self.mode = mode
        self.credential = credential if credential is not None else make_credential(mode)
        self.transport: _Recorder = MockTransport(replies) if mode == "sync" else AsyncMockTransport(replies)
        client_type: Any = KeyVaultClientBase if mode == "sync" else AsyncKeyVaultClientBase
        self.client: Any = client_type(vault_url, self.credential, transport=self.transport, **client_kwargs)

    async def run(self, result: Any) -> Any:
        """Await ``result`` when the client is async; return it as it is otherwise."""
        return await result if self.mode == "async" else result

    async def send_request(self, request: HttpRequest, **kwargs: Any) -> Any:
        return await self.run(self.client.send_request(request, **kwargs))

    async def close(self) -> None:
        await self.run(self.client.close())

    @property
    def requests(self) -> list[Sent]:
        return self.transport.requests
