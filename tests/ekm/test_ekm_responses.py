"""Every response shape of EKM.md section 6.4 (spec examples, other SDKs' mocks, shapes built from the 4.8.0b3 models)
and the edges around them, converted to the public models, sync and async."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any

import pytest
from azure.core.exceptions import DecodeError
from clients.fake_service import Reply

from azure.keyvault.administration import (
    KeyVaultEkmConnection,
    KeyVaultEkmConnectivityMode,
    KeyVaultEkmPrivateEndpoint,
    KeyVaultEkmPrivateEndpointConnectionState,
    KeyVaultEkmPrivateEndpointConnectionStatus,
    KeyVaultEkmPrivateEndpointOperation,
    KeyVaultEkmPrivateEndpointOperationStatus,
    KeyVaultEkmPrivateEndpointOperationType,
    KeyVaultEkmPrivateEndpointProperties,
    KeyVaultEkmPrivateEndpointProvisioningState,
    KeyVaultEkmProxyClientCertificateInfo,
    KeyVaultEkmProxyInfo,
)

from .ekm_fakes import PLS, EkmHsm, collect, endpoint_json, make_ekm_client, resolve

UTC = datetime.timezone.utc
SPEC_CERTS = ["MIIDXTCCAkWgAwIBAgIJAKJ5cT5dQnCuMA0GCSqGSIb3DQEBCwUAMEUxA", "n8bjNWJ6h8vi7RzYKJGEc"]
GO_CA = base64.b64encode(b"azure-ekm-test-ca-bytes").decode()


async def get_connection(flavor: str, hsm: EkmHsm, body: Any, operation: str = "get_ekm_connection") -> Any:
    method, path = {"get_ekm_connection": ("GET", "/ekm"), "delete_ekm_connection": ("DELETE", "/ekm"),
                    "create": ("POST", "/ekm/create"), "update": ("PATCH", "/ekm")}[operation]
    hsm.script(method, path, Reply(200, body))
    client = make_ekm_client(flavor, hsm)
    if operation == "create":
        return await resolve(client.create_ekm_connection(KeyVaultEkmConnection("h", [])))
    if operation == "update":
        return await resolve(client.update_ekm_connection(KeyVaultEkmConnection("h", [])))
    return await resolve(getattr(client, operation)())


def attributes(connection: KeyVaultEkmConnection) -> tuple[Any, ...]:
    return (connection.host, connection.server_ca_certificates, connection.path_prefix,
            connection.server_subject_common_name, connection.connectivity_mode)


# ---- connections -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "body", "expected"),
    [
        # spec examples (2026-01-01-preview); their strings are not valid base64 (length 4n+1): kept as text
        ("create", {"host": "ekm-proxy.contoso.com", "path_prefix": "/api/v1", "server_ca_certificates": SPEC_CERTS},
         ("ekm-proxy.contoso.com", SPEC_CERTS, "/api/v1", None, None)),
        ("get_ekm_connection", {"host": "ekm-proxy.contoso.com", "path_prefix": "/api/v1",
                                "server_ca_certificates": SPEC_CERTS},
         ("ekm-proxy.contoso.com", SPEC_CERTS, "/api/v1", None, None)),
        ("update", {"host": "ekm-proxy-updated.contoso.com", "path_prefix": "/api/v2",
                    "server_ca_certificates": ["MIIDXTCCAkWg"]},
         ("ekm-proxy-updated.contoso.com", [base64.b64decode("MIIDXTCCAkWg")], "/api/v2", None, None)),
        ("delete_ekm_connection", {"host": "ekm-proxy.contoso.com:8443", "path_prefix": "/api/v1",
                                   "server_ca_certificates": ["MIIDXTCCAkWg", "n8bjNWJ6h8vi"]},
         ("ekm-proxy.contoso.com:8443", [base64.b64decode("MIIDXTCCAkWg"), base64.b64decode("n8bjNWJ6h8vi")],
          "/api/v1", None, None)),
        # the Go SDK's mock
        ("get_ekm_connection", {"host": "ekm-proxy.example.com:443", "path_prefix": "/v1",
                                "server_subject_common_name": "ekm-proxy.example.com",
                                "server_ca_certificates": [GO_CA]},
         ("ekm-proxy.example.com:443", [b"azure-ekm-test-ca-bytes"], "/v1", "ekm-proxy.example.com", None)),
        # built from the 4.8.0b3 models: a private-endpoint connection
        ("get_ekm_connection", {"host": "ekm-proxy-pe", "server_ca_certificates": ["MIIB"], "path_prefix": "/api/v1",
                                "server_subject_common_name": "ekm.contoso.com",
                                "connectivity_mode": "PrivateEndpoint"},
         ("ekm-proxy-pe", [base64.b64decode("MIIB")], "/api/v1", "ekm.contoso.com",
          KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT)),
        ("get_ekm_connection", {}, (None, None, None, None, None)),  # nothing is enforced
        ("get_ekm_connection", {"host": "h", "server_ca_certificates": None, "unknown": 1,
                                "connectivityMode": "Public"}, ("h", None, None, None, None)),
    ],
)
async def test_connection_shapes(
    flavor: str, hsm: EkmHsm, operation: str, body: Any, expected: tuple[Any, ...]
) -> None:
    connection = await get_connection(flavor, hsm, body, operation)
    assert type(connection) is KeyVaultEkmConnection
    assert attributes(connection) == expected
    assert repr(connection) == f"KeyVaultEkmConnection<{expected[0]}>"


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("Public", KeyVaultEkmConnectivityMode.PUBLIC),
        ("PrivateEndpoint", KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT),
        ("public", "public"),  # only the exact spelling is a member; anything else stays the service's str
        ("Tunnel", "Tunnel"),
        (None, None),
    ],
)
async def test_connectivity_mode_is_a_public_member_or_the_string(
    flavor: str, hsm: EkmHsm, wire: Any, expected: Any
) -> None:
    connection = await get_connection(flavor, hsm, {"host": "h", "server_ca_certificates": [],
                                                    "connectivity_mode": wire})
    assert connection.connectivity_mode == expected
    assert type(connection.connectivity_mode) is type(expected)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (base64.b64encode(b"\xfb\xff\xfe\x01").decode(), b"\xfb\xff\xfe\x01"),  # standard, padded
        ("+/8", b"\xfb\xff"),  # standard, unpadded
        ("-__-AQ==", b"\xfb\xff\xfe\x01"),  # base64url, padded
        ("-__-AQ", b"\xfb\xff\xfe\x01"),  # base64url, unpadded
        ("", b""),
        ("!!!", "!!!"),  # not base64: kept as it came
        ("+/-_", "+/-_"),  # both alphabets mixed
        ("AAAAA", "AAAAA"),  # impossible length
        ("AA=", "AA="),  # wrong padding
        (None, None),
        (7, 7),
    ],
)
async def test_certificates_decode_to_bytes(flavor: str, hsm: EkmHsm, wire: Any, expected: Any) -> None:
    connection = await get_connection(flavor, hsm, {"host": "h", "server_ca_certificates": [wire, GO_CA]})
    assert connection.server_ca_certificates == [expected, b"azure-ekm-test-ca-bytes"]
    assert type(connection.server_ca_certificates[0]) is type(expected)


@pytest.mark.parametrize(("body", "error"), [(b"", json.JSONDecodeError), (b"not json", DecodeError)])
async def test_unreadable_bodies(flavor: str, hsm: EkmHsm, body: bytes, error: type) -> None:
    hsm.script("GET", "/ekm", Reply(200, body, {"Content-Type": "application/json"}))
    with pytest.raises(error):
        await resolve(make_ekm_client(flavor, hsm).get_ekm_connection())


# ---- certificate and check -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "certificates", "name"),
    [
        ({"ca_certificates": ["MIIDXTCCAkWg", "w8bjNWJ6h8vi"], "subject_common_name": "Azure Key Vault EKM Client"},
         [base64.b64decode("MIIDXTCCAkWg"), base64.b64decode("w8bjNWJ6h8vi")], "Azure Key Vault EKM Client"),
        ({"subject_common_name": "CN=hsm-client", "ca_certificates": [GO_CA]}, [b"azure-ekm-test-ca-bytes"],
         "CN=hsm-client"),
        ({}, None, None),
        ({"ca_certificates": None, "subject_common_name": "x"}, None, "x"),
    ],
)
async def test_certificate_shapes(flavor: str, hsm: EkmHsm, body: Any, certificates: Any, name: Any) -> None:
    hsm.script("GET", "/ekm/certificate", Reply(200, body))
    info = await resolve(make_ekm_client(flavor, hsm).get_ekm_certificate())
    assert type(info) is KeyVaultEkmProxyClientCertificateInfo
    assert (info.ca_certificates, info.subject_common_name) == (certificates, name)
    assert repr(info) == f"KeyVaultEkmProxyClientCertificateInfo<{name}>"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"api_version": "1.0.0", "proxy_vendor": "Contoso Technologies", "proxy_name": "Contoso EKM Proxy v2.5.1",
          "ekm_vendor": "Contoso HSM Solutions", "ekm_product": "Contoso Enterprise HSM v3.2.0"},
         ("1.0.0", "Contoso Technologies", "Contoso EKM Proxy v2.5.1", "Contoso HSM Solutions",
          "Contoso Enterprise HSM v3.2.0")),
        ({}, (None, None, None, None, None)),
        ({"proxy_name": "p", "extra": 1}, (None, None, "p", None, None)),
    ],
)
async def test_check_shapes(flavor: str, hsm: EkmHsm, body: Any, expected: tuple[Any, ...]) -> None:
    hsm.script("POST", "/ekm/check", Reply(200, body))
    info = await resolve(make_ekm_client(flavor, hsm).check_ekm_connection())
    assert type(info) is KeyVaultEkmProxyInfo
    assert (info.api_version, info.proxy_vendor, info.proxy_name, info.ekm_vendor, info.ekm_product) == expected
    assert repr(info) == ("KeyVaultEkmProxyInfo(api_version={}, proxy_vendor={}, proxy_name={}, ekm_vendor={}, "
                          "ekm_product={})".format(*expected))


# ---- private endpoints and their operations ----------------------------------------------------------------------


async def test_private_endpoint_full_shape(flavor: str, hsm: EkmHsm) -> None:
    hsm.script("GET", "/ekm/privateendpoint/pe-x", Reply(200, endpoint_json("pe-x")))
    endpoint = await resolve(make_ekm_client(flavor, hsm).get_ekm_private_endpoint("pe-x"))
    assert type(endpoint) is KeyVaultEkmPrivateEndpoint
    assert (endpoint.name, endpoint.location) == ("pe-x", "eastus")
    assert endpoint.provisioning_state is KeyVaultEkmPrivateEndpointProvisioningState.SUCCEEDED
    assert type(endpoint.properties) is KeyVaultEkmPrivateEndpointProperties
    assert (endpoint.properties.private_link_service_id, endpoint.properties.private_link_service_connection_name) == (
        PLS, "pe-x-conn")
    state = endpoint.private_link_service_connection_state
    assert type(state) is KeyVaultEkmPrivateEndpointConnectionState
    assert state.status is KeyVaultEkmPrivateEndpointConnectionStatus.APPROVED
    assert (state.description, state.actions_required) == ("ok", "None")
    assert repr(endpoint) == "KeyVaultEkmPrivateEndpoint<pe-x>"
    assert repr(endpoint.properties) == f"KeyVaultEkmPrivateEndpointProperties<{PLS}>"
    assert repr(state) == (
        "KeyVaultEkmPrivateEndpointConnectionState<KeyVaultEkmPrivateEndpointConnectionStatus.APPROVED>")


@pytest.mark.parametrize(
    ("overrides", "properties", "state"),
    [
        ({"properties": {}, "privateLinkServiceConnectionState": {}}, False, False),  # empty objects are absent
        ({"properties": None, "privateLinkServiceConnectionState": None}, False, False),
        ({"properties": {"privateLinkServiceId": None}, "privateLinkServiceConnectionState": {"status": None}},
         True, True),  # an object with null members was sent: kept
    ],
)
async def test_nested_objects_only_when_sent(
    flavor: str, hsm: EkmHsm, overrides: dict[str, Any], properties: bool, state: bool
) -> None:
    hsm.script("GET", "/ekm/privateendpoint/pe-x", Reply(200, endpoint_json("pe-x", **overrides)))
    endpoint = await resolve(make_ekm_client(flavor, hsm).get_ekm_private_endpoint("pe-x"))
    assert (endpoint.properties is not None, endpoint.private_link_service_connection_state is not None) == (
        properties, state)


async def test_missing_nested_objects_and_empty_endpoint(flavor: str, hsm: EkmHsm) -> None:
    hsm.script("GET", "/ekm/privateendpoint/a", Reply(200, {"name": "a"}))
    hsm.script("GET", "/ekm/privateendpoint/b", Reply(200, {}))
    client = make_ekm_client(flavor, hsm)
    first, second = await resolve(client.get_ekm_private_endpoint("a")), await resolve(
        client.get_ekm_private_endpoint("b"))
    assert (first.name, first.properties, first.private_link_service_connection_state) == ("a", None, None)
    assert vars(second) == {"name": None, "location": None, "provisioning_state": None, "properties": None,
                            "private_link_service_connection_state": None}


@pytest.mark.parametrize(
    ("provisioning", "status", "expected_provisioning", "expected_status"),
    [
        ("Failed", "Rejected", KeyVaultEkmPrivateEndpointProvisioningState.FAILED,
         KeyVaultEkmPrivateEndpointConnectionStatus.REJECTED),
        ("Updating", "Pending", KeyVaultEkmPrivateEndpointProvisioningState.UPDATING,
         KeyVaultEkmPrivateEndpointConnectionStatus.PENDING),
        ("Deleting", "Disconnected", KeyVaultEkmPrivateEndpointProvisioningState.DELETING,
         KeyVaultEkmPrivateEndpointConnectionStatus.DISCONNECTED),
        ("Creating", "approved", "Creating", "approved"),  # unknown or differently spelled: the service's str
    ],
)
async def test_private_endpoint_states(
    flavor: str, hsm: EkmHsm, provisioning: str, status: str, expected_provisioning: Any, expected_status: Any
) -> None:
    body = endpoint_json("pe-x", provisioningState=provisioning, privateLinkServiceConnectionState={"status": status})
    hsm.script("GET", "/ekm/privateendpoint/pe-x", Reply(200, body))
    endpoint = await resolve(make_ekm_client(flavor, hsm).get_ekm_private_endpoint("pe-x"))
    assert endpoint.provisioning_state == expected_provisioning
    assert type(endpoint.provisioning_state) is type(expected_provisioning)
    state = endpoint.private_link_service_connection_state
    assert state.status == expected_status and type(state.status) is type(expected_status)


async def test_list_shape(flavor: str, hsm: EkmHsm) -> None:
    hsm.script("GET", "/ekm/privateendpoint", Reply(200, {"value": [endpoint_json("pe-a"), endpoint_json("pe-b")]}))
    endpoints = await collect(make_ekm_client(flavor, hsm).list_ekm_private_endpoints())
    assert [(type(e), e.name) for e in endpoints] == [(KeyVaultEkmPrivateEndpoint, "pe-a"),
                                                      (KeyVaultEkmPrivateEndpoint, "pe-b")]
    assert endpoints[0].private_link_service_connection_state.status is (
        KeyVaultEkmPrivateEndpointConnectionStatus.APPROVED)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"jobId": "j1", "privateEndpointName": "pe", "operationType": "Create", "status": "NotStarted"},
         {"job_id": "j1", "private_endpoint_name": "pe",
          "operation_type": KeyVaultEkmPrivateEndpointOperationType.CREATE,
          "status": KeyVaultEkmPrivateEndpointOperationStatus.NOT_STARTED, "status_details": None, "start_time": None,
          "end_time": None, "error_code": None, "error_message": None}),
        ({"jobId": "j1", "privateEndpointName": "pe", "operationType": "Delete", "status": "Succeeded",
          "statusDetails": "done", "startTime": 1767225600, "endTime": 1767225660.25, "error": None},
         {"job_id": "j1", "private_endpoint_name": "pe",
          "operation_type": KeyVaultEkmPrivateEndpointOperationType.DELETE,
          "status": KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED, "status_details": "done",
          "start_time": datetime.datetime(2026, 1, 1, tzinfo=UTC),
          "end_time": datetime.datetime(2026, 1, 1, 0, 1, 0, 250000, tzinfo=UTC), "error_code": None,
          "error_message": None}),
        ({"jobId": "j1", "status": "Failed", "error": {"code": "Denied", "message": "PLS owner rejected",
                                                      "innererror": {"code": "Inner", "message": "dropped"}}},
         {"job_id": "j1", "private_endpoint_name": None, "operation_type": None,
          "status": KeyVaultEkmPrivateEndpointOperationStatus.FAILED, "status_details": None, "start_time": None,
          "end_time": None, "error_code": "Denied", "error_message": "PLS owner rejected"}),
        ({"status": "Canceled", "error": {"message": "only a message"}},
         {"job_id": None, "private_endpoint_name": None, "operation_type": None,
          "status": KeyVaultEkmPrivateEndpointOperationStatus.CANCELED, "status_details": None, "start_time": None,
          "end_time": None, "error_code": None, "error_message": "only a message"}),
        ({"status": "running", "operationType": "Update"},
         {"job_id": None, "private_endpoint_name": None, "operation_type": "Update", "status": "running",
          "status_details": None, "start_time": None, "end_time": None, "error_code": None, "error_message": None}),
        ({}, dict.fromkeys(["job_id", "private_endpoint_name", "operation_type", "status", "status_details",
                            "start_time", "end_time", "error_code", "error_message"])),
    ],
)
async def test_operation_shapes(flavor: str, hsm: EkmHsm, body: Any, expected: dict[str, Any]) -> None:
    hsm.script("GET", "/ekm/privateendpoint/operations/j1", Reply(200, body))
    operation = await resolve(make_ekm_client(flavor, hsm).get_ekm_private_endpoint_operation_status("j1"))
    assert type(operation) is KeyVaultEkmPrivateEndpointOperation
    assert vars(operation) == expected
    for name in ("operation_type", "status"):
        assert type(getattr(operation, name)) is type(expected[name])
    assert repr(operation) == f"KeyVaultEkmPrivateEndpointOperation<{expected['private_endpoint_name']}>"
