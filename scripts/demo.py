"""`make demo`: start the Managed HSM emulator and Azurite, run every sample against them, stop both.

The samples are unchanged programs: they only see the environment variables a real deployment would set
(``AZURE_MANAGEDHSM_URL``, the managed-identity endpoint for ``DefaultAzureCredential``, the CA bundle, and
the blob container + SAS token for backups).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
]
BACKUP_CONTAINER = "backups"
# The HSM's first administrator may manage roles, settings and backups, but creating and deleting keys (which the
# backup sample does) needs key roles, granted the way an administrator would on a real HSM.
KEY_ROLES = ("Managed HSM Crypto User", "Managed HSM Crypto Officer")


def start_emulator(data_dir: str, storage_connection_string: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start ``python -m mhsm_emulator`` and return the process and the environment it advertises."""
    process = subprocess.Popen(
        # --backup-job-delay keeps each backup/restore InProgress briefly, so the samples show the progress.
        [sys.executable, "-m", "mhsm_emulator", "--data-dir", data_dir,
         "--storage-connection-string", storage_connection_string, "--backup-job-delay", "0.5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=10)
        raise SystemExit(f"the emulator failed to start (exit code {process.returncode})")
    info = json.loads(line)
    return process, {**info["env"], "MHSM_PRINCIPAL_ID": info["principal_id"]}


def grant_key_roles(env: dict[str, str]) -> None:
    """Assign the emulator's managed identity the key roles at ``/keys``, with this library's own client."""
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


def main() -> int:
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mhsm-demo-") as data_dir, Azurite() as azurite:
        print(f"Azurite blob service at {azurite.account_url}")
        emulator, env = start_emulator(data_dir, azurite.connection_string)
        try:
            print(f"Managed HSM emulator at {env['AZURE_MANAGEDHSM_URL']}")
            grant_key_roles(env)
            print()
            container_url = azurite.create_container(BACKUP_CONTAINER)
            sample_env = {
                **os.environ,
                **env,
                "BLOB_CONTAINER_URL": container_url,
                "BLOB_SAS_TOKEN": azurite.container_sas(BACKUP_CONTAINER),
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
            emulator.terminate()
            emulator.wait(timeout=30)
    if failures:
        print(f"{len(failures)} of {len(SAMPLES)} samples failed: {', '.join(failures)}")
        return 1
    print(f"All {len(SAMPLES)} samples succeeded against the emulator and Azurite; both are stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
