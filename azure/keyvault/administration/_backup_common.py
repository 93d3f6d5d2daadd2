"""Everything ``KeyVaultBackupClient`` and its async twin share that is not I/O.

Each ``begin_*`` method turns its arguments into a :class:`BackupCall` here; the twins only send the requests
and wrap the responses in a poller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from azure.core.exceptions import HttpResponseError

from ._internal import parse_folder_url
from ._internal.continuation import StatusLocation, decode_continuation_token
from ._internal.polling import DEFAULT_POLLING_INTERVAL, BackupPollingState, response_json
from ._models import KeyVaultBackupResult

if TYPE_CHECKING:
    from ._generated.models import SASTokenParameter

PRE_OPERATION_API_VERSIONS = (
    "7.6-preview.2",
    "7.6",
    "2025-06-01-preview",
    "2025-07-01",
    "2026-01-01-preview",
    "2026-03-01-preview",
    "2026-05-01-preview",
    "2026-07-01-preview",
)
"""The service versions that have ``/prebackup`` and ``/prerestore`` (the official package accepts exactly these)."""

# Names of the generated client's operations.
_FULL_BACKUP_STATUS = "full_backup_status"
_RESTORE_STATUS = "restore_status"


def backup_result(pipeline_response: Any) -> KeyVaultBackupResult:
    """The result of a finished backup: the folder the service wrote, from the last status body."""
    body = response_json(pipeline_response)
    job = body if isinstance(body, dict) else {}
    return KeyVaultBackupResult(folder_url=job.get("azureStorageBlobContainerUri"))


def no_result(pipeline_response: Any) -> None:
    """The result of restores and pre-checks: nothing."""
    return None


def return_pipeline_response(pipeline_response: Any, deserialized: Any, headers: Any) -> Any:
    """A generated-operation ``cls`` that hands back the raw ``PipelineResponse``."""
    return pipeline_response


def check_pre_operation_version(api_version: str, operation: str) -> None:
    """Refuse a pre-backup/pre-restore check on a service version that lacks it, before any request.

    :param str api_version: The client's API version.
    :param str operation: The generated operation's name, echoed in the message.
    :raises ValueError: The version is not one of :data:`PRE_OPERATION_API_VERSIONS`.
    """
    if api_version not in PRE_OPERATION_API_VERSIONS:
        raise ValueError(
            f"'{operation}' is not available in API version {api_version}. "
            "Pass service API version 7.6-preview.2 or newer to your client."
        )


@dataclass
class BackupCall:
    """A ``begin_*`` call, resolved: what to send, how to poll, and how to build the result."""

    initial_operation: str
    """The generated client's private initial call, e.g. ``_full_backup_initial``."""
    initial_kwargs: dict[str, Any]
    """Its operation arguments (body model, key name)."""
    status_operation: str
    """The generated status call used to resume from a continuation token."""
    result: Callable[[Any], Any]
    """Builds the poller's result from the final status response."""
    continuation_token: Optional[str] = None
    polling: Union[bool, Any] = True
    polling_interval: float = DEFAULT_POLLING_INTERVAL
    operation_config: dict[str, Any] = field(default_factory=dict)
    """The caller's remaining keywords: pipeline options for every request of the operation."""
    resume_checks: list[Callable[[], Any]] = field(default_factory=list)
    """Argument checks that a resumed operation makes only after fetching the job's status (as the official
    package does: e.g. a pre-check's version gate, or the folder URL of a restore)."""

    def resume_location(self) -> Optional[StatusLocation]:
        """Decode the continuation token, if any (raises for malformed tokens, before any request)."""
        return decode_continuation_token(self.continuation_token) if self.continuation_token else None

    def check_resumed(self) -> None:
        """Run the checks deferred until a resumed operation's status was fetched (raises ``ValueError``)."""
        for check in self.resume_checks:
            check()

    def polling_method(self, polling_cls: type[BackupPollingState[Any]], status_url: Optional[str] = None) -> Any:
        """The polling method for the poller: ours, ours without polling (``polling=False``), or the caller's own.

        :param polling_cls: The twin's polling method class.
        :param status_url: The status URL a resumed operation polls when the status response names none.
        """
        if self.polling is True or not self.polling:
            return polling_cls(
                self.polling_interval, status_url=status_url, poll=bool(self.polling), **self.operation_config
            )
        if status_url and isinstance(self.polling, BackupPollingState) and not self.polling.status_url:
            self.polling._status_url = status_url  # a resumed operation, polled by the caller's instance of ours
        return self.polling


