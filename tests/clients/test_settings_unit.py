"""Unit tests of the settings clients (sync and async) against a scripted service."""

from typing import Any
from urllib.parse import unquote

import pytest
from azure.core.async_paging import AsyncItemPaged
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.paging import ItemPaged

from azure.keyvault.administration import KeyVaultSetting, KeyVaultSettingsClient, KeyVaultSettingType, aio

from .fake_service import FakeService, Reply, Sent, collect, error_json, make_client, resolve

SETTINGS = [
    {"name": "AllowKeyManagementOperationsThroughARM", "value": "false", "type": "boolean"},
    {"name": "Other", "value": "Text", "type": "String"},
    {"name": "Untyped", "value": "x"},
]


@pytest.fixture(params=["sync", "async"])
def client_class(request: pytest.FixtureRequest) -> type:
    return KeyVaultSettingsClient if request.param == "sync" else aio.KeyVaultSettingsClient


def service_handler(sent: Sent) -> Reply:
    if sent.path == "/settings":
        return Reply(200, {"settings": SETTINGS})
    name = unquote(sent.path.rsplit("/", 1)[-1])
    if sent.method == "PATCH":
        return Reply(200, {"name": name, "value": sent.json()["value"], "type": "boolean"})
    return Reply(200, {"name": name, "value": "true", "type": "boolean"})


async def test_get_setting(client_class: type) -> None:
    service = FakeService(service_handler)
    client = make_client(client_class, service)
    setting = await resolve(client.get_setting("a b/c"))
    assert service.sent[0].method == "GET"
    assert service.sent[0].url.endswith("/settings/a%20b%2Fc?api-version=2025-07-01")
    assert isinstance(setting, KeyVaultSetting)
    assert (setting.name, setting.value, setting.setting_type) == ("a b/c", "true", KeyVaultSettingType.BOOLEAN)
    assert setting.getboolean() is True


async def test_get_missing_setting(client_class: type) -> None:
    missing = Reply(404, error_json("SettingNotFound", "Setting 'x' was not found."))
    client = make_client(client_class, FakeService(lambda sent: missing))
    with pytest.raises(ResourceNotFoundError, match="Setting 'x' was not found"):
        await resolve(client.get_setting("x"))


async def test_get_setting_without_name(client_class: type) -> None:
    service = FakeService(service_handler)
    client = make_client(client_class, service)
    with pytest.raises(ValueError, match="No value for given attribute"):
        await resolve(client.get_setting(None))
    assert service.sent == []


async def test_list_settings_converts_types(client_class: type) -> None:
    service = FakeService(service_handler)
    client = make_client(client_class, service)
    settings = await collect(client.list_settings())
    assert [(s.name, s.value, s.setting_type) for s in settings] == [
        ("AllowKeyManagementOperationsThroughARM", "false", KeyVaultSettingType.BOOLEAN),
        ("Other", "Text", "string"),
        ("Untyped", "x", None),
    ]
    assert isinstance(settings[0].setting_type, KeyVaultSettingType)
    assert len(service.sent) == 1 and service.sent[0].url.endswith("/settings?api-version=2025-07-01")


def test_sync_list_settings_is_eager() -> None:
    service = FakeService(lambda sent: Reply(403, error_json("Forbidden", "denied")))
    client = make_client(KeyVaultSettingsClient, service)
    with pytest.raises(HttpResponseError) as info:
        client.list_settings()  # raises at the call, before iteration
    assert info.value.status_code == 403
    service.handler = service_handler
    paged = client.list_settings()
    assert isinstance(paged, ItemPaged)
    assert len(service.sent) == 2  # already fetched
    assert len(list(paged)) == 3
    assert len(service.sent) == 2  # and not fetched again


async def test_async_list_settings_is_lazy() -> None:
    service = FakeService(service_handler)
    client = make_client(aio.KeyVaultSettingsClient, service)
    paged = client.list_settings()  # not a coroutine
    assert isinstance(paged, AsyncItemPaged)
    assert service.sent == []
    assert len(await collect(paged)) == 3
    assert len(service.sent) == 1
    await client.close()


def test_sync_list_settings_without_settings_key_fails_at_the_call() -> None:
    # A 200 body without "settings" fails like the official package: TypeError when the list is read.
    client = make_client(KeyVaultSettingsClient, FakeService(lambda sent: Reply(200, {})))
    with pytest.raises(TypeError, match="'NoneType' object is not iterable"):
        client.list_settings()


async def test_async_list_settings_without_settings_key_fails_when_iterated() -> None:
    service = FakeService(lambda sent: Reply(200, {}))
    client = make_client(aio.KeyVaultSettingsClient, service)
    paged = client.list_settings()
    assert service.sent == []
    with pytest.raises(TypeError, match="'NoneType' object is not iterable"):
        await collect(paged)
    await client.close()


async def test_list_settings_forwards_pipeline_keywords(client_class: type) -> None:
    # The official package raises TypeError for any keyword here (a bug); ours hands them to the pipeline.
    seen: list[Any] = []
    client = make_client(client_class, FakeService(service_handler))
    settings = await collect(client.list_settings(raw_request_hook=lambda request: seen.append(request)))
    assert len(settings) == 3
    assert len(seen) >= 1


@pytest.mark.parametrize(
    ("value", "setting_type", "wire_value"),
    [(True, None, "true"), ("TRUE", "boolean", "true"), ("false", None, "false"), (5, None, "5")],
)
async def test_update_setting_sends_only_the_value(
    client_class: type, value: Any, setting_type: Any, wire_value: str
) -> None:
    service = FakeService(service_handler)
    client = make_client(client_class, service)
    updated = await resolve(client.update_setting(KeyVaultSetting("n", value, setting_type)))
    sent = service.sent[0]
    assert sent.method == "PATCH"
    assert sent.url.endswith("/settings/n?api-version=2025-07-01")
    assert sent.json() == {"value": wire_value}
    assert (updated.name, updated.value, updated.setting_type) == ("n", wire_value.lower(), "boolean")


@pytest.mark.parametrize(("setting", "error"), [(None, AttributeError), ("x", AttributeError)])
async def test_update_setting_needs_a_setting(client_class: type, setting: Any, error: type) -> None:
    service = FakeService(service_handler)
    client = make_client(client_class, service)
    with pytest.raises(error):
        await resolve(client.update_setting(setting))
    assert service.sent == []


async def test_update_setting_without_name(client_class: type) -> None:
    service = FakeService(service_handler)
    client = make_client(client_class, service)
    with pytest.raises(ValueError, match="No value for given attribute"):
        await resolve(client.update_setting(KeyVaultSetting(None, 5)))  # type: ignore[arg-type]
    assert service.sent == []


@pytest.mark.parametrize("api_version", ["7.2", "7.3"])
async def test_versions_without_settings_fail_before_sending(client_class: type, api_version: str) -> None:
    # Settings arrived with service API 7.4: older known versions are refused locally (the generated layer's
    # version table), with a message naming the operation and the version to use.
    service = FakeService(service_handler)
    client = make_client(client_class, service, api_version=api_version)
    with pytest.raises(ValueError, match=f"'get_setting' is not available in API version {api_version}"):
        await resolve(client.get_setting("n"))
    with pytest.raises(ValueError, match="update_setting"):
        await resolve(client.update_setting(KeyVaultSetting("n", True)))
    with pytest.raises(ValueError, match="get_settings"):
        await collect(client.list_settings())
    assert service.sent == []
