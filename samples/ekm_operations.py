"""Connect a Managed HSM to an External Key Manager (EKM) proxy and check the connection (KeyVaultEkmClient).

With an EKM connection the HSM keeps its key-encryption keys in your own HSM, which it reaches through an EKM proxy
over mutual TLS: the proxy trusts the HSM's client certificate (``get_ekm_certificate``), and the HSM trusts the
proxy's server certificate through the CA certificates you give the connection (``server_ca_certificates``).

Prerequisites: ``pip install azure-keyvault-administration azure-identity``.

* With ``AZURE_MANAGEDHSM_URL`` set (e.g. ``https://myhsm.managedhsm.azure.net``) the sample uses that HSM and
  ``DefaultAzureCredential``; the caller needs the "Managed HSM EKM Administrator" role, and the HSM must not have an
  EKM connection yet (the sample never replaces one). The EKM proxy is described by:

  - ``EKM_PROXY_HOST``: the proxy's host name, optionally with ``:port`` (443 when omitted);
  - ``EKM_PROXY_CA_FILE``: a PEM or DER file with the CA certificate(s) that issued the proxy's server certificate;
  - ``EKM_PROXY_PATH_PREFIX`` (optional): the path the proxy serves the EKM Proxy API under, e.g. ``/api/v1``;
  - ``EKM_PROXY_SUBJECT_COMMON_NAME`` (optional): the CN of the proxy's server certificate.

  Configure the proxy to trust the CA chain the sample prints in step 1 before running it.
  Without ``EKM_PROXY_HOST`` the sample starts the local reference EKM proxy (package ``mhsm_emulator``), which only
  an HSM on this machine (the emulator) can reach.
* Otherwise it starts the local Managed HSM emulator and the reference EKM proxy in this process, and gives the
  emulator's identity the EKM Administrator role.

Steps: get the HSM's client certificate (what the proxy must trust), create the connection, check it (the HSM
calls the proxy over mutual TLS), update it, see a check fail with a CA that did not issue the proxy's
certificate, and delete the connection.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import DefaultAzureCredential
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultEkmClient,
    KeyVaultEkmConnection,
    KeyVaultEkmProxyClientCertificateInfo,
    KeyVaultRoleScope,
)

EKM_ADMINISTRATOR = "Managed HSM EKM Administrator"


@dataclass
class Setup:
    """The HSM to use; for a local emulator also where its private endpoints lead and what to stop at the end."""

    vault_url: str
    client_kwargs: dict[str, Any]
    stack: ExitStack
    local_private_link_targets: dict[str, str] | None = None  # a local emulator's: service id -> proxy host:port


@dataclass
class Proxy:
    """What an EKM connection needs to know about the proxy."""

    host: str
    server_ca_certificates: list[bytes]
    path_prefix: str | None = None
    server_subject_common_name: str | None = None


@contextmanager
def environment() -> Iterator[Setup]:
    """The HSM from ``AZURE_MANAGEDHSM_URL``, or a local emulator started (and stopped) here."""
    with ExitStack() as stack:
        if os.environ.get("AZURE_MANAGEDHSM_URL"):
            yield Setup(os.environ["AZURE_MANAGEDHSM_URL"], {}, stack)
            return
        from mhsm_emulator import run_emulator

        # The emulator stands in for Azure Private Link too: this map (read at each check) says which EKM proxy a
        # private link service leads to; the private-endpoint sample fills it once its local proxy runs.
        targets: dict[str, str] = {}
        emulator = stack.enter_context(run_emulator(database=":memory:", ekm_private_link_targets=targets))
        print(f"AZURE_MANAGEDHSM_URL is not set: using a local emulator at {emulator.vault_url}")
        saved = dict(os.environ)
        os.environ.update(emulator.env())  # its managed identity endpoint, for DefaultAzureCredential

        def restore_environment() -> None:
            os.environ.clear()
            os.environ.update(saved)

        stack.callback(restore_environment)
        grant_ekm_administrator(emulator.vault_url, emulator.client_kwargs(), emulator.principal_id)
        yield Setup(emulator.vault_url, emulator.client_kwargs(), stack, targets)


def grant_ekm_administrator(vault_url: str, client_kwargs: dict[str, Any], principal_id: str) -> None:
    """The HSM's first administrator holds no EKM permission: it assigns itself the built-in EKM role."""
    with KeyVaultAccessControlClient(vault_url, DefaultAzureCredential(), **client_kwargs) as client:
        definitions = client.list_role_definitions(KeyVaultRoleScope.GLOBAL)
        role = next(d for d in definitions if d.role_name == EKM_ADMINISTRATOR)
        assert role.id is not None
        client.create_role_assignment(KeyVaultRoleScope.GLOBAL, role.id, principal_id)
        print(f"Assigned '{EKM_ADMINISTRATOR}' at / to {principal_id}")


