"""Fixtures of the client tests: which twin (sync/async) and which service API version a test runs with."""

import pytest

from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultSettingsClient, aio

ACCESS_CONTROL_VERSIONS = ["7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01"]
SETTINGS_VERSIONS = ["7.4", "7.5", "7.6", "2025-07-01"]
LATEST = "2025-07-01"


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    """Run the test once with the sync client and once with its async twin."""
    return str(request.param)


@pytest.fixture
def access_control_class(flavor: str) -> type:
    return KeyVaultAccessControlClient if flavor == "sync" else aio.KeyVaultAccessControlClient


@pytest.fixture
def settings_class(flavor: str) -> type:
    return KeyVaultSettingsClient if flavor == "sync" else aio.KeyVaultSettingsClient
