"""Measures one figure in THIS interpreter and prints it as one JSON line (run by ``bench.py``, never imported).

The same script runs under the repository's ``.venv`` (this package) and under ``.venv-official`` (the official
4.7.2), so the two packages never share a process; ``side`` only says which code path to take: ``ours`` and
``official`` use ``azure.keyvault.administration`` (whichever the interpreter has), ``floor`` uses azure-core's
``PipelineClient`` with its transport and no policies. Only the standard library, azure-core, aiohttp and the
package are imported, so it runs in both environments.

    python benchmarks/_worker.py '{"figure": "sync_get", "side": "ours", "vault_url": ..., "ca_file": ...,
                                   "token": ..., "params": {...}, "profile": null}'
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import http.client
import json
import pstats
import ssl
import sys
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from azure.core.credentials import AccessToken, AccessTokenInfo

ROLE_NAME = "21dbd100-6940-42c2-9190-5d6cb909625b"
DEFINITION_ID = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/" + ROLE_NAME
PRINCIPAL_ID = "6a2b1c9e-0000-4000-8000-00000000be0c"
BLOB_URL = "https://account.blob.core.windows.net/backups"
SAS_TOKEN = "sv=2024-01-01&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=benchmarkNotASecret"
API_VERSION = "2025-07-01"


class FakeCredential:
    """The same credential for both packages: a fixed bearer token, no identity endpoint."""

    def __init__(self, token: str) -> None:
        self._token = token
        self.calls = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        return AccessToken(self._token, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        self.calls += 1
        return AccessTokenInfo(self._token, int(time.time()) + 3600)

    def close(self) -> None:
        pass


class AsyncFakeCredential:
    """Async twin of :class:`FakeCredential`."""

    def __init__(self, token: str) -> None:
        self._token = token
        self.calls = 0

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        return AccessToken(self._token, int(time.time()) + 3600)

    async def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        self.calls += 1
        return AccessTokenInfo(self._token, int(time.time()) + 3600)

    async def close(self) -> None:
        pass


class Run:
    """The worker's inputs and the pieces of its result."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.figure: str = spec["figure"]
        self.side: str = spec["side"]
        self.vault_url: str = spec["vault_url"]
        self.ca_file: str = spec["ca_file"]
        self.token: str = spec["token"]
        self.params: dict[str, Any] = spec.get("params") or {}
        self.profile_path: str | None = spec.get("profile")
        self.stats_available: bool = bool(spec.get("stats", True))
        self.profiler: cProfile.Profile | None = cProfile.Profile() if self.profile_path else None
        self.extra: dict[str, Any] = {}
        self._stats_before: dict[str, int] | None = None
        self._cpu_before = 0.0
        self._thread_profiles: list[cProfile.Profile] = []
        self._thread_run: Any = None

    # ---- server counters, to show both packages make the same requests ----

    def _stats(self) -> dict[str, int] | None:
        if not self.stats_available:
            return None
        parsed = urlparse(self.vault_url)
        context = ssl.create_default_context(cafile=self.ca_file)
        connection = http.client.HTTPSConnection(parsed.hostname or "127.0.0.1", parsed.port, context=context)
        try:
            connection.request("GET", "/__stats")
            return dict(json.loads(connection.getresponse().read()))
        finally:
            connection.close()

    def start(self) -> None:
        """Called right before the measured part."""
        self._stats_before = self._stats()
        gc.collect()
        if self.profiler is not None:
            self._profile_threads()
            self.profiler.enable()
        self._cpu_before = time.process_time()

    def _profile_threads(self) -> None:
        """Profile every thread started while measuring too (cProfile sees only the thread that enables it)."""
        original = self._thread_run = threading.Thread.run
        profiles = self._thread_profiles

        def profiled_run(thread: threading.Thread) -> None:
            profile = cProfile.Profile()
            profiles.append(profile)
            profile.enable()
            try:
                original(thread)
            finally:
                profile.disable()

        threading.Thread.run = profiled_run  # type: ignore[method-assign]

    def stop(self, operations: int) -> None:
        """Called right after the measured part of ``operations`` operations."""
        # CPU of this process (all threads) per operation: the client's own cost, without the waits for the server
        # and the scheduler, which add the same to both packages and pull wall-time ratios towards 1.
        self.extra["cpu_ms_per_op"] = (time.process_time() - self._cpu_before) / max(1, operations) * 1000
        if self.profiler is not None:
            self.profiler.disable()
            threading.Thread.run = self._thread_run  # type: ignore[method-assign]
            stats = pstats.Stats(self.profiler)
            for profile in self._thread_profiles:  # e.g. an LROPoller's polling thread
                stats.add(profile)
            stats.dump_stats(str(self.profile_path))
        after = self._stats()
        if after is not None and self._stats_before is not None and operations:
            before = self._stats_before
            delta = {key: after.get(key, 0) - before.get(key, 0) for key in sorted(set(after) | set(before))}
            delta["tls_connections"] = delta.get("tls_connections", 0) - 1  # the second /__stats request's own
            self.extra["requests_per_op"] = {
                key: round(count / operations, 3) for key, count in delta.items() if count
            }


