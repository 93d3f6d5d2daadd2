"""`make demo`: start the Managed HSM emulator, Azurite and the reference EKM proxy, run every sample against them,
stop all three.

The samples are unchanged programs: they only see the environment variables a real deployment would set
(``AZURE_MANAGEDHSM_URL``, the managed-identity endpoint for ``DefaultAzureCredential``, the CA bundle, the blob
container + SAS token for backups, and the EKM proxy and its private link service for the EKM samples).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from azure.identity import ManagedIdentityCredential
from mhsm_emulator.azurite import Azurite

from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultRoleScope

REPO = Path(__file__).resolve().parents[1]
SAMPLES = [
    "access_control_operations.py",
    "access_control_operations_async.py",
    "settings_operations.py",
    "settings_operations_async.py",
    "backup_restore_operations.py",
    "backup_restore_operations_async.py",
    "ekm_operations.py",
    "ekm_operations_async.py",
    "ekm_private_endpoint_operations.py",
    "ekm_private_endpoint_operations_async.py",
]
BACKUP_CONTAINER = "backups"
# The HSM's first administrator may manage roles, settings and backups, but creating and deleting keys (which the
# backup sample does) needs key roles, granted the way an administrator would on a real HSM.
KEY_ROLES = ("Managed HSM Crypto User", "Managed HSM Crypto Officer")
# Neither may it manage the EKM connection: that takes the EKM role, at /.
EKM_ROLE = "Managed HSM EKM Administrator"
# The private link service the EKM private-endpoint samples connect to; the emulator leads it to the proxy.
PRIVATE_LINK_SERVICE = (
    "/subscriptions/00000000-0000-4000-8000-00000000de70/resourceGroups/demo/providers/Microsoft.Network/"
    "privateLinkServices/ekm-proxy"
)


def start(command: list[str], what: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start a server that prints one JSON line once it serves; return the process and that record."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=10)
        raise SystemExit(f"the {what} failed to start (exit code {process.returncode})")
    return process, json.loads(line)


def start_emulator(
    data_dir: str, storage_connection_string: str, proxy_port: int
) -> tuple[subprocess.Popen[str], dict[str, str], str]:
    """Start ``python -m mhsm_emulator``; return the process, the environment it advertises and the file of its EKM
    client CA (what an EKM proxy must trust)."""
    process, info = start(
        # --backup-job-delay / --ekm-job-delay keep each job unfinished briefly, so the samples show the progress;
        # the private link service of the EKM samples leads to the proxy's port.
        [sys.executable, "-m", "mhsm_emulator", "--data-dir", data_dir,
         "--storage-connection-string", storage_connection_string, "--backup-job-delay", "0.5",
         "--ekm-job-delay", "0.5", "--ekm-private-link-target", f"{PRIVATE_LINK_SERVICE}=127.0.0.1:{proxy_port}"],
        "emulator",
    )
    return process, {**info["env"], "MHSM_PRINCIPAL_ID": info["principal_id"]}, info["ekm_client_ca_file"]


def start_ekm_proxy(data_dir: str, port: int, client_ca_file: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start ``python -m mhsm_emulator.ekm_proxy`` trusting the HSM's EKM client CA; return the process and the
    variables that describe it to the EKM samples."""
    process, info = start(
        [sys.executable, "-m", "mhsm_emulator.ekm_proxy", "--data-dir", data_dir, "--port", str(port),
         "--client-ca-file", client_ca_file],
        "EKM proxy",
    )
    return process, {
        "EKM_PROXY_HOST": info["host"],
        "EKM_PROXY_CA_FILE": info["ca_file"],
        "EKM_PROXY_PATH_PREFIX": info["path_prefix"],
        "EKM_PROXY_SUBJECT_COMMON_NAME": info["server_subject_common_name"],
        "EKM_PRIVATE_LINK_SERVICE_ID": PRIVATE_LINK_SERVICE,
    }


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def grant_roles(env: dict[str, str]) -> None:
    """Assign the emulator's managed identity the key roles at ``/keys`` and the EKM role at ``/``, with this
    library's own client."""
    os.environ.update(env)  # IDENTITY_ENDPOINT / IDENTITY_HEADER for ManagedIdentityCredential
    ca_file = env["REQUESTS_CA_BUNDLE"]
    with ManagedIdentityCredential(connection_verify=ca_file) as credential, KeyVaultAccessControlClient(
        env["AZURE_MANAGEDHSM_URL"], credential, connection_verify=ca_file
    ) as client:
        roles = {d.role_name: d.id for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL)}
        principal_id = env["MHSM_PRINCIPAL_ID"]
        for role in KEY_ROLES:
            client.create_role_assignment(KeyVaultRoleScope.KEYS, roles[role], principal_id)
            print(f"Granted '{role}' at /keys to the demo identity {principal_id}")
        client.create_role_assignment(KeyVaultRoleScope.GLOBAL, roles[EKM_ROLE], principal_id)
        print(f"Granted '{EKM_ROLE}' at / to the demo identity {principal_id}")


def main() -> int:
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mhsm-demo-") as data_dir, Azurite() as azurite:
        print(f"Azurite blob service at {azurite.account_url} (pid {azurite.pid})")
        # The proxy's port is the emulator's configuration, so it is picked first and held until the emulator has
        # its own ports; the proxy, which must trust the emulator's EKM client CA, starts after the emulator.
        reserved = socket.socket()
        reserved.bind(("127.0.0.1", 0))
        proxy_port = reserved.getsockname()[1]
        emulator, env, client_ca_file = start_emulator(
            os.path.join(data_dir, "hsm"), azurite.connection_string, proxy_port
        )
        proxy: subprocess.Popen[str] | None = None
        try:
            reserved.close()
            print(f"Managed HSM emulator at {env['AZURE_MANAGEDHSM_URL']} (pid {emulator.pid})")
            proxy, ekm_env = start_ekm_proxy(os.path.join(data_dir, "ekm-proxy"), proxy_port, client_ca_file)
            print(f"Reference EKM proxy at {ekm_env['EKM_PROXY_HOST']} (pid {proxy.pid}), trusting the HSM's EKM "
                  "client CA")
            grant_roles(env)
            print()
            container_url = azurite.create_container(BACKUP_CONTAINER)
            sample_env = {
                **os.environ,
                **env,
                "BLOB_CONTAINER_URL": container_url,
                "BLOB_SAS_TOKEN": azurite.container_sas(BACKUP_CONTAINER),
                **ekm_env,
            }
            for sample in SAMPLES:
                print(f"=== samples/{sample}", flush=True)
                started = time.monotonic()
                result = subprocess.run([sys.executable, str(REPO / "samples" / sample)], env=sample_env, check=False)
                elapsed = time.monotonic() - started
                status = "ok" if result.returncode == 0 else f"FAILED (exit code {result.returncode})"
                print(f"=== {sample}: {status} in {elapsed:.1f} s\n", flush=True)
                if result.returncode != 0:
                    failures.append(sample)
        finally:
            reserved.close()
            if proxy is not None:
                stop(proxy)
            stop(emulator)
    if failures:
        print(f"{len(failures)} of {len(SAMPLES)} samples failed: {', '.join(failures)}")
        return 1
    print(f"All {len(SAMPLES)} samples succeeded against the emulator, Azurite and the EKM proxy; all are stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
