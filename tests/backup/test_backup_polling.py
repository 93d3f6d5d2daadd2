"""Unit tests of the backup polling methods and continuation tokens (no server: scripted transports)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import pytest
from azure.core import AsyncPipelineClient, PipelineClient
from azure.core.exceptions import DecodeError, HttpResponseError
from azure.core.pipeline.policies import HeadersPolicy
from azure.core.polling import AsyncLROPoller, LROPoller
from azure.core.polling.base_polling import BadResponse
from azure.core.rest import HttpRequest
from backup_mocks import AsyncMockTransport, MockReply, MockTransport

from azure.keyvault.administration._internal.async_polling import KeyVaultAsyncBackupClientPollingMethod
from azure.keyvault.administration._internal.continuation import (
    MALFORMED_TOKEN_MESSAGE,
    decode_continuation_token,
    encode_continuation_token,
)
from azure.keyvault.administration._internal.polling import (
    KeyVaultBackupClientPollingMethod,
    parse_retry_after,
)

VAULT = "https://myhsm.managedhsm.azure.net"
STATUS_URL = f"{VAULT}/backup/0123456789abcdef0123456789abcdef/pending"


def job(status: str, **extra: Any) -> dict[str, Any]:
    body = {
        "status": status,
        "statusDetails": None,
        "error": None,
        "startTime": 1700000000,
        "endTime": None,
        "jobId": "0123456789abcdef0123456789abcdef",
        "azureStorageBlobContainerUri": None,
    }
    body.update(extra)
    return body


class Script:
    """Answers status GETs from a list (the last reply repeats)."""

    def __init__(self, *replies: MockReply) -> None:
        self.replies = list(replies)

    def __call__(self, request: HttpRequest) -> MockReply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def folder_of(pipeline_response: Any) -> Any:
    return json.loads(pipeline_response.http_response.text()).get("azureStorageBlobContainerUri")


def initial(client: Any, transport: Any, reply: MockReply) -> Any:
    """A PipelineResponse standing for the operation's 202, made through the client's pipeline."""
    saved, transport.handler = transport.handler, lambda _: reply
    try:
        return client.send_request(HttpRequest("POST", f"{VAULT}/backup"), _return_pipeline_response=True)
    finally:
        transport.handler = saved


ACCEPTED = MockReply(202, job("InProgress"), {"Azure-AsyncOperation": STATUS_URL, "Retry-After": "10"})


def sync_poller(script: Script, interval: float = 0, first: MockReply = ACCEPTED, **config: Any) -> tuple[Any, Any]:
    transport = MockTransport(script)
    client = PipelineClient(VAULT, transport=transport, policies=[HeadersPolicy()])
    method: KeyVaultBackupClientPollingMethod[Any] = KeyVaultBackupClientPollingMethod(interval, **config)
    sleeps: list[float] = []
    method._sleep = sleeps.append  # type: ignore[method-assign]
    start = initial(client, transport, first)
    transport.requests.clear()
    poller = LROPoller(client, start, folder_of, method)
    poller.sleeps = sleeps  # type: ignore[attr-defined]
    return poller, transport


async def async_poller(script: Script, interval: float = 0, first: MockReply = ACCEPTED) -> tuple[Any, Any]:
    transport = AsyncMockTransport(script)
    client = AsyncPipelineClient(VAULT, transport=transport)
    method: KeyVaultAsyncBackupClientPollingMethod[Any] = KeyVaultAsyncBackupClientPollingMethod(interval)
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    method._sleep = record  # type: ignore[method-assign]
    saved, transport.handler = transport.handler, lambda _: first
    start = await client.send_request(HttpRequest("POST", f"{VAULT}/backup"), _return_pipeline_response=True)
    transport.handler = saved
    transport.requests.clear()
    poller = AsyncLROPoller(client, start, folder_of, method)
    poller.sleeps = sleeps  # type: ignore[attr-defined]
    return poller, transport


# ---------------------------------------------------------------- continuation tokens


def test_token_is_base64_of_status_url() -> None:
    token = encode_continuation_token(STATUS_URL)
    assert base64.b64decode(token).decode() == STATUS_URL
    assert decode_continuation_token(token) == (STATUS_URL, "0123456789abcdef0123456789abcdef")


def test_token_job_id_is_third_path_segment() -> None:
    token = encode_continuation_token("https://other.host:8443/restore/job7/pending?x=1")
    assert decode_continuation_token(token).job_id == "job7"


def test_malformed_tokens() -> None:
    with pytest.raises(binascii.Error):
        decode_continuation_token("abc")
    with pytest.raises(UnicodeDecodeError):
        decode_continuation_token(base64.b64encode(b"\xff\xfe").decode())
    with pytest.raises(ValueError) as info:
        decode_continuation_token(base64.b64encode(b"https://x/backup").decode())
    assert str(info.value) == MALFORMED_TOKEN_MESSAGE
    assert MALFORMED_TOKEN_MESSAGE == (
        "The provided continuation_token is malformed. A valid token can be obtained "
        "from the operation poller's continuation_token() method"
    )


# ---------------------------------------------------------------- retry-after


def test_parse_retry_after() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert parse_retry_after({"retry-after": "soon"}) is None


# ---------------------------------------------------------------- sync polling


def test_polls_status_url_as_given_until_succeeded() -> None:
    poller, transport = sync_poller(
        Script(MockReply(200, job("InProgress")), MockReply(200, job("Succeeded", azureStorageBlobContainerUri="u/f")))
    )
    assert poller.result() == "u/f"
    assert poller.status() == "Succeeded" and poller.done()
    assert [(r.method, r.url) for r in transport.requests] == [("GET", STATUS_URL)] * 2
    assert all("Accept" not in r.headers and r.body is None for r in transport.requests)
    # first poll at once, then the interval (the 202's Retry-After is never used)
    assert poller.sleeps == [0]


def test_retry_after_of_status_response_wins_over_interval() -> None:
    poller, _ = sync_poller(
        Script(
            MockReply(200, job("InProgress"), {"Retry-After": "2"}),
            MockReply(200, job("InProgress")),
            MockReply(200, job("Succeeded")),
        ),
        interval=0.5,
    )
    poller.wait()
    assert poller.sleeps == [2.0, 0.5]


def test_initial_status_and_continuation_token() -> None:
    poller, _ = sync_poller(Script(MockReply(200, job("Succeeded"))))
    assert poller.continuation_token() == base64.b64encode(STATUS_URL.encode()).decode("ascii")
    poller.wait()
    method = poller.polling_method()
    assert method.job_id == "0123456789abcdef0123456789abcdef"
    assert method.status_url == STATUS_URL


def test_status_is_case_insensitive_for_termination() -> None:
    poller, _ = sync_poller(Script(MockReply(200, job("succeeded"))))
    poller.wait()
    assert poller.status() == "succeeded" and poller.done()


def test_failed_job_raises_service_error() -> None:
    error = {"code": "BackupFailed", "message": "it broke", "innererror": None}
    poller, _ = sync_poller(Script(MockReply(200, job("Failed", error=error))))
    with pytest.raises(HttpResponseError) as info:
        poller.result()
    assert type(info.value) is HttpResponseError
    assert info.value.status_code == 200
    assert str(info.value) == "(BackupFailed) it broke\nCode: BackupFailed\nMessage: it broke"
    assert info.value.error is not None and info.value.error.code == "BackupFailed"
    assert poller.status() == "Failed"
    assert info.value.continuation_token == poller.continuation_token()


def test_canceled_without_error_object() -> None:
    poller, _ = sync_poller(Script(MockReply(200, job("Canceled"))))
    with pytest.raises(HttpResponseError) as info:
        poller.wait()
    body = json.dumps(job("Canceled"))
    assert str(info.value) == f"Operation returned an invalid status 'OK'\nContent: {body}"


def test_non_2xx_status_response_raises_base_error() -> None:
    poller, _ = sync_poller(Script(MockReply(404, {"error": {"code": "NotFound", "message": "nope"}})))
    with pytest.raises(HttpResponseError) as info:
        poller.result()
    assert type(info.value) is HttpResponseError and info.value.status_code == 404
    assert str(info.value).startswith("(NotFound) nope")


def test_status_body_without_status() -> None:
    poller, _ = sync_poller(Script(MockReply(200, {"foo": 1})))
    with pytest.raises(HttpResponseError) as info:
        poller.result()
    assert str(info.value) == 'No status found in body\nContent: {"foo": 1}'


def test_status_body_not_json() -> None:
    poller, _ = sync_poller(Script(MockReply(200, b"notjson")))
    with pytest.raises(DecodeError) as info:
        poller.result()
    assert str(info.value).startswith("JSON is invalid: Expecting value")


def test_missing_status_header_raises_bad_response() -> None:
    with pytest.raises(BadResponse, match=r"Unable to find status link for polling\."):
        sync_poller(Script(MockReply(200, job("Succeeded"))), first=MockReply(202, job("InProgress")))


def test_operation_config_reaches_status_requests() -> None:
    poller, transport = sync_poller(Script(MockReply(200, job("Succeeded"))), headers={"x-test": "1"})
    poller.wait()
    assert transport.requests[0].headers.get("x-test") == "1"


def test_initial_body_already_finished_needs_no_poll() -> None:
    poller, transport = sync_poller(
        Script(MockReply(500)),
        first=MockReply(
            202, job("Succeeded", azureStorageBlobContainerUri="u/g"), {"Azure-AsyncOperation": STATUS_URL}
        ),
    )
    assert poller.done() and poller.result() == "u/g"
    assert transport.requests == []


def test_from_continuation_token_polls_at_once() -> None:
    transport = MockTransport(Script(MockReply(200, job("Succeeded", azureStorageBlobContainerUri="u/h"))))
    client = PipelineClient(VAULT, transport=transport)
    token = encode_continuation_token(STATUS_URL)
    poller = LROPoller.from_continuation_token(
        KeyVaultBackupClientPollingMethod(0), token, client=client, deserialization_callback=folder_of
    )
    assert poller.result() == "u/h"
    assert [r.url for r in transport.requests] == [STATUS_URL]
    assert poller.continuation_token() == token


def test_from_continuation_token_needs_client() -> None:
    with pytest.raises(ValueError):
        KeyVaultBackupClientPollingMethod.from_continuation_token(encode_continuation_token(STATUS_URL))


# ---------------------------------------------------------------- async polling


async def test_async_polls_until_succeeded() -> None:
    poller, transport = await async_poller(
        Script(MockReply(200, job("InProgress")), MockReply(200, job("Succeeded", azureStorageBlobContainerUri="a"))),
        interval=0.25,
    )
    assert poller.status() == "InProgress" and not poller.done()
    assert await poller.result() == "a"
    assert poller.status() == "Succeeded" and poller.done()
    assert [r.url for r in transport.requests] == [STATUS_URL] * 2
    assert poller.sleeps == [0.25]


async def test_async_failed_job_raises() -> None:
    error = {"code": "RestoreFailed", "message": "no folder", "innererror": None}
    poller, _ = await async_poller(Script(MockReply(200, job("Failed", error=error))))
    with pytest.raises(HttpResponseError) as info:
        await poller.wait()
    assert info.value.error is not None and info.value.error.message == "no folder"


async def test_async_token_matches_sync_format() -> None:
    poller, _ = await async_poller(Script(MockReply(200, job("Succeeded"))))
    assert poller.continuation_token() == encode_continuation_token(STATUS_URL)
    method = poller.polling_method()
    assert isinstance(method, KeyVaultAsyncBackupClientPollingMethod)


def test_each_status_body_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # With azure-core's ContentDecodePolicy in the pipeline (as in the clients), the polling method reads what it
    # decoded instead of parsing the body again; without it, the body is parsed by the method itself.
    from azure.core.pipeline.policies import ContentDecodePolicy

    import azure.keyvault.administration._internal.polling as polling

    parsed: list[Any] = []
    real_read_json = polling.read_json
    monkeypatch.setattr(polling, "read_json", lambda response: parsed.append(response) or real_read_json(response))
    transport = MockTransport(
        Script(MockReply(200, job("InProgress")), MockReply(200, job("Succeeded", azureStorageBlobContainerUri="u/f")))
    )
    client = PipelineClient(VAULT, transport=transport, policies=[ContentDecodePolicy()])
    method: KeyVaultBackupClientPollingMethod[Any] = KeyVaultBackupClientPollingMethod(0)
    method._sleep = lambda seconds: None  # type: ignore[method-assign]
    start = initial(client, transport, ACCEPTED)
    result = LROPoller(client, start, lambda response: method.job, method).result()
    assert result["azureStorageBlobContainerUri"] == "u/f"
    assert parsed == []  # every body (202 and both polls) came decoded from ContentDecodePolicy
    poller, _ = sync_poller(Script(MockReply(200, job("Succeeded"))))  # no ContentDecodePolicy
    poller.result()
    assert len(parsed) == 2  # the 202 and the poll, each parsed once by the method
