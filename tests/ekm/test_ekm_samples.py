"""The EKM samples run to the end as unchanged programs (subprocesses), sync and async: with no configuration (they
start the emulator and the reference EKM proxy themselves), and against a configured HSM and proxy (the usual
environment variables naming an emulator and a reference proxy of this test). They clean up after themselves, and
never replace an EKM connection they did not create."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mhsm_emulator import run_emulator
from mhsm_emulator.ekm_proxy import run_ekm_proxy

from azure.keyvault.administration import KeyVaultEkmClient, KeyVaultEkmConnection

REPO = Path(__file__).resolve().parents[2]
SAMPLES = [
    "ekm_operations.py",
    "ekm_operations_async.py",
    "ekm_private_endpoint_operations.py",
    "ekm_private_endpoint_operations_async.py",
]
CONFIGURATION = ("AZURE_", "EKM_", "IDENTITY_", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
PRIVATE_LINK_SERVICE = "ekmproxy.5d1e8c2a-3b4f-4a6e-9c7d-8e9f0a1b2c3d.westeurope.azure.privatelinkservice"
EXPECTED = {
    "ekm_operations": [
        "1. Get the HSM's EKM client certificate",
        "CA to trust: CN=mhsm-emulator EKM client CA",
        "proxy: mhsm-emulator reference EKM proxy",
        "server_subject_common_name is now ekm-proxy.mhsm-emulator.local",
        "the HSM answered 502 EkmProxyCertificateValidationFailed",
        "with the right CA again: mhsm-emulator reference EKM proxy",
        "6. Delete the EKM connection",
    ],
    "ekm_private_endpoint_operations": [
        "create: Succeeded",
        "provisioning Succeeded, connection Approved",
        "Create Succeeded",
        "mode PrivateEndpoint",
        "the HSM reached mhsm-emulator reference EKM proxy",
        "the HSM answered 409 EkmPrivateEndpointInUse",
        "delete: Succeeded",
        "endpoints of the HSM: []",
    ],
}


def run_sample(name: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(CONFIGURATION)}
    env.update(extra_env or {})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, str(REPO / "samples" / name)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=180)


def expected_lines(name: str) -> list[str]:
    return EXPECTED[name.removesuffix(".py").removesuffix("_async")]


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_starts_its_own_emulator_and_proxy(name: str) -> None:
    completed = run_sample(name)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    assert "AZURE_MANAGEDHSM_URL is not set: using a local emulator at https://127.0.0.1:" in out
    assert "EKM_PROXY_HOST is not set: started the local reference EKM proxy at 127.0.0.1:" in out
    for line in expected_lines(name):
        assert line in out, out


@pytest.fixture(scope="module")
def configured() -> Iterator[tuple[Any, Any, dict[str, str]]]:
    """An emulator and a reference proxy of this test, and the variables that describe them to a sample."""
    with run_emulator(database=":memory:") as emulator:
        emulator.assign_role(emulator.principal_id, "Managed HSM EKM Administrator")
        with run_ekm_proxy(client_ca=Path(emulator.data_dir) / "ekm-client-ca.pem") as proxy:
            emulator.state.config.ekm_private_link_targets[PRIVATE_LINK_SERVICE] = proxy.host
            env = {
                **emulator.env(),
                "EKM_PROXY_HOST": proxy.host,
                "EKM_PROXY_CA_FILE": str(proxy.ca_file),
                "EKM_PROXY_PATH_PREFIX": proxy.path_prefix,
                "EKM_PROXY_SUBJECT_COMMON_NAME": proxy.server_subject_common_name,
                "EKM_PRIVATE_LINK_SERVICE_ID": PRIVATE_LINK_SERVICE,
            }
            yield emulator, proxy, env


def ekm_state(emulator: Any) -> tuple[Any, list[str]]:
    """The emulator's EKM connection (``None``) and private endpoint names, read with this package's client."""
    with KeyVaultEkmClient(emulator.vault_url, emulator.credential(), **emulator.client_kwargs()) as client:
        try:
            connection = client.get_ekm_connection()
        except Exception:
            connection = None
        return connection, [endpoint.name for endpoint in client.list_ekm_private_endpoints()]


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_uses_the_configured_hsm_and_proxy(name: str, configured: tuple[Any, Any, dict[str, str]]) -> None:
    emulator, proxy, env = configured
    before = len(proxy.requests)
    completed = run_sample(name, env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    assert "using a local emulator" not in out and "EKM_PROXY_HOST is not set" not in out
    for line in expected_lines(name):
        assert line in out, out
    if name.startswith("ekm_private_endpoint"):
        assert f"to {PRIVATE_LINK_SERVICE}" in out
    else:
        assert f"Create the EKM connection to {proxy.host}" in out
    # The HSM really called the configured proxy (mutual TLS); every check's info request reached it.
    info_calls = [r for r in proxy.requests[before:] if r["path"].endswith("/info")]
    assert len(info_calls) >= (1 if name.startswith("ekm_private_endpoint") else 3)
    assert all(r["client_subject"] == "mhsm-emulator.managedhsmclient.azure.net" for r in info_calls)
    assert ekm_state(emulator) == (None, [])  # the connection and the endpoints it created are gone


@pytest.mark.parametrize("name", ["ekm_operations.py", "ekm_private_endpoint_operations_async.py"])
def test_sample_never_replaces_an_existing_connection(name: str, configured: tuple[Any, Any, dict[str, str]]) -> None:
    emulator, proxy, env = configured
    with KeyVaultEkmClient(emulator.vault_url, emulator.credential(), **emulator.client_kwargs()) as client:
        client.create_ekm_connection(KeyVaultEkmConnection("ekm.contoso.com", proxy.server_ca_certificates))
        try:
            completed = run_sample(name, env)
            assert completed.returncode == 1, completed.stdout + completed.stderr
            assert "already has an EKM connection (to ekm.contoso.com); this sample does not replace it" in (
                completed.stdout
            )
            assert client.get_ekm_connection().host == "ekm.contoso.com"
        finally:
            client.delete_ekm_connection()
