"""Backup blobs in Azure Blob Storage (Azurite locally), through ``azure-storage-blob``.

A backup is a folder ``mhsm-<hsm>-<yyyyMMddHHmmss><hundredths>`` in the caller's container::

    <folder>/keys/<key name>.json   every version of one key (material stored as is: this is an emulator)
    <folder>/manifest.json          written last: marks the backup complete, lists the keys

The HSM reaches the container with the caller's SAS token, or with its own storage credential (an account key
from the configured connection string) when the request says ``useManagedIdentity``.

Reading a key's blob back parses and checks its material (:meth:`KeyVersion.from_json`) in a worker thread, so a
restore of many large keys does not hold up the event loop, and a damaged blob fails the job (``InvalidBackup``)
instead of the restored key failing every later read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional, Union

from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError, ServiceRequestError
from azure.storage.blob.aio import ContainerClient

from .backup_jobs import JobError
from .keys_store import KeyVersion

BLOB_API_VERSION = "2025-11-05"
"""Storage API version sent to storage: the newest one Azurite 3.35 knows, and valid for Azure too."""
MANIFEST = "manifest.json"
FORMAT = "mhsm-emulator-backup"

Credential = Union[str, AzureNamedKeyCredential]


@dataclass(frozen=True)
class StorageTarget:
    """Where a job reads or writes: a container URL and how to authenticate."""

    container_url: str
    sas_token: Optional[str]
    use_managed_identity: bool


def folder_name(hsm_name: str, started: datetime) -> str:
    """The service's folder naming: ``mhsm-<hsm>-<yyyyMMddHHmmss><2-digit hundredths>`` (UTC)."""
    return f"mhsm-{hsm_name}-{started:%Y%m%d%H%M%S}{started.microsecond // 10000:02d}"


def account_credential(connection_string: str) -> AzureNamedKeyCredential:
    """The account name and key of a storage connection string (the HSM's own storage identity).

    :raises ValueError: The string has no ``AccountName``/``AccountKey``.
    """
    parts = dict(item.split("=", 1) for item in connection_string.split(";") if "=" in item)
    try:
        return AzureNamedKeyCredential(parts["AccountName"], parts["AccountKey"])
    except KeyError:
        raise ValueError("the storage connection string needs AccountName and AccountKey") from None


def _error_code(exc: Exception) -> Optional[str]:
    """The storage error code as storage wrote it: azure-storage-blob gives known codes as ``StorageErrorCode``
    members, whose ``str()`` would be the Python name (``StorageErrorCode.AUTHORIZATION_FAILURE``)."""
    code = getattr(exc, "error_code", None)
    if code is None:
        return None
    return str(getattr(code, "value", code))


def _storage_error(exc: Exception, action: str, target: StorageTarget) -> JobError:
    """Map a storage failure to the job's error object (no SAS or key in the message)."""
    if isinstance(exc, ServiceRequestError):
        return JobError("StorageUnreachable", f"The storage account could not be reached to {action}.")
    status = getattr(exc, "status_code", None)
    code = _error_code(exc) or "StorageError"
    how = "managed identity" if target.use_managed_identity else "SAS token"
    if status == 403:
        return JobError(
            "AuthorizationFailure",
            f"Access to the storage container '{target.container_url}' was denied with the provided {how} "
            f"(storage error code {code}): could not {action}. Check the token's permissions and expiry.",
        )
    if status == 404 and code == "ContainerNotFound":
        return JobError("ContainerNotFound", f"The storage container '{target.container_url}' does not exist.")
    return JobError("StorageError", f"A storage request failed (HTTP {status}, {code}): could not {action}.")


