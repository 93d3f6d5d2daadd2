"""Recorded end-to-end tests of KeyVaultEkmClient (sync and async) against the emulator and the reference EKM proxy.

Playback by default (cassettes in tests/recordings/ekm). ``AZURE_TEST_RUN_LIVE=true`` runs them against the
in-process emulator and an in-process reference proxy trusting the emulator's EKM client CA (the check really runs
mutual TLS), and re-records. The connection methods run on both EKM api-versions, the private-endpoint methods on
2026-07-01-preview (the only one that has them).

Playback does not depend on the certificates or ports of a run: the proxy's address, its CA, the HSM's client CA
and the other run-specific values are rewritten to fixed fakes in the cassettes (:class:`Ekm`), and the tests send
and expect those fakes in playback. A live run against a real HSM needs ``EKM_PROXY_HOST``, ``EKM_PROXY_CA_FILE``,
``EKM_PROXY_SUBJECT_COMMON_NAME``, ``EKM_PROXY_PATH_PREFIX`` and ``EKM_PRIVATE_LINK_SERVICE_ID`` (a proxy the HSM
reaches), and ``DefaultAzureCredential`` holding the EKM Administrator role; the failure modes that need local
servers run against the emulator only.
"""

from __future__ import annotations

import base64
import datetime
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pytest
from _recording import Recording
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from azure.keyvault.administration import (
    KeyVaultEkmClient,
    KeyVaultEkmConnection,
    KeyVaultEkmConnectivityMode,
    KeyVaultEkmPrivateEndpoint,
    KeyVaultEkmPrivateEndpointConnectionStatus,
    KeyVaultEkmPrivateEndpointOperation,
    KeyVaultEkmPrivateEndpointOperationStatus,
    KeyVaultEkmPrivateEndpointOperationType,
    KeyVaultEkmPrivateEndpointProvisioningState,
    KeyVaultEkmProxyClientCertificateInfo,
    KeyVaultEkmProxyInfo,
)
from azure.keyvault.administration.aio import KeyVaultEkmClient as AsyncKeyVaultEkmClient

from .ekm_fakes import collect, resolve, result

CONNECTION_VERSIONS = ["2026-01-01-preview", "2026-07-01-preview"]
PRIVATE_ENDPOINT_VERSION = "2026-07-01-preview"
EKM_ADMINISTRATOR = "Managed HSM EKM Administrator"
EKM_TEST_IDENTITY = "ekm-administrator-test-identity"  # an emulator identity given the EKM role (not the admin)
PROXY_INFO = {
    "api_version": "0.1-preview",
    "proxy_vendor": "Contoso Technologies",
    "proxy_name": "Contoso EKM Proxy (recorded tests)",
    "ekm_vendor": "Contoso HSM Solutions",
    "ekm_product": "Contoso Enterprise HSM 3.2",
}
PRIVATE_LINK_SERVICE = (
    "/subscriptions/3c9d2e1f-7a6b-4c5d-8e9f-0a1b2c3d4e5f/resourceGroups/ekm/providers/Microsoft.Network/"
    "privateLinkServices/recorded-tests-pls"
)
FAKE = {
    "proxy_host": "ekm-proxy.contoso.com:8443",
    "down_host": "ekm-proxy-down.contoso.com:8443",
    "refusing_host": "ekm-proxy-refusing.contoso.com:8443",
}
FAKE_DER = {
    "proxy_ca": b"recorded-fake: the EKM proxy's CA certificate (DER)",
    "client_ca": b"recorded-fake: the HSM's EKM client CA certificate (DER)",
    "unrelated_ca": b"recorded-fake: a CA that issued nothing (DER)",
}


# ---- what a test works with ------------------------------------------------------------------------------------


