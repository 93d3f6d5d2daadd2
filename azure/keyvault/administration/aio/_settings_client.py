"""The asynchronous client for Managed HSM account settings."""

from typing import Any, Optional

from azure.core.async_paging import AsyncItemPaged, AsyncList
from azure.core.tracing.decorator import distributed_trace
from azure.core.tracing.decorator_async import distributed_trace_async

from .. import _settings_common as _common
from .._internal.async_client_base import AsyncKeyVaultClientBase
from .._models import KeyVaultSetting


class KeyVaultSettingsClient(AsyncKeyVaultClientBase):
    """Reads and updates the account settings of a Managed HSM asynchronously (service API 7.4 and later).

    :param str vault_url: URL of the Managed HSM, for example ``https://myhsm.managedhsm.azure.net``.
    :param credential: An object that can provide an access token for the HSM, such as a credential from
        :mod:`azure.identity.aio`.
    :type credential: ~azure.core.credentials_async.AsyncTokenCredential

    :keyword api_version: Version of the service API to use. Defaults to the most recent
        (:attr:`ApiVersion.V2025_07_01`).
    :paramtype api_version: ~azure.keyvault.administration.ApiVersion or str
    :keyword bool verify_challenge_resource: Whether to check that the authentication challenge's resource matches
        the HSM's domain. Defaults to ``True``.

    Other keyword arguments configure the azure-core pipeline (``transport``, ``retry_total``,
    ``connection_verify``, ``logging_enable``, ...).

    .. code-block:: python

        from azure.identity.aio import DefaultAzureCredential
        from azure.keyvault.administration.aio import KeyVaultSettingsClient

        async with KeyVaultSettingsClient(vault_url, DefaultAzureCredential()) as client:
            ...
    """

    async def __aenter__(self) -> "KeyVaultSettingsClient":
        await super().__aenter__()
        return self

    @distributed_trace_async
    async def get_setting(self, name: str, **kwargs: Any) -> KeyVaultSetting:
        """Get one account setting.

        :param str name: Name of the setting, for example ``"AllowKeyManagementOperationsThroughARM"``.

        :returns: The setting.
        :rtype: KeyVaultSetting
        :raises ~azure.core.exceptions.ResourceNotFoundError: if there is no such setting.

        .. code-block:: python

            setting = await client.get_setting("AllowKeyManagementOperationsThroughARM")
        """
        return _common.setting_from_wire(await self._client.get_setting(self._vault_url, name, **kwargs))

    @distributed_trace
    def list_settings(self, **kwargs: Any) -> AsyncItemPaged[KeyVaultSetting]:
        """List all account settings. Not a coroutine: the request is sent when iteration starts.

        :returns: An asynchronous iterable of settings.
        :rtype: ~azure.core.async_paging.AsyncItemPaged[KeyVaultSetting]

        .. code-block:: python

            async for setting in client.list_settings():
                print(setting.name, setting.value)
        """

        async def get_page(_continuation_token: Optional[str]) -> list[KeyVaultSetting]:
            return _common.settings_from_wire(await self._client.get_settings(self._vault_url, **kwargs))

        async def extract_data(items: list[KeyVaultSetting]) -> tuple[None, AsyncList[KeyVaultSetting]]:
            return None, AsyncList(items)  # one page, no continuation

        return AsyncItemPaged(get_page, extract_data)

    @distributed_trace_async
    async def update_setting(self, setting: KeyVaultSetting, **kwargs: Any) -> KeyVaultSetting:
        """Change the value of an account setting. Only ``setting.value`` is sent; its type is not.

        :param setting: The setting with its new value.
        :type setting: KeyVaultSetting

        :returns: The setting as the service now holds it.
        :rtype: KeyVaultSetting
        :raises ~azure.core.exceptions.HttpResponseError: if the service refuses the update.

        .. code-block:: python

            setting = KeyVaultSetting(name="AllowKeyManagementOperationsThroughARM", value=True)
            updated = await client.update_setting(setting)
        """
        parameters = _common.update_parameters(setting)
        wire = await self._client.update_setting(self._vault_url, setting.name, parameters, **kwargs)
        return _common.setting_from_wire(wire)