def load_certificates(path: str) -> list[bytes]:
    """The certificates of a PEM or DER file, as DER."""
    data = open(path, "rb").read()
    if b"-----BEGIN" in data:
        return [c.public_bytes(serialization.Encoding.DER) for c in x509.load_pem_x509_certificates(data)]
    return [x509.load_der_x509_certificate(data).public_bytes(serialization.Encoding.DER)]


def text(value: Any) -> str:
    """An enum member's value (a plain string as it is)."""
    return str(getattr(value, "value", value))


def describe(certificate: KeyVaultEkmProxyClientCertificateInfo) -> None:
    print(f"   client certificate CN: {certificate.subject_common_name}")
    for der in certificate.ca_certificates or []:
        subject = x509.load_der_x509_certificate(der).subject.rfc4514_string()
        print(f"   CA to trust: {subject}, SHA-256 {hashlib.sha256(der).hexdigest()[:32]}...")


def proxy_endpoint(setup: Setup, certificate: KeyVaultEkmProxyClientCertificateInfo) -> Proxy:
    """The proxy from ``EKM_PROXY_*``, or the local reference proxy started to trust the HSM's client CA."""
    if os.environ.get("EKM_PROXY_HOST"):
        return Proxy(
            host=os.environ["EKM_PROXY_HOST"],
            server_ca_certificates=load_certificates(os.environ["EKM_PROXY_CA_FILE"]),
            path_prefix=os.environ.get("EKM_PROXY_PATH_PREFIX") or None,
            server_subject_common_name=os.environ.get("EKM_PROXY_SUBJECT_COMMON_NAME") or None,
        )
    from mhsm_emulator.ekm_proxy import run_ekm_proxy

    # What you would configure on your own proxy: trust the HSM's client CA, nothing else (mutual TLS).
    local = setup.stack.enter_context(run_ekm_proxy(client_ca=certificate.ca_certificates))
    print(f"   EKM_PROXY_HOST is not set: started the local reference EKM proxy at {local.host}, trusting that CA")
    return Proxy(local.host, local.server_ca_certificates, local.path_prefix, local.server_subject_common_name)


def unrelated_ca() -> bytes:
    """A self-signed CA certificate that issued nothing: the HSM must refuse a proxy when told to trust only it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Some other CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def has_connection(client: KeyVaultEkmClient) -> bool:
    try:
        existing = client.get_ekm_connection()
    except ResourceNotFoundError:
        return False
    print(f"The HSM already has an EKM connection (to {existing.host}); this sample does not replace it.")
    return True


def main() -> int:
    with environment() as setup:
        with KeyVaultEkmClient(setup.vault_url, DefaultAzureCredential(), **setup.client_kwargs) as client:
            if has_connection(client):
                return 1
            print("\n1. Get the HSM's EKM client certificate: the proxy must trust this CA chain")
            certificate = client.get_ekm_certificate()
            describe(certificate)
            proxy = proxy_endpoint(setup, certificate)

            print(f"\n2. Create the EKM connection to {proxy.host}")
            # Without server_subject_common_name the proxy's certificate must name the host itself.
            connection = KeyVaultEkmConnection(proxy.host, proxy.server_ca_certificates, path_prefix=proxy.path_prefix)
            created = client.create_ekm_connection(connection)
            try:
                print(f"   created: host {created.host}, path prefix {created.path_prefix}, "
                      f"{len(created.server_ca_certificates)} CA certificate(s), "
                      f"mode {text(created.connectivity_mode)}")

                print("\n3. Check it: the HSM calls the proxy over mutual TLS")
                info = client.check_ekm_connection()
                print(f"   proxy: {info.proxy_name} by {info.proxy_vendor} (EKM proxy API {info.api_version})")
                print(f"   external key manager: {info.ekm_product} by {info.ekm_vendor}")

                print("\n4. Update it: require the proxy's certificate to carry a given name")
                name = proxy.server_subject_common_name or proxy.host.rsplit(":", 1)[0]
                connection.server_subject_common_name = name
                updated = client.update_ekm_connection(connection)
                print(f"   server_subject_common_name is now {updated.server_subject_common_name}")
                print(f"   check again: {client.check_ekm_connection().proxy_name}")

                print("\n5. Trust only a CA that did not issue the proxy's certificate: the check fails")
                client.update_ekm_connection(KeyVaultEkmConnection(
                    proxy.host, [unrelated_ca()], path_prefix=proxy.path_prefix, server_subject_common_name=name
                ))
                try:
                    client.check_ekm_connection()
                    print("   unexpected: the check passed")
                    return 1
                except HttpResponseError as error:
                    code = error.error.code if error.error else None
                    print(f"   the HSM answered {error.status_code} {code}")
                client.update_ekm_connection(connection)
                print(f"   with the right CA again: {client.check_ekm_connection().proxy_name}")
            finally:
                print("\n6. Delete the EKM connection")
                deleted = client.delete_ekm_connection()
                print(f"   deleted the connection to {deleted.host}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
