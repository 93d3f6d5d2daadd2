"""Load generator for the emulator throughput figure (run by ``bench.py`` in its own process).

``concurrency`` aiohttp tasks share one keep-alive connector (one connection each) and send authenticated GETs back
to back; requests completed during ``seconds`` (after ``warmup`` seconds) are counted. Prints one JSON line:
``requests``, ``seconds``, ``rps``, ``statuses``, and the CPU seconds of the generator and (given ``server_pid``) of
the server during the counted window, so a saturated generator or server is visible.

    python benchmarks/_emulator_load.py '{"vault_url": ..., "ca_file": ..., "token": ..., "path": ...,
                                          "concurrency": 64, "seconds": 3, "warmup": 1}'
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys
import time
from collections import Counter
from typing import Any

import aiohttp


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process (0 when no pid is given)."""
    if not pid:
        return 0.0
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(spec: dict[str, Any]) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=spec["ca_file"])
    concurrency = int(spec["concurrency"])
    url = spec["vault_url"] + spec["path"]
    headers = {"Authorization": "Bearer " + spec["token"]}
    statuses: Counter[int] = Counter()
    counting = False
    stop = False
    counted = 0

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal counted
        while not stop:
            async with session.get(url, headers=headers) as response:
                await response.read()
                if counting:
                    counted += 1
                    statuses[response.status] += 1

    connector = aiohttp.TCPConnector(limit=concurrency, ssl=context)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(client(session)) for _ in range(concurrency)]
        await asyncio.sleep(float(spec["warmup"]))
        server_pid = spec.get("server_pid")
        cpu_before, server_before = time.process_time(), _cpu_seconds(server_pid)
        started = time.perf_counter()
        counting = True
        await asyncio.sleep(float(spec["seconds"]))
        counting = False
        elapsed = time.perf_counter() - started
        cpu, server_cpu = time.process_time() - cpu_before, _cpu_seconds(server_pid) - server_before
        stop = True
        await asyncio.gather(*tasks)
    return {
        "requests": counted,
        "seconds": elapsed,
        "rps": counted / elapsed,
        "statuses": {str(k): v for k, v in statuses.items()},
        "generator_cpu_s": cpu,
        "server_cpu_s": server_cpu,
        "server_cpu_us_per_request": server_cpu / counted * 1e6 if counted and server_pid else None,
        "generator_cpu_us_per_request": cpu / counted * 1e6 if counted else None,
    }


def main() -> None:
    print(json.dumps(asyncio.run(load(json.loads(sys.argv[1])))))


if __name__ == "__main__":
    main()
