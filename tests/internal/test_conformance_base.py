"""Behaviour every public client shares (API.md §2, §8), checked through the public clients over their real
transports or a scripted one: keyword construction, closed clients, request headers and retries."""

import uuid
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from kv_internal_fakes import VAULT, AsyncMockTransport, MockTransport, Reply, Sent, make_credential

import azure.keyvault.administration as admin
import azure.keyvault.administration.aio as admin_aio
from azure.keyvault.administration import KeyVaultSetting

CLIENT_NAMES = ["KeyVaultAccessControlClient", "KeyVaultBackupClient", "KeyVaultSettingsClient"]
CLOSED = "HTTP transport has already been closed."
SETTING = Reply.json(200, {"name": "s", "value": "v", "type": "string"})


def client_class(mode: str, name: str) -> Any:
    return getattr(admin if mode == "sync" else admin_aio, name)


@pytest.mark.parametrize("name", CLIENT_NAMES)
def test_construction_by_keyword_and_with_any_credential_object(mode: str, name: str) -> None:
    cls = client_class(mode, name)
    client = cls(vault_url=" https://H.managedhsm.azure.net/ ", credential=make_credential(mode))
    assert client.vault_url == "https://H.managedhsm.azure.net"
    assert client.api_version == "2025-07-01"
    assert cls("https://h", object()).vault_url == "https://h"  # nothing about the credential is checked
    with pytest.raises(ValueError, match="TokenCredential protocol"):
        cls("", None)  # the credential is checked before the URL
    with pytest.raises(ValueError, match=r"^vault_url must be the URL of an Azure Key Vault$"):
        cls(None, object())


def test_calls_after_the_with_block_raise_value_error() -> None:
    # the default requests transport: closed by __exit__, so the next call fails before any connection is made
    client = admin.KeyVaultSettingsClient("https://127.0.0.1:9", make_credential("sync"))  # type: ignore[arg-type]
    with client as entered:
        assert entered is client
    with pytest.raises(ValueError) as error:
        client.get_setting("s")
    assert str(error.value).startswith(CLOSED)
    client.close()  # closing again is harmless


async def test_async_calls_after_the_with_block_raise_value_error() -> None:
    client = admin_aio.KeyVaultSettingsClient("https://127.0.0.1:9", make_credential("async"))  # type: ignore[arg-type]
    async with client as entered:
        assert entered is client
    with pytest.raises(ValueError) as error:
        await client.get_setting("s")
    assert str(error.value).startswith(CLOSED)
    await client.close()


def settings_client(mode: str, replies: Any, **kwargs: Any) -> tuple[Any, list[Sent]]:
    transport: Any = MockTransport(replies) if mode == "sync" else AsyncMockTransport(replies)
    cls = client_class(mode, "KeyVaultSettingsClient")
    return cls(VAULT, make_credential(mode), transport=transport, **kwargs), transport.requests


async def run(mode: str, value: Any) -> Any:
    return await value if mode == "async" else value


async def test_request_headers(mode: str) -> None:
    client, sent = settings_client(mode, [Reply.challenge(), SETTING, SETTING])
    await run(mode, client.get_setting("s"))
    await run(mode, client.update_setting(KeyVaultSetting("s", "v")))
    get, patch = sent[1], sent[2]
    for request in (get, patch):
        assert request.header("Accept") == "application/json"
        assert uuid.UUID(request.header("x-ms-client-request-id") or "").version == 1
    assert get.header("Content-Type") is None
    assert patch.header("Content-Type") == "application/json" and patch.body == b'{"value": "v"}'
    assert get.header("x-ms-client-request-id") != patch.header("x-ms-client-request-id")


def answering(status: int, headers: dict[str, str]) -> Any:
    """A service that challenges token-less requests and answers every other one with ``status``."""

    def reply(request: Any) -> Reply:
        if "Authorization" not in request.headers:
            return Reply.challenge()
        body = b'{"error": {"code": "c", "message": "m"}}'
        return Reply(status, {"Content-Type": "application/json", **headers}, body)

    return reply


@pytest.mark.parametrize(
    ("status", "headers", "get_attempts", "patch_attempts"),
    [
        (500, {}, 4, 4),
        (503, {}, 4, 4),
        (504, {}, 4, 4),
        (408, {}, 4, 1),
        (429, {}, 4, 1),
        (502, {}, 4, 1),
        (506, {}, 4, 1),
        (501, {}, 1, 1),
        (400, {}, 1, 1),
        (403, {}, 1, 1),
        (400, {"Retry-After": "0"}, 4, 4),  # any status >= 400 with Retry-After is retried
        (429, {"Retry-After": "0"}, 4, 4),
    ],
)
async def test_retries_are_azure_core_defaults(
    mode: str, status: int, headers: dict[str, str], get_attempts: int, patch_attempts: int
) -> None:
    client, sent = settings_client(mode, answering(status, headers), retry_backoff_factor=0)
    with pytest.raises(HttpResponseError):
        await run(mode, client.get_setting("s"))
    assert len([r for r in sent if r.authorization]) == get_attempts
    sent.clear()
    with pytest.raises(HttpResponseError):
        await run(mode, client.update_setting(KeyVaultSetting("s", "v")))
    assert len([r for r in sent if r.authorization]) == patch_attempts