class BackupStorage:
    """One job's connection to its container (an async context manager).

    :param target: Container and authentication from the request.
    :param account: The HSM's own storage credential, used when the target asks for managed identity.
    """

    def __init__(self, target: StorageTarget, account: Optional[AzureNamedKeyCredential] = None) -> None:
        self.target = target
        credential: Credential
        if target.use_managed_identity:
            if account is None:
                raise JobError("ManagedIdentityNotConfigured", "The HSM has no managed identity for storage.")
            credential = account
        else:
            credential = (target.sas_token or "").lstrip("?")
        self._container = ContainerClient.from_container_url(
            target.container_url,
            credential=credential,
            api_version=BLOB_API_VERSION,
            retry_total=1,
            # One quick retry: the storage default waits ~15 s, so an unreachable container took ~20 s to fail.
            initial_backoff=1,
            increment_base=1,
            random_jitter_range=0.5,
            connection_timeout=10,
            read_timeout=60,
        )

    async def __aenter__(self) -> BackupStorage:
        await self._container.__aenter__()
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self._container.__aexit__(*args)

    async def _upload(self, name: str, data: Mapping[str, Any]) -> None:
        try:
            await self._container.upload_blob(name, json.dumps(data).encode("utf-8"), overwrite=True)
        except (HttpResponseError, ServiceRequestError) as exc:
            raise _storage_error(exc, "write the backup", self.target) from None

    async def _download(self, name: str, missing: JobError) -> Any:
        try:
            stream = await self._container.download_blob(name)
            return json.loads(await stream.readall())
        except ResourceNotFoundError as exc:
            if _error_code(exc) == "ContainerNotFound":
                raise _storage_error(exc, "read the backup", self.target) from None
            raise missing from None
        except (HttpResponseError, ServiceRequestError) as exc:
            raise _storage_error(exc, "read the backup", self.target) from None
        except ValueError:
            raise JobError("InvalidBackup", f"The backup blob '{name}' is not valid.") from None

    # ---- backup ----

    async def write_backup(self, folder: str, keys: Mapping[str, list[KeyVersion]], hsm_name: str) -> None:
        """Write every key, then the manifest."""
        for name, versions in keys.items():
            await self._upload(
                f"{folder}/keys/{name}.json", {"name": name, "versions": [v.to_json() for v in versions]}
            )
        await self._upload(
            f"{folder}/{MANIFEST}", {"format": FORMAT, "version": 1, "hsm": hsm_name, "keys": sorted(keys)}
        )

    async def check_writable(self, probe: str) -> None:
        """Pre-backup: write and delete a small probe blob."""
        await self._upload(probe, {"format": FORMAT, "probe": True})
        try:
            await self._container.delete_blob(probe)
        except (HttpResponseError, ServiceRequestError) as exc:
            raise _storage_error(exc, "write the backup", self.target) from None

    # ---- restore ----

    async def read_manifest(self, folder: str) -> dict[str, Any]:
        """The manifest of a backup folder.

        :raises JobError: The folder holds no complete backup.
        """
        missing = JobError(
            "FolderNotFound",
            f"No backup was found in the folder '{folder}' of the storage container '{self.target.container_url}'.",
        )
        manifest = await self._download(f"{folder}/{MANIFEST}", missing)
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT
            or not isinstance(manifest.get("keys"), list)
        ):
            raise JobError("InvalidBackup", f"The folder '{folder}' does not hold a backup of this HSM type.")
        return manifest

    async def read_key(self, folder: str, name: str) -> list[KeyVersion]:
        """Every version of one key in a backup.

        :raises JobError: The key is not in the backup, or its blob is invalid.
        """
        missing = JobError("KeyNotFound", f"The key '{name}' was not found in the backup folder '{folder}'.")
        data = await self._download(f"{folder}/keys/{name}.json", missing)
        try:
            return await asyncio.to_thread(_key_versions, data)
        except (KeyError, TypeError, ValueError):
            raise JobError("InvalidBackup", f"The backup of key '{name}' is not valid.") from None

    async def read_all_keys(self, folder: str) -> dict[str, list[KeyVersion]]:
        """Every key of a complete backup."""
        manifest = await self.read_manifest(folder)
        return {str(name): await self.read_key(folder, str(name)) for name in manifest["keys"]}


def _key_versions(data: Any) -> list[KeyVersion]:
    """The versions in a key's backup blob, their material checked (CPU work, run in a worker thread)."""
    return [KeyVersion.from_json(item) for item in data["versions"]]
