"""Recorded end-to-end tests of the settings clients (sync and async, every service API version from 7.4)."""

import pytest
from _recording import Recording
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azure.keyvault.administration import KeyVaultSetting, KeyVaultSettingType

from .conftest import SETTINGS_VERSIONS
from .fake_service import collect, resolve

ARM_SETTING = "AllowKeyManagementOperationsThroughARM"


@pytest.mark.parametrize("api_version", SETTINGS_VERSIONS)
async def test_list_settings(recorded: Recording, settings_class: type, api_version: str) -> None:
    client = recorded.client(settings_class, api_version=api_version)
    settings = await collect(client.list_settings())
    await resolve(client.close())
    by_name = {s.name: s for s in settings}
    assert ARM_SETTING in by_name
    setting = by_name[ARM_SETTING]
    assert isinstance(setting, KeyVaultSetting)
    assert setting.setting_type == KeyVaultSettingType.BOOLEAN
    assert setting.getboolean() in (True, False)


@pytest.mark.parametrize("api_version", SETTINGS_VERSIONS)
async def test_setting_round_trip(recorded: Recording, settings_class: type, api_version: str) -> None:
    client = recorded.client(settings_class, api_version=api_version)
    original = await resolve(client.get_setting(ARM_SETTING))
    assert original.name == ARM_SETTING
    assert original.setting_type == KeyVaultSettingType.BOOLEAN
    flipped = not original.getboolean()

    updated = await resolve(client.update_setting(KeyVaultSetting(name=ARM_SETTING, value=flipped)))
    assert updated.name == ARM_SETTING
    assert updated.getboolean() is flipped
    assert (await resolve(client.get_setting(ARM_SETTING))).getboolean() is flipped

    # Only the value goes on the wire: a setting typed "custom" locally updates the boolean setting.
    restored = await resolve(client.update_setting(KeyVaultSetting(ARM_SETTING, str(not flipped).lower(), "custom")))
    assert restored.value == str(not flipped).lower()
    assert restored.setting_type == KeyVaultSettingType.BOOLEAN
    await resolve(client.close())


@pytest.mark.parametrize("api_version", SETTINGS_VERSIONS)
async def test_missing_setting(recorded: Recording, settings_class: type, api_version: str) -> None:
    client = recorded.client(settings_class, api_version=api_version)
    with pytest.raises(ResourceNotFoundError) as info:
        await resolve(client.get_setting("NoSuchSetting"))
    assert info.value.status_code == 404
    assert "NoSuchSetting" in str(info.value)
    with pytest.raises(HttpResponseError):
        await resolve(client.update_setting(KeyVaultSetting("NoSuchSetting", True)))
    await resolve(client.close())


@pytest.mark.parametrize("api_version", SETTINGS_VERSIONS)
async def test_settings_forbidden_without_rights(recorded: Recording, settings_class: type, api_version: str) -> None:
    client = recorded.client(settings_class, api_version=api_version, client_id="unprivileged-test-identity")
    with pytest.raises(HttpResponseError) as info:
        await resolve(client.update_setting(KeyVaultSetting(ARM_SETTING, True)))
    assert info.value.status_code == 403
    assert info.value.error.message in str(info.value)
    await resolve(client.close())
