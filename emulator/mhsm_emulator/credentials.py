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


class EmulatorCredential:
    """Synchronous credential for the emulator's managed identity (``client_id`` selects a user-assigned one)."""

    def __init__(self, identity_endpoint: str, identity_header: str, *, client_id: str | None = None) -> None:
        self._endpoint = identity_endpoint
        self._header = identity_header
        self._client_id = client_id
        self._cache = _Cache()

    def get_token(
        self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token for the single scope (``<resource>/.default``)."""
        resource = _resource(scopes)
        cached = self._cache.get(resource)
        if cached is not None and not claims:
            return cached
        request = urllib.request.Request(
            _token_url(self._endpoint, resource, self._client_id),
            headers={"X-IDENTITY-HEADER": self._header, "Metadata": "true"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return self._cache.put(resource, _parse(response.read()))

    def close(self) -> None:
        """Nothing to release (kept for the credential protocol)."""

    def __enter__(self) -> EmulatorCredential:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class AsyncEmulatorCredential:
    """Asynchronous twin of :class:`EmulatorCredential` (aiohttp)."""

    def __init__(self, identity_endpoint: str, identity_header: str, *, client_id: str | None = None) -> None:
        self._endpoint = identity_endpoint
        self._header = identity_header
        self._client_id = client_id
        self._cache = _Cache()

    async def get_token(
        self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token for the single scope (``<resource>/.default``)."""
        import aiohttp

        resource = _resource(scopes)
        cached = self._cache.get(resource)
        if cached is not None and not claims:
            return cached
        async with aiohttp.ClientSession() as session:
            async with session.get(
                _token_url(self._endpoint, resource, self._client_id),
                headers={"X-IDENTITY-HEADER": self._header, "Metadata": "true"},
            ) as response:
                response.raise_for_status()
                return self._cache.put(resource, _parse(await response.read()))

    async def close(self) -> None:
        """Nothing to release (kept for the credential protocol)."""

    async def __aenter__(self) -> AsyncEmulatorCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()
