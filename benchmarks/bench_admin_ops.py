"""Throughput of the administration clients against the local emulator (``make bench``).

Measures end-to-end calls (TLS, challenge authentication, RBAC check, SQLite) so regressions in the client
pipeline or the emulator show up as numbers, not as timed test assertions. Prints one line per scenario.

    .venv/bin/python benchmarks/bench_admin_ops.py [--calls 200] [--assignments 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from mhsm_emulator import run_emulator

from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultRoleScope,
    KeyVaultSettingsClient,
)
from azure.keyvault.administration.aio import KeyVaultAccessControlClient as AsyncAccessControlClient

CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b"


def report(name: str, durations: list[float]) -> None:
    durations.sort()
    p50 = statistics.median(durations) * 1000
    p95 = durations[int(len(durations) * 0.95) - 1] * 1000
    rate = len(durations) / sum(durations)
    print(f"{name:<45} n={len(durations):>5}  p50={p50:7.2f} ms  p95={p95:7.2f} ms  {rate:8.1f} ops/s")


def measure(calls: int, operation: Callable[[], Any]) -> list[float]:
    durations = []
    for _ in range(calls):
        started = time.perf_counter()
        operation()
        durations.append(time.perf_counter() - started)
    return durations


async def measure_async(calls: int, operation: Callable[[], Awaitable[Any]]) -> list[float]:
    durations = []
    for _ in range(calls):
        started = time.perf_counter()
        await operation()
        durations.append(time.perf_counter() - started)
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--assignments", type=int, default=500)
    args = parser.parse_args()

    with run_emulator() as emulator:
        kwargs = emulator.client_kwargs()
        with KeyVaultAccessControlClient(emulator.vault_url, emulator.credential(), **kwargs) as client:
            client.get_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER)  # challenge + token, once
            report("sync get_role_definition", measure(
                args.calls, lambda: client.get_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER)))
            report("sync create_role_assignment", measure(
                args.assignments,
                lambda: client.create_role_assignment(KeyVaultRoleScope.KEYS, CRYPTO_USER, str(uuid.uuid4())),
            ))
            report("sync list_role_assignments (all pages)", measure(
                10, lambda: sum(1 for _ in client.list_role_assignments(KeyVaultRoleScope.KEYS))))
        with KeyVaultSettingsClient(emulator.vault_url, emulator.credential(), **kwargs) as settings:
            report("sync list_settings", measure(args.calls, lambda: list(settings.list_settings())))

        async def run_async() -> None:
            credential = emulator.async_credential()
            async with AsyncAccessControlClient(emulator.vault_url, credential, **kwargs) as aclient:
                await aclient.get_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER)
                report("async get_role_definition", await measure_async(
                    args.calls, lambda: aclient.get_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER)))
                started = time.perf_counter()
                await asyncio.gather(*(
                    aclient.get_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER) for _ in range(args.calls)
                ))
                elapsed = time.perf_counter() - started
                print(f"{'async get_role_definition x' + str(args.calls) + ' concurrent':<45} "
                      f"total={elapsed * 1000:8.1f} ms  {args.calls / elapsed:8.1f} ops/s")
            await credential.close()

        asyncio.run(run_async())


if __name__ == "__main__":
    main()