# ---- helpers ----------------------------------------------------------------------------------------------------


def measure_sync(run: Run, operation: Callable[[], Any], calls: int) -> float:
    """Mean milliseconds per call over ``calls`` back-to-back calls."""
    durations = []
    run.start()
    started = time.perf_counter()
    for _ in range(calls):
        begin = time.perf_counter()
        operation()
        durations.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    run.stop(calls)
    durations.sort()
    run.extra["median_ms"] = durations[len(durations) // 2] * 1000
    run.extra["p90_ms"] = durations[int(len(durations) * 0.9)] * 1000
    return elapsed / calls * 1000


async def measure_concurrent(
    run: Run, operation: Callable[[], Awaitable[Any]], calls: int, concurrency: int
) -> float:
    """Milliseconds of wall time per call with ``concurrency`` tasks calling back to back."""
    per_task = max(1, calls // concurrency)

    async def worker() -> None:
        for _ in range(per_task):
            await operation()

    run.start()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    run.stop(per_task * concurrency)
    run.extra["calls_per_s"] = per_task * concurrency / elapsed
    return elapsed / (per_task * concurrency) * 1000


def _definition_url(vault_url: str) -> str:
    return f"{vault_url}/providers/Microsoft.Authorization/roleDefinitions/{ROLE_NAME}?api-version={API_VERSION}"


def _package_info(side: str) -> dict[str, Any]:
    if side == "floor":
        import azure.core

        return {"package": "azure-core", "version": azure.core.__version__, "file": azure.core.__file__}
    import azure.keyvault.administration as package

    return {"package": "azure-keyvault-administration", "version": package.__version__, "file": package.__file__}


# ---- figures ----------------------------------------------------------------------------------------------------


def sync_get(run: Run) -> float:
    calls, warmup = run.params["calls"], run.params["warmup"]
    if run.side == "floor":
        from azure.core import PipelineClient
        from azure.core.pipeline.transport import RequestsTransport
        from azure.core.rest import HttpRequest

        url, headers = _definition_url(run.vault_url), {"Authorization": "Bearer " + run.token}
        with PipelineClient(run.vault_url, policies=[], transport=RequestsTransport()) as floor:

            def floor_get() -> Any:
                response = floor.send_request(HttpRequest("GET", url, headers=headers))
                assert response.status_code == 200, response.status_code
                return response

            for _ in range(warmup):
                floor_get()
            return measure_sync(run, floor_get, calls)

    from azure.keyvault.administration import KeyVaultAccessControlClient

    credential = FakeCredential(run.token)
    with KeyVaultAccessControlClient(run.vault_url, credential) as client:

        def get() -> Any:
            return client.get_role_definition("/", ROLE_NAME)

        assert get().name == ROLE_NAME
        for _ in range(warmup):
            get()
        calls_before = credential.calls
        value = measure_sync(run, get, calls)
        run.extra["token_requests_per_op"] = (credential.calls - calls_before) / calls
        return value


async def _async_get(run: Run, *, verify_path: bool) -> float:
    calls, warmup, concurrency = run.params["calls"], run.params["warmup"], run.params["concurrency"]
    if run.side == "floor":
        from azure.core import AsyncPipelineClient
        from azure.core.pipeline.transport import AioHttpTransport
        from azure.core.rest import HttpRequest

        url, headers = _definition_url(run.vault_url), {"Authorization": "Bearer " + run.token}
        kwargs: dict[str, Any] = {"connection_verify": run.ca_file} if verify_path else {}
        async with AsyncPipelineClient(run.vault_url, policies=[], transport=AioHttpTransport(**kwargs)) as floor:

            async def floor_get() -> Any:
                response = await floor.send_request(HttpRequest("GET", url, headers=headers))
                assert response.status_code == 200, response.status_code
                return response

            await floor_get()
            for _ in range(warmup):
                await asyncio.gather(*(floor_get() for _ in range(concurrency)))
            return await measure_concurrent(run, floor_get, calls, concurrency)

    from azure.keyvault.administration.aio import KeyVaultAccessControlClient

    credential = AsyncFakeCredential(run.token)
    client_kwargs: dict[str, Any] = {"connection_verify": run.ca_file} if verify_path else {}
    async with KeyVaultAccessControlClient(run.vault_url, credential, **client_kwargs) as client:

        async def get() -> Any:
            return await client.get_role_definition("/", ROLE_NAME)

        assert (await get()).name == ROLE_NAME  # the challenge, once
        for _ in range(warmup):
            await asyncio.gather(*(get() for _ in range(concurrency)))
        calls_before = credential.calls
        value = await measure_concurrent(run, get, calls, concurrency)
        run.extra["token_requests_per_op"] = (credential.calls - calls_before) / max(1, calls)
        return value


def async_get(run: Run) -> float:
    return asyncio.run(_async_get(run, verify_path=False))


def async_verify(run: Run) -> float:
    return asyncio.run(_async_get(run, verify_path=True))


def list_definitions(run: Run) -> float:
    from azure.keyvault.administration import KeyVaultAccessControlClient

    expected = run.params.get("items")
    with KeyVaultAccessControlClient(run.vault_url, FakeCredential(run.token)) as client:

        def listing() -> int:
            count = sum(1 for _ in client.list_role_definitions("/"))
            assert expected is None or count == expected, count
            return count

        for _ in range(run.params["warmup"]):
            listing()
        return measure_sync(run, listing, run.params["calls"])


def create(run: Run) -> float:
    from azure.keyvault.administration import KeyVaultAccessControlClient

    with KeyVaultAccessControlClient(run.vault_url, FakeCredential(run.token)) as client:

        def create_assignment() -> Any:
            assignment = client.create_role_assignment("/", DEFINITION_ID, PRINCIPAL_ID)
            assert assignment.properties.principal_id == PRINCIPAL_ID
            return assignment

        for _ in range(run.params["warmup"]):
            create_assignment()
        return measure_sync(run, create_assignment, run.params["calls"])


def backup(run: Run) -> float:
    from azure.keyvault.administration import KeyVaultBackupClient

    with KeyVaultBackupClient(run.vault_url, FakeCredential(run.token)) as client:

        def full_backup() -> Any:
            # _polling_interval (the keyword both packages read) 0: the three polls follow each other at once.
            result = client.begin_backup(BLOB_URL, sas_token=SAS_TOKEN, _polling_interval=0).result()
            assert result.folder_url.startswith(BLOB_URL + "/mhsm-fake-"), result.folder_url
            return result

        for _ in range(run.params["warmup"]):
            full_backup()
        return measure_sync(run, full_backup, run.params["calls"])


def mem_per_item(run: Run) -> float:
    """Bytes still allocated per listed item while the caller holds the items (tracemalloc)."""
    from azure.keyvault.administration import KeyVaultAccessControlClient

    items_wanted = run.params["items"]
    with KeyVaultAccessControlClient(run.vault_url, FakeCredential(run.token)) as client:
        assert sum(1 for _ in client.list_role_definitions("/")) == 1000  # warm: challenge, imports, caches
        run.start()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        items = list(client.list_role_definitions("/keys"))
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        run.stop(1)
        assert len(items) == items_wanted, len(items)
        run.extra["retained_bytes"] = retained
        run.extra["items"] = len(items)
        return retained / len(items)


FIGURES: dict[str, Callable[[Run], float]] = {
    "sync_get": sync_get,
    "async_get": async_get,
    "async_verify": async_verify,
    "list": list_definitions,
    "create": create,
    "backup": backup,
    "mem_per_item": mem_per_item,
}


def main() -> None:
    run = Run(json.loads(sys.argv[1]))
    value = FIGURES[run.figure](run)
    result = {"figure": run.figure, "side": run.side, "value": value, **_package_info(run.side), **run.extra}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