def _client_response_hook(generated_client: Any) -> Optional[Callable[[Any], Any]]:
    # The hook given to the client's constructor, held by its CustomHookPolicy: a per-request hook replaces it, so
    # StartAttempts calls it itself.
    policy = getattr(getattr(generated_client, "_config", None), "custom_hook_policy", None)
    hook: Optional[Callable[[Any], Any]] = getattr(policy, "_response_callback", None)
    return hook


class StartAttempts:
    """Watches each try azure-core makes of the request that starts an operation, to explain a 409 after a retry.

    When the answer to a start request is lost (a gateway's 500/503, a dropped connection), azure-core's retry
    policy sends the request again. If the HSM had accepted the lost try, it refuses the retry with 409 Conflict
    ("Another backup operation is in progress") and the operation in progress is the caller's own. The 409 is
    raised as ``ResourceExistsError`` like the official package does; :meth:`explain` adds a note saying so to its
    message (a deliberate difference: the official message alone suggests someone else's operation).

    It observes through a per-request ``raw_response_hook`` (what is sent does not change) that also calls the hook
    that would have run otherwise: the caller's per-call ``raw_response_hook``, else the client's.

    :param operation_config: The call's per-request keywords.
    :param generated_client: The twin's generated client (for the client-level hook).
    """

    def __init__(self, operation_config: dict[str, Any], generated_client: Any) -> None:
        self.operation_config = dict(operation_config)
        self._hook = self.operation_config.pop("raw_response_hook", None) or _client_response_hook(generated_client)
        self.operation_config["raw_response_hook"] = self._observe
        self._statuses: dict[int, int] = {}
        """The HTTP status each try ended with (0 = the first try), if it got an answer."""
        self._tries = 0

    def _observe(self, pipeline_response: Any) -> Any:
        attempt = int(pipeline_response.context.get("retry_count") or 0)
        self._tries = max(self._tries, attempt + 1)
        status = pipeline_response.http_response.status_code
        if status != 401:  # a challenge, answered within the try by the authentication policy
            self._statuses[attempt] = status
        return self._hook(pipeline_response) if self._hook is not None else None

    def explain(self, error: HttpResponseError) -> None:
        """Add the note to a 409 raised for a retried start request (no change for a first try's 409).

        :param error: The ``ResourceExistsError`` the start request raised; its message and ``str()`` gain the note.
        """
        last = self._tries - 1
        if error.status_code != 409 or last <= 0:
            return
        failures = "; ".join(
            f"HTTP {self._statuses[attempt]}" if attempt in self._statuses else "no answer"
            for attempt in range(last)
        )
        tries = "its first try" if last == 1 else f"{last} tries"
        note = (
            f"\nNote: azure-core sent this request again after {tries} failed ({failures}). The HSM may have "
            "accepted an earlier try and started the operation, so the operation in progress may be this call's "
            "own. The HSM runs one backup or restore at a time: wait until it has ended before starting another."
        )
        error.message += note
        error.args = (error.message, *error.args[1:])


def _pop_common(kwargs: dict[str, Any]) -> dict[str, Any]:
    # Both spellings of the interval work: the private one programs pass to the official package, and the public
    # one azure-core documents (which the official package mishandles).
    interval = kwargs.pop("_polling_interval", None)
    public_interval = kwargs.pop("polling_interval", None)
    if interval is None:
        interval = public_interval if public_interval is not None else DEFAULT_POLLING_INTERVAL
    return {
        "continuation_token": kwargs.pop("continuation_token", None),
        "polling": kwargs.pop("polling", True),
        "polling_interval": interval,
    }


