"""Connect a Managed HSM to an EKM proxy and check the connection, with the async KeyVaultEkmClient.

Prerequisites: ``pip install azure-keyvault-administration azure-identity aiohttp``.

Configuration as in ``ekm_operations.py``: ``AZURE_MANAGEDHSM_URL`` (else a local emulator is started here), and
for a real HSM the proxy's ``EKM_PROXY_HOST``, ``EKM_PROXY_CA_FILE``, optional ``EKM_PROXY_PATH_PREFIX`` and
``EKM_PROXY_SUBJECT_COMMON_NAME`` (else the local reference EKM proxy is started, which only a local emulator can
reach). The caller needs the "Managed HSM EKM Administrator" role; the HSM must have no EKM connection yet.

Same steps as ``ekm_operations.py``, with ``await``: get the HSM's client certificate, create the connection,
check it over mutual TLS, update it, see a check fail with an unrelated CA, delete the connection.
"""

from __future__ import annotations

import asyncio
import sys

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity.aio import DefaultAzureCredential
from ekm_operations import Setup, describe, environment, proxy_endpoint, text, unrelated_ca

from azure.keyvault.administration import KeyVaultEkmConnection
from azure.keyvault.administration.aio import KeyVaultEkmClient


async def has_connection(client: KeyVaultEkmClient) -> bool:
    try:
        existing = await client.get_ekm_connection()
    except ResourceNotFoundError:
        return False
    print(f"The HSM already has an EKM connection (to {existing.host}); this sample does not replace it.")
    return True


async def run(setup: Setup) -> int:
    async with DefaultAzureCredential() as credential:
        async with KeyVaultEkmClient(setup.vault_url, credential, **setup.client_kwargs) as client:
            if await has_connection(client):
                return 1
            print("\n1. Get the HSM's EKM client certificate: the proxy must trust this CA chain")
            certificate = await client.get_ekm_certificate()
            describe(certificate)
            proxy = proxy_endpoint(setup, certificate)

            print(f"\n2. Create the EKM connection to {proxy.host}")
            connection = KeyVaultEkmConnection(proxy.host, proxy.server_ca_certificates, path_prefix=proxy.path_prefix)
            created = await client.create_ekm_connection(connection)
            try:
                print(f"   created: host {created.host}, path prefix {created.path_prefix}, "
                      f"{len(created.server_ca_certificates)} CA certificate(s), "
                      f"mode {text(created.connectivity_mode)}")

                print("\n3. Check it: the HSM calls the proxy over mutual TLS")
                info = await client.check_ekm_connection()
                print(f"   proxy: {info.proxy_name} by {info.proxy_vendor} (EKM proxy API {info.api_version})")
                print(f"   external key manager: {info.ekm_product} by {info.ekm_vendor}")

                print("\n4. Update it: require the proxy's certificate to carry a given name")
                name = proxy.server_subject_common_name or proxy.host.rsplit(":", 1)[0]
                connection.server_subject_common_name = name
                updated = await client.update_ekm_connection(connection)
                print(f"   server_subject_common_name is now {updated.server_subject_common_name}")
                print(f"   check again: {(await client.check_ekm_connection()).proxy_name}")

                print("\n5. Trust only a CA that did not issue the proxy's certificate: the check fails")
                await client.update_ekm_connection(KeyVaultEkmConnection(
                    proxy.host, [unrelated_ca()], path_prefix=proxy.path_prefix, server_subject_common_name=name
                ))
                try:
                    await client.check_ekm_connection()
                    print("   unexpected: the check passed")
                    return 1
                except HttpResponseError as error:
                    code = error.error.code if error.error else None
                    print(f"   the HSM answered {error.status_code} {code}")
                await client.update_ekm_connection(connection)
                print(f"   with the right CA again: {(await client.check_ekm_connection()).proxy_name}")
            finally:
                print("\n6. Delete the EKM connection")
                deleted = await client.delete_ekm_connection()
                print(f"   deleted the connection to {deleted.host}")
    return 0


def main() -> int:
    with environment() as setup:
        return asyncio.run(run(setup))


if __name__ == "__main__":
    sys.exit(main())
