"""Reach an EKM proxy through an EKM private endpoint, with the async KeyVaultEkmClient.

Prerequisites: ``pip install azure-keyvault-administration azure-identity aiohttp``.

Configuration as in ``ekm_private_endpoint_operations.py``: ``AZURE_MANAGEDHSM_URL`` (else a local emulator and
the reference EKM proxy are started here), and for a real HSM ``EKM_PRIVATE_LINK_SERVICE_ID``,
``EKM_PROXY_CA_FILE``, ``EKM_PROXY_SUBJECT_COMMON_NAME``, optional ``EKM_PROXY_PATH_PREFIX``, and ``EKM_PROXY_HOST``
(without it the local reference proxy is used). The caller needs the "Managed HSM EKM Administrator" role.

Same steps as ``ekm_private_endpoint_operations.py``, with ``await``: create a private endpoint and follow the
operation, read it, wait for the approval, connect through it and check, see the in-use endpoint refused for
deletion, then delete the connection and the endpoint.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.polling import AsyncLROPoller
from azure.identity.aio import DefaultAzureCredential
from ekm_operations import Setup, describe, environment, proxy_endpoint, text
from ekm_operations_async import has_connection
from ekm_private_endpoint_operations import APPROVAL_TIMEOUT, POLLING_INTERVAL, private_link_service

from azure.keyvault.administration import (
    KeyVaultEkmConnection,
    KeyVaultEkmConnectivityMode,
    KeyVaultEkmPrivateEndpoint,
    KeyVaultEkmPrivateEndpointConnectionStatus,
)
from azure.keyvault.administration.aio import KeyVaultEkmClient


async def follow(poller: AsyncLROPoller[Any], what: str) -> Any:
    """Print the operation's status each time it changes, then return its result."""
    waiter = asyncio.ensure_future(poller.result())
    last = None
    while True:
        status = poller.status()
        if status != last:
            print(f"   {what}: {status}")
            last = status
        if waiter.done():
            return waiter.result()
        await asyncio.sleep(0.1)


async def wait_for_approval(client: KeyVaultEkmClient, name: str) -> KeyVaultEkmPrivateEndpoint:
    """Poll the endpoint until the Private Link Service's owner approved its connection."""
    deadline = time.monotonic() + APPROVAL_TIMEOUT
    while True:
        endpoint = await client.get_ekm_private_endpoint(name)
        state = endpoint.private_link_service_connection_state
        status = state.status if state else None
        if status == KeyVaultEkmPrivateEndpointConnectionStatus.APPROVED:
            return endpoint
        if status in (KeyVaultEkmPrivateEndpointConnectionStatus.REJECTED,
                      KeyVaultEkmPrivateEndpointConnectionStatus.DISCONNECTED):
            details = state.description if state else ""
            raise SystemExit(f"The private endpoint's connection is {text(status)}: {details}")
        if time.monotonic() > deadline:
            raise SystemExit(f"The private endpoint's connection is still {text(status)}: approve it and run again.")
        print(f"   connection {text(status)}: approve it at the Private Link Service; waiting...")
        await asyncio.sleep(10)


async def run(setup: Setup) -> int:
    async with DefaultAzureCredential() as credential:
        async with KeyVaultEkmClient(
            setup.vault_url, credential, polling_interval=POLLING_INTERVAL, **setup.client_kwargs
        ) as client:
            if await has_connection(client):
                return 1
            print("\n1. Get the HSM's EKM client certificate: the proxy must trust this CA chain")
            certificate = await client.get_ekm_certificate()
            describe(certificate)
            proxy = proxy_endpoint(setup, certificate)
            service = private_link_service(setup, proxy)
            if not proxy.server_subject_common_name:
                raise SystemExit("Set EKM_PROXY_SUBJECT_COMMON_NAME to the CN of the proxy's server certificate.")

            name = f"ekm-pe-{uuid.uuid4().hex[:8]}"
            print(f"\n2. Create the private endpoint {name} to {service}")
            poller = await client.begin_create_ekm_private_endpoint(
                name, service, request_message="EKM proxy for my HSM"
            )
            connected = False
            try:
                operation = await follow(poller, "create")
                print(f"   operation {operation.job_id}: {text(operation.status)}, {operation.status_details}")

                print("\n3. Read the private endpoint, the list and the operation's status")
                endpoint = await client.get_ekm_private_endpoint(name)
                state = endpoint.private_link_service_connection_state
                print(f"   {endpoint.name}: provisioning {text(endpoint.provisioning_state)}, "
                      f"connection {text(state.status) if state else None}")
                print(f"   endpoints of the HSM: {[e.name async for e in client.list_ekm_private_endpoints()]}")
                status = await client.get_ekm_private_endpoint_operation_status(operation.job_id)
                print(f"   operation {status.job_id}: {text(status.operation_type)} {text(status.status)}")

                print("\n4. Wait until the Private Link Service's owner approved the connection")
                approval = (await wait_for_approval(client, name)).private_link_service_connection_state
                print(f"   approved: {approval.description if approval else None}")

                print("\n5. Create the EKM connection through the private endpoint and check it")
                connection = KeyVaultEkmConnection(
                    name,  # the host is the private endpoint's name
                    proxy.server_ca_certificates,
                    path_prefix=proxy.path_prefix,
                    server_subject_common_name=proxy.server_subject_common_name,  # the proxy's certificate's name
                    connectivity_mode=KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT,
                )
                created = await client.create_ekm_connection(connection)
                connected = True
                print(f"   created: host {created.host}, mode {text(created.connectivity_mode)}")
                info = await client.check_ekm_connection()
                print(f"   the HSM reached {info.proxy_name} ({info.ekm_product}) through {name}")

                print("\n6. The private endpoint cannot be deleted while the connection uses it")
                try:
                    await client.begin_delete_ekm_private_endpoint(name)
                    print("   unexpected: the delete was accepted")
                    return 1
                except HttpResponseError as error:
                    print(f"   the HSM answered {error.status_code} {error.error.code if error.error else None}")
            finally:
                print("\n7. Delete the EKM connection first, then the private endpoint")
                if connected:
                    print(f"   deleted the connection to {(await client.delete_ekm_connection()).host}")
                if not poller.done():
                    await poller.wait()
                deleted = await follow(await client.begin_delete_ekm_private_endpoint(name), "delete")
                print(f"   {deleted.status_details}")
                print(f"   endpoints of the HSM: {[e.name async for e in client.list_ekm_private_endpoints()]}")
    return 0


def main() -> int:
    with environment() as setup:
        return asyncio.run(run(setup))


if __name__ == "__main__":
    sys.exit(main())
