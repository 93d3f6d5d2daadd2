"""The OFFICIAL azure-keyvault-administration 4.7.2 + azure-identity 1.27.0 against the emulator.

A separate virtual environment (``.venv-official`` at the repository root, git-ignored) is created once with
``sys.executable -m venv`` and reused while its stamp matches :data:`REQUIREMENTS`. The emulator runs as a
subprocess (``python -m mhsm_emulator``); the script gets ONLY the five environment variables the emulator prints
(plus ``PATH``), and uses ``DefaultAzureCredential`` with challenge-resource verification left on.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-official"
STAMP = VENV / ".requirements-stamp"
SCRIPT = Path(__file__).parent / "scripts" / "official_roundtrip.py"
REQUIREMENTS = (
    "azure-keyvault-administration==4.7.2",
    "azure-identity==1.27.0",
    "azure-keyvault-keys==4.11.3",
    "aiohttp==3.14.5",  # the async clients' transport
)
ENV_KEYS = ("AZURE_MANAGEDHSM_URL", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "IDENTITY_ENDPOINT", "IDENTITY_HEADER")


def _venv_python(venv: Path = VENV) -> Path:
    return venv / "bin" / "python"


def _ensure_venv(venv: Path = VENV, requirements: tuple[str, ...] = REQUIREMENTS) -> Path:
    """Create or rebuild a scratch venv of official packages under a file lock (parallel runs wait for one builder).

    :param venv: where the venv lives (default: ``.venv-official``, the 4.7.2 one; git-ignored).
    :param requirements: what to install into it; the venv is rebuilt when its stamp (kept inside it) differs.
    :returns: the venv's Python.
    """
    stamp = venv / STAMP.name
    stamp_text = "\n".join(requirements) + "\n"
    lock_path = Path(tempfile.gettempdir()) / f"mhsm-{venv.name.lstrip('.')}.lock"  # outside the repository
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == stamp_text and _venv_python(venv).exists():
            return _venv_python(venv)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(_venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             *requirements],
            check=True, timeout=900,
        )
        stamp.write_text(stamp_text)
    return _venv_python(venv)


@pytest.fixture(scope="module")
def official_python() -> Path:
    return _ensure_venv()


@pytest.fixture(scope="module")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data_dir = tmp_path_factory.mktemp("official-emulator")
    process = subprocess.Popen(
        [sys.executable, "-m", "mhsm_emulator", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, "emulator printed no startup record"
        yield json.loads(line)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_official_sdk_roundtrip(official_python: Path, emulator_process: dict[str, Any]) -> None:
    env = {key: emulator_process["env"][key] for key in ENV_KEYS}
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    result = subprocess.run(
        [str(official_python), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "ALL OK"
    checks = {line.split()[1] for line in lines if line.startswith("CHECK ")}
    for expected in ("sync.list_builtin_roles", "sync.set_role_definition", "sync.delete_role_definition",
                     "sync.create_role_assignment", "sync.delete_role_assignment", "sync.update_setting",
                     "sync.user_assigned_identity_forbidden", "async.list_role_definitions",
                     "async.create_role_assignment", "async.update_setting"):
        assert expected in checks


def test_official_package_versions(official_python: Path) -> None:
    code = ("import importlib.metadata as m; print(m.version('azure-keyvault-administration'), "
            "m.version('azure-identity'))")
    # From a folder outside the repository: its egg-info (now 4.8.0b3) would shadow the venv's metadata.
    output = subprocess.run([str(official_python), "-c", code], capture_output=True, text=True, timeout=60, check=True,
                            cwd=tempfile.gettempdir())
    assert output.stdout.split() == ["4.7.2", "1.27.0"]
