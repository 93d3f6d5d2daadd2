"""Helpers for backup tests that run the same code with the sync and the async client."""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass
from typing import Any, Optional

from azure.core.rest import HttpRequest
from mhsm_emulator.azurite import Azurite

from azure.keyvault.administration import KeyVaultBackupClient
from azure.keyvault.administration.aio import KeyVaultBackupClient as AsyncKeyVaultBackupClient


async def resolve(value: Any) -> Any:
    """Await ``value`` if it is awaitable (async twin), else return it (sync twin)."""
    return await value if inspect.isawaitable(value) else value


FAKE_ACCOUNT_URL = "https://fakestorage.blob.core.windows.net/devstoreaccount1"
FAKE_SAS = "se=2030-01-01T00%3A00%3A00Z&sp=rcwdl&sv=2025-11-05&sr=c&sig=REDACTED"
FAKE_READ_ONLY_SAS = "se=2030-01-01T00%3A00%3A00Z&sp=rl&sv=2025-11-05&sr=c&sig=REDACTED"
FAKE_EXPIRED_SAS = "se=2001-01-01T00%3A00%3A00Z&sp=rcwdl&sv=2025-11-05&sr=c&sig=REDACTED"
KEY_ROLES = ("Managed HSM Crypto User", "Managed HSM Crypto Officer")


_prepared: set[int] = set()


def prepare_emulator(emulator: Any, azurite: Azurite) -> None:
    """Give the emulator Azurite as its managed-identity storage and the test identity the keys roles (once)."""
    emulator.state.config.storage_connection_string = azurite.connection_string
    if id(emulator) not in _prepared:
        for role in KEY_ROLES:
            emulator.assign_role(emulator.principal_id, role, scope="/keys")
        _prepared.add(id(emulator))


@dataclass
class Storage:
    """A blob container for one test and SAS tokens for it."""

    container_url: str
    sas_token: str
    read_only_sas: str
    expired_sas: str


def container_name(label: str) -> str:
    """A valid, deterministic container name for a test."""
    return "c" + hashlib.sha256(label.encode()).hexdigest()[:24]



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
