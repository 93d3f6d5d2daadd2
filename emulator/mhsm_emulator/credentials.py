"""Tiny token credentials that fetch tokens from the emulator's identity endpoint (sync and async).

They follow azure-core's ``TokenCredential`` / ``AsyncTokenCredential`` protocols, so they can be passed to any
Key Vault client; ``ManagedIdentityCredential`` with the emulator's environment variables works as well.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from typing import Any

from azure.core.credentials import AccessToken

from .identity_endpoint import IDENTITY_API_VERSION

_REFRESH_MARGIN = 300


def _resource(scopes: tuple[str, ...]) -> str:
    if len(scopes) != 1:
        raise ValueError("exactly one scope is required")
    return scopes[0].removesuffix("/.default")


def _token_url(endpoint: str, resource: str, client_id: str | None) -> str:
    query = {"api-version": IDENTITY_API_VERSION, "resource": resource}
    if client_id:
        query["client_id"] = client_id
    return f"{endpoint}?{urllib.parse.urlencode(query)}"


def _parse(body: bytes) -> AccessToken:
    data = json.loads(body)
    return AccessToken(str(data["access_token"]), int(data["expires_on"]))


class _Cache:
    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}

    def get(self, resource: str) -> AccessToken | None:
        token = self._tokens.get(resource)
        if token is not None and token.expires_on - _REFRESH_MARGIN > time.time():
            return token
        return None

    def put(self, resource: str, token: AccessToken) -> AccessToken:
        self._tokens[resource] = token
        return token


class _EmulatorCredentialBase:
    """What both credential twins share: the endpoint, the identity, the token cache and the request to send."""

    def __init__(self, identity_endpoint: str, identity_header: str, *, client_id: str | None = None) -> None:
        self._endpoint = identity_endpoint
        self._header = identity_header
        self._client_id = client_id
        self._cache = _Cache()

    def _cached(self, scopes: tuple[str, ...], claims: str | None) -> tuple[str, AccessToken | None]:
        """The resource the scopes name, and a still-valid cached token for it (never one when claims are asked)."""
        resource = _resource(scopes)
        return resource, None if claims else self._cache.get(resource)

    def _token_request(self, resource: str) -> tuple[str, dict[str, str]]:
        """URL and headers of the identity endpoint request for ``resource``."""
        url = _token_url(self._endpoint, resource, self._client_id)
        return url, {"X-IDENTITY-HEADER": self._header, "Metadata": "true"}


class EmulatorCredential(_EmulatorCredentialBase):
    """Synchronous credential for the emulator's managed identity (``client_id`` selects a user-assigned one)."""

    def get_token(
        self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token for the single scope (``<resource>/.default``)."""
        resource, cached = self._cached(scopes, claims)
        if cached is not None:
            return cached
        url, headers = self._token_request(resource)
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return self._cache.put(resource, _parse(response.read()))

    def close(self) -> None:
        """Nothing to release (kept for the credential protocol)."""

    def __enter__(self) -> EmulatorCredential:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class AsyncEmulatorCredential(_EmulatorCredentialBase):
    """Asynchronous twin of :class:`EmulatorCredential` (aiohttp)."""

    async def get_token(
        self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token for the single scope (``<resource>/.default``)."""
        import aiohttp

        resource, cached = self._cached(scopes, claims)
        if cached is not None:
            return cached
        url, headers = self._token_request(resource)
        async with aiohttp.ClientSession() as session:
            async with session.get(url, headers=headers) as response:
                response.raise_for_status()
                return self._cache.put(resource, _parse(await response.read()))

    async def close(self) -> None:
        """Nothing to release (kept for the credential protocol)."""

    async def __aenter__(self) -> AsyncEmulatorCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()
