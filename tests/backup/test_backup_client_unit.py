"""Unit tests of KeyVaultBackupClient, sync and async, against a scripted fake HSM (no server, no sockets)."""

from __future__ import annotations

import base64
import binascii
import inspect
import json
from pathlib import Path
from typing import Any, Optional

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.core.polling import AsyncLROPoller, LROPoller
from azure.core.polling.base_polling import BadResponse
from azure.core.rest import HttpRequest
from backup_mocks import (
    CHALLENGE,
    AsyncFakeCredential,
    AsyncMockTransport,
    FakeCredential,
    MockReply,
    MockTransport,
)
from span_recorder import recording_spans

from azure.keyvault.administration import KeyVaultBackupClient, KeyVaultBackupResult
from azure.keyvault.administration._internal import HttpChallengeCache
from azure.keyvault.administration._internal.async_polling import KeyVaultAsyncBackupClientPollingMethod
from azure.keyvault.administration._internal.polling import KeyVaultBackupClientPollingMethod
from azure.keyvault.administration.aio import KeyVaultBackupClient as AsyncKeyVaultBackupClient

VAULT = "https://myhsm.managedhsm.azure.net"
JOB = "0123456789abcdef0123456789abcdef"
BACKUP_STATUS = f"{VAULT}/backup/{JOB}/pending"
RESTORE_STATUS = f"{VAULT}/restore/{JOB}/pending"
CONTAINER = "https://account.blob.core.windows.net/backup"
FOLDER_URL = f"{CONTAINER}/mhsm-myhsm-2025060502180134"
SURFACE = Path("/work/shared/reference/api-surface.json")


def job(status: str, **extra: Any) -> dict[str, Any]:
    body = {
        "status": status,
        "statusDetails": None,
        "error": None,
        "startTime": 1749089881,
        "endTime": None,
        "jobId": JOB,
        "azureStorageBlobContainerUri": None,
    }
    body.update(extra)
    return body


class FakeHsm:
    """Answers like the service: challenge, 202 + Azure-AsyncOperation, then scripted status bodies."""

    def __init__(self, *statuses: MockReply, initial: Optional[MockReply] = None) -> None:
        self.statuses = list(statuses) or [MockReply(200, job("Succeeded", azureStorageBlobContainerUri=FOLDER_URL))]
        self.initial = initial

    def __call__(self, request: HttpRequest) -> MockReply:
        if "Authorization" not in request.headers:
            return CHALLENGE
        if request.method in ("POST", "PUT"):
            if self.initial is not None:
                return self.initial
            kind = "backup" if request.url.split("?")[0].endswith("backup") else "restore"
            status_url = BACKUP_STATUS if kind == "backup" else RESTORE_STATUS
            return MockReply(202, job("InProgress"), {"Azure-AsyncOperation": status_url, "Retry-After": "10"})
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


