"""The OFFICIAL azure-keyvault-administration 4.8.0b3 KeyVaultEkmClient runs the whole EKM flow against the emulator
and the reference EKM proxy, sync and async (``scripts/official_ekm_flow.py``).

Both servers are subprocesses: ``python -m mhsm_emulator`` (its private link service leading to the proxy's port,
``--ekm-private-link-target``) and ``python -m mhsm_emulator.ekm_proxy --client-ca-file <the HSM's EKM client CA>``
(the file the emulator's startup record names). The script runs in ``.venv-official-48`` (4.8.0b3 + azure-identity
1.27.0 + aiohttp, built by ``test_official_sdk._ensure_venv``) from a folder outside the repository, with only the
five variables the emulator prints, ``PATH``, and the ``EKM_*`` description of the proxy.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_ekm_wire_parity import REQUIREMENTS_48, VENV_48
from test_official_sdk import ENV_KEYS, _ensure_venv

SCRIPT = Path(__file__).parent / "scripts" / "official_ekm_flow.py"
PRIVATE_LINK_SERVICE = (
    "/subscriptions/6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c/resourceGroups/ekm/providers/Microsoft.Network/"
    "privateLinkServices/ekm-proxy-pls"
)


@contextmanager
def server(command: list[str]) -> Iterator[dict[str, Any]]:
    """Start a server that prints one JSON startup line; SIGTERM it on exit (SIGKILL if it does not stop)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            process.wait(timeout=30)
            raise AssertionError(f"{command[2]} did not start: {process.stderr.read() if process.stderr else ''}")
        yield json.loads(line)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def official_python() -> Path:
    return _ensure_venv(VENV_48, REQUIREMENTS_48)


@pytest.fixture(scope="module")
def ekm_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``(emulator record, proxy record)``: the emulator's private link service leads to the proxy's port."""
    hsm_dir, proxy_dir = tmp_path_factory.mktemp("official-ekm-hsm"), tmp_path_factory.mktemp("official-ekm-proxy")
    # The proxy's port is known before the emulator starts (it is configuration there); the socket holds it until
    # the emulator has its own ports, so the emulator cannot be given it.
    reserved = socket.socket()
    reserved.bind(("127.0.0.1", 0))
    port = reserved.getsockname()[1]
    # --ekm-job-delay: private-endpoint jobs stay unfinished for a moment, so the official pollers really poll.
    emulator_command = [sys.executable, "-m", "mhsm_emulator", "--data-dir", str(hsm_dir), "--ekm-job-delay", "0.3",
                        "--ekm-private-link-target", f"{PRIVATE_LINK_SERVICE}=127.0.0.1:{port}"]
    with server(emulator_command) as emulator:
        reserved.close()
        assert emulator["ekm_client_ca_file"], "the emulator names no EKM client CA file"
        proxy_command = [sys.executable, "-m", "mhsm_emulator.ekm_proxy", "--data-dir", str(proxy_dir),
                         "--port", str(port), "--client-ca-file", emulator["ekm_client_ca_file"]]
        with server(proxy_command) as proxy:
            yield emulator, proxy


def test_official_ekm_flow(official_python: Path, ekm_servers: tuple[dict[str, Any], dict[str, Any]]) -> None:
    emulator, proxy = ekm_servers
    env = {key: emulator["env"][key] for key in ENV_KEYS}
    env.update(
        PATH=os.environ.get("PATH", "/usr/bin:/bin"),
        EKM_PROXY_HOST=proxy["host"],
        EKM_PROXY_PATH_PREFIX=proxy["path_prefix"],
        EKM_PROXY_CA_CERTIFICATES=",".join(proxy["server_ca_certificates"]),
        EKM_PROXY_SUBJECT_COMMON_NAME=proxy["server_subject_common_name"],
        EKM_PROXY_INFO=json.dumps(proxy["proxy_info"]),
        EKM_CLIENT_CA_FILE=emulator["ekm_client_ca_file"],
        EKM_PRIVATE_LINK_SERVICE_ID=PRIVATE_LINK_SERVICE,
    )
    result = subprocess.run([str(official_python), str(SCRIPT)], env=env, cwd=tempfile.gettempdir(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "ALL OK"
    checks = {line.split()[1] for line in lines if line.startswith("CHECK ")}
    assert {"sync.forbidden_before_grant", "sync.access_control_default_version",
            "sync.grant_ekm_administrator"} <= checks
    for flavor in ("sync", "async"):
        for step in (
            "ekm_default_version", "get_ekm_certificate", "create_ekm_connection", "create_twice_conflict",
            "create_accepted_not_started", "create_poller_done",
            "check_ekm_connection_mutual_tls", "update_ekm_connection", "check_with_wrong_ca_fails",
            "wrong_ca_error_code", "check_after_fixing_ca", "begin_create_ekm_private_endpoint",
            "get_ekm_private_endpoint", "private_endpoint_approved", "list_ekm_private_endpoints",
            "get_operation_status", "connection_through_private_endpoint", "check_through_private_endpoint",
            "delete_endpoint_in_use_refused", "third_endpoint_refused", "unknown_service_fails",
            "delete_ekm_connection", "begin_delete_ekm_private_endpoint", "private_endpoint_gone",
            "delete_operation_status",
        ):
            assert f"{flavor}.{step}" in checks, f"{flavor}.{step} did not run"


def test_official_48_package_versions(official_python: Path) -> None:
    code = ("import importlib.metadata as m; print(m.version('azure-keyvault-administration'), "
            "m.version('azure-identity'), m.version('aiohttp'))")
    output = subprocess.run([str(official_python), "-c", code], capture_output=True, text=True, timeout=60,
                            check=True, cwd=tempfile.gettempdir())
    assert output.stdout.split() == ["4.8.0b3", "1.27.0", "3.14.5"]
