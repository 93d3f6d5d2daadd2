"""Credentials for playback: they hand out a constant fake token, so no identity traffic is ever needed."""

import time
from typing import Any

from azure.core.credentials import AccessToken

FAKE_TOKEN = "fake-token"


class FakeCredential:
    """A sync ``TokenCredential`` returning :data:`FAKE_TOKEN` and recording the scopes it was asked for."""

    def __init__(self) -> None:
        self.requested_scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.requested_scopes.append(scopes)
        return AccessToken(FAKE_TOKEN, int(time.time()) + 3600)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> "FakeCredential":
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class AsyncFakeCredential:
    """The ``AsyncTokenCredential`` twin of :class:`FakeCredential`."""

    def __init__(self) -> None:
        self.requested_scopes: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.requested_scopes.append(scopes)
        return AccessToken(FAKE_TOKEN, int(time.time()) + 3600)

    async def close(self) -> None:
        """Nothing to release."""

    async def __aenter__(self) -> "AsyncFakeCredential":
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()
