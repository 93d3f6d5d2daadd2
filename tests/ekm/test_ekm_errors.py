"""Error statuses and bad input of the EKM client (EKM.md 2.4-2.6), sync and async.

Statuses: 401 -> ClientAuthenticationError, 404 -> ResourceNotFoundError, 409 -> ResourceExistsError,
304 -> ResourceNotModifiedError, anything else but 200 -> HttpResponseError, with the service's code and message.
Bad input fails before any request with the official exception types; a connection that is not a
KeyVaultEkmConnection gets a clear message in an exception that is both a TypeError and an AttributeError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ResourceNotModifiedError,
)
from clients.fake_service import Reply

from azure.keyvault.administration import KeyVaultEkmConnection
from azure.keyvault.administration._ekm_common import EkmConnectionTypeError

from .ekm_fakes import PLS, EkmHsm, collect, connection_json, error_json, make_ekm_client, resolve

CALLS: dict[str, tuple[str, str, Callable[[Any], Any]]] = {
    "get_ekm_connection": ("GET", "/ekm", lambda c: c.get_ekm_connection()),
    "create_ekm_connection": ("POST", "/ekm/create", lambda c: c.create_ekm_connection(KeyVaultEkmConnection("h", []))),
    "update_ekm_connection": ("PATCH", "/ekm", lambda c: c.update_ekm_connection(KeyVaultEkmConnection("h", []))),
    "delete_ekm_connection": ("DELETE", "/ekm", lambda c: c.delete_ekm_connection()),
    "get_ekm_certificate": ("GET", "/ekm/certificate", lambda c: c.get_ekm_certificate()),
    "check_ekm_connection": ("POST", "/ekm/check", lambda c: c.check_ekm_connection()),
    "get_ekm_private_endpoint": ("GET", "/ekm/privateendpoint/pe", lambda c: c.get_ekm_private_endpoint("pe")),
    "list_ekm_private_endpoints": ("GET", "/ekm/privateendpoint", lambda c: collect(c.list_ekm_private_endpoints())),
    "get_ekm_private_endpoint_operation_status": (
        "GET", "/ekm/privateendpoint/operations/j", lambda c: c.get_ekm_private_endpoint_operation_status("j")),
    "begin_create_ekm_private_endpoint": (
        "POST", "/ekm/privateendpoint/pe", lambda c: c.begin_create_ekm_private_endpoint("pe", PLS)),
    "begin_delete_ekm_private_endpoint": (
        "DELETE", "/ekm/privateendpoint/pe", lambda c: c.begin_delete_ekm_private_endpoint("pe")),
}
STATUSES = [(401, ClientAuthenticationError), (404, ResourceNotFoundError), (409, ResourceExistsError),
            (304, ResourceNotModifiedError), (400, HttpResponseError), (403, HttpResponseError),
            (500, HttpResponseError), (502, HttpResponseError)]


@pytest.mark.parametrize(("status", "error_type"), STATUSES)
@pytest.mark.parametrize("operation", CALLS)
async def test_status_maps_to_the_exception(
    flavor: str, hsm: EkmHsm, operation: str, status: int, error_type: type
) -> None:
    method, path, call = CALLS[operation]
    body = None if status == 304 else error_json("Forbidden", "Caller is not authorized")
    hsm.script(method, path, Reply(status, body))
    with pytest.raises(error_type) as info:
        await resolve(call(make_ekm_client(flavor, hsm, retry_total=0)))
    error = info.value
    assert type(error) is error_type and error.status_code == status
    if body is not None:
        assert str(error) == "(Forbidden) Caller is not authorized\nCode: Forbidden\nMessage: Caller is not authorized"
        assert error.error.code == "Forbidden"
    assert len(hsm.sent) == 1


@pytest.mark.parametrize("operation", [name for name in CALLS if not name.startswith("begin_")])
async def test_other_success_statuses_are_errors(flavor: str, hsm: EkmHsm, operation: str) -> None:
    method, path, call = CALLS[operation]
    hsm.script(method, path, Reply(204))
    with pytest.raises(HttpResponseError) as info:
        await resolve(call(make_ekm_client(flavor, hsm)))
    assert type(info.value) is HttpResponseError
    assert str(info.value) == "Operation returned an invalid status 'Error'"


async def test_error_bodies_that_are_not_key_vault_errors(flavor: str, hsm: EkmHsm) -> None:
    hsm.script("GET", "/ekm", Reply(400, b"Bad things", {"Content-Type": "text/plain"}))
    hsm.script("GET", "/ekm", Reply(400, {"message": "not an error object"}))
    client = make_ekm_client(flavor, hsm)
    with pytest.raises(HttpResponseError) as info:
        await resolve(client.get_ekm_connection())
    assert str(info.value) == "Operation returned an invalid status 'Error'\nContent: Bad things"
    with pytest.raises(HttpResponseError) as info:
        await resolve(client.get_ekm_connection())
    assert info.value.error.code is None and info.value.error.message == "not an error object"


async def test_delete_does_not_swallow_not_found(flavor: str, hsm: EkmHsm) -> None:
    with pytest.raises(ResourceNotFoundError, match="no ekm connection"):
        await resolve(make_ekm_client(flavor, hsm).delete_ekm_connection())


async def test_create_refused_when_a_connection_exists(flavor: str, hsm: EkmHsm) -> None:
    hsm.connection = connection_json()
    with pytest.raises(ResourceExistsError, match="already exists"):
        await resolve(make_ekm_client(flavor, hsm).create_ekm_connection(KeyVaultEkmConnection("h", [])))


# ---- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [{"host": "h", "server_ca_certificates": []}, None, "h", 3, object()])
@pytest.mark.parametrize("operation", ["create_ekm_connection", "update_ekm_connection"])
async def test_connection_must_be_a_connection(flavor: str, hsm: EkmHsm, operation: str, value: Any) -> None:
    client = make_ekm_client(flavor, hsm)
    with pytest.raises(EkmConnectionTypeError) as info:
        await resolve(getattr(client, operation)(value))
    assert isinstance(info.value, TypeError) and isinstance(info.value, AttributeError)  # the official type too
    assert str(info.value) == (
        f"connection must be a KeyVaultEkmConnection, not {type(value).__name__}: "
        "build one with KeyVaultEkmConnection(host, server_ca_certificates, ...)")
    assert hsm.sent == [] and hsm.probes == []


async def test_connection_errors_are_catchable_as_either_type(flavor: str, hsm: EkmHsm) -> None:
    client = make_ekm_client(flavor, hsm)
    with pytest.raises(AttributeError):
        await resolve(client.create_ekm_connection({"host": "h"}))
    with pytest.raises(TypeError):
        await resolve(client.update_ekm_connection(None))


async def test_wrong_or_missing_arguments(flavor: str, hsm: EkmHsm) -> None:
    client = make_ekm_client(flavor, hsm)
    with pytest.raises(TypeError, match=r"create_ekm_connection\(\) missing 1 required positional argument: "
                                        r"'connection'"):
        await resolve(client.create_ekm_connection(ekm_connection=KeyVaultEkmConnection("h", [])))
    with pytest.raises(TypeError, match=r"takes 3 positional arguments but 4 were given"):
        await resolve(client.begin_create_ekm_private_endpoint("pe", PLS, "message"))
    with pytest.raises(TypeError, match=r"takes 1 positional argument but 2 were given"):
        await resolve(client.get_ekm_connection("x"))
    assert hsm.sent == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_ekm_private_endpoint(None),
        lambda c: c.get_ekm_private_endpoint_operation_status(None),
        lambda c: c.begin_create_ekm_private_endpoint(None, PLS),
        lambda c: c.begin_delete_ekm_private_endpoint(None),
    ],
    ids=["get", "operation_status", "begin_create", "begin_delete"],
)
async def test_none_names(flavor: str, hsm: EkmHsm, call: Callable[[Any], Any]) -> None:
    with pytest.raises(ValueError) as info:
        await resolve(call(make_ekm_client(flavor, hsm)))
    assert str(info.value) == "No value for given attribute"
    assert hsm.sent == [] and hsm.probes == []


@pytest.mark.parametrize(("credential", "url", "message"), [
    (None, "https://h", "credential should be an object supporting the {} protocol, such as a credential from "
                        "azure-identity"),
    (object(), "", "vault_url must be the URL of an Azure Key Vault"),
])
def test_construction_errors(flavor: str, credential: Any, url: str, message: str) -> None:
    from azure.keyvault.administration import KeyVaultEkmClient, aio

    cls = KeyVaultEkmClient if flavor == "sync" else aio.KeyVaultEkmClient
    protocol = "TokenCredential" if flavor == "sync" else "AsyncTokenCredential"
    with pytest.raises(ValueError) as info:
        cls(url, credential)
    assert str(info.value) == message.format(protocol)
