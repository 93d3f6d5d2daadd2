"""Async operations: the twin of ``.._operations`` with awaitable senders.

Public methods mirror the sync ones name for name and signature for signature (a test checks
this); list methods are plain functions returning AsyncItemPaged, everything else is a coroutine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable, Mapping, Optional, cast

from azure.core.async_paging import AsyncItemPaged, AsyncList
from azure.core.pipeline import PipelineResponse
from azure.core.polling import AsyncLROPoller, AsyncNoPolling
from azure.core.polling.async_base_polling import AsyncLROBasePolling

from .. import _request_builders as _rb
from .._api_versions import check_available
from .._operation_core import LroSettings, OperationsCore, decode_continuation_token, encode_continuation_token
from .._request_builders import OperationSpec

if TYPE_CHECKING:
    from .. import models as _models


class _ResumableAsyncNoPolling(AsyncNoPolling):
    """Async twin of the sync ``_ResumableNoPolling``: ``polling=False`` with a working continuation token."""

    def get_continuation_token(self) -> str:
        return encode_continuation_token(cast(PipelineResponse, self._initial_response))

    @classmethod
    def from_continuation_token(cls, continuation_token: str, **kwargs: Any) -> tuple[Any, Any, Any]:
        return decode_continuation_token(continuation_token, **kwargs)


class _AsyncOperations(OperationsCore):
    """Sends requests through the async pipeline."""

    async def _send(self, call: Any, kwargs: Mapping[str, Any]) -> PipelineResponse:
        return await self._client._pipeline.run(call.request, stream=False, **kwargs)

    async def _call(
        self,
        spec: OperationSpec,
        vault_base_url: str,
        path: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        raw: bool = False,
        **kwargs: Any,
    ) -> Any:
        call = self._prepare(spec, vault_base_url, kwargs, path=path, body=body)
        return self._result(call, await self._send(call, kwargs), raw=raw)

    def _list(
        self,
        spec: OperationSpec,
        vault_base_url: str,
        path: Mapping[str, Any],
        query: Mapping[str, Any],
        **kwargs: Any,
    ) -> AsyncItemPaged:
        # Nothing is sent (and nothing validated) until the first page is requested.
        cls = kwargs.pop("cls", None)
        paged_type = kwargs.pop("_paged_type", AsyncItemPaged)  # a caller may ask for a subclass (e.g. re-iterable)

        async def get_next(next_link: Optional[str] = None) -> PipelineResponse:
            call_kwargs = dict(kwargs)
            call = self._prepare(spec, vault_base_url, call_kwargs, path=path, query=query)
            if next_link:
                call.request = self._next_page_request(next_link, vault_base_url)
            pipeline_response = await self._send(call, call_kwargs)
            self._check_status(spec.status, pipeline_response, call.error_map)
            return pipeline_response

        async def extract_data(pipeline_response: PipelineResponse) -> tuple[Optional[str], AsyncIterator[Any]]:
            next_link, items = self._page_items(spec, pipeline_response, cls)
            return next_link, AsyncList(items)

        return paged_type(get_next, extract_data)

    async def _begin(
        self,
        spec: OperationSpec,
        initial: Callable[..., Awaitable[PipelineResponse]],
        vault_base_url: str,
        arguments: Mapping[str, Any],
        **kwargs: Any,
    ) -> AsyncLROPoller:
        check_available(spec.name, self._config.api_version)
        settings = LroSettings(kwargs, self._config.polling_interval)
        raw_result = None
        if settings.continuation_token is None:
            raw_result = await initial(vault_base_url, **arguments, **kwargs)
        polling_method = self._polling_method(
            spec, settings, vault_base_url, kwargs, AsyncLROBasePolling, _ResumableAsyncNoPolling
        )
        output = self._lro_output(spec, settings.cls)
        if settings.continuation_token is not None:  # "" is a malformed token, not "no token"
            return AsyncLROPoller.from_continuation_token(
                polling_method=polling_method,
                continuation_token=settings.continuation_token,
                client=self._client,
                deserialization_callback=output,
            )
        return AsyncLROPoller(self._client, raw_result, output, polling_method)


class RoleDefinitionsOperations(_AsyncOperations):
    """Role definition operations (``KeyVaultClient.role_definitions``); do not instantiate directly."""

    async def delete(
        self, vault_base_url: str, scope: str, role_definition_name: str, **kwargs: Any
    ) -> _models.RoleDefinition:
        """Delete a custom role definition (200, returns the deleted definition).

        :param str vault_base_url: The vault URL, e.g. ``https://myhsm.managedhsm.azure.net``.
        :param str scope: The scope, inserted raw; ``"/"`` for Managed HSM definitions.
        :param str role_definition_name: The definition's name (a GUID), percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.RoleDefinition
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        path = {"scope": scope, "roleDefinitionName": role_definition_name}
        return await self._call(_rb.ROLE_DEFINITIONS_DELETE, vault_base_url, path, **kwargs)

    async def create_or_update(
        self,
        vault_base_url: str,
        scope: str,
        role_definition_name: str,
        parameters: _models.RoleDefinitionCreateParameters,
        **kwargs: Any,
    ) -> _models.RoleDefinition:
        """Create or update a custom role definition (201 both ways).

        :param str vault_base_url: The vault URL.
        :param str scope: The scope, inserted raw.
        :param str role_definition_name: The definition's name (a GUID), percent-quoted.
        :param parameters: The definition to store.
        :type parameters: ~azure.keyvault.administration._generated.models.RoleDefinitionCreateParameters
        :rtype: ~azure.keyvault.administration._generated.models.RoleDefinition
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        path = {"scope": scope, "roleDefinitionName": role_definition_name}
        return await self._call(_rb.ROLE_DEFINITIONS_CREATE_OR_UPDATE, vault_base_url, path, parameters, **kwargs)

    async def get(
        self, vault_base_url: str, scope: str, role_definition_name: str, **kwargs: Any
    ) -> _models.RoleDefinition:
        """Get a role definition (200).

        :param str vault_base_url: The vault URL.
        :param str scope: The scope, inserted raw.
        :param str role_definition_name: The definition's name, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.RoleDefinition
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        path = {"scope": scope, "roleDefinitionName": role_definition_name}
        return await self._call(_rb.ROLE_DEFINITIONS_GET, vault_base_url, path, **kwargs)

    def list(
        self, vault_base_url: str, scope: str, filter: Optional[str] = None, **kwargs: Any
    ) -> AsyncItemPaged[_models.RoleDefinition]:
        """List role definitions lazily, following ``nextLink``.

        :param str vault_base_url: The vault URL.
        :param str scope: The scope, inserted raw.
        :param str filter: Sent as ``$filter`` when given (e.g. ``atScopeAndBelow()``).
        :returns: Role definitions; ``cls=`` maps each page's item list.
        :rtype: ~azure.core.paging.AsyncItemPaged[~azure.keyvault.administration._generated.models.RoleDefinition]
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return self._list(_rb.ROLE_DEFINITIONS_LIST, vault_base_url, {"scope": scope}, {"$filter": filter}, **kwargs)


class RoleAssignmentsOperations(_AsyncOperations):
    """Role assignment operations (``KeyVaultClient.role_assignments``); do not instantiate directly."""

    async def delete(
        self, vault_base_url: str, scope: str, role_assignment_name: str, **kwargs: Any
    ) -> _models.RoleAssignment:
        """Delete a role assignment (200, returns the deleted assignment).

        :param str vault_base_url: The vault URL.
        :param str scope: The scope, inserted raw.
        :param str role_assignment_name: The assignment's name, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.RoleAssignment
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        path = {"scope": scope, "roleAssignmentName": role_assignment_name}
        return await self._call(_rb.ROLE_ASSIGNMENTS_DELETE, vault_base_url, path, **kwargs)

    async def create(
        self,
        vault_base_url: str,
        scope: str,
        role_assignment_name: str,
        parameters: _models.RoleAssignmentCreateParameters,
        **kwargs: Any,
    ) -> _models.RoleAssignment:
        """Create a role assignment (201).

        :param str vault_base_url: The vault URL.
        :param str scope: The scope, inserted raw.
        :param str role_assignment_name: The assignment's name (a GUID), percent-quoted.
        :param parameters: The principal and role definition to assign.
        :type parameters: ~azure.keyvault.administration._generated.models.RoleAssignmentCreateParameters
        :rtype: ~azure.keyvault.administration._generated.models.RoleAssignment
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        path = {"scope": scope, "roleAssignmentName": role_assignment_name}
        return await self._call(_rb.ROLE_ASSIGNMENTS_CREATE, vault_base_url, path, parameters, **kwargs)

    async def get(
        self, vault_base_url: str, scope: str, role_assignment_name: str, **kwargs: Any
    ) -> _models.RoleAssignment:
        """Get a role assignment (200).

        :param str vault_base_url: The vault URL.
        :param str scope: The scope, inserted raw.
        :param str role_assignment_name: The assignment's name, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.RoleAssignment
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        path = {"scope": scope, "roleAssignmentName": role_assignment_name}
        return await self._call(_rb.ROLE_ASSIGNMENTS_GET, vault_base_url, path, **kwargs)

    def list_for_scope(
        self, vault_base_url: str, scope: str, filter: Optional[str] = None, **kwargs: Any
    ) -> AsyncItemPaged[_models.RoleAssignment]:
        """List role assignments lazily, following ``nextLink``.

        :param str vault_base_url: The vault URL.
        :param str scope: The scope, inserted raw.
        :param str filter: Sent as ``$filter`` when given (``atScope()`` or ``principalId eq {id}``).
        :rtype: ~azure.core.paging.AsyncItemPaged[~azure.keyvault.administration._generated.models.RoleAssignment]
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        spec = _rb.ROLE_ASSIGNMENTS_LIST_FOR_SCOPE
        return self._list(spec, vault_base_url, {"scope": scope}, {"$filter": filter}, **kwargs)


class KeyVaultClientOperationsMixin(_AsyncOperations):
    """Backup, restore, settings and EKM operations, mixed into :class:`KeyVaultClient`.

    ``begin_*`` methods accept ``polling`` (True: LROBasePolling following ``Azure-AsyncOperation``; for
    backup/restore jobs with no final GET, for EKM private endpoints with azure-core's final GET of a POST's
    ``Location``; False: AsyncNoPolling with a resumable continuation token; or a polling method instance, used as
    given), ``polling_interval`` (default from the configuration, 30 s), ``continuation_token`` and ``cls``.
    Their ``_*_initial`` halves send the first request, require 202 and return the raw PipelineResponse.
    """

    # -- full backup -------------------------------------------------------------------------

    async def _full_backup_initial(
        self,
        vault_base_url: str,
        azure_storage_blob_container_uri: Optional[_models.SASTokenParameter] = None,
        **kwargs: Any,
    ) -> PipelineResponse:
        return await self._call(
            _rb.FULL_BACKUP, vault_base_url, body=azure_storage_blob_container_uri, raw=True, **kwargs
        )

    async def begin_full_backup(
        self,
        vault_base_url: str,
        azure_storage_blob_container_uri: Optional[_models.SASTokenParameter] = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[_models.FullBackupOperation]:
        """Start a full backup of the HSM into a blob container (POST /backup, 202).

        :param str vault_base_url: The vault URL.
        :param azure_storage_blob_container_uri: The container and its credential.
        :type azure_storage_blob_container_uri: ~azure.keyvault.administration._generated.models.SASTokenParameter
        :rtype: ~azure.core.polling.AsyncLROPoller[~azure.keyvault.administration._generated.models.FullBackupOperation]
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        arguments = {"azure_storage_blob_container_uri": azure_storage_blob_container_uri}
        return await self._begin(_rb.FULL_BACKUP, self._full_backup_initial, vault_base_url, arguments, **kwargs)

    async def full_backup_status(self, vault_base_url: str, job_id: str, **kwargs: Any) -> _models.FullBackupOperation:
        """Get the status of a backup or pre-backup job (GET /backup/{jobId}/pending, 200).

        :param str vault_base_url: The vault URL.
        :param str job_id: The job id, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.FullBackupOperation
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.FULL_BACKUP_STATUS, vault_base_url, {"jobId": job_id}, **kwargs)

    async def _pre_full_backup_initial(
        self,
        vault_base_url: str,
        pre_backup_operation_parameters: Optional[_models.PreBackupOperationParameters] = None,
        **kwargs: Any,
    ) -> PipelineResponse:
        body = pre_backup_operation_parameters
        return await self._call(_rb.PRE_FULL_BACKUP, vault_base_url, body=body, raw=True, **kwargs)

    async def begin_pre_full_backup(
        self,
        vault_base_url: str,
        pre_backup_operation_parameters: Optional[_models.PreBackupOperationParameters] = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[_models.FullBackupOperation]:
        """Check that a full backup could run (POST /prebackup, 202; api-version 7.6+).

        :param str vault_base_url: The vault URL.
        :param pre_backup_operation_parameters: The container and its credential.
        :type pre_backup_operation_parameters:
         ~azure.keyvault.administration._generated.models.PreBackupOperationParameters
        :rtype: ~azure.core.polling.AsyncLROPoller[~azure.keyvault.administration._generated.models.FullBackupOperation]
        :raises ValueError: The client's api-version is a known version older than 7.6.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        arguments = {"pre_backup_operation_parameters": pre_backup_operation_parameters}
        return await self._begin(
            _rb.PRE_FULL_BACKUP, self._pre_full_backup_initial, vault_base_url, arguments, **kwargs
        )

    # -- full restore ------------------------------------------------------------------------

    async def _full_restore_operation_initial(
        self,
        vault_base_url: str,
        restore_blob_details: Optional[_models.RestoreOperationParameters] = None,
        **kwargs: Any,
    ) -> PipelineResponse:
        spec = _rb.FULL_RESTORE_OPERATION
        return await self._call(spec, vault_base_url, body=restore_blob_details, raw=True, **kwargs)

    async def begin_full_restore_operation(
        self,
        vault_base_url: str,
        restore_blob_details: Optional[_models.RestoreOperationParameters] = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[_models.RestoreOperation]:
        """Restore the whole HSM from a backup folder (PUT /restore, 202).

        :param str vault_base_url: The vault URL.
        :param restore_blob_details: The container, its credential and the backup folder.
        :type restore_blob_details: ~azure.keyvault.administration._generated.models.RestoreOperationParameters
        :rtype: ~azure.core.polling.AsyncLROPoller[~azure.keyvault.administration._generated.models.RestoreOperation]
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        spec, initial = _rb.FULL_RESTORE_OPERATION, self._full_restore_operation_initial
        return await self._begin(
            spec, initial, vault_base_url, {"restore_blob_details": restore_blob_details}, **kwargs
        )

    async def restore_status(self, vault_base_url: str, job_id: str, **kwargs: Any) -> _models.RestoreOperation:
        """Get the status of a restore or pre-restore job (GET /restore/{jobId}/pending, 200).

        :param str vault_base_url: The vault URL.
        :param str job_id: The job id, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.RestoreOperation
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.RESTORE_STATUS, vault_base_url, {"jobId": job_id}, **kwargs)

    async def _pre_full_restore_operation_initial(
        self,
        vault_base_url: str,
        pre_restore_operation_parameters: Optional[_models.PreRestoreOperationParameters] = None,
        **kwargs: Any,
    ) -> PipelineResponse:
        body = pre_restore_operation_parameters
        return await self._call(_rb.PRE_FULL_RESTORE_OPERATION, vault_base_url, body=body, raw=True, **kwargs)

    async def begin_pre_full_restore_operation(
        self,
        vault_base_url: str,
        pre_restore_operation_parameters: Optional[_models.PreRestoreOperationParameters] = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[_models.RestoreOperation]:
        """Check that a full restore could run (PUT /prerestore, 202; api-version 7.6+).

        :param str vault_base_url: The vault URL.
        :param pre_restore_operation_parameters: The backup folder and its credential.
        :type pre_restore_operation_parameters:
         ~azure.keyvault.administration._generated.models.PreRestoreOperationParameters
        :rtype: ~azure.core.polling.AsyncLROPoller[~azure.keyvault.administration._generated.models.RestoreOperation]
        :raises ValueError: The client's api-version is a known version older than 7.6.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        spec, initial = _rb.PRE_FULL_RESTORE_OPERATION, self._pre_full_restore_operation_initial
        arguments = {"pre_restore_operation_parameters": pre_restore_operation_parameters}
        return await self._begin(spec, initial, vault_base_url, arguments, **kwargs)

    # -- selective key restore ---------------------------------------------------------------

    async def _selective_key_restore_operation_initial(
        self,
        vault_base_url: str,
        key_name: str,
        restore_blob_details: Optional[_models.SelectiveKeyRestoreOperationParameters] = None,
        **kwargs: Any,
    ) -> PipelineResponse:
        spec, path = _rb.SELECTIVE_KEY_RESTORE_OPERATION, {"keyName": key_name}
        return await self._call(spec, vault_base_url, path, body=restore_blob_details, raw=True, **kwargs)

    async def begin_selective_key_restore_operation(
        self,
        vault_base_url: str,
        key_name: str,
        restore_blob_details: Optional[_models.SelectiveKeyRestoreOperationParameters] = None,
        **kwargs: Any,
    ) -> AsyncLROPoller[_models.SelectiveKeyRestoreOperation]:
        """Restore one key from a backup folder (PUT /keys/{keyName}/restore, 202).

        :param str vault_base_url: The vault URL.
        :param str key_name: The key to restore, percent-quoted.
        :param restore_blob_details: The container, its credential and the backup folder.
        :type restore_blob_details:
         ~azure.keyvault.administration._generated.models.SelectiveKeyRestoreOperationParameters
        :rtype: ~azure.core.polling.AsyncLROPoller[
         ~azure.keyvault.administration._generated.models.SelectiveKeyRestoreOperation]
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        spec, initial = _rb.SELECTIVE_KEY_RESTORE_OPERATION, self._selective_key_restore_operation_initial
        arguments = {"key_name": key_name, "restore_blob_details": restore_blob_details}
        return await self._begin(spec, initial, vault_base_url, arguments, **kwargs)

    async def selective_key_restore_status(
        self, vault_base_url: str, job_id: str, **kwargs: Any
    ) -> _models.SelectiveKeyRestoreOperation:
        """Get the status of a selective key restore job (GET /restore/{jobId}/pending, 200).

        :param str vault_base_url: The vault URL.
        :param str job_id: The job id, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.SelectiveKeyRestoreOperation
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.SELECTIVE_KEY_RESTORE_STATUS, vault_base_url, {"jobId": job_id}, **kwargs)

    # -- settings ----------------------------------------------------------------------------

    async def get_settings(self, vault_base_url: str, **kwargs: Any) -> _models.SettingsListResult:
        """List all account settings (GET /settings, 200; api-version 7.4+).

        :param str vault_base_url: The vault URL.
        :rtype: ~azure.keyvault.administration._generated.models.SettingsListResult
        :raises ValueError: The client's api-version is a known version older than 7.4.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.GET_SETTINGS, vault_base_url, **kwargs)

    async def get_setting(self, vault_base_url: str, setting_name: str, **kwargs: Any) -> _models.Setting:
        """Get one account setting (GET /settings/{setting-name}, 200; api-version 7.4+).

        :param str vault_base_url: The vault URL.
        :param str setting_name: The setting's name, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.Setting
        :raises ValueError: The client's api-version is a known version older than 7.4.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.GET_SETTING, vault_base_url, {"setting-name": setting_name}, **kwargs)

    async def update_setting(
        self,
        vault_base_url: str,
        setting_name: str,
        parameters: _models.UpdateSettingRequest,
        **kwargs: Any,
    ) -> _models.Setting:
        """Change an account setting (PATCH /settings/{setting-name}, 200; api-version 7.4+).

        :param str vault_base_url: The vault URL.
        :param str setting_name: The setting's name, percent-quoted.
        :param parameters: The new value.
        :type parameters: ~azure.keyvault.administration._generated.models.UpdateSettingRequest
        :rtype: ~azure.keyvault.administration._generated.models.Setting
        :raises ValueError: The client's api-version is a known version older than 7.4.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        path = {"setting-name": setting_name}
        return await self._call(_rb.UPDATE_SETTING, vault_base_url, path, parameters, **kwargs)

    # -- External Key Manager: connection (api-versions 2026-01-01-preview ... 2026-07-01-preview) --------

    async def get_ekm_connection(self, vault_base_url: str, **kwargs: Any) -> _models.EkmConnection:
        """Get the HSM's EKM connection (GET /ekm, 200).

        :param str vault_base_url: The vault URL.
        :rtype: ~azure.keyvault.administration._generated.models.EkmConnection
        :raises ValueError: The client's api-version has no EKM connection operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.GET_EKM_CONNECTION, vault_base_url, **kwargs)

    async def create_ekm_connection(
        self, vault_base_url: str, ekm_connection: _models.EkmConnection, **kwargs: Any
    ) -> _models.EkmConnection:
        """Create the HSM's EKM connection (POST /ekm/create, 200; refused when one exists).

        :param str vault_base_url: The vault URL.
        :param ekm_connection: The connection to create.
        :type ekm_connection: ~azure.keyvault.administration._generated.models.EkmConnection
        :rtype: ~azure.keyvault.administration._generated.models.EkmConnection
        :raises ValueError: The client's api-version has no EKM connection operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.CREATE_EKM_CONNECTION, vault_base_url, body=ekm_connection, **kwargs)

    async def update_ekm_connection(
        self, vault_base_url: str, ekm_connection: _models.EkmConnection, **kwargs: Any
    ) -> _models.EkmConnection:
        """Update the HSM's EKM connection (PATCH /ekm, 200; refused when there is none).

        :param str vault_base_url: The vault URL.
        :param ekm_connection: The connection's new members (members left as None are not sent).
        :type ekm_connection: ~azure.keyvault.administration._generated.models.EkmConnection
        :rtype: ~azure.keyvault.administration._generated.models.EkmConnection
        :raises ValueError: The client's api-version has no EKM connection operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.UPDATE_EKM_CONNECTION, vault_base_url, body=ekm_connection, **kwargs)

    async def delete_ekm_connection(self, vault_base_url: str, **kwargs: Any) -> _models.EkmConnection:
        """Delete the HSM's EKM connection (DELETE /ekm, 200, returns the deleted connection).

        :param str vault_base_url: The vault URL.
        :rtype: ~azure.keyvault.administration._generated.models.EkmConnection
        :raises ValueError: The client's api-version has no EKM connection operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.DELETE_EKM_CONNECTION, vault_base_url, **kwargs)

    async def get_ekm_certificate(self, vault_base_url: str, **kwargs: Any) -> _models.EkmProxyClientCertificateInfo:
        """Get the client certificate the HSM presents to EKM proxies (GET /ekm/certificate, 200).

        :param str vault_base_url: The vault URL.
        :rtype: ~azure.keyvault.administration._generated.models.EkmProxyClientCertificateInfo
        :raises ValueError: The client's api-version has no EKM connection operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.GET_EKM_CERTIFICATE, vault_base_url, **kwargs)

    async def check_ekm_connection(self, vault_base_url: str, **kwargs: Any) -> _models.EkmProxyInfo:
        """Have the HSM call its EKM proxy and report the proxy's info (POST /ekm/check, no body, 200).

        :param str vault_base_url: The vault URL.
        :rtype: ~azure.keyvault.administration._generated.models.EkmProxyInfo
        :raises ValueError: The client's api-version has no EKM connection operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.CHECK_EKM_CONNECTION, vault_base_url, **kwargs)

    # -- External Key Manager: private endpoints (api-version 2026-07-01-preview) -------------------

    async def _create_ekm_private_endpoint_initial(
        self,
        vault_base_url: str,
        pe_name: str,
        parameters: _models.EkmPrivateEndpointCreateParameters,
        **kwargs: Any,
    ) -> PipelineResponse:
        spec, path = _rb.CREATE_EKM_PRIVATE_ENDPOINT, {"peName": pe_name}
        return await self._call(spec, vault_base_url, path, body=parameters, raw=True, **kwargs)

    async def begin_create_ekm_private_endpoint(
        self,
        vault_base_url: str,
        pe_name: str,
        parameters: _models.EkmPrivateEndpointCreateParameters,
        **kwargs: Any,
    ) -> AsyncLROPoller[_models.EkmPrivateEndpointOperation]:
        """Create an EKM private endpoint (POST /ekm/privateendpoint/{peName}, 202, then the job's status).

        Polls the ``Azure-AsyncOperation`` URL (required on the 202); after success a ``Location`` of the 202
        (or a ``resourceLocation`` of the final status) is fetched and gives the result.

        :param str vault_base_url: The vault URL.
        :param str pe_name: The private endpoint's name, percent-quoted.
        :param parameters: The Private Link Service to connect to, and a message for its owner.
        :type parameters: ~azure.keyvault.administration._generated.models.EkmPrivateEndpointCreateParameters
        :rtype: ~azure.core.polling.AsyncLROPoller[
         ~azure.keyvault.administration._generated.models.EkmPrivateEndpointOperation]
        :raises ValueError: The client's api-version has no EKM private-endpoint operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        spec, initial = _rb.CREATE_EKM_PRIVATE_ENDPOINT, self._create_ekm_private_endpoint_initial
        arguments = {"pe_name": pe_name, "parameters": parameters}
        return await self._begin(spec, initial, vault_base_url, arguments, **kwargs)

    async def _delete_ekm_private_endpoint_initial(
        self, vault_base_url: str, pe_name: str, **kwargs: Any
    ) -> PipelineResponse:
        path = {"peName": pe_name}
        return await self._call(_rb.DELETE_EKM_PRIVATE_ENDPOINT, vault_base_url, path, raw=True, **kwargs)

    async def begin_delete_ekm_private_endpoint(
        self, vault_base_url: str, pe_name: str, **kwargs: Any
    ) -> AsyncLROPoller[_models.EkmPrivateEndpointOperation]:
        """Delete an EKM private endpoint (DELETE /ekm/privateendpoint/{peName}, 202, then the job's status).

        :param str vault_base_url: The vault URL.
        :param str pe_name: The private endpoint's name, percent-quoted.
        :rtype: ~azure.core.polling.AsyncLROPoller[
         ~azure.keyvault.administration._generated.models.EkmPrivateEndpointOperation]
        :raises ValueError: The client's api-version has no EKM private-endpoint operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        spec, initial = _rb.DELETE_EKM_PRIVATE_ENDPOINT, self._delete_ekm_private_endpoint_initial
        return await self._begin(spec, initial, vault_base_url, {"pe_name": pe_name}, **kwargs)

    async def get_ekm_private_endpoint(
        self, vault_base_url: str, pe_name: str, **kwargs: Any
    ) -> _models.EkmPrivateEndpoint:
        """Get an EKM private endpoint (GET /ekm/privateendpoint/{peName}, 200).

        :param str vault_base_url: The vault URL.
        :param str pe_name: The private endpoint's name, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.EkmPrivateEndpoint
        :raises ValueError: The client's api-version has no EKM private-endpoint operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return await self._call(_rb.GET_EKM_PRIVATE_ENDPOINT, vault_base_url, {"peName": pe_name}, **kwargs)

    def list_ekm_private_endpoints(
        self, vault_base_url: str, **kwargs: Any
    ) -> AsyncItemPaged[_models.EkmPrivateEndpoint]:
        """List the EKM private endpoints lazily (GET /ekm/privateendpoint, 200, one page).

        :param str vault_base_url: The vault URL.
        :returns: The private endpoints; ``cls=`` maps the item list. Each iteration sends the request.
        :rtype: ~azure.core.async_paging.AsyncItemPaged[
         ~azure.keyvault.administration._generated.models.EkmPrivateEndpoint]
        :raises ValueError: (on iteration) The client's api-version has no EKM private-endpoint operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        return self._list(_rb.LIST_EKM_PRIVATE_ENDPOINTS, vault_base_url, {}, {}, **kwargs)

    async def get_ekm_private_endpoint_operation_status(
        self, vault_base_url: str, operation_id: str, **kwargs: Any
    ) -> _models.EkmPrivateEndpointOperation:
        """Get the status of an EKM private-endpoint job (GET /ekm/privateendpoint/operations/{operationId}, 200).

        :param str vault_base_url: The vault URL.
        :param str operation_id: The job id, percent-quoted.
        :rtype: ~azure.keyvault.administration._generated.models.EkmPrivateEndpointOperation
        :raises ValueError: The client's api-version has no EKM private-endpoint operations.
        :raises ~azure.core.exceptions.HttpResponseError:
        """
        path = {"operationId": operation_id}
        return await self._call(_rb.GET_EKM_PRIVATE_ENDPOINT_OPERATION_STATUS, vault_base_url, path, **kwargs)

__all__ = ["KeyVaultClientOperationsMixin", "RoleAssignmentsOperations", "RoleDefinitionsOperations"]
