"""A start request answered 409 Conflict, sync and async, against a scripted fake HSM (no server, no sockets).

The 409 is ``ResourceExistsError`` as in the official package. When it answers azure-core's retry of a start
request whose earlier try failed (500/503, no answer), the message gains a note that the operation in progress
may be the caller's own (a deliberate difference); nothing sent changes.
"""

from __future__ import annotations

from typing import Any, Optional

import pytest
from azure.core.exceptions import ResourceExistsError, ServiceResponseError
from azure.core.rest import HttpRequest
from backup_mocks import CHALLENGE, AsyncFakeCredential, AsyncMockTransport, FakeCredential, MockReply, MockTransport

from azure.keyvault.administration import KeyVaultBackupClient
from azure.keyvault.administration import _backup_client as sync_module
from azure.keyvault.administration._internal import HttpChallengeCache
from azure.keyvault.administration.aio import KeyVaultBackupClient as AsyncKeyVaultBackupClient
from azure.keyvault.administration.aio import _backup_client as async_module

VAULT = "https://myhsm.managedhsm.azure.net"
CONTAINER = "https://account.blob.core.windows.net/backup"
FOLDER_URL = f"{CONTAINER}/mhsm-myhsm-2025060502180134"
RUNNING = "0123456789abcdef0123456789abcdef"
SERVICE_MESSAGE = "Another backup operation is in progress"
CONFLICT = MockReply(409, {"error": {"code": "Conflict", "message": SERVICE_MESSAGE, "innererror": None}})
LOST = {
    500: MockReply(500, {"error": {"code": "InternalError", "message": "An unexpected error occurred."}}),
    503: MockReply(503, {"error": {"code": "ServiceUnavailable", "message": "The service is unavailable."}}),
}
ACCEPTED = MockReply(
    202,
    {"status": "InProgress", "statusDetails": None, "error": None, "startTime": 1, "endTime": None, "jobId": RUNNING},
    {"Azure-AsyncOperation": f"{VAULT}/backup/{RUNNING}/pending"},
)

# begin_* call -> (method, arguments)
STARTS: dict[str, tuple[str, tuple[Any, ...], dict[str, Any]]] = {
    "backup": ("begin_backup", (CONTAINER,), {"sas_token": "se=2030&sig=x"}),
    "restore": ("begin_restore", (FOLDER_URL,), {"sas_token": "se=2030&sig=x"}),
    "selective": ("begin_restore", (FOLDER_URL,), {"sas_token": "se=2030&sig=x", "key_name": "k1"}),
}


class ScriptedStarts:
    """Challenge first, then one scripted answer (or exception) per try of the start request."""

    def __init__(self, *tries: Any) -> None:
        self.tries = list(tries)

    def __call__(self, request: HttpRequest) -> MockReply:
        if "Authorization" not in request.headers:
            return CHALLENGE
        answer = self.tries.pop(0)
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, MockReply)
        return answer


@pytest.fixture(autouse=True)
def clear_challenge_cache() -> Any:
    HttpChallengeCache.clear()
    yield
    HttpChallengeCache.clear()


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _client(is_async: bool, script: ScriptedStarts, **kwargs: Any) -> tuple[Any, Any]:
    if is_async:
        transport: Any = AsyncMockTransport(script)
        return AsyncKeyVaultBackupClient(VAULT, AsyncFakeCredential(), transport=transport, **kwargs), transport
    transport = MockTransport(script)
    return KeyVaultBackupClient(VAULT, FakeCredential(), transport=transport, **kwargs), transport


async def _start(is_async: bool, client: Any, operation: str, **extra: Any) -> Any:
    method, args, kwargs = STARTS[operation]
    result = getattr(client, method)(*args, polling=False, **kwargs, **extra)
    return await result if is_async else result


async def _conflict(is_async: bool, operation: str, *tries: Any, **extra: Any) -> tuple[ResourceExistsError, Any]:
    client, transport = _client(is_async, ScriptedStarts(*tries, CONFLICT))
    with pytest.raises(ResourceExistsError) as info:
        await _start(is_async, client, operation, **extra)
    return info.value, transport