class Twin:
    """One sync or async client over a scripted transport, with awaitable helpers for both."""

    def __init__(self, is_async: bool, hsm: FakeHsm, **client_kwargs: Any) -> None:
        self.is_async = is_async
        if is_async:
            self.transport: Any = AsyncMockTransport(hsm)
            self.client: Any = AsyncKeyVaultBackupClient(
                VAULT, AsyncFakeCredential(), transport=self.transport, **client_kwargs
            )
        else:
            self.transport = MockTransport(hsm)
            self.client = KeyVaultBackupClient(VAULT, FakeCredential(), transport=self.transport, **client_kwargs)

    async def begin(self, method: str, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("polling_interval", 0)
        result = getattr(self.client, method)(*args, **kwargs)
        return await result if self.is_async else result

    async def result(self, poller: Any) -> Any:
        return await poller.result() if self.is_async else poller.result()

    async def wait(self, poller: Any) -> None:
        if self.is_async:
            await poller.wait()
        else:
            poller.wait()

    @property
    def sent(self) -> list[Any]:
        """Requests that carried a token (the challenge probe is left out)."""
        return [r for r in self.transport.requests if "Authorization" in r.headers]


@pytest.fixture(autouse=True)
def clear_challenge_cache() -> Any:
    HttpChallengeCache.clear()
    yield
    HttpChallengeCache.clear()


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record polling delays instead of sleeping."""
    recorded: list[float] = []

    async def async_sleep(self: Any, seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(KeyVaultBackupClientPollingMethod, "_sleep", lambda self, seconds: recorded.append(seconds))
    monkeypatch.setattr(KeyVaultAsyncBackupClientPollingMethod, "_sleep", async_sleep)
    return recorded


# ---------------------------------------------------------------- requests on the wire


async def test_backup_with_sas(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm())
    poller = await twin.begin("begin_backup", CONTAINER, sas_token="se=2030&sig=abc")
    assert isinstance(poller, AsyncLROPoller if is_async else LROPoller)
    result = await twin.result(poller)
    assert isinstance(result, KeyVaultBackupResult) and result.folder_url == FOLDER_URL
    start, poll = twin.sent
    assert (start.method, start.url) == ("POST", f"{VAULT}/backup?api-version=2025-07-01")
    assert start.body == b'{"storageResourceUri": "%s", "token": "se=2030&sig=abc", "useManagedIdentity": false}' % (
        CONTAINER.encode()
    )
    assert start.headers["Accept"] == "application/json" and start.headers["Content-Type"] == "application/json"
    # the status URL is polled exactly as given: no api-version, no Accept header
    assert (poll.method, poll.url, poll.body) == ("GET", BACKUP_STATUS, None)
    assert "Accept" not in poll.headers


async def test_backup_legacy_positional_sas_and_managed_identity(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm())
    await twin.result(await twin.begin("begin_backup", CONTAINER, "legacy-sas", "ignored-extra"))
    await twin.result(await twin.begin("begin_backup", CONTAINER, use_managed_identity=True))
    await twin.result(await twin.begin("begin_backup", CONTAINER))
    bodies = [r.json() for r in twin.sent if r.method == "POST"]
    assert bodies == [
        {"storageResourceUri": CONTAINER, "token": "legacy-sas", "useManagedIdentity": False},
        {"storageResourceUri": CONTAINER, "useManagedIdentity": True},
        {"storageResourceUri": CONTAINER, "useManagedIdentity": False},
    ]


async def test_sas_token_given_twice_reaches_the_transport(is_async: bool) -> None:
    # Official behaviour: the positional token is sent; the keyword one stays a pipeline keyword, which a real
    # transport rejects with TypeError (this mock transport accepts it, so the operation completes).
    twin = Twin(is_async, FakeHsm())
    await twin.result(await twin.begin("begin_backup", CONTAINER, "a", sas_token="b"))
    assert twin.sent[0].json()["token"] == "a"
    assert all(kwargs.get("sas_token") == "b" for kwargs in twin.transport.send_kwargs)


async def test_positional_sas_token_for_pre_checks_is_a_type_error(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm())
    with pytest.raises(TypeError):
        await twin.begin("begin_pre_backup", CONTAINER, "positional-sas")
    with pytest.raises(TypeError):
        await twin.begin("begin_pre_restore", FOLDER_URL, "positional-sas")
    assert twin.transport.requests == []


async def test_full_restore(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(200, job("Succeeded"))))
    poller = await twin.begin("begin_restore", FOLDER_URL + "?sv=2020&sig=dropped", sas_token="sas")
    assert await twin.result(poller) is None
    start, poll = twin.sent
    assert (start.method, start.url) == ("PUT", f"{VAULT}/restore?api-version=2025-07-01")
    assert start.body == (
        b'{"sasTokenParameters": {"storageResourceUri": "%s", "token": "sas", '
        b'"useManagedIdentity": false}, "folderToRestore": "mhsm-myhsm-2025060502180134"}' % CONTAINER.encode()
    )
    assert poll.url == RESTORE_STATUS


async def test_selective_key_restore(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(200, job("Succeeded"))))
    poller = await twin.begin("begin_restore", f"{CONTAINER}/a/b/", use_managed_identity=True, key_name="k a/b?c")
    await twin.wait(poller)
    start = twin.sent[0]
    assert (start.method, start.url) == ("PUT", f"{VAULT}/keys/k%20a%2Fb%3Fc/restore?api-version=2025-07-01")
    assert start.json() == {
        "sasTokenParameters": {"storageResourceUri": CONTAINER, "useManagedIdentity": True},
        "folder": "a/b",
    }


async def test_pre_backup_and_pre_restore_bodies(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(200, job("Succeeded"))))
    await twin.wait(await twin.begin("begin_pre_backup", CONTAINER, sas_token="sas"))
    await twin.wait(await twin.begin("begin_pre_restore", FOLDER_URL, use_managed_identity=True))
    pre_backup, _, pre_restore, _ = twin.sent
    assert (pre_backup.method, pre_backup.url) == ("POST", f"{VAULT}/prebackup?api-version=2025-07-01")
    assert pre_backup.body == b'{"storageResourceUri": "%s", "token": "sas", "useManagedIdentity": false}' % (
        CONTAINER.encode()
    )
    assert (pre_restore.method, pre_restore.url) == ("PUT", f"{VAULT}/prerestore?api-version=2025-07-01")
    assert pre_restore.body == (
        b'{"folderToRestore": "mhsm-myhsm-2025060502180134", "sasTokenParameters": '
        b'{"storageResourceUri": "%s", "useManagedIdentity": true}}' % CONTAINER.encode()
    )


@pytest.mark.parametrize("version", ["7.2", "7.5", "7.6-preview.1", "2026-07-01-PREVIEW", "2027-01-01", "foo"])
async def test_pre_checks_refuse_older_versions_before_any_request(is_async: bool, version: str) -> None:
    twin = Twin(is_async, FakeHsm(), api_version=version)
    with pytest.raises(ValueError) as info:
        await twin.begin("begin_pre_backup", CONTAINER, sas_token="sas")
    assert str(info.value) == (
        f"'begin_pre_full_backup' is not available in API version {version}. "
        "Pass service API version 7.6-preview.2 or newer to your client."
    )
    with pytest.raises(ValueError) as info:
        await twin.begin("begin_pre_restore", FOLDER_URL, sas_token="sas")
    assert str(info.value) == (
        f"'begin_pre_full_restore_operation' is not available in API version {version}. "
        "Pass service API version 7.6-preview.2 or newer to your client."
    )
    assert twin.transport.requests == []
    # backup and restore have no gate
    await twin.wait(await twin.begin("begin_backup", CONTAINER, sas_token="sas"))
    assert twin.sent[0].url == f"{VAULT}/backup?api-version={version}"


@pytest.mark.parametrize(
    "version",
    [
        "7.6-preview.2",
        "7.6",
        "2025-06-01-preview",
        "2025-07-01",
        # 4.8.0b3's wider gate (exact strings; 2026-03 and 2026-05 are not ApiVersion members)
        "2026-01-01-preview",
        "2026-03-01-preview",
        "2026-05-01-preview",
        "2026-07-01-preview",
    ],
)
async def test_pre_checks_accepted_versions(is_async: bool, version: str) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(200, job("Succeeded"))), api_version=version)
    await twin.wait(await twin.begin("begin_pre_backup", CONTAINER, sas_token="sas"))
    assert twin.sent[0].url == f"{VAULT}/prebackup?api-version={version}"


async def test_folder_url_must_be_a_string(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm())
    with pytest.raises(ValueError, match='"folder_url" should be the URL of a blob holding a Key Vault backup'):
        await twin.begin("begin_restore", None, sas_token="sas")


# ---------------------------------------------------------------- polling


async def test_polling_interval_spellings(is_async: bool, sleeps: list[float]) -> None:
    statuses = [MockReply(200, job("InProgress")), MockReply(200, job("Succeeded"))]
    for kwargs, expected in (({"polling_interval": 0.25}, 0.25), ({"_polling_interval": 0.5}, 0.5), ({}, 5)):
        twin = Twin(is_async, FakeHsm(*statuses))
        poller = (
            await twin.begin("begin_backup", CONTAINER, sas_token="s", **kwargs)
            if kwargs
            else await (
                twin.client.begin_backup(CONTAINER, sas_token="s")
                if is_async
                else _aw(twin.client.begin_backup(CONTAINER, sas_token="s"))
            )
        )
        await twin.wait(poller)
        assert sleeps.pop() == expected and sleeps == []


async def _aw(value: Any) -> Any:
    return value


async def test_retry_after_on_status_response_is_honoured(is_async: bool, sleeps: list[float]) -> None:
    twin = Twin(
        is_async, FakeHsm(MockReply(200, job("InProgress"), {"Retry-After": "3"}), MockReply(200, job("Succeeded")))
    )
    await twin.wait(await twin.begin("begin_backup", CONTAINER, sas_token="s", polling_interval=1))
    assert sleeps == [3.0]


async def test_progress_is_visible(is_async: bool) -> None:
    twin = Twin(
        is_async,
        FakeHsm(
            MockReply(200, job("InProgress", statusDetails="1 of 2 keys")),
            MockReply(200, job("Succeeded", statusDetails="2 keys")),
        ),
    )
    poller = await twin.begin("begin_backup", CONTAINER, sas_token="s")
    await twin.wait(poller)
    assert poller.status() == "Succeeded" and poller.done()
    method = poller.polling_method()
    assert method.status_details == "2 keys" and method.job_id == JOB
    assert method.job["startTime"] == 1749089881


async def test_failed_job_raises_service_error(is_async: bool) -> None:
    error = {"code": "BackupFailed", "message": "it broke", "innererror": None}
    twin = Twin(is_async, FakeHsm(MockReply(200, job("Failed", error=error))))
    poller = await twin.begin("begin_backup", CONTAINER, sas_token="s")
    with pytest.raises(HttpResponseError) as info:
        await twin.result(poller)
    assert str(info.value) == "(BackupFailed) it broke\nCode: BackupFailed\nMessage: it broke"
    assert info.value.status_code == 200
    assert poller.status() == "Failed"
    assert info.value.continuation_token == poller.continuation_token()


async def test_polling_false_returns_initial_state(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm())
    poller = await twin.begin("begin_backup", CONTAINER, sas_token="s", polling=False)
    result = await twin.result(poller)
    assert result.folder_url is None
    assert [r.method for r in twin.sent] == ["POST"]


# ---------------------------------------------------------------- initial response errors


async def test_initial_response_must_be_202(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(initial=MockReply(200, job("InProgress"))))
    with pytest.raises(HttpResponseError) as info:
        await twin.begin("begin_backup", CONTAINER, sas_token="s")
    assert str(info.value).startswith("Operation returned an invalid status 'OK'")
    twin = Twin(is_async, FakeHsm(initial=MockReply(409, {"error": {"code": "Conflict", "message": "busy"}})))
    with pytest.raises(ResourceExistsError):
        await twin.begin("begin_restore", FOLDER_URL, sas_token="s")
    bad_sas = {
        "error": {"code": "BadRequest", "message": "The customer provided SAS token is malformed.", "innererror": None}
    }
    twin = Twin(is_async, FakeHsm(initial=MockReply(400, bad_sas)))
    with pytest.raises(HttpResponseError) as info:
        await twin.begin("begin_restore", FOLDER_URL, sas_token="bad_token")
    assert info.value.status_code == 400 and info.value.error is not None
    assert info.value.error.message == "The customer provided SAS token is malformed."


async def test_initial_202_without_status_link(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(initial=MockReply(202, job("InProgress"))))
    with pytest.raises(BadResponse, match="Unable to find status link for polling"):
        await twin.begin("begin_backup", CONTAINER, sas_token="s")


# ---------------------------------------------------------------- continuation tokens


async def test_continuation_token_round_trip(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm())
    poller = await twin.begin("begin_backup", CONTAINER, sas_token="s")
    token = poller.continuation_token()
    assert token == base64.b64encode(BACKUP_STATUS.encode()).decode("ascii")
    await twin.wait(poller)
    # a finished operation rehydrates with its result (the official 4.7.2 raises AttributeError here)
    twin.transport.requests.clear()
    resumed = await twin.begin("begin_backup", "ignored", continuation_token=token)
    assert resumed.status() == "Succeeded"
    assert (await twin.result(resumed)).folder_url == FOLDER_URL
    assert [(r.method, r.url) for r in twin.sent] == [("GET", f"{BACKUP_STATUS}?api-version=2025-07-01")]
    assert resumed.continuation_token() == token


async def test_resumed_operation_polls_the_token_url(is_async: bool) -> None:
    other_host = f"https://other.managedhsm.azure.net/backup/{JOB}/pending"
    twin = Twin(is_async, FakeHsm(MockReply(200, job("InProgress")), MockReply(200, job("Succeeded"))))
    token = base64.b64encode(other_host.encode()).decode()
    resumed = await twin.begin("begin_pre_backup", CONTAINER, continuation_token=token)
    if is_async:  # the sync poller's thread may already have polled again
        assert resumed.status() == "InProgress"
    assert await twin.result(resumed) is None
    urls = [r.url for r in twin.sent]
    assert urls == [f"{BACKUP_STATUS}?api-version=2025-07-01", other_host]


async def test_restore_tokens_use_the_restore_status_operation(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(200, job("Succeeded"))))
    token = base64.b64encode(RESTORE_STATUS.encode()).decode()
    await twin.wait(await twin.begin("begin_restore", FOLDER_URL, continuation_token=token, key_name="k"))
    await twin.wait(await twin.begin("begin_pre_restore", FOLDER_URL, continuation_token=token))
    assert [r.url for r in twin.sent] == [f"{RESTORE_STATUS}?api-version=2025-07-01"] * 2


async def test_resuming_an_unknown_job(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(404, {"error": {"code": "JobNotFound", "message": "no such job"}})))
    with pytest.raises(ResourceNotFoundError):
        await twin.begin(
            "begin_backup", CONTAINER, continuation_token=base64.b64encode(BACKUP_STATUS.encode()).decode()
        )


async def test_resumed_failed_job_raises(is_async: bool) -> None:
    error = {"code": "RestoreFailed", "message": "folder missing"}
    twin = Twin(is_async, FakeHsm(MockReply(200, job("Failed", error=error))))
    token = base64.b64encode(RESTORE_STATUS.encode()).decode()
    resumed = await twin.begin("begin_restore", FOLDER_URL, continuation_token=token)
    assert resumed.status() == "Failed"
    with pytest.raises(HttpResponseError, match="folder missing"):
        await twin.result(resumed)


async def test_malformed_continuation_tokens(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm())
    with pytest.raises(binascii.Error):
        await twin.begin("begin_backup", CONTAINER, continuation_token="abc")
    with pytest.raises(UnicodeDecodeError):
        await twin.begin("begin_restore", FOLDER_URL, continuation_token=base64.b64encode(b"\xff\xfe").decode())
    with pytest.raises(ValueError) as info:
        await twin.begin("begin_backup", CONTAINER, continuation_token=base64.b64encode(b"https://x/backup").decode())
    assert str(info.value) == (
        "The provided continuation_token is malformed. A valid token can be obtained from "
        "the operation poller's continuation_token() method"
    )
    assert twin.transport.requests == []


async def test_falsy_token_starts_a_new_operation(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm())
    await twin.wait(await twin.begin("begin_backup", CONTAINER, sas_token="s", continuation_token=""))
    assert twin.sent[0].method == "POST"


async def test_tokens_cross_between_sync_and_async() -> None:
    sync_twin = Twin(False, FakeHsm(MockReply(200, job("InProgress"))))
    token = (await sync_twin.begin("begin_backup", CONTAINER, sas_token="s", polling=False)).continuation_token()
    async_twin = Twin(True, FakeHsm())
    resumed = await async_twin.begin("begin_backup", CONTAINER, continuation_token=token)
    assert (await resumed.result()).folder_url == FOLDER_URL


# ---------------------------------------------------------------- surface and tracing


def _surface_methods(module: str) -> dict[str, Any]:
    data = json.loads(SURFACE.read_text())
    names = data["modules"][module]["names"]
    return dict(names["KeyVaultBackupClient"]["methods"])


@pytest.mark.parametrize("module", ["azure.keyvault.administration", "azure.keyvault.administration.aio"])
def test_signatures_match_the_official_surface(module: str) -> None:
    client_cls = AsyncKeyVaultBackupClient if module.endswith("aio") else KeyVaultBackupClient
    for name, spec in _surface_methods(module).items():
        if not name.startswith("begin_"):
            continue
        method = getattr(client_cls, name)
        params = list(inspect.signature(method).parameters.values())[1:]
        assert [(p.name, p.kind.name.lower()) for p in params] == [(p["name"], p["kind"]) for p in spec["params"]]
        assert inspect.iscoroutinefunction(method) == spec["async"]


async def test_span_names(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(200, job("Succeeded"))))
    with recording_spans() as names:
        for method, url in (
            ("begin_backup", CONTAINER),
            ("begin_restore", FOLDER_URL),
            ("begin_pre_backup", CONTAINER),
            ("begin_pre_restore", FOLDER_URL),
        ):
            await twin.wait(await twin.begin(method, url, sas_token="s"))
    top = [n for n in names if n.startswith("KeyVaultBackupClient.")]
    assert top == [
        "KeyVaultBackupClient.begin_backup",
        "KeyVaultBackupClient.begin_restore",
        "KeyVaultBackupClient.begin_pre_backup",
        "KeyVaultBackupClient.begin_pre_restore",
    ]


# ---------------------------------------------------------------- parity details (official order and states)


@pytest.mark.parametrize("reply", [
    MockReply(404, {"error": {"code": "JobNotFound", "message": "gone"}}),
    MockReply(200, {"jobId": JOB}),
], ids=["404", "no-status"])
async def test_unreadable_status_response_marks_the_poller_failed(is_async: bool, reply: MockReply) -> None:
    twin = Twin(is_async, FakeHsm(reply))
    poller = await twin.begin("begin_backup", CONTAINER, sas_token="s")
    with pytest.raises(HttpResponseError):
        await twin.result(poller)
    assert poller.status() == "Failed"


async def test_status_body_that_is_not_an_object_raises_attribute_error(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(200, ["not", "an", "object"])))
    poller = await twin.begin("begin_backup", CONTAINER, sas_token="s")
    with pytest.raises(AttributeError, match="'list' object has no attribute 'get'"):
        await twin.result(poller)
    assert poller.status() == "InProgress"


async def test_resumed_pre_check_fetches_the_status_before_the_version_gate(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(), api_version="7.5")
    token = base64.b64encode(BACKUP_STATUS.encode()).decode()
    with pytest.raises(ValueError, match=r"'begin_pre_full_backup' is not available in API version 7\.5"):
        await twin.begin("begin_pre_backup", CONTAINER, continuation_token=token)
    assert [(r.method, r.url) for r in twin.sent] == [("GET", f"{VAULT}/backup/{JOB}/pending?api-version=7.5")]
    with pytest.raises(ValueError, match="'begin_pre_full_backup' is not available"):
        await twin.begin("begin_pre_backup", CONTAINER, sas_token="s")
    assert len(twin.sent) == 1  # a new operation is refused before any request


async def test_resumed_restore_checks_the_folder_url_after_the_status(is_async: bool) -> None:
    twin = Twin(is_async, FakeHsm(MockReply(200, job("InProgress"))))
    token = base64.b64encode(RESTORE_STATUS.encode()).decode()
    with pytest.raises(ValueError, match='"folder_url" should be the URL of a blob'):
        await twin.begin("begin_restore", None, continuation_token=token)
    assert [(r.method, r.url) for r in twin.sent] == [("GET", f"{VAULT}/restore/{JOB}/pending?api-version=2025-07-01")]
    # the pre-restore check reads its folder URL first, even when resuming
    with pytest.raises(ValueError, match='"folder_url" should be the URL of a blob'):
        await twin.begin("begin_pre_restore", None, continuation_token=token)
    assert len(twin.sent) == 1
