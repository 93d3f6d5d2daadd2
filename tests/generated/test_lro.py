"""begin_* operations: default polling, NoPolling, custom polling methods, tokens, cls, _initial."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError
from azure.core.pipeline import PipelineResponse
from azure.core.polling import LROPoller, PollingMethod
from azure.core.polling.base_polling import LROBasePolling
from azure.core.rest import HttpRequest

from azure.keyvault.administration._generated import models as m

from ._cases import BACKUP_STATUS, CASES_BY_ID, LRO_HEADERS, STATUS_URL, _sas
from ._transport import VAULT, Canned, make_client

DONE = {**BACKUP_STATUS, "status": "Succeeded", "endTime": 1749089890, "azureStorageBlobContainerUri": "https://a/b/f1"}


def backup_server(statuses: list[dict]) -> Any:
    """POST /backup -> 202 with the status link; each GET of the link -> the next status."""
    remaining = list(statuses)

    def respond(request: HttpRequest) -> Canned:
        if request.method == "POST":
            return Canned(202, BACKUP_STATUS, LRO_HEADERS)
        assert request.url == STATUS_URL
        return Canned(200, remaining.pop(0) if len(remaining) > 1 else remaining[0])

    return respond


def test_default_polling_follows_azure_async_operation() -> None:
    client, transport = make_client("7.6", backup_server([BACKUP_STATUS, DONE]))
    poller = client.begin_full_backup(VAULT, _sas(token="t"), polling_interval=0)
    assert isinstance(poller, LROPoller)
    assert isinstance(poller.polling_method(), LROBasePolling)
    assert poller.polling_method()._lro_options == {"final-state-via": "azure-async-operation"}
    result = poller.result()
    assert isinstance(result, m.FullBackupOperation)
    assert result.status is m.OperationStatus.SUCCEEDED
    assert result.azure_storage_blob_container_uri == "https://a/b/f1"
    assert [(r.method, r.url) for r in transport.requests] == [
        ("POST", VAULT + "/backup?api-version=7.6"),
        ("GET", STATUS_URL),  # polled exactly as given: no api-version added
        ("GET", STATUS_URL),
    ]


def test_failed_job_raises_from_result() -> None:
    failed = {**BACKUP_STATUS, "status": "Failed", "error": {"code": "BackupFailed", "message": "it broke"}}
    client, _ = make_client("7.6", backup_server([failed]))
    poller = client.begin_full_backup(VAULT, _sas(token="t"), polling_interval=0)
    with pytest.raises(HttpResponseError):
        poller.result()
    assert poller.status() == "Failed"


def test_polling_false_returns_the_initial_body() -> None:
    client, transport = make_client("7.6", backup_server([DONE]))
    poller = client.begin_full_backup(VAULT, _sas(token="t"), polling=False)
    assert poller.done()
    assert poller.result().status is m.OperationStatus.IN_PROGRESS
    assert len(transport.requests) == 1


class RecordingPolling(PollingMethod):
    """A polling method that finishes at once and remembers what it was given."""

    def initialize(self, client: Any, initial_response: Any, deserialization_callback: Any) -> None:
        self.client, self.initial_response, self.callback = client, initial_response, deserialization_callback

    def run(self) -> None:
        pass

    def status(self) -> str:
        return "Succeeded"

    def finished(self) -> bool:
        return True

    def resource(self) -> Any:
        return self.callback(self.initial_response)

    def get_continuation_token(self) -> str:
        return "token"


@pytest.mark.parametrize(
    "case_id",
    [
        "begin_full_backup",
        "begin_pre_full_backup",
        "begin_full_restore_operation",
        "begin_pre_full_restore_operation",
        "begin_selective_key_restore_operation",
    ],
)
def test_custom_polling_method_is_used(case_id: str) -> None:
    case = CASES_BY_ID[case_id]
    client, _ = make_client("2025-07-01", [case.response])
    method = RecordingPolling()
    # re-invoke the case's operation with our polling method instead of polling=False
    invoke_kwargs = {"polling": method}
    poller = {
        "begin_full_backup": lambda: client.begin_full_backup(VAULT, None, **invoke_kwargs),
        "begin_pre_full_backup": lambda: client.begin_pre_full_backup(VAULT, None, **invoke_kwargs),
        "begin_full_restore_operation": lambda: client.begin_full_restore_operation(VAULT, None, **invoke_kwargs),
        "begin_pre_full_restore_operation": lambda: client.begin_pre_full_restore_operation(VAULT, **invoke_kwargs),
        "begin_selective_key_restore_operation": lambda: client.begin_selective_key_restore_operation(
            VAULT, "k", None, **invoke_kwargs
        ),
    }[case_id]()
    assert poller.polling_method() is method
    assert method.client is client._client
    assert isinstance(method.initial_response, PipelineResponse)
    assert method.initial_response.http_response.status_code == 202
    assert poller.result().job_id == case.response.body["jobId"]


def test_continuation_token_resumes_without_a_new_request() -> None:
    client, transport = make_client("7.6", backup_server([DONE]))
    first = client.begin_full_backup(VAULT, _sas(token="t"), polling_interval=0)
    first.wait()
    token = first.continuation_token()
    transport.requests.clear()
    resumed = client.begin_full_backup(VAULT, continuation_token=token, polling_interval=0)
    assert resumed.result().azure_storage_blob_container_uri == "https://a/b/f1"
    assert [r.method for r in transport.requests] == ["GET"]


def test_cls_gets_response_model_and_lro_headers() -> None:
    client, _ = make_client("7.6", backup_server([DONE]))
    seen: list[Any] = []
    poller = client.begin_full_backup(
        VAULT, _sas(token="t"), polling=False, cls=lambda resp, model, headers: seen.append(headers) or model.job_id
    )
    assert poller.result() == "job1"
    assert seen == [{"Azure-AsyncOperation": STATUS_URL, "Retry-After": 10}]


INITIALS = [
    ("_full_backup_initial", (None,)),
    ("_pre_full_backup_initial", (None,)),
    ("_full_restore_operation_initial", (None,)),
    ("_pre_full_restore_operation_initial", (None,)),
    ("_selective_key_restore_operation_initial", ("key", None)),
]


@pytest.mark.parametrize(("name", "args"), INITIALS)
def test_initial_returns_the_raw_pipeline_response(name: str, args: tuple) -> None:
    client, transport = make_client("7.6", [Canned(202, BACKUP_STATUS, LRO_HEADERS)])
    response = getattr(client, name)(VAULT, *args)
    assert isinstance(response, PipelineResponse)
    assert response.http_response.status_code == 202
    assert response.http_response.headers["Azure-AsyncOperation"] == STATUS_URL
    assert len(transport.requests) == 1


@pytest.mark.parametrize(("name", "args"), INITIALS)
def test_initial_requires_202(name: str, args: tuple) -> None:
    client, _ = make_client("7.6", [Canned(200, BACKUP_STATUS)])
    with pytest.raises(HttpResponseError, match=r"^Operation returned an invalid status 'OK'"):
        getattr(client, name)(VAULT, *args)
    client, _ = make_client("7.6", [Canned(409, {"error": {"code": "Conflict", "message": "busy"}})])
    with pytest.raises(ResourceExistsError):
        getattr(client, name)(VAULT, *args)


def test_version_gate_precedes_continuation_token() -> None:
    client, transport = make_client("7.5", [Canned(200, BACKUP_STATUS)])
    with pytest.raises(ValueError, match=r"'begin_pre_full_backup' is not available in API version 7.5"):
        client.begin_pre_full_backup(VAULT, continuation_token="anything")
    with pytest.raises(ValueError, match=r"'begin_pre_full_restore_operation' is not available in API version 7.5"):
        client._pre_full_restore_operation_initial(VAULT)
    assert transport.requests == []


def test_put_restore_ends_on_the_status_body_without_a_final_get() -> None:
    from ._cases import RESTORE_LRO_HEADERS, RESTORE_STATUS, RESTORE_STATUS_URL

    def respond(request: HttpRequest) -> Canned:
        if request.method == "PUT":
            return Canned(202, RESTORE_STATUS, RESTORE_LRO_HEADERS)
        assert request.url == RESTORE_STATUS_URL
        return Canned(200, {**RESTORE_STATUS, "status": "Succeeded", "statusDetails": "done"})

    client, transport = make_client("7.6", respond)
    result = client.begin_full_restore_operation(VAULT, None, polling_interval=0).result()
    assert isinstance(result, m.RestoreOperation)
    assert result.status_details == "done"
    assert [r.method for r in transport.requests] == ["PUT", "GET"]
