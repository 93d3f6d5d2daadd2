"""Start and stop the servers the benchmarks measure against: the fake HSM and the emulator, each in its own process.

Both are context managers that always stop (SIGTERM, then SIGKILL) the process they started, even on errors.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _certs import make_certificates

HERE = Path(__file__).resolve().parent
#: Any bearer token passes the fake HSM; the emulator gets a real one from its identity endpoint.
FAKE_TOKEN = "benchmark-token"


@dataclass
class Target:
    """Where the clients send requests, and how to authenticate there."""

    name: str
    vault_url: str
    ca_file: str
    token: str
    pid: int
    stats: bool  # whether GET /__stats counts requests (fake HSM only)
    info: dict[str, Any] = field(default_factory=dict)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _first_line(process: subprocess.Popen[str], what: str) -> dict[str, Any]:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        stderr = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"{what} printed no startup line: {stderr[-2000:]}")
    return dict(json.loads(line))


@contextmanager
def fake_hsm(python: str = sys.executable) -> Iterator[Target]:
    """The fake Managed HSM (``_fakehsm.py``) with a fresh CA in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="mhsm-bench-") as folder:
        ca_file, _, _ = make_certificates(Path(folder))
        process = subprocess.Popen(
            [python, str(HERE / "_fakehsm.py"), "--cert-dir", folder],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        try:
            started = _first_line(process, "the fake HSM")
            yield Target("fake", started["vault_url"], str(ca_file), FAKE_TOKEN, process.pid, True, started)
        finally:
            _stop(process)


def _identity_token(started: dict[str, Any]) -> str:
    query = urllib.parse.urlencode({"api-version": "2019-08-01", "resource": started["resource"]})
    request = urllib.request.Request(
        f"{started['identity_endpoint']}?{query}",
        headers={"X-IDENTITY-HEADER": started["identity_header"], "Metadata": "true"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # plain HTTP on 127.0.0.1
        return str(json.loads(response.read())["access_token"])


@contextmanager
def emulator(python: str = sys.executable, *extra_args: str) -> Iterator[Target]:
    """The repository's emulator (``python -m mhsm_emulator``, state in memory) and a token from its endpoint."""
    with tempfile.TemporaryDirectory(prefix="mhsm-bench-emulator-") as folder:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("AZURE_", "IDENTITY_"))}
        process = subprocess.Popen(
            [python, "-m", "mhsm_emulator", "--data-dir", folder, "--database", ":memory:", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env,
        )
        try:
            started = _first_line(process, "the emulator")
            token = _identity_token(started)
            yield Target("emulator", started["vault_url"], started["ca_file"], token, process.pid, False, started)
        finally:
            _stop(process)

