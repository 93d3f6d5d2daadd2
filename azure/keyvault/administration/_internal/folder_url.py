"""Splitting a backup folder URL into the storage container and the folder inside it."""

from typing import Any, NamedTuple
from urllib.parse import urlparse

_INVALID_FOLDER_URL = (
    '"folder_url" should be the URL of a blob holding a Key Vault backup, for example '
    '"https://<account>.blob.core.windows.net/backup/mhsm-account-2020090117323313"'
)


class BackupLocation(NamedTuple):
    """Where a Key Vault backup lives: the blob container's URL and the folder (blob prefix) inside it."""

    container_url: str
    folder_name: str


def parse_folder_url(folder_url: Any) -> BackupLocation:
    """Split the URL of a backup folder into its container URL and folder name.

    The first path segment is the container; the rest of the path, without outer slashes, is the folder.
    Query string and fragment (e.g. a SAS token) are dropped. No other validation is done.

    :param str folder_url: e.g. ``https://<account>.blob.core.windows.net/backup/mhsm-account-2020090117323313``
    :returns: the container URL and folder name
    :rtype: BackupLocation
    :raises ValueError: when ``folder_url`` is not a string
    """
    if not isinstance(folder_url, str):
        raise ValueError(_INVALID_FOLDER_URL)
    parsed = urlparse(folder_url)
    container, _, folder = parsed.path.strip("/").partition("/")
    return BackupLocation(f"{parsed.scheme}://{parsed.netloc}/{container}", folder.strip("/"))
