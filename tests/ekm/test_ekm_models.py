"""EKM models and enums (EKM.md sections 3 and 4): constructors, stored values, reprs, enum behaviour."""

from __future__ import annotations

import datetime
import sys
from typing import Any

import pytest
from azure.core import CaseInsensitiveEnumMeta

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

ENUMS = [KeyVaultEkmConnectivityMode, KeyVaultEkmPrivateEndpointProvisioningState,
         KeyVaultEkmPrivateEndpointConnectionStatus, KeyVaultEkmPrivateEndpointOperationType,
         KeyVaultEkmPrivateEndpointOperationStatus]
KWARG_MODELS: dict[type, list[str]] = {
    KeyVaultEkmProxyClientCertificateInfo: ["ca_certificates", "subject_common_name"],
    KeyVaultEkmProxyInfo: ["api_version", "proxy_vendor", "proxy_name", "ekm_vendor", "ekm_product"],
    KeyVaultEkmPrivateEndpointProperties: ["private_link_service_id", "private_link_service_connection_name"],
    KeyVaultEkmPrivateEndpointConnectionState: ["status", "description", "actions_required"],
    KeyVaultEkmPrivateEndpoint: ["name", "location", "provisioning_state", "properties",
                                 "private_link_service_connection_state"],
    KeyVaultEkmPrivateEndpointOperation: ["job_id", "private_endpoint_name", "operation_type", "status",
                                          "status_details", "start_time", "end_time", "error_code", "error_message"],
}


def test_connection_stores_what_it_is_given() -> None:
    certificates = [b"\x01"]
    connection = KeyVaultEkmConnection("h", certificates, path_prefix="/p", server_subject_common_name="cn",
                                       connectivity_mode=KeyVaultEkmConnectivityMode.PUBLIC)
    assert connection.server_ca_certificates is certificates  # not copied
    assert vars(connection) == {"host": "h", "server_ca_certificates": [b"\x01"], "path_prefix": "/p",
                                "server_subject_common_name": "cn",
                                "connectivity_mode": KeyVaultEkmConnectivityMode.PUBLIC}
    assert vars(KeyVaultEkmConnection(host="h", server_ca_certificates=[])) == {
        "host": "h", "server_ca_certificates": [], "path_prefix": None, "server_subject_common_name": None,
        "connectivity_mode": None}


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("h", [], "/p"), {}, "takes 3 positional arguments but 4 were given"),
        (("h",), {}, "missing 1 required positional argument: 'server_ca_certificates'"),
        (("h", []), {"bogus": 1}, "got an unexpected keyword argument 'bogus'"),
    ],
)
def test_connection_constructor_rules(args: tuple[Any, ...], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        KeyVaultEkmConnection(*args, **kwargs)


@pytest.mark.parametrize(("cls", "attributes"), KWARG_MODELS.items(), ids=lambda v: getattr(v, "__name__", ""))
def test_keyword_models(cls: type, attributes: list[str]) -> None:
    assert vars(cls()) == dict.fromkeys(attributes)
    values = {name: f"v-{name}" for name in attributes}
    model = cls(**values, ignored="x")  # unknown keywords are ignored
    assert vars(model) == values
    with pytest.raises(TypeError):
        cls("positional")
    model.extra_attribute = 1  # plain, writable instance attributes
    assert cls() != cls()  # no __eq__


def test_reprs() -> None:
    assert repr(KeyVaultEkmConnection("ekm-proxy:8443", [])) == "KeyVaultEkmConnection<ekm-proxy:8443>"
    assert repr(KeyVaultEkmConnection("h" * 2000, [])) == f"KeyVaultEkmConnection<{'h' * 2000}>"  # not truncated
    assert repr(KeyVaultEkmProxyClientCertificateInfo(subject_common_name="cn")) == (
        "KeyVaultEkmProxyClientCertificateInfo<cn>")
    assert repr(KeyVaultEkmProxyInfo(api_version="1", proxy_name="p")) == (
        "KeyVaultEkmProxyInfo(api_version=1, proxy_vendor=None, proxy_name=p, ekm_vendor=None, ekm_product=None)")
    assert repr(KeyVaultEkmPrivateEndpointProperties(private_link_service_id="pls")) == (
        "KeyVaultEkmPrivateEndpointProperties<pls>")
    assert repr(KeyVaultEkmPrivateEndpointConnectionState(status="Approved")) == (
        "KeyVaultEkmPrivateEndpointConnectionState<Approved>")
    member = KeyVaultEkmPrivateEndpointConnectionStatus.APPROVED
    assert repr(KeyVaultEkmPrivateEndpointConnectionState(status=member)) == (
        f"KeyVaultEkmPrivateEndpointConnectionState<{member}>")
    assert repr(KeyVaultEkmPrivateEndpoint(name="pe")) == "KeyVaultEkmPrivateEndpoint<pe>"
    assert repr(KeyVaultEkmPrivateEndpointOperation(private_endpoint_name="pe")) == (
        "KeyVaultEkmPrivateEndpointOperation<pe>")


def test_operation_times_are_kept() -> None:
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    assert KeyVaultEkmPrivateEndpointOperation(start_time=when).start_time is when


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_enum_behaviour(enum: Any) -> None:
    assert issubclass(enum, str) and isinstance(enum, CaseInsensitiveEnumMeta)
    for member in enum:
        assert enum[member.name.lower()] is member  # names are case-insensitive
        assert enum(member.value) is member and member == member.value
        assert str(member) == f"{enum.__name__}.{member.name}"
        formatted = str(member) if sys.version_info >= (3, 11) else member.value
        assert f"{member}" == formatted
    with pytest.raises(ValueError):
        enum(next(iter(enum)).value.upper())  # values are not


def test_enum_values() -> None:
    assert [m.value for m in KeyVaultEkmConnectivityMode] == ["Public", "PrivateEndpoint"]
    assert [m.value for m in KeyVaultEkmPrivateEndpointProvisioningState] == [
        "Succeeded", "Failed", "Updating", "Deleting"]
    assert [m.value for m in KeyVaultEkmPrivateEndpointConnectionStatus] == [
        "Pending", "Approved", "Rejected", "Disconnected"]
    assert [m.value for m in KeyVaultEkmPrivateEndpointOperationType] == ["Create", "Delete"]
    assert [m.value for m in KeyVaultEkmPrivateEndpointOperationStatus] == [
        "NotStarted", "Running", "Succeeded", "Failed", "Canceled"]