@dataclass
class Ekm:
    """The proxy and the values a test uses: live ones in live runs (written to cassettes as fakes), the fakes in
    playback. ``down_host`` and ``refusing_host`` (a port nobody listens on; a proxy that refuses the HSM's client
    certificate) are ``None`` against a real HSM."""

    host: str
    ca: list[bytes]
    path_prefix: str
    common_name: str
    info: dict[str, str]
    client_ca: Optional[list[bytes]]
    unrelated_ca: bytes
    private_link_service: str
    down_host: Optional[str]
    refusing_host: Optional[str]

    def connection(self, **changes: Any) -> KeyVaultEkmConnection:
        members: dict[str, Any] = {
            "host": self.host,
            "server_ca_certificates": self.ca,
            "path_prefix": self.path_prefix,
            "server_subject_common_name": self.common_name,
            **changes,
        }
        return KeyVaultEkmConnection(**members)


def recorded_der(recorded: Recording, live: bytes, label: str) -> bytes:
    """``live`` (a certificate) in live runs, with its base64 rewritten in cassettes to that of the fake; the fake
    in playback."""
    fake = FAKE_DER[label]
    encoded = recorded.replace(base64.b64encode(live).decode("ascii"), base64.b64encode(fake).decode("ascii"))
    return base64.b64decode(encoded)


def unrelated_ca() -> bytes:
    """A fresh self-signed CA certificate that issued nothing."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "unrelated CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def der_certificates(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return [c.public_bytes(serialization.Encoding.DER) for c in x509.load_pem_x509_certificates(data)]
    return [data]


def closed_port() -> int:
    """A port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_prepared: set[int] = set()


@pytest.fixture(scope="session")
def ekm_proxies(request: pytest.FixtureRequest) -> Iterator[tuple[Any, Any]]:
    """Live against the emulator only: the reference proxy trusting the HSM's EKM client CA, and one trusting
    another CA (it refuses the HSM's client certificate)."""
    from mhsm_emulator.ekm_proxy import run_ekm_proxy

    emulator = request.getfixturevalue("emulator")
    with run_ekm_proxy(client_ca=Path(emulator.data_dir) / "ekm-client-ca.pem", proxy_info=PROXY_INFO) as proxy:
        # Same folder, so the same server certificate (the connection's CA fits): only the client CA differs.
        with run_ekm_proxy(proxy.data_dir, client_ca=[unrelated_ca()]) as refusing:
            yield proxy, refusing


@pytest.fixture
def ekm(recorded: Recording, request: pytest.FixtureRequest) -> Iterator[Ekm]:
    """The EKM set-up of one recorded test; in live runs the HSM's EKM state is cleaned up afterwards."""
    if not recorded.is_live:
        yield Ekm(
            host=FAKE["proxy_host"], ca=[FAKE_DER["proxy_ca"]], path_prefix="/api/v1",
            common_name="ekm-proxy.mhsm-emulator.local", info=PROXY_INFO, client_ca=[FAKE_DER["client_ca"]],
            unrelated_ca=FAKE_DER["unrelated_ca"], private_link_service=PRIVATE_LINK_SERVICE,
            down_host=FAKE["down_host"], refusing_host=FAKE["refusing_host"],
        )
        return
    if recorded.is_emulator:
        emulator = request.getfixturevalue("emulator")
        proxy, refusing = request.getfixturevalue("ekm_proxies")
        if id(emulator) not in _prepared:
            principal = emulator.principal_for_client_id(EKM_TEST_IDENTITY)
            emulator.assign_role(principal.object_id, EKM_ADMINISTRATOR)
            _prepared.add(id(emulator))
        # The emulator stands in for Private Link: the test's service leads to the proxy.
        emulator.state.config.ekm_private_link_targets[PRIVATE_LINK_SERVICE] = proxy.host
        down = closed_port()
        # the unreachable check's message names the port twice: "...:PORT' could not be reached (port PORT): ..."
        recorded.sanitizer.add_replacement(f"(port {down})", "(port 8443)")
        recorded.sanitizer.add_replacement(f"('127.0.0.1', {down})", "('ekm-proxy-down.contoso.com', 8443)")
        setup = Ekm(
            host=recorded.replace(proxy.host, FAKE["proxy_host"]),
            ca=[recorded_der(recorded, proxy.server_ca_certificates[0], "proxy_ca")],
            path_prefix=proxy.path_prefix,
            common_name=proxy.server_subject_common_name,
            info=PROXY_INFO,
            client_ca=[recorded_der(recorded, c, "client_ca") for c in der_certificates(
                Path(emulator.data_dir) / "ekm-client-ca.pem")],
            unrelated_ca=recorded_der(recorded, unrelated_ca(), "unrelated_ca"),
            private_link_service=PRIVATE_LINK_SERVICE,
            down_host=recorded.replace(f"127.0.0.1:{down}", FAKE["down_host"]),
            refusing_host=recorded.replace(refusing.host, FAKE["refusing_host"]),
        )
    else:
        if not os.environ.get("EKM_PROXY_HOST"):
            pytest.skip("live against a real HSM: set EKM_PROXY_HOST, EKM_PROXY_CA_FILE, ... (see the module)")
        ca = der_certificates(Path(os.environ["EKM_PROXY_CA_FILE"]))
        setup = Ekm(
            host=recorded.replace(os.environ["EKM_PROXY_HOST"], FAKE["proxy_host"]),
            ca=[recorded_der(recorded, ca[0], "proxy_ca")],
            path_prefix=os.environ.get("EKM_PROXY_PATH_PREFIX", "/api/v1"),
            common_name=os.environ["EKM_PROXY_SUBJECT_COMMON_NAME"],
            info=PROXY_INFO,
            client_ca=None,
            unrelated_ca=recorded_der(recorded, unrelated_ca(), "unrelated_ca"),
            private_link_service=os.environ["EKM_PRIVATE_LINK_SERVICE_ID"],
            down_host=None,
            refusing_host=None,
        )
    try:
        yield setup
    finally:
        with recorded.paused():
            clean_up(recorded)


