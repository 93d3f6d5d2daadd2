"""Runs in a separate venv with the OFFICIAL azure-keyvault-administration 4.8.0b3 and azure-identity 1.27.0.

The clients are configured only by the five variables the emulator prints (AZURE_MANAGEDHSM_URL, SSL_CERT_FILE,
REQUESTS_CA_BUNDLE, IDENTITY_ENDPOINT, IDENTITY_HEADER): ``DefaultAzureCredential``, challenge verification on, the
official defaults (every client on api-version 2026-07-01-preview). What the flow works with comes from:

* ``EKM_PROXY_HOST``, ``EKM_PROXY_PATH_PREFIX``, ``EKM_PROXY_CA_CERTIFICATES`` (comma-separated base64 DER),
  ``EKM_PROXY_SUBJECT_COMMON_NAME``, ``EKM_PROXY_INFO`` (JSON: the info the proxy answers): the reference proxy;
* ``EKM_CLIENT_CA_FILE``: the CA file the proxy was told to trust for client certificates (PEM);
* ``EKM_PRIVATE_LINK_SERVICE_ID``: a private link service the emulator maps to the proxy.

The same flow runs with the sync clients and with the aio clients (``resolve`` awaits what the async twin returns).
Prints one ``CHECK <flavor>.<name> ok`` line per step and ``ALL OK`` at the end; any failure raises (non-zero exit).
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import os
import ssl
import sys
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.identity import DefaultAzureCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential

from azure.keyvault.administration import (
    ApiVersion,
    KeyVaultAccessControlClient,
    KeyVaultEkmClient,
    KeyVaultEkmConnection,
    KeyVaultEkmConnectivityMode,
    KeyVaultEkmPrivateEndpointConnectionStatus,
    KeyVaultEkmPrivateEndpointOperationStatus,
    KeyVaultEkmPrivateEndpointOperationType,
    KeyVaultEkmPrivateEndpointProvisioningState,
    KeyVaultRoleScope,
)
from azure.keyvault.administration.aio import KeyVaultAccessControlClient as AsyncAccessControlClient
from azure.keyvault.administration.aio import KeyVaultEkmClient as AsyncEkmClient

EKM_ADMIN = "Managed HSM EKM Administrator"
POLL = 0.1  # seconds between private-endpoint status polls (the emulator's status answers carry no Retry-After)


def check(name: str, condition: bool) -> None:
    if not condition:
        raise AssertionError(f"check failed: {name}")
    print(f"CHECK {name} ok", flush=True)


async def resolve(value: Any) -> Any:
    """Await ``value`` if the async twin returned an awaitable, else return it."""
    return await value if inspect.isawaitable(value) else value


async def collect(pager: Any) -> list[Any]:
    if hasattr(pager, "__aiter__"):
        return [item async for item in pager]
    return list(pager)


async def failure(call: Any) -> Exception:
    """The exception ``call()`` raises (sync or async); fails the flow if it raises none."""
    try:
        await resolve(call())
    except Exception as exc:
        return exc
    raise AssertionError("expected an exception")


def pem_to_der(path: str) -> list[bytes]:
    text = open(path, encoding="ascii").read()
    end = "-----END CERTIFICATE-----"
    return [ssl.PEM_cert_to_DER_cert(block + end) for block in text.split(end) if "BEGIN CERTIFICATE" in block]


def token_object_id(credential: DefaultAzureCredential, resource: str) -> str:
    """The signed-in principal's object id, from a token's ``oid`` claim (the same for every resource; the token is
    only read here, never sent)."""
    token = credential.get_token(f"{resource}/.default").token
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["oid"])


class Proxy:
    """The reference proxy, as the environment describes it."""

    def __init__(self) -> None:
        self.host = os.environ["EKM_PROXY_HOST"]
        self.path_prefix = os.environ["EKM_PROXY_PATH_PREFIX"]
        self.ca = [base64.b64decode(item) for item in os.environ["EKM_PROXY_CA_CERTIFICATES"].split(",")]
        self.common_name = os.environ["EKM_PROXY_SUBJECT_COMMON_NAME"]
        self.info = json.loads(os.environ["EKM_PROXY_INFO"])
        self.client_ca = pem_to_der(os.environ["EKM_CLIENT_CA_FILE"])
        self.private_link_service_id = os.environ["EKM_PRIVATE_LINK_SERVICE_ID"]

    def connection(self, **changes: Any) -> KeyVaultEkmConnection:
        members: dict[str, Any] = {
            "host": self.host,
            "server_ca_certificates": self.ca,
            "path_prefix": self.path_prefix,
            "server_subject_common_name": self.common_name,
            **changes,
        }
        return KeyVaultEkmConnection(**members)


def grant_ekm_administrator(url: str) -> None:
    """The bootstrapped administrator holds no EKM data action: it assigns itself the built-in EKM role at ``/``."""
    credential = DefaultAzureCredential()
    with KeyVaultAccessControlClient(url, credential) as client:
        check("sync.access_control_default_version", client.api_version == ApiVersion.V2026_07_01_PREVIEW)
        roles = {d.role_name: d for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL)}
        role = roles[EKM_ADMIN]
        check("sync.ekm_administrator_role_exists", role.role_type == "AKVBuiltInRole")
        principal_id = token_object_id(credential, url)
        assignment = client.create_role_assignment(KeyVaultRoleScope.GLOBAL, role.id, principal_id)
        check("sync.grant_ekm_administrator", assignment.properties.role_definition_id == role.id)
        mine = [a for a in client.list_role_assignments(KeyVaultRoleScope.GLOBAL) if a.name == assignment.name]
        check("sync.list_ekm_administrator_assignment", mine[0].properties.principal_id == principal_id)


async def connection_flow(flavor: str, client: Any, proxy: Proxy) -> None:
    c = f"{flavor}."
    check(c + "ekm_default_version", client.api_version == ApiVersion.V2026_07_01_PREVIEW)

    certificate = await resolve(client.get_ekm_certificate())
    check(c + "get_ekm_certificate", certificate.ca_certificates == proxy.client_ca)
    check(c + "certificate_subject_common_name", bool(certificate.subject_common_name))

    missing = await failure(client.get_ekm_connection)
    check(c + "get_without_connection", isinstance(missing, ResourceNotFoundError))

    created = await resolve(client.create_ekm_connection(proxy.connection()))
    check(c + "create_ekm_connection", created.host == proxy.host and created.server_ca_certificates == proxy.ca)
    check(c + "create_echoes_members", (created.path_prefix, created.server_subject_common_name)
          == (proxy.path_prefix, proxy.common_name) and created.connectivity_mode == KeyVaultEkmConnectivityMode.PUBLIC)
    again = await failure(lambda: client.create_ekm_connection(proxy.connection()))
    check(c + "create_twice_conflict", isinstance(again, ResourceExistsError) and again.status_code == 409)
    got = await resolve(client.get_ekm_connection())
    check(c + "get_ekm_connection", got.host == proxy.host and got.server_ca_certificates == proxy.ca)

    info = await resolve(client.check_ekm_connection())
    answer = {name: getattr(info, name) for name in proxy.info}
    check(c + "check_ekm_connection_mutual_tls", answer == proxy.info)

    # The proxy also serves under /azureekm: the update moves the connection there and the check follows it.
    updated = await resolve(client.update_ekm_connection(proxy.connection(path_prefix="/azureekm" + proxy.path_prefix)))
    check(c + "update_ekm_connection", updated.path_prefix == "/azureekm" + proxy.path_prefix)
    info = await resolve(client.check_ekm_connection())
    check(c + "check_after_update", info.proxy_name == proxy.info["proxy_name"])

    # A CA that did not issue the proxy's certificate (the emulator's own TLS CA): the HSM refuses the proxy.
    wrong_ca = pem_to_der(os.environ["SSL_CERT_FILE"])
    await resolve(client.update_ekm_connection(proxy.connection(server_ca_certificates=wrong_ca)))
    error = await failure(client.check_ekm_connection)
    check(c + "check_with_wrong_ca_fails", isinstance(error, HttpResponseError) and error.status_code == 502)
    assert isinstance(error, HttpResponseError)
    check(c + "wrong_ca_error_code", error.error is not None
          and error.error.code == "EkmProxyCertificateValidationFailed")
    await resolve(client.update_ekm_connection(proxy.connection()))
    check(c + "check_after_fixing_ca", (await resolve(client.check_ekm_connection())).api_version
          == proxy.info["api_version"])


async def delete_private_endpoint(client: Any, name: str) -> None:
    poller = await resolve(client.begin_delete_ekm_private_endpoint(name, polling_interval=POLL))
    await resolve(poller.result())


async def private_endpoint_flow(flavor: str, client: Any, proxy: Proxy) -> None:
    c = f"{flavor}."
    name = f"ekm-pe-{flavor}"
    poller = await resolve(client.begin_create_ekm_private_endpoint(
        name, proxy.private_link_service_id, request_message="Please approve", polling_interval=POLL
    ))
    check(c + "create_accepted_not_started", poller.status() == "NotStarted")  # the 202's status, job still waits
    operation = await resolve(poller.result())
    check(c + "create_poller_done", poller.done() and poller.status().lower() == "succeeded")
    check(c + "begin_create_ekm_private_endpoint",
          operation.status == KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED
          and operation.operation_type == KeyVaultEkmPrivateEndpointOperationType.CREATE
          and operation.private_endpoint_name == name and operation.error_code is None)
    check(c + "create_operation_times", operation.start_time is not None and operation.end_time >= operation.start_time)

    endpoint = await resolve(client.get_ekm_private_endpoint(name))
    check(c + "get_ekm_private_endpoint", endpoint.name == name
          and endpoint.provisioning_state == KeyVaultEkmPrivateEndpointProvisioningState.SUCCEEDED
          and endpoint.properties.private_link_service_id == proxy.private_link_service_id)
    check(c + "private_endpoint_approved", endpoint.private_link_service_connection_state.status
          == KeyVaultEkmPrivateEndpointConnectionStatus.APPROVED)
    listed = await collect(client.list_ekm_private_endpoints())
    check(c + "list_ekm_private_endpoints", [e.name for e in listed] == [name])
    status = await resolve(client.get_ekm_private_endpoint_operation_status(operation.job_id))
    check(c + "get_operation_status", status.job_id == operation.job_id and status.status == "Succeeded")

    # The connection through the private endpoint: the host is the endpoint's name, the proxy's CN is given.
    private = proxy.connection(host=name, connectivity_mode=KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT)
    moved = await resolve(client.update_ekm_connection(private))
    check(c + "connection_through_private_endpoint", moved.host == name
          and moved.connectivity_mode == KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT)
    info = await resolve(client.check_ekm_connection())
    check(c + "check_through_private_endpoint", info.proxy_vendor == proxy.info["proxy_vendor"])
    in_use = await failure(lambda: client.begin_delete_ekm_private_endpoint(name, polling_interval=POLL))
    check(c + "delete_endpoint_in_use_refused", isinstance(in_use, HttpResponseError) and in_use.status_code == 409
          and in_use.error is not None and in_use.error.code == "EkmPrivateEndpointInUse")

    second = await resolve(client.begin_create_ekm_private_endpoint(
        f"{name}-2", proxy.private_link_service_id, polling_interval=POLL
    ))
    await resolve(second.result())
    third = await failure(lambda: client.begin_create_ekm_private_endpoint(
        f"{name}-3", proxy.private_link_service_id, polling_interval=POLL
    ))
    check(c + "third_endpoint_refused", isinstance(third, HttpResponseError) and third.status_code == 409
          and third.error is not None and third.error.code == "EkmPrivateEndpointLimitExceeded")
    await delete_private_endpoint(client, f"{name}-2")

    bad = await resolve(client.begin_create_ekm_private_endpoint(f"{name}-x", "no-such-service", polling_interval=POLL))
    failed = await failure(bad.result)
    check(c + "unknown_service_fails", isinstance(failed, HttpResponseError) and "PrivateLinkServiceNotFound"
          in str(failed) and bad.status().lower() == "failed")
    await delete_private_endpoint(client, f"{name}-x")

    deleted = await resolve(client.delete_ekm_connection())
    check(c + "delete_ekm_connection", deleted.host == name
          and deleted.connectivity_mode == KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT)
    gone = await failure(client.get_ekm_connection)
    check(c + "connection_gone", isinstance(gone, ResourceNotFoundError))

    poller = await resolve(client.begin_delete_ekm_private_endpoint(name, polling_interval=POLL))
    operation = await resolve(poller.result())
    check(c + "begin_delete_ekm_private_endpoint", operation.status == "Succeeded"
          and operation.operation_type == KeyVaultEkmPrivateEndpointOperationType.DELETE)
    missing = await failure(lambda: client.get_ekm_private_endpoint(name))
    check(c + "private_endpoint_gone", isinstance(missing, ResourceNotFoundError))
    check(c + "no_private_endpoints_left", await collect(client.list_ekm_private_endpoints()) == [])
    status = await resolve(client.get_ekm_private_endpoint_operation_status(operation.job_id))
    check(c + "delete_operation_status", status.status == "Succeeded" and status.private_endpoint_name == name)


def sync_flow(url: str, proxy: Proxy) -> None:
    with KeyVaultEkmClient(url, DefaultAzureCredential()) as client:
        asyncio.run(connection_flow("sync", client, proxy))
        asyncio.run(private_endpoint_flow("sync", client, proxy))


async def async_flow(url: str, proxy: Proxy) -> None:
    credential = AsyncDefaultAzureCredential()
    async with credential, AsyncAccessControlClient(url, credential) as access:
        assignments = [a async for a in access.list_role_assignments(KeyVaultRoleScope.GLOBAL)]
        check("async.list_role_assignments", len(assignments) >= 2)
    credential = AsyncDefaultAzureCredential()
    async with credential, AsyncEkmClient(url, credential) as client:
        await connection_flow("async", client, proxy)
        await private_endpoint_flow("async", client, proxy)


def main() -> int:
    url = os.environ["AZURE_MANAGEDHSM_URL"]
    proxy = Proxy()
    with KeyVaultEkmClient(url, DefaultAzureCredential()) as client:
        refused = asyncio.run(failure(client.get_ekm_certificate))
        check("sync.forbidden_before_grant", isinstance(refused, HttpResponseError) and refused.status_code == 403)
    grant_ekm_administrator(url)
    sync_flow(url, proxy)
    asyncio.run(async_flow(url, proxy))
    print("ALL OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