@pytest.mark.parametrize("operation", sorted(STARTS))
@pytest.mark.parametrize("lost", [500, 503])
async def test_a_retry_answered_409_says_the_operation_may_be_the_callers_own(
    is_async: bool, operation: str, lost: int
) -> None:
    error, transport = await _conflict(is_async, operation, LOST[lost])
    assert error.status_code == 409 and error.error is not None and error.error.code == "Conflict"
    assert error.error.message == SERVICE_MESSAGE  # the service's error object is untouched
    message = str(error)
    assert message.startswith(f"(Conflict) {SERVICE_MESSAGE}")
    assert f"after its first try failed (HTTP {lost})" in message
    assert "the operation in progress may be this call's own" in message
    assert error.message == message
    tries = [r for r in transport.requests if "Authorization" in r.headers]
    assert len(tries) == 2 and tries[0].url == tries[1].url and tries[0].body == tries[1].body


async def test_every_failed_try_is_named(is_async: bool) -> None:
    error, _ = await _conflict(is_async, "restore", LOST[503], ServiceResponseError("connection reset"))
    assert "after 2 tries failed (HTTP 503; no answer)" in str(error)


async def test_a_first_try_answered_409_is_the_official_error(is_async: bool) -> None:
    error, _ = await _conflict(is_async, "backup")
    assert str(error) == f"(Conflict) {SERVICE_MESSAGE}\nCode: Conflict\nMessage: {SERVICE_MESSAGE}"


async def test_other_errors_after_a_retry_are_unchanged(is_async: bool) -> None:
    client, _ = _client(is_async, ScriptedStarts(LOST[503], MockReply(400, {"error": {"code": "BadParameter",
                                                                                       "message": "bad"}})))
    with pytest.raises(Exception) as info:
        await _start(is_async, client, "backup")
    assert type(info.value).__name__ == "HttpResponseError" and "Note:" not in str(info.value)


class _Passthrough:
    """Stands in for StartAttempts: the request exactly as the client would send it without the observer."""

    def __init__(self, operation_config: dict[str, Any], generated_client: Any) -> None:
        self.operation_config = dict(operation_config)

    def explain(self, error: Any) -> None:
        pass


def _wire(transport: Any) -> list[tuple[str, str, Optional[bytes], list[tuple[str, str]]]]:
    varying = {"x-ms-client-request-id", "user-agent"}
    return [
        (r.method, r.url, r.body, sorted((k.lower(), v) for k, v in r.headers.items() if k.lower() not in varying))
        for r in transport.requests
    ]


@pytest.mark.parametrize("operation", sorted(STARTS))
async def test_the_observer_changes_nothing_that_is_sent(
    is_async: bool, operation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, observed = await _conflict(is_async, operation, LOST[503])
    HttpChallengeCache.clear()
    monkeypatch.setattr(async_module if is_async else sync_module, "StartAttempts", _Passthrough)
    plain, transport = await _conflict(is_async, operation, LOST[503])
    assert "Note:" not in str(plain)
    assert _wire(observed) == _wire(transport) and len(_wire(transport)) == 3  # probe, lost try, retry


async def test_response_hooks_still_run_for_every_try(is_async: bool) -> None:
    # azure-core: a per-call raw_response_hook replaces the client's; both must keep seeing every response.
    seen_by_client: list[int] = []

    def client_hook(response: Any) -> None:
        seen_by_client.append(response.http_response.status_code)

    client, _ = _client(is_async, ScriptedStarts(LOST[503], CONFLICT), raw_response_hook=client_hook)
    with pytest.raises(ResourceExistsError) as info:
        await _start(is_async, client, "backup")
    assert seen_by_client == [401, 503, 409] and "Note:" in str(info.value)

    HttpChallengeCache.clear()
    seen_by_call: list[int] = []
    seen_by_client.clear()
    client, _ = _client(is_async, ScriptedStarts(ACCEPTED), raw_response_hook=client_hook)
    poller = await _start(is_async, client, "backup",
                          raw_response_hook=lambda r: seen_by_call.append(r.http_response.status_code))
    assert poller.status() == "InProgress"
    assert seen_by_call == [401, 202] and seen_by_client == []
