"""Every access control / settings sample runs to completion: against a running emulator named by the usual
environment variables (the ``DefaultAzureCredential`` path), and with no configuration (the sample starts its own
emulator)."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = [
    "access_control_operations.py",
    "access_control_operations_async.py",
    "settings_operations.py",
    "settings_operations_async.py",
]
EMULATOR_VARIABLES = (
    "AZURE_MANAGEDHSM_URL",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
)
EXPECTED = {
    "access_control_operations": ["List the role definitions", "Managed HSM Administrator", "deleted"],
    "settings_operations": ["AllowKeyManagementOperationsThroughARM is now", "is back to"],
}


def run_sample(name: str, env: dict[str, str]) -> str:
    env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))}
    completed = subprocess.run(
        [sys.executable, str(REPO / "samples" / name)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def expected_lines(name: str) -> list[str]:
    return EXPECTED[name.removesuffix(".py").removesuffix("_async")]


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_against_configured_hsm(name: str, emulator: Any) -> None:
    env = {k: v for k, v in os.environ.items() if k not in EMULATOR_VARIABLES}
    env.update(emulator.env())
    output = run_sample(name, env)
    assert "using a local emulator" not in output  # it used the configured HSM
    for line in expected_lines(name):
        assert line in output


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_starts_its_own_emulator(name: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in EMULATOR_VARIABLES}
    output = run_sample(name, env)
    assert "AZURE_MANAGEDHSM_URL is not set: using a local emulator at https://127.0.0.1:" in output
    for line in expected_lines(name):
        assert line in output
