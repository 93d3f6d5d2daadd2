"""Backup facts of API.md §4 not pinned elsewhere: poller types, folder URL splitting as sent, a result without
a folder, the token's job id and host, where a rehydrated poller polls, and the probe for a status host."""

from __future__ import annotations

import base64
from typing import Any, Callable

import pytest
from azure.core.polling import AsyncLROPoller, LROPoller
from azure.core.rest import HttpRequest
from backup_mocks import CHALLENGE, AsyncFakeCredential, AsyncMockTransport, FakeCredential, MockReply, MockTransport

from azure.keyvault.administration import KeyVaultBackupClient, KeyVaultBackupResult
from azure.keyvault.administration._internal import HttpChallengeCache
from azure.keyvault.administration.aio import KeyVaultBackupClient as AsyncKeyVaultBackupClient

VAULT = "https://conf.managedhsm.azure.net"
OTHER = "https://other.managedhsm.azure.net"
JOB = "job42"


def status(state: str, **extra: Any) -> MockReply:
    return MockReply(200, {"status": state, "jobId": JOB, "error": None, **extra})


def accepted(kind: str) -> MockReply:
    headers = {"Azure-AsyncOperation": f"{VAULT}/{kind}/{JOB}/pending"}
    return MockReply(202, {"status": "InProgress", "jobId": JOB}, headers)


def token(url: str) -> str:
    return base64.b64encode(url.encode()).decode()


class Service:
    """Challenges token-less requests; answers POST/PUT with a 202 and GETs from ``statuses`` (last one repeats)."""

    def __init__(self, *statuses: MockReply, on_get: Callable[[HttpRequest], MockReply] | None = None) -> None:
        self.statuses = list(statuses) or [status("Succeeded")]
        self.on_get = on_get

    def __call__(self, request: HttpRequest) -> MockReply:
        if "Authorization" not in request.headers:
            return CHALLENGE
        if request.method in ("POST", "PUT"):
            return accepted("backup" if "backup" in request.url else "restore")
        if self.on_get is not None:
            return self.on_get(request)
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@pytest.fixture(autouse=True)
def empty_challenge_cache() -> Any:
    HttpChallengeCache.clear()
    yield
    HttpChallengeCache.clear()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Harness:
    def __init__(self, mode: str, service: Service) -> None:
        self.mode = mode
        if mode == "sync":
            self.transport: Any = MockTransport(service)
            self.client: Any = KeyVaultBackupClient(VAULT, FakeCredential(), transport=self.transport)
        else:
            self.transport = AsyncMockTransport(service)
            self.client = AsyncKeyVaultBackupClient(VAULT, AsyncFakeCredential(), transport=self.transport)

    async def begin(self, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.client, method)(*args, _polling_interval=0, **kwargs)
        return await result if self.mode == "async" else result

    async def result(self, poller: Any) -> Any:
        return await poller.result() if self.mode == "async" else poller.result()

    @property
    def authorized(self) -> list[Any]:
        return [r for r in self.transport.requests if "Authorization" in r.headers]


async def test_pollers_and_results(mode: str) -> None:
    harness = Harness(mode, Service(status("InProgress"), status("Succeeded")))
    expected = LROPoller if mode == "sync" else AsyncLROPoller
    for method, url in (("begin_backup", "https://a/c"), ("begin_restore", "https://a/c/f"),
                        ("begin_pre_backup", "https://a/c"), ("begin_pre_restore", "https://a/c/f")):
        poller = await harness.begin(method, url, sas_token="s")
        assert isinstance(poller, expected)
        result = await harness.result(poller)
        if method == "begin_backup":
            # the status body has no azureStorageBlobContainerUri
            assert isinstance(result, KeyVaultBackupResult) and result.folder_url is None
        else:
            assert result is None


@pytest.mark.parametrize(
    ("folder_url", "container", "folder"),
    [
        ("https://acct.blob.core.windows.net/backup", "https://acct.blob.core.windows.net/backup", ""),
        ("container/folder", ":///container", "folder"),
        ("https://a.storage/a/b/c/#frag", "https://a.storage/a", "b/c"),
    ],
)
async def test_folder_url_splitting_as_sent(mode: str, folder_url: str, container: str, folder: str) -> None:
    harness = Harness(mode, Service())
    await harness.result(await harness.begin("begin_restore", folder_url, sas_token="s"))
    await harness.result(await harness.begin("begin_pre_restore", folder_url, use_managed_identity=True))
    restore, _, pre_restore, _ = harness.authorized
    assert restore.json() == {
        "sasTokenParameters": {"storageResourceUri": container, "token": "s", "useManagedIdentity": False},
        "folderToRestore": folder,
    }
    assert pre_restore.json() == {
        "folderToRestore": folder,
        "sasTokenParameters": {"storageResourceUri": container, "useManagedIdentity": True},
    }


async def test_token_job_id_is_the_third_path_segment_whatever_the_operation(mode: str) -> None:
    harness = Harness(mode, Service())
    restore_token = token(f"{VAULT}/restore/{JOB}/pending")
    await harness.result(await harness.begin("begin_backup", "ignored", continuation_token=restore_token))
    assert [(r.method, r.url) for r in harness.authorized] == [
        ("GET", f"{VAULT}/backup/{JOB}/pending?api-version=2025-07-01")
    ]


async def test_rehydrated_poller_polls_at_the_status_response_header(mode: str) -> None:
    header_url = f"{OTHER}/backup/{JOB}/pending?from=header"

    def on_get(request: HttpRequest) -> MockReply:
        if request.url.startswith(VAULT):  # the generated status GET on the client's vault
            return MockReply(200, {"status": "InProgress", "jobId": JOB}, {"Azure-AsyncOperation": header_url})
        return status("Succeeded")

    harness = Harness(mode, Service(on_get=on_get))
    poller = await harness.begin("begin_pre_backup", "ignored", continuation_token=token(f"{VAULT}/backup/{JOB}/x"))
    assert await harness.result(poller) is None
    urls = [r.url for r in harness.transport.requests]
    # the status host is new: its first request is a token-less probe, then the authorized poll
    assert urls == [
        f"{VAULT}/backup/{JOB}/pending?api-version=2025-07-01",
        f"{VAULT}/backup/{JOB}/pending?api-version=2025-07-01",
        header_url,
        header_url,
    ]
    assert ["Authorization" in r.headers for r in harness.transport.requests] == [False, True, False, True]
