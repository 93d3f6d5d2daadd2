"""Helpers for backup tests that run the same code with the sync and the async client."""

from __future__ import annotations

import inspect
from typing import Any, Optional

from azure.core.rest import HttpRequest

from azure.keyvault.administration import KeyVaultBackupClient
from azure.keyvault.administration.aio import KeyVaultBackupClient as AsyncKeyVaultBackupClient


async def resolve(value: Any) -> Any:
    """Await ``value`` if it is awaitable (async twin), else return it (sync twin)."""
    return await value if inspect.isawaitable(value) else value


def client_class(flavor: str) -> type:
    return KeyVaultBackupClient if flavor == "sync" else AsyncKeyVaultBackupClient


class Keys:
    """Key operations through a backup client's ``send_request`` (the HSM's keys REST API, recorded like the rest)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def send(self, method: str, url: str, body: Optional[dict[str, Any]] = None) -> Any:
        request = HttpRequest(method, url, json=body) if body is not None else HttpRequest(method, url)
        return await resolve(self.client.send_request(request))

    async def create(self, name: str, kty: str = "RSA-HSM", **extra: Any) -> dict[str, Any]:
        response = await self.send("POST", f"/keys/{name}/create", {"kty": kty, **extra})
        assert response.status_code == 200, response.text()
        return dict(response.json())

    async def get(self, name: str) -> Optional[dict[str, Any]]:
        """The key bundle, or None when the key does not exist (404)."""
        response = await self.send("GET", f"/keys/{name}/")
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text()
        return dict(response.json())

    async def versions(self, name: str) -> list[str]:
        response = await self.send("GET", f"/keys/{name}/versions")
        assert response.status_code == 200, response.text()
        return sorted(item["kid"].rsplit("/", 1)[1] for item in response.json()["value"])

    async def delete_and_purge(self, name: str) -> None:
        deleted = await self.send("DELETE", f"/keys/{name}")
        assert deleted.status_code == 200, deleted.text()
        purged = await self.send("DELETE", f"/deletedkeys/{name}")
        assert purged.status_code == 204, purged.text()


async def result(poller: Any) -> Any:
    return await resolve(poller.result())


async def wait(poller: Any) -> None:
    await resolve(poller.wait())


def public_material(bundle: dict[str, Any]) -> dict[str, Any]:
    """The parts of a key bundle a restore must bring back unchanged."""
    key = bundle["key"]
    return {name: key.get(name) for name in ("kid", "kty", "n", "e", "crv", "x", "y", "key_ops")}
