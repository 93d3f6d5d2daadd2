"""Reach an EKM proxy through an EKM private endpoint (KeyVaultEkmClient, api-version 2026-07-01-preview).

Instead of over the internet, the HSM can reach your EKM proxy through an Azure Private Link Service in front of
it: the HSM gets an EKM private endpoint connected to that service (at most two per HSM), the service's owner
approves the connection, and the EKM connection then names the private endpoint as its ``host`` with
``connectivity_mode=PrivateEndpoint``. The name the HSM connects to is then the endpoint's, not the proxy's, so
the connection must give the proxy certificate's name as ``server_subject_common_name``. To remove everything,
delete the EKM connection first: the HSM refuses to delete a private endpoint the connection uses.

Prerequisites: ``pip install azure-keyvault-administration azure-identity``.

* With ``AZURE_MANAGEDHSM_URL`` set the sample uses that HSM and ``DefaultAzureCredential`` (the caller needs the
  "Managed HSM EKM Administrator" role; the HSM must have no EKM connection yet and room for one more private
  endpoint). It also needs:

  - ``EKM_PRIVATE_LINK_SERVICE_ID``: the resource id or alias of the Private Link Service in front of the proxy
    (approve the endpoint's connection there while the sample waits);
  - ``EKM_PROXY_CA_FILE`` and ``EKM_PROXY_SUBJECT_COMMON_NAME``: the CA file that issued the proxy's server
    certificate and that certificate's CN; ``EKM_PROXY_PATH_PREFIX`` (optional), as in ``ekm_operations.py``;
  - ``EKM_PROXY_HOST``: not used for the connection (its host is the private endpoint), but without it the sample
    starts the local reference proxy instead of using yours.
* Otherwise it starts the local Managed HSM emulator and the reference EKM proxy in this process; the emulator
  approves private endpoints at once and leads its sample Private Link Service to the local proxy.

Steps: get the HSM's client certificate, create a private endpoint and follow the operation, read it (state,
approval, listing, operation status), wait for the approval, create an EKM connection through it and check it, see
that the endpoint cannot be deleted while in use, then delete the connection and the endpoint.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.polling import LROPoller
from azure.identity import DefaultAzureCredential
from ekm_operations import Proxy, Setup, describe, environment, has_connection, proxy_endpoint, text

from azure.keyvault.administration import (
    KeyVaultEkmClient,
    KeyVaultEkmConnection,
    KeyVaultEkmConnectivityMode,
    KeyVaultEkmPrivateEndpoint,
    KeyVaultEkmPrivateEndpointConnectionStatus,
)

# A made-up Private Link Service alias for the local emulator (the form is <prefix>.<guid>.<region>.azure.
# privatelinkservice; a resource id /subscriptions/.../privateLinkServices/<name> works as well).
LOCAL_SERVICE = "ekm-proxy.0c5e1a7e-4d3b-4f8e-9a61-2b7f3c9d8e10.eastus.azure.privatelinkservice"
POLLING_INTERVAL = 1.0  # seconds between status checks when the service does not say (Retry-After)
APPROVAL_TIMEOUT = 600.0


def private_link_service(setup: Setup, proxy: Proxy) -> str:
    """``EKM_PRIVATE_LINK_SERVICE_ID``, or for a local emulator a service it leads to the local proxy."""
    if os.environ.get("EKM_PRIVATE_LINK_SERVICE_ID"):
        return os.environ["EKM_PRIVATE_LINK_SERVICE_ID"]
    if setup.local_private_link_targets is None:
        raise SystemExit("Set EKM_PRIVATE_LINK_SERVICE_ID to the Private Link Service in front of your EKM proxy.")
    setup.local_private_link_targets[LOCAL_SERVICE] = proxy.host
    return LOCAL_SERVICE


def follow(poller: LROPoller[Any], what: str) -> Any:
    """Print the operation's status each time it changes, then return its result."""
    last = None
    while True:
        status = poller.status()
        if status != last:
            print(f"   {what}: {status}")
            last = status
        if poller.done():
            return poller.result()
        time.sleep(0.1)


