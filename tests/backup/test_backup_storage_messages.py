"""The emulator's storage and key-name messages say what is wrong (issue 11's papercuts), sync and async clients.

A missing folder names the container (not the storage account) of an Azurite-style URL; storage error codes are
storage's spelling, never a Python enum name; an account URL where a container URL belongs is "not a container
URL" at once (400), not a later "access denied"; an invalid key name is reported as a key name, not as a scope.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from backup_helpers import client_class, container_name, resolve
from mhsm_emulator.azurite import Azurite
from mhsm_emulator.routes.backup import _path_style

MISSING = "mhsm-missing-2020010100000000"


@pytest.fixture
def storage(azurite: Azurite, request: pytest.FixtureRequest) -> dict[str, str]:
    name = container_name(request.node.nodeid)
    return {"name": name, "url": azurite.create_container(name), "sas": azurite.container_sas(name)}


@pytest.fixture(params=["sync", "async"])
async def client(backup_emulator: Any, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    flavor = str(request.param)
    credential = backup_emulator.async_credential() if flavor == "async" else backup_emulator.credential()
    backup_client = client_class(flavor)(backup_emulator.vault_url, credential, **backup_emulator.client_kwargs())
    yield backup_client
    await resolve(backup_client.close())


async def _fails(begin: Any, *args: Any, **kwargs: Any) -> HttpResponseError:
    """The error of a start request ``begin(*args, **kwargs)``, or of the job it started."""
    with pytest.raises(HttpResponseError) as info:
        poller = await resolve(begin(*args, polling_interval=0.05, **kwargs))
        await resolve(poller.result())
    return info.value


async def test_a_missing_folder_names_the_container_of_an_azurite_url(client: Any, storage: dict[str, str]) -> None:
    url = storage["url"]  # http://127.0.0.1:<port>/devstoreaccount1/<container>
    error = await _fails(client.begin_restore, f"{url}/{MISSING}", sas_token=storage["sas"])
    assert error.error is not None and error.error.code == "FolderNotFound"
    assert error.error.message == f"No backup was found in the folder '{MISSING}' of the storage container '{url}'."


async def test_storage_error_codes_are_storages_spelling(
    client: Any, azurite: Azurite, storage: dict[str, str]
) -> None:
    read_only = azurite.container_sas(storage["name"], permission="rl")
    other_container = azurite.container_sas(container_name(storage["name"] + "-other"))
    denied = [
        await _fails(client.begin_backup, storage["url"], sas_token=read_only),
        await _fails(client.begin_restore, f"{storage['url']}/{MISSING}", sas_token=other_container),
    ]
    codes = []
    for error in denied:
        assert error.error is not None and error.error.code == "AuthorizationFailure"
        message = error.error.message
        assert "StorageErrorCode" not in message and f"container '{storage['url']}'" in message
        codes.append(message.split("(storage error code ", 1)[1].split(")", 1)[0])
    # One code azure-storage-blob knows as an enum member, one it passes on as a string: both as storage wrote them.
    assert codes == ["AuthorizationPermissionMismatch", "AuthorizationFailure"]


async def test_an_account_url_is_not_a_container_url(
    client: Any, azurite: Azurite, storage: dict[str, str]
) -> None:
    account = azurite.account_url  # http://127.0.0.1:<port>/devstoreaccount1
    for url, named in ((account, "the storage account 'devstoreaccount1'"),
                       ("https://acct.blob.core.windows.net", "a storage account"),
                       ("https://acct.blob.core.windows.net/", "a storage account")):
        for begin in (client.begin_backup, client.begin_pre_backup):
            error = await _fails(begin, url, sas_token=storage["sas"])
            assert error.status_code == 400 and error.error is not None and error.error.code == "BadParameter"
            assert f"'storageResourceUri' is not a container URL: {url.rstrip('/')} is the URL of {named}" in str(error)
            assert "/<container>" in str(error)
    # A folder URL without its container: the client takes the folder for the container, the HSM says so.
    for begin in (client.begin_restore, client.begin_pre_restore):
        error = await _fails(begin, f"{account}/{MISSING}", sas_token=storage["sas"])
        assert error.status_code == 400
        assert "The backup folder URL names no container" in str(error)
        assert f"{account}/<container>/<folder>" in str(error)


@pytest.mark.parametrize("key_name", ["a/b", "a_b", "a" * 128, "caf\u00e9"])
async def test_an_invalid_key_name_is_reported_as_one(client: Any, storage: dict[str, str], key_name: str) -> None:
    error = await _fails(client.begin_restore, f"{storage['url']}/{MISSING}", sas_token=storage["sas"],
                         key_name=key_name)
    assert error.status_code == 400 and error.error is not None and error.error.code == "BadParameter"
    assert "The key name '" in error.error.message and "is invalid" in error.error.message
    assert "scope" not in error.error.message.lower()
    created = await resolve(client.send_request(HttpRequest("POST", "/keys/a_b/create", json={"kty": "RSA"})))
    assert created.status_code == 400 and "The key name 'a_b' is invalid" in created.text()


def test_which_hosts_are_path_style() -> None:
    assert all(_path_style(host) for host in ("127.0.0.1", "::1", "10.1.2.3", "localhost", "azurite"))
    assert not any(_path_style(host) for host in ("acct.blob.core.windows.net", "acct.blob.core.chinacloudapi.cn",
                                                   "storage.example.com"))