def _sas_token(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Optional[str]:
    # `sas_token` used to be the second positional parameter; extra positional arguments are ignored, as they
    # are by the official package.
    if args:
        # The positional token wins; a `sas_token` keyword given as well stays in kwargs and so reaches the HTTP
        # transport, which rejects it with TypeError after the first request was attempted (official behaviour).
        token: Optional[str] = args[0]
        return token
    token = kwargs.pop("sas_token", None)
    return token


def _models() -> Any:
    from ._generated import models  # msrest is imported with the first model built

    return models


def _storage(url: str, sas_token: Optional[str], kwargs: dict[str, Any]) -> SASTokenParameter:
    from ._generated.models import SASTokenParameter  # msrest is imported with the first model built

    return SASTokenParameter(
        storage_resource_uri=url, token=sas_token, use_managed_identity=kwargs.pop("use_managed_identity", False)
    )


def _version_gate(api_version: str, operation: str, continuation_token: Optional[str]) -> list[Callable[[], Any]]:
    """Apply the pre-check version gate now, or return it as a resume check when resuming from a token.

    A new operation is refused before any request; a resumed one fetches the job's status first, then is refused
    (the official package's order).
    """
    if continuation_token:
        return [lambda: check_pre_operation_version(api_version, operation)]
    check_pre_operation_version(api_version, operation)
    return []


def plan_backup(blob_storage_url: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> BackupCall:
    """Resolve ``begin_backup`` arguments: ``POST /backup`` with the storage object as the body."""
    kwargs = dict(kwargs)
    sas_token = _sas_token(args, kwargs)
    body = _storage(blob_storage_url, sas_token, kwargs)
    common = _pop_common(kwargs)
    return BackupCall(
        "_full_backup_initial",
        {"azure_storage_blob_container_uri": body},
        _FULL_BACKUP_STATUS,
        backup_result,
        operation_config=kwargs,
        **common,
    )


def plan_restore(folder_url: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> BackupCall:
    """Resolve ``begin_restore`` arguments: a full restore, or a selective key restore when ``key_name`` is set."""
    kwargs = dict(kwargs)
    sas_token = _sas_token(args, kwargs)
    key_name = kwargs.pop("key_name", None)
    common = _pop_common(kwargs)
    if common["continuation_token"]:
        # Resuming: the folder URL is only checked once the job's status was fetched (official order).
        kwargs.pop("use_managed_identity", None)
        return BackupCall(
            "_full_restore_operation_initial",
            {},
            _RESTORE_STATUS,
            no_result,
            operation_config=kwargs,
            resume_checks=[lambda: parse_folder_url(folder_url)],
            **common,
        )
    location = parse_folder_url(folder_url)
    storage = _storage(location.container_url, sas_token, kwargs)
    if key_name:
        return BackupCall(
            "_selective_key_restore_operation_initial",
            {
                "key_name": key_name,
                "restore_blob_details": _models().SelectiveKeyRestoreOperationParameters(
                    sas_token_parameters=storage, folder=location.folder_name
                ),
            },
            _RESTORE_STATUS,
            no_result,
            operation_config=kwargs,
            **common,
        )
    return BackupCall(
        "_full_restore_operation_initial",
        {
            "restore_blob_details": _models().RestoreOperationParameters(
                sas_token_parameters=storage, folder_to_restore=location.folder_name
            )
        },
        _RESTORE_STATUS,
        no_result,
        operation_config=kwargs,
        **common,
    )


def plan_pre_backup(blob_storage_url: str, api_version: str, kwargs: dict[str, Any]) -> BackupCall:
    """Resolve ``begin_pre_backup`` arguments: ``POST /prebackup`` (service versions 7.6-preview.2 and later)."""
    kwargs = dict(kwargs)
    storage = _storage(blob_storage_url, kwargs.pop("sas_token", None), kwargs)
    body = _models().PreBackupOperationParameters(
        storage_resource_uri=storage.storage_resource_uri,
        token=storage.token,
        use_managed_identity=storage.use_managed_identity,
    )
    common = _pop_common(kwargs)
    gate = _version_gate(api_version, "begin_pre_full_backup", common["continuation_token"])
    return BackupCall(
        "_pre_full_backup_initial",
        {"pre_backup_operation_parameters": body},
        _FULL_BACKUP_STATUS,
        no_result,
        operation_config=kwargs,
        resume_checks=gate,
        **common,
    )


def plan_pre_restore(folder_url: str, api_version: str, kwargs: dict[str, Any]) -> BackupCall:
    """Resolve ``begin_pre_restore`` arguments: ``PUT /prerestore`` (service versions 7.6-preview.2 and later)."""
    kwargs = dict(kwargs)
    sas_token = kwargs.pop("sas_token", None)
    common = _pop_common(kwargs)
    location = parse_folder_url(folder_url)  # checked first, even when resuming (official order)
    gate = _version_gate(api_version, "begin_pre_full_restore_operation", common["continuation_token"])
    body = _models().PreRestoreOperationParameters(
        folder_to_restore=location.folder_name,
        sas_token_parameters=_storage(location.container_url, sas_token, kwargs),
    )
    return BackupCall(
        "_pre_full_restore_operation_initial",
        {"pre_restore_operation_parameters": body},
        _RESTORE_STATUS,
        no_result,
        operation_config=kwargs,
        resume_checks=gate,
        **common,
    )
