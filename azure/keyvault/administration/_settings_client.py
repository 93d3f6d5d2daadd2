"""The synchronous client for Managed HSM account settings."""

from typing import Any

from azure.core.paging import ItemPaged
from azure.core.tracing.decorator import distributed_trace

from . import _settings_common as _common
from ._internal.client_base import KeyVaultClientBase
from ._models import KeyVaultSetting


class KeyVaultSettingsClient(KeyVaultClientBase):
    """Reads and updates the account settings of a Managed HSM (service API version 7.4 and later).

    :param str vault_url: URL of the Managed HSM, for example ``https://myhsm.managedhsm.azure.net``.
    :param credential: An object that can provide an access token for the HSM, such as a credential from
        :mod:`azure.identity`.
    :type credential: ~azure.core.credentials.TokenCredential

    :keyword api_version: Version of the service API to use. Defaults to the most recent
        (:attr:`ApiVersion.V2025_07_01`).
    :paramtype api_version: ~azure.keyvault.administration.ApiVersion or str
    :keyword bool verify_challenge_resource: Whether to check that the authentication challenge's resource matches
        the HSM's domain. Defaults to ``True``.

    Other keyword arguments configure the azure-core pipeline (``transport``, ``retry_total``,
    ``connection_verify``, ``logging_enable``, ...).

    .. code-block:: python

        from azure.identity import DefaultAzureCredential
        from azure.keyvault.administration import KeyVaultSettingsClient

        client = KeyVaultSettingsClient("https://myhsm.managedhsm.azure.net", DefaultAzureCredential())
    """

    def __enter__(self) -> "KeyVaultSettingsClient":
        super().__enter__()
        return self

    @distributed_trace
    def get_setting(self, name: str, **kwargs: Any) -> KeyVaultSetting:
        """Get one account setting.

        :param str name: Name of the setting, for example ``"AllowKeyManagementOperationsThroughARM"``.

        :returns: The setting.
        :rtype: KeyVaultSetting
        :raises ~azure.core.exceptions.ResourceNotFoundError: if there is no such setting.

        .. code-block:: python

            setting = client.get_setting("AllowKeyManagementOperationsThroughARM")
            print(setting.name, setting.value)
        """
        return _common.setting_from_wire(self._client.get_setting(self._vault_url, name, **kwargs))

    @distributed_trace
    def list_settings(self, **kwargs: Any) -> ItemPaged[KeyVaultSetting]:
        """List all account settings.

        The settings come in one response, which is requested right away: errors are raised by this call, not
        when the result is iterated.

        :returns: An iterable of settings.
        :rtype: ~azure.core.paging.ItemPaged[KeyVaultSetting]
        :raises ~azure.core.exceptions.HttpResponseError: if the service refuses the request.

        .. code-block:: python

            for setting in client.list_settings():
                print(setting.name, setting.value, setting.setting_type)
        """
        settings = _common.settings_from_wire(self._client.get_settings(self._vault_url, **kwargs))
        return ItemPaged(lambda _continuation_token: settings, _common.single_page)

    @distributed_trace
    def update_setting(self, setting: KeyVaultSetting, **kwargs: Any) -> KeyVaultSetting:
        """Change the value of an account setting. Only ``setting.value`` is sent; its type is not.

        :param setting: The setting with its new value.
        :type setting: KeyVaultSetting

        :returns: The setting as the service now holds it.
        :rtype: KeyVaultSetting
        :raises ~azure.core.exceptions.HttpResponseError: if the service refuses the update.

        .. code-block:: python

            setting = KeyVaultSetting(name="AllowKeyManagementOperationsThroughARM", value=True)
            updated = client.update_setting(setting)
            assert updated.getboolean() is True
        """
        parameters = _common.update_parameters(setting)
        wire = self._client.update_setting(self._vault_url, setting.name, parameters, **kwargs)
        return _common.setting_from_wire(wire)
