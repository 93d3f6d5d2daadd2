"""Does CPU-heavy work in the emulator hold up other clients? ``GET /settings`` latency during RSA-4096 creates.

Starts an in-process emulator, measures ``GET /settings`` alone, then again while ``--creates`` clients (default
4) each create ``--rounds`` RSA-4096 keys at the same time (every create answers the new key's public JWK, so
both key generation and the JWK computation are exercised), and finally while they read those keys back. Prints
one line per phase with the GET latency (p50, p95, max) and how many GETs were answered.

Not run by the tests (timings are measured here only, never asserted):

    .venv/bin/python benchmarks/bench_emulator_keygen.py [--creates 4] [--rounds 2] [--key-size 4096]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests
from mhsm_emulator import run_emulator
from mhsm_emulator.inprocess import RunningEmulator

API = {"api-version": "2025-07-01"}


def _session(emulator: RunningEmulator) -> requests.Session:
    session = requests.Session()
    session.verify = emulator.ca_file
    session.headers["Authorization"] = f"Bearer {emulator.mint_token()}"
    return session


def _report(name: str, latencies: list[float], busy_seconds: float) -> None:
    latencies = sorted(latencies)
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
    print(
        f"{name:<42} GETs={len(latencies):>4}  p50={p50:8.1f} ms  p95={p95:8.1f} ms  "
        f"max={latencies[-1] * 1000:8.1f} ms  (phase {busy_seconds:5.2f} s)"
    )


def _gets_while(emulator: RunningEmulator, busy: Callable[[], None]) -> tuple[list[float], float]:
    """GET /settings back to back on one connection until ``busy`` returns; the latencies and busy's duration."""
    session = _session(emulator)
    session.get(f"{emulator.vault_url}/settings", params=API, verify=emulator.ca_file, timeout=60)  # connect first
    done = threading.Event()
    latencies: list[float] = []

    def poll() -> None:
        while not done.is_set():
            started = time.perf_counter()
            response = session.get(f"{emulator.vault_url}/settings", params=API, verify=emulator.ca_file, timeout=60)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text

    poller = threading.Thread(target=poll)
    poller.start()
    started = time.perf_counter()
    try:
        busy()
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        poller.join()
    return latencies, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--creates", type=int, default=4, help="concurrent clients creating keys (default 4)")
    parser.add_argument("--rounds", type=int, default=2, help="keys each client creates (default 2)")
    parser.add_argument("--key-size", type=int, default=4096, help="RSA key size (default 4096)")
    args = parser.parse_args()

    with run_emulator(database=":memory:") as emulator:
        for role in ("Managed HSM Crypto User", "Managed HSM Crypto Officer"):
            emulator.assign_role(emulator.principal_id, role, scope="/keys")
        sessions = [_session(emulator) for _ in range(args.creates)]
        prefix = uuid.uuid4().hex[:8]

        def create(index: int) -> None:
            for round_ in range(args.rounds):
                response = sessions[index].post(
                    f"{emulator.vault_url}/keys/bench-{prefix}-{index}-{round_}/create",
                    params=API,
                    json={"kty": "RSA-HSM", "key_size": args.key_size},
                    verify=emulator.ca_file,
                    timeout=300,
                )
                assert response.status_code == 200, response.text

        def read(index: int) -> None:
            for round_ in range(args.rounds):
                for _ in range(3):
                    response = sessions[index].get(
                        f"{emulator.vault_url}/keys/bench-{prefix}-{index}-{round_}",
                        params=API,
                        verify=emulator.ca_file,
                        timeout=300,
                    )
                    assert response.status_code == 200, response.text

        def concurrently(work: Callable[[int], None]) -> Callable[[], None]:
            def run() -> None:
                with ThreadPoolExecutor(max_workers=args.creates) as pool:
                    list(pool.map(work, range(args.creates)))

            return run

        idle, elapsed = _gets_while(emulator, lambda: time.sleep(2.0))
        _report("GET /settings, idle", idle, elapsed)
        busy, elapsed = _gets_while(emulator, concurrently(create))
        _report(f"GET /settings, {args.creates}x{args.rounds} RSA-{args.key_size} creates", busy, elapsed)
        reads, elapsed = _gets_while(emulator, concurrently(read))
        _report(f"GET /settings, {args.creates}x{args.rounds * 3} RSA-{args.key_size} GETs", reads, elapsed)


if __name__ == "__main__":
    main()