def clean_up(recorded: Recording) -> None:
    """Leave the HSM without EKM connection and private endpoints (live runs; not recorded)."""
    with ekm_client(recorded, KeyVaultEkmClient, PRIVATE_ENDPOINT_VERSION) as client:
        try:
            client.delete_ekm_connection()
        except ResourceNotFoundError:
            pass
        for endpoint in client.list_ekm_private_endpoints():
            for _ in range(50):
                try:
                    client.begin_delete_ekm_private_endpoint(endpoint.name, polling_interval=0.1).wait()
                    break
                except HttpResponseError as error:  # still being created: wait for that first
                    if error.status_code != 409:
                        raise
                    import time

                    time.sleep(0.1)


def ekm_client(recorded: Recording, cls: type, api_version: str, **kwargs: Any) -> Any:
    """An EKM client of the principal holding the EKM role (the emulator's dedicated identity)."""
    client_id = EKM_TEST_IDENTITY if recorded.is_emulator else None
    return recorded.client(cls, client_id=client_id, api_version=api_version, **kwargs)


@pytest.fixture
def ekm_class(flavor: str) -> type:
    return KeyVaultEkmClient if flavor == "sync" else AsyncKeyVaultEkmClient


@pytest.fixture
def job_delay(recorded: Recording, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``job_delay(seconds)``: the live emulator's private-endpoint jobs wait before finishing (no-op otherwise)."""
    emulator = request.getfixturevalue("emulator") if recorded.is_emulator else None

    def set_delay(seconds: float) -> None:
        if emulator is not None:
            emulator.state.config.ekm_job_delay = seconds

    yield set_delay
    set_delay(0.0)


async def failure(call: Any) -> Exception:
    """What ``call()`` raises (sync or async); the test fails if it raises nothing."""
    try:
        await resolve(call())
    except Exception as exc:
        return exc
    raise AssertionError("expected an exception")


def assert_service_error(error: Exception, status: int, code: str) -> None:
    assert isinstance(error, HttpResponseError), repr(error)
    assert error.status_code == status, str(error)
    assert error.error is not None and error.error.code == code, str(error)


# ---- the connection --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("api_version", CONNECTION_VERSIONS)
async def test_client_certificate(recorded: Recording, ekm: Ekm, ekm_class: type, api_version: str) -> None:
    client = ekm_client(recorded, ekm_class, api_version)
    certificate = await resolve(client.get_ekm_certificate())
    assert isinstance(certificate, KeyVaultEkmProxyClientCertificateInfo)
    assert certificate.ca_certificates and all(isinstance(c, bytes) for c in certificate.ca_certificates)
    if ekm.client_ca is not None:
        assert certificate.ca_certificates == ekm.client_ca  # what the proxy was told to trust
    assert certificate.subject_common_name
    await resolve(client.close())


@pytest.mark.parametrize("api_version", CONNECTION_VERSIONS)
async def test_connection_lifecycle(recorded: Recording, ekm: Ekm, ekm_class: type, api_version: str) -> None:
    client = ekm_client(recorded, ekm_class, api_version)
    assert isinstance(await failure(client.get_ekm_connection), ResourceNotFoundError)

    created = await resolve(client.create_ekm_connection(ekm.connection()))
    assert isinstance(created, KeyVaultEkmConnection)
    assert (created.host, created.server_ca_certificates, created.path_prefix, created.server_subject_common_name) \
        == (ekm.host, ekm.ca, ekm.path_prefix, ekm.common_name)
    # connectivity_mode exists from 2026-07-01-preview on (the service's default is Public)
    expected_mode = KeyVaultEkmConnectivityMode.PUBLIC if api_version == PRIVATE_ENDPOINT_VERSION else None
    assert created.connectivity_mode == expected_mode
    conflict = await failure(lambda: client.create_ekm_connection(ekm.connection()))
    assert isinstance(conflict, ResourceExistsError) and conflict.status_code == 409
    got = await resolve(client.get_ekm_connection())
    assert (got.host, got.server_ca_certificates) == (ekm.host, ekm.ca)

    info = await resolve(client.check_ekm_connection())  # mutual TLS from the HSM to the proxy
    assert isinstance(info, KeyVaultEkmProxyInfo)
    assert {name: getattr(info, name) for name in PROXY_INFO} == ekm.info

    # The reference proxy also serves under /azureekm{prefix}: the check follows the updated path prefix.
    moved = ekm.connection(path_prefix="/azureekm" + ekm.path_prefix, server_subject_common_name=None)
    updated = await resolve(client.update_ekm_connection(moved))
    assert updated.path_prefix == "/azureekm" + ekm.path_prefix
    assert updated.server_subject_common_name == ekm.common_name  # members left None are not sent, so kept
    assert (await resolve(client.check_ekm_connection())).proxy_name == ekm.info["proxy_name"]

    deleted = await resolve(client.delete_ekm_connection())
    assert isinstance(deleted, KeyVaultEkmConnection) and deleted.path_prefix == "/azureekm" + ekm.path_prefix
    assert isinstance(await failure(client.get_ekm_connection), ResourceNotFoundError)
    assert isinstance(await failure(lambda: client.update_ekm_connection(ekm.connection())), ResourceNotFoundError)
    assert isinstance(await failure(client.delete_ekm_connection), ResourceNotFoundError)
    assert isinstance(await failure(client.check_ekm_connection), ResourceNotFoundError)
    await resolve(client.close())


@pytest.mark.parametrize("api_version", CONNECTION_VERSIONS)
async def test_check_failures(recorded: Recording, ekm: Ekm, ekm_class: type, api_version: str) -> None:
    if ekm.down_host is None or ekm.refusing_host is None:
        pytest.skip("needs local servers (live against the emulator, or playback)")
    client = ekm_client(recorded, ekm_class, api_version)
    await resolve(client.create_ekm_connection(ekm.connection(server_ca_certificates=[ekm.unrelated_ca])))
    assert_service_error(await failure(client.check_ekm_connection), 502, "EkmProxyCertificateValidationFailed")

    await resolve(client.update_ekm_connection(ekm.connection(server_subject_common_name="not-the-proxy.example")))
    error = await failure(client.check_ekm_connection)
    assert_service_error(error, 502, "EkmProxyCertificateValidationFailed")
    assert "not-the-proxy.example" in str(error)

    await resolve(client.update_ekm_connection(ekm.connection(host=ekm.down_host)))
    assert_service_error(await failure(client.check_ekm_connection), 502, "EkmProxyUnreachable")

    await resolve(client.update_ekm_connection(ekm.connection(host=ekm.refusing_host)))
    assert_service_error(await failure(client.check_ekm_connection), 502, "EkmProxyHandshakeFailed")

    await resolve(client.update_ekm_connection(ekm.connection()))
    assert (await resolve(client.check_ekm_connection())).ekm_product == ekm.info["ekm_product"]
    await resolve(client.delete_ekm_connection())
    await resolve(client.close())


@pytest.mark.parametrize("api_version", CONNECTION_VERSIONS)
async def test_forbidden_without_the_ekm_role(
    recorded: Recording, ekm: Ekm, ekm_class: type, api_version: str
) -> None:
    client = recorded.client(ekm_class, api_version=api_version, client_id="unprivileged-test-identity")
    for call in (client.get_ekm_certificate, client.get_ekm_connection, client.check_ekm_connection,
                 lambda: client.create_ekm_connection(ekm.connection())):
        error = await failure(call)
        assert isinstance(error, HttpResponseError) and error.status_code == 403, repr(error)
    await resolve(client.close())


# ---- private endpoints -------------------------------------------------------------------------------------------


async def test_private_endpoint_lifecycle(recorded: Recording, ekm: Ekm, ekm_class: type, job_delay: Any) -> None:
    job_delay(0.3)  # live: the jobs stay unfinished for a moment, so the poller really polls
    client = ekm_client(recorded, ekm_class, PRIVATE_ENDPOINT_VERSION, polling_interval=recorded.polling_interval)
    name = "pe-" + recorded.uuid("pe")[:8]
    poller = await resolve(client.begin_create_ekm_private_endpoint(
        name, ekm.private_link_service, request_message="Please approve"
    ))
    # (the sync poller polls on its own thread: which status it shows right now depends on timing)
    assert poller.status() in ("NotStarted", "Running", "Succeeded") and poller.continuation_token()
    operation = await result(poller)
    assert isinstance(operation, KeyVaultEkmPrivateEndpointOperation)
    assert operation.status == KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED
    assert type(operation.status) is KeyVaultEkmPrivateEndpointOperationStatus  # the public enum (deliberate)
    assert operation.operation_type == KeyVaultEkmPrivateEndpointOperationType.CREATE
    assert operation.private_endpoint_name == name and operation.error_code is None
    assert operation.end_time >= operation.start_time and operation.start_time.tzinfo is not None
    assert poller.done() and poller.status() == "Succeeded"

    endpoint = await resolve(client.get_ekm_private_endpoint(name))
    assert isinstance(endpoint, KeyVaultEkmPrivateEndpoint)
    assert endpoint.provisioning_state == KeyVaultEkmPrivateEndpointProvisioningState.SUCCEEDED
    assert endpoint.properties is not None
    assert endpoint.properties.private_link_service_id == ekm.private_link_service
    assert endpoint.properties.private_link_service_connection_name
    state = endpoint.private_link_service_connection_state
    assert state is not None and state.status == KeyVaultEkmPrivateEndpointConnectionStatus.APPROVED
    pager = client.list_ekm_private_endpoints()
    assert [e.name for e in await collect(pager)] == [name]
    assert [e.name for e in await collect(pager)] == [name]  # lazy and iterable again (deliberate)
    status = await resolve(client.get_ekm_private_endpoint_operation_status(operation.job_id))
    assert (status.job_id, status.status) == (operation.job_id, KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED)

    # The connection through the endpoint: its host is the endpoint's name, the proxy's name is given.
    connection = ekm.connection(host=name, connectivity_mode=KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT)
    created = await resolve(client.create_ekm_connection(connection))
    assert created.host == name and created.connectivity_mode == KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT
    assert (await resolve(client.check_ekm_connection())).proxy_vendor == ekm.info["proxy_vendor"]
    in_use = await failure(lambda: client.begin_delete_ekm_private_endpoint(name))
    assert_service_error(in_use, 409, "EkmPrivateEndpointInUse")

    assert (await resolve(client.delete_ekm_connection())).host == name  # the connection first, then the endpoint
    poller = await resolve(client.begin_delete_ekm_private_endpoint(name))
    deleted = await result(poller)
    assert deleted.operation_type == KeyVaultEkmPrivateEndpointOperationType.DELETE
    assert deleted.status == KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED
    assert isinstance(await failure(lambda: client.get_ekm_private_endpoint(name)), ResourceNotFoundError)
    assert await collect(client.list_ekm_private_endpoints()) == []
    again = await resolve(client.get_ekm_private_endpoint_operation_status(deleted.job_id))
    assert (again.private_endpoint_name, again.operation_type) == (name, KeyVaultEkmPrivateEndpointOperationType.DELETE)
    await resolve(client.close())


async def test_private_endpoint_limits_failures_and_resume(
    recorded: Recording, ekm: Ekm, ekm_class: type, job_delay: Any
) -> None:
    job_delay(0.3)
    client = ekm_client(recorded, ekm_class, PRIVATE_ENDPOINT_VERSION, polling_interval=recorded.polling_interval)
    first, second, third = ("pe-" + recorded.uuid(label)[:8] for label in ("first", "second", "third"))

    # polling=False: the result is the accepted operation; the job goes on without the poller.
    unpolled = await resolve(client.begin_create_ekm_private_endpoint(first, ekm.private_link_service, polling=False))
    accepted = await result(unpolled)
    assert accepted.status == KeyVaultEkmPrivateEndpointOperationStatus.NOT_STARTED
    # A new client resumes polling that operation from its continuation token (deliberate: 4.8.0b3 cannot).
    other = ekm_client(recorded, ekm_class, PRIVATE_ENDPOINT_VERSION, polling_interval=recorded.polling_interval)
    resumed = await resolve(other.begin_create_ekm_private_endpoint(
        "ignored", "ignored", continuation_token=unpolled.continuation_token()
    ))
    finished = await result(resumed)
    assert (finished.job_id, finished.status) == (accepted.job_id, KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED)

    await result(await resolve(client.begin_create_ekm_private_endpoint(second, ekm.private_link_service)))
    limit = await failure(lambda: client.begin_create_ekm_private_endpoint(third, ekm.private_link_service))
    assert_service_error(limit, 409, "EkmPrivateEndpointLimitExceeded")
    duplicate = await failure(lambda: client.begin_create_ekm_private_endpoint(second, ekm.private_link_service))
    assert isinstance(duplicate, HttpResponseError) and duplicate.status_code == 409
    await result(await resolve(client.begin_delete_ekm_private_endpoint(second)))

    # Neither a private link service resource id nor an alias: the job fails, and result() raises its error.
    poller = await resolve(client.begin_create_ekm_private_endpoint(second, "not-a-private-link-service"))
    error = await failure(poller.result)
    assert isinstance(error, HttpResponseError) and "PrivateLinkServiceNotFound" in str(error)
    assert poller.status() == "Failed"
    endpoint = await resolve(client.get_ekm_private_endpoint(second))
    assert endpoint.provisioning_state == KeyVaultEkmPrivateEndpointProvisioningState.FAILED
    await result(await resolve(client.begin_delete_ekm_private_endpoint(second)))

    missing = await failure(lambda: client.begin_delete_ekm_private_endpoint("pe-missing"))
    assert isinstance(missing, ResourceNotFoundError)
    assert isinstance(
        await failure(lambda: client.get_ekm_private_endpoint_operation_status("no-such-job")), ResourceNotFoundError
    )
    await result(await resolve(client.begin_delete_ekm_private_endpoint(first)))
    assert await collect(client.list_ekm_private_endpoints()) == []
    await resolve(client.close())
    await resolve(other.close())
