"""Settings facts of API.md §5 not pinned elsewhere: list_settings is exactly one page (a nextLink is ignored, no
continuation), and setting types other than boolean come back lower-cased."""

from typing import Any

import pytest

from azure.keyvault.administration import KeyVaultSettingsClient, KeyVaultSettingType, aio

from .fake_service import FakeService, Reply, make_client

BODY = {
    "settings": [{"name": "a", "value": "1", "type": "String"}, {"name": "b", "value": "true", "type": "boolean"}],
    "nextLink": "https://unit.managedhsm.azure.net/settings?page=2",
}


@pytest.fixture(params=["sync", "async"])
def client_class(request: pytest.FixtureRequest) -> type:
    return KeyVaultSettingsClient if request.param == "sync" else aio.KeyVaultSettingsClient


async def test_list_settings_is_one_page_without_continuation(client_class: type) -> None:
    service = FakeService(lambda sent: Reply(200, BODY))
    client = make_client(client_class, service)
    pager: Any = client.list_settings().by_page()
    if hasattr(pager, "__aiter__"):
        pages = [[s async for s in page] async for page in pager]
    else:
        pages = [list(page) for page in pager]
    assert [[(s.name, s.value, s.setting_type) for s in page] for page in pages] == [
        [("a", "1", "string"), ("b", "true", KeyVaultSettingType.BOOLEAN)]
    ]
    assert type(pages[0][0].setting_type) is str
    assert pager.continuation_token is None
    assert [s.url for s in service.sent] == ["https://unit.managedhsm.azure.net/settings?api-version=2025-07-01"]