def wait_for_approval(client: KeyVaultEkmClient, name: str) -> KeyVaultEkmPrivateEndpoint:
    """Poll the endpoint until the Private Link Service's owner approved its connection."""
    deadline = time.monotonic() + APPROVAL_TIMEOUT
    while True:
        endpoint = client.get_ekm_private_endpoint(name)
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
        time.sleep(10)


def main() -> int:
    with environment() as setup:
        credential = DefaultAzureCredential()
        with KeyVaultEkmClient(
            setup.vault_url, credential, polling_interval=POLLING_INTERVAL, **setup.client_kwargs
        ) as client:
            if has_connection(client):
                return 1
            print("\n1. Get the HSM's EKM client certificate: the proxy must trust this CA chain")
            certificate = client.get_ekm_certificate()
            describe(certificate)
            proxy = proxy_endpoint(setup, certificate)
            service = private_link_service(setup, proxy)
            if not proxy.server_subject_common_name:
                raise SystemExit("Set EKM_PROXY_SUBJECT_COMMON_NAME to the CN of the proxy's server certificate.")

            name = f"ekm-pe-{uuid.uuid4().hex[:8]}"
            print(f"\n2. Create the private endpoint {name} to {service}")
            poller = client.begin_create_ekm_private_endpoint(name, service, request_message="EKM proxy for my HSM")
            connected = False
            try:
                operation = follow(poller, "create")
                print(f"   operation {operation.job_id}: {text(operation.status)}, {operation.status_details}")

                print("\n3. Read the private endpoint, the list and the operation's status")
                endpoint = client.get_ekm_private_endpoint(name)
                state = endpoint.private_link_service_connection_state
                print(f"   {endpoint.name}: provisioning {text(endpoint.provisioning_state)}, "
                      f"connection {text(state.status) if state else None}")
                print(f"   endpoints of the HSM: {[e.name for e in client.list_ekm_private_endpoints()]}")
                status = client.get_ekm_private_endpoint_operation_status(operation.job_id)
                print(f"   operation {status.job_id}: {text(status.operation_type)} {text(status.status)}")

                print("\n4. Wait until the Private Link Service's owner approved the connection")
                approval = (wait_for_approval(client, name)).private_link_service_connection_state
                print(f"   approved: {approval.description if approval else None}")

                print("\n5. Create the EKM connection through the private endpoint and check it")
                connection = KeyVaultEkmConnection(
                    name,  # the host is the private endpoint's name
                    proxy.server_ca_certificates,
                    path_prefix=proxy.path_prefix,
                    server_subject_common_name=proxy.server_subject_common_name,  # the proxy's certificate's name
                    connectivity_mode=KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT,
                )
                created = client.create_ekm_connection(connection)
                connected = True
                print(f"   created: host {created.host}, mode {text(created.connectivity_mode)}")
                info = client.check_ekm_connection()
                print(f"   the HSM reached {info.proxy_name} ({info.ekm_product}) through {name}")

                print("\n6. The private endpoint cannot be deleted while the connection uses it")
                try:
                    client.begin_delete_ekm_private_endpoint(name)
                    print("   unexpected: the delete was accepted")
                    return 1
                except HttpResponseError as error:
                    print(f"   the HSM answered {error.status_code} {error.error.code if error.error else None}")
            finally:
                print("\n7. Delete the EKM connection first, then the private endpoint")
                if connected:
                    print(f"   deleted the connection to {client.delete_ekm_connection().host}")
                if not poller.done():
                    poller.wait()
                deleted = follow(client.begin_delete_ekm_private_endpoint(name), "delete")
                print(f"   {deleted.status_details}")
                print(f"   endpoints of the HSM: {[e.name for e in client.list_ekm_private_endpoints()]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
