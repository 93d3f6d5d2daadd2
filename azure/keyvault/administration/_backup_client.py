"""KeyVaultBackupClient: full backups, restores and selective key restores of a Managed HSM."""

from __future__ import annotations

from typing import Any, Literal, Optional, overload

from azure.core.exceptions import ResourceExistsError
from azure.core.polling import LROPoller
from azure.core.tracing.decorator import distributed_trace

from ._backup_common import (
    BackupCall,
    StartAttempts,
    plan_backup,
    plan_pre_backup,
    plan_pre_restore,
    plan_restore,
    return_pipeline_response,
)
from ._internal.client_base import KeyVaultClientBase
from ._internal.polling import KeyVaultBackupClientPollingMethod
from ._models import KeyVaultBackupResult


class KeyVaultBackupClient(KeyVaultClientBase):
    """Performs Managed HSM full backups, restores and selective key restores.

    Backups are written to, and restored from, an Azure Blob Storage container that the HSM reaches with a
    Shared Access Signature (SAS) token or with its managed identity.

    :param str vault_url: URL of the Managed HSM, for example ``https://<name>.managedhsm.azure.net``.
    :param credential: An object that can provide an access token for the HSM, such as a credential from
        :mod:`azure.identity`.
    :type credential: ~azure.core.credentials.TokenCredential

    :keyword api_version: Version of the service API to use. Defaults to the most recent.
    :paramtype api_version: ~azure.keyvault.administration.ApiVersion or str
    :keyword bool verify_challenge_resource: Whether the authentication challenge's resource must match the HSM's
        domain. Defaults to True.

    Every ``begin_*`` method returns a poller and also accepts ``polling_interval`` (seconds between status checks
    when the service does not say; default 5), ``polling`` (False for no polling, or a custom polling method) and
    any azure-core per-request keyword (``headers``, ``logging_enable``, ...), which applies to every request of the
    operation.
    """

    def _begin(self, call: BackupCall) -> LROPoller[Any]:
        location = call.resume_location()  # a malformed token fails here, before any request
        if location:
            # Fetch the job's status from this client's HSM; polling then continues at the token's URL.
            status_operation = getattr(self._client, call.status_operation)
            initial = status_operation(
                vault_base_url=self._vault_url,
                job_id=location.job_id,
                cls=return_pipeline_response,
                **call.operation_config,
            )
            call.check_resumed()
            status_url: Optional[str] = location.status_url
        else:
            start = getattr(self._client, call.initial_operation)
            attempts = StartAttempts(call.operation_config, self._client)
            try:
                initial = start(vault_base_url=self._vault_url, **call.initial_kwargs, **attempts.operation_config)
            except ResourceExistsError as error:
                attempts.explain(error)  # a 409 answering azure-core's retry of a try the HSM had accepted
                raise
            status_url = None
        polling_method = call.polling_method(KeyVaultBackupClientPollingMethod, status_url)
        return LROPoller(self._client._client, initial, call.result, polling_method)

    @overload
    def begin_backup(
        self,
        blob_storage_url: str,
        *,
        use_managed_identity: Literal[True],
        continuation_token: Optional[str] = None,
        **kwargs: Any,
    ) -> LROPoller[KeyVaultBackupResult]: ...

    @overload
    def begin_backup(
        self,
        blob_storage_url: str,
        *,
        sas_token: str,
        continuation_token: Optional[str] = None,
        **kwargs: Any,
    ) -> LROPoller[KeyVaultBackupResult]: ...

    @overload
    def begin_backup(
        self, blob_storage_url: str, *, continuation_token: str, **kwargs: Any
    ) -> LROPoller[KeyVaultBackupResult]: ...  # resuming needs neither sas_token nor use_managed_identity

    @distributed_trace
    def begin_backup(self, blob_storage_url: str, *args: str, **kwargs: Any) -> LROPoller[KeyVaultBackupResult]:
        """Start a full backup of the HSM into a blob storage container.

        :param str blob_storage_url: URL of the blob container that receives the backup, for example
            ``https://<account>.blob.core.windows.net/backup``.

        :keyword str sas_token: A SAS token granting the HSM access to the container. Required unless
            ``use_managed_identity`` is True. (Also accepted as the second positional argument, for compatibility.)
        :keyword bool use_managed_identity: Whether the HSM authenticates to storage with its managed identity
            instead of a SAS token. Defaults to False.
        :keyword str continuation_token: A token from a poller's ``continuation_token()``: resumes that operation
            instead of starting a new one.

        :returns: A poller. Its ``result()`` waits for the backup and returns a
            :class:`~azure.keyvault.administration.KeyVaultBackupResult` whose ``folder_url`` is the backup's URL.
        :rtype: ~azure.core.polling.LROPoller[~azure.keyvault.administration.KeyVaultBackupResult]
        :raises ~azure.core.exceptions.ResourceExistsError: Another backup or restore is in progress (409 Conflict);
            the HSM runs one at a time. The message says so when azure-core had retried this request.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; ``result()`` raises it
            when the backup fails.
        :raises ValueError: The continuation token is malformed.
        """
        return self._begin(plan_backup(blob_storage_url, args, kwargs))

    @overload
    def begin_restore(
        self,
        folder_url: str,
        *,
        use_managed_identity: Literal[True],
        key_name: Optional[str] = None,
        continuation_token: Optional[str] = None,
        **kwargs: Any,
    ) -> LROPoller[None]: ...

    @overload
    def begin_restore(
        self,
        folder_url: str,
        *,
        sas_token: str,
        key_name: Optional[str] = None,
        continuation_token: Optional[str] = None,
        **kwargs: Any,
    ) -> LROPoller[None]: ...

    @overload
    def begin_restore(
        self, folder_url: str, *, continuation_token: str, **kwargs: Any
    ) -> LROPoller[None]: ...  # resuming needs neither sas_token nor use_managed_identity

    @distributed_trace
    def begin_restore(self, folder_url: str, *args: str, **kwargs: Any) -> LROPoller[None]:
        """Restore the HSM from a full backup, or only one key of it when ``key_name`` is given.

        :param str folder_url: URL of the backup folder, the ``folder_url`` of a
            :class:`~azure.keyvault.administration.KeyVaultBackupResult`, for example
            ``https://<account>.blob.core.windows.net/backup/mhsm-account-2020090117323313``.

        :keyword str sas_token: A SAS token granting the HSM access to the container. Required unless
            ``use_managed_identity`` is True. (Also accepted as the second positional argument, for compatibility.)
        :keyword bool use_managed_identity: Whether the HSM authenticates to storage with its managed identity
            instead of a SAS token. Defaults to False.
        :keyword str key_name: The name of one key in the backup: restore only this key (all its versions).
        :keyword str continuation_token: A token from a poller's ``continuation_token()``: resumes that operation
            instead of starting a new one.

        :returns: A poller; ``wait()`` or ``result()`` waits for the restore (the result is None).
        :rtype: ~azure.core.polling.LROPoller[None]
        :raises ~azure.core.exceptions.ResourceExistsError: Another backup or restore is in progress (409 Conflict);
            the HSM runs one at a time. The message says so when azure-core had retried this request.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; ``result()`` raises it
            when the restore fails.
        :raises ValueError: ``folder_url`` is not a string, or the continuation token is malformed.
        """
        return self._begin(plan_restore(folder_url, args, kwargs))

    @overload
    def begin_pre_backup(
        self,
        blob_storage_url: str,
        *,
        use_managed_identity: Literal[True],
        continuation_token: Optional[str] = None,
        **kwargs: Any,
    ) -> LROPoller[None]: ...

    @overload
    def begin_pre_backup(
        self,
        blob_storage_url: str,
        *,
        sas_token: str,
        continuation_token: Optional[str] = None,
        **kwargs: Any,
    ) -> LROPoller[None]: ...

    @overload
    def begin_pre_backup(
        self, blob_storage_url: str, *, continuation_token: str, **kwargs: Any
    ) -> LROPoller[None]: ...  # resuming needs neither sas_token nor use_managed_identity

    @distributed_trace
    def begin_pre_backup(self, blob_storage_url: str, **kwargs: Any) -> LROPoller[None]:
        """Check whether a full backup into the given container could be made, without making it.

        Needs service API version 7.6-preview.2 or newer.

        :param str blob_storage_url: URL of the blob container that would receive the backup.

        :keyword str sas_token: A SAS token granting the HSM access to the container. Required unless
            ``use_managed_identity`` is True.
        :keyword bool use_managed_identity: Whether the HSM authenticates to storage with its managed identity.
            Defaults to False.
        :keyword str continuation_token: A token from a poller's ``continuation_token()``: resumes that check.

        :returns: A poller; ``wait()`` raises if the check fails (the result is None).
        :rtype: ~azure.core.polling.LROPoller[None]
        :raises ValueError: The client's API version has no pre-backup check, or the continuation token is
            malformed.
        :raises ~azure.core.exceptions.ResourceExistsError: Another backup or restore is in progress (409 Conflict);
            the HSM runs one at a time. The message says so when azure-core had retried this request.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request.
        """
        return self._begin(plan_pre_backup(blob_storage_url, self.api_version, kwargs))

    @overload
    def begin_pre_restore(
        self,
        folder_url: str,
        *,
        use_managed_identity: Literal[True],
        continuation_token: Optional[str] = None,
        **kwargs: Any,
    ) -> LROPoller[None]: ...

    @overload
    def begin_pre_restore(
        self,
        folder_url: str,
        *,
        sas_token: str,
        continuation_token: Optional[str] = None,
        **kwargs: Any,
    ) -> LROPoller[None]: ...

    @overload
    def begin_pre_restore(
        self, folder_url: str, *, continuation_token: str, **kwargs: Any
    ) -> LROPoller[None]: ...  # resuming needs neither sas_token nor use_managed_identity

    @distributed_trace
    def begin_pre_restore(self, folder_url: str, **kwargs: Any) -> LROPoller[None]:
        """Check whether a full restore from the given backup could be made, without making it.

        Needs service API version 7.6-preview.2 or newer.

        :param str folder_url: URL of the backup folder, for example
            ``https://<account>.blob.core.windows.net/backup/mhsm-account-2020090117323313``.

        :keyword str sas_token: A SAS token granting the HSM access to the container. Required unless
            ``use_managed_identity`` is True.
        :keyword bool use_managed_identity: Whether the HSM authenticates to storage with its managed identity.
            Defaults to False.
        :keyword str continuation_token: A token from a poller's ``continuation_token()``: resumes that check.

        :returns: A poller; ``wait()`` raises if the check fails (the result is None).
        :rtype: ~azure.core.polling.LROPoller[None]
        :raises ValueError: The client's API version has no pre-restore check, ``folder_url`` is not a string, or
            the continuation token is malformed.
        :raises ~azure.core.exceptions.ResourceExistsError: Another backup or restore is in progress (409 Conflict);
            the HSM runs one at a time. The message says so when azure-core had retried this request.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request.
        """
        return self._begin(plan_pre_restore(folder_url, self.api_version, kwargs))

    def __enter__(self) -> KeyVaultBackupClient:
        super().__enter__()
        return self
