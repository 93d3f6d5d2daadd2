"""parse_folder_url: splitting a backup folder URL into container URL and folder name."""

from typing import Any

import pytest

from azure.keyvault.administration._internal import parse_folder_url
from azure.keyvault.administration._internal.folder_url import BackupLocation

MESSAGE = (
    '"folder_url" should be the URL of a blob holding a Key Vault backup, for example '
    '"https://<account>.blob.core.windows.net/backup/mhsm-account-2020090117323313"'
)


@pytest.mark.parametrize(
    ("folder_url", "container_url", "folder_name"),
    [
        (
            "https://acct.blob.core.windows.net/backup/mhsm-acct-2020090117323313",
            "https://acct.blob.core.windows.net/backup",
            "mhsm-acct-2020090117323313",
        ),
        ("https://a.storage/a/b/c/", "https://a.storage/a", "b/c"),
        ("https://acct.blob.core.windows.net/backup", "https://acct.blob.core.windows.net/backup", ""),
        ("https://acct.blob.core.windows.net/backup/", "https://acct.blob.core.windows.net/backup", ""),
        ("https://a.storage//c/d?sv=2020&sig=secret#frag", "https://a.storage/c", "d"),
        ("http://127.0.0.1:10000/devstoreaccount1/backup", "http://127.0.0.1:10000/devstoreaccount1", "backup"),
        ("container/folder", ":///container", "folder"),
        ("", ":///", ""),
    ],
)
def test_splits_container_and_folder(folder_url: str, container_url: str, folder_name: str) -> None:
    location = parse_folder_url(folder_url)
    assert location == (container_url, folder_name)
    assert isinstance(location, BackupLocation)
    assert (location.container_url, location.folder_name) == (container_url, folder_name)


@pytest.mark.parametrize("folder_url", [None, 5, b"https://a/b/c", ["https://a/b/c"]])
def test_non_strings_are_refused(folder_url: Any) -> None:
    with pytest.raises(ValueError) as error:
        parse_folder_url(folder_url)
    assert str(error.value) == MESSAGE
