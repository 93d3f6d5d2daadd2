"""Sans-I/O logic shared by the sync and async settings clients."""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Optional

from ._models import KeyVaultSetting

if TYPE_CHECKING:
    from ._generated import models as _wire


def update_parameters(setting: KeyVaultSetting) -> "_wire.UpdateSettingRequest":
    """Build the body of a setting PATCH: only the value is sent, never the type.

    :param setting: The setting holding the new value.
    :type setting: KeyVaultSetting
    :returns: The generated request model.
    :rtype: ~azure.keyvault.administration._generated.models.UpdateSettingRequest
    """
    from ._generated import models as _wire  # msrest is imported with the first model built

    return _wire.UpdateSettingRequest(value=setting.value)


def setting_from_wire(setting: "_wire.Setting") -> KeyVaultSetting:
    """Convert one generated setting to the public model."""
    return KeyVaultSetting._from_generated(setting)


def settings_from_wire(result: "_wire.SettingsListResult") -> list[KeyVaultSetting]:
    """Convert the body of ``GET /settings`` (``{"settings": [...]}``) to public models."""
    if result.settings is None:
        # A body without "settings" fails like the official package (which iterates the missing list).
        raise TypeError("'NoneType' object is not iterable")
    return [setting_from_wire(setting) for setting in result.settings]


def single_page(items: list[KeyVaultSetting]) -> tuple[Optional[Any], Iterator[KeyVaultSetting]]:
    """``extract_data`` for a pager over one already-fetched page: no continuation token, the items."""
    return None, iter(items)
