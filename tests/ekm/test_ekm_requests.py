"""Every EKM operation x every api-version, sync and async: the exact request (method, URL, query, headers, JSON body
text) or the version gate's exact ValueError before anything is sent (EKM.md sections 2.3, 2.4, 2.5, 6)."""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

import pytest

from azure.keyvault.administration import ApiVersion, KeyVaultEkmConnection, KeyVaultEkmConnectivityMode

from .ekm_fakes import (
    CERT,
    CERT_DER,
    PLS,
    VAULT,
    EkmHsm,
    Job,
    collect,
    connection_json,
    endpoint_json,
    header,
    make_ekm_client,
    resolve,
)

CONNECTION_VERSIONS = ["2026-01-01-preview", "2026-03-01-preview", "2026-05-01-preview", "2026-07-01-preview"]
PRIVATE_ENDPOINT_VERSIONS = ["2026-07-01-preview"]
VERSIONS: list[Optional[str]] = [
    "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", *CONNECTION_VERSIONS,
    "2026-07-01-PREVIEW", "2027-01-01", "2026-02-01-preview", "7.6-preview.2", "", None,
]


@dataclass(frozen=True)
class Op:
    name: str
    call: Callable[[Any], Any]
    method: str
    path: str
    body: Optional[str] = None  # the exact JSON text
    kind: str = "call"  # call | list | lro

    @property
    def versions(self) -> list[str]:
        return PRIVATE_ENDPOINT_VERSIONS if "private_endpoint" in self.name else CONNECTION_VERSIONS


FULL = KeyVaultEkmConnection(
    "ekm-proxy.contoso.com",
    [CERT_DER, bytearray(b"\x01\x02")],
    path_prefix="/api/v1",
    server_subject_common_name="ekm.contoso.com",
    connectivity_mode=KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT,
)
FULL_TEXT = (
    '{"host": "ekm-proxy.contoso.com", "server_ca_certificates": ["' + CERT + '", "AQI="], "path_prefix": "/api/v1", '
    '"server_subject_common_name": "ekm.contoso.com", "connectivity_mode": "PrivateEndpoint"}'
)

OPS = [
    Op("get_ekm_connection", lambda c: c.get_ekm_connection(), "GET", "/ekm"),
    Op("create_ekm_connection", lambda c: c.create_ekm_connection(FULL), "POST", "/ekm/create", FULL_TEXT),
    Op("update_ekm_connection", lambda c: c.update_ekm_connection(KeyVaultEkmConnection("h", [b"\xff\xfe"])),
       "PATCH", "/ekm", '{"host": "h", "server_ca_certificates": ["//4="]}'),
    Op("delete_ekm_connection", lambda c: c.delete_ekm_connection(), "DELETE", "/ekm"),
    Op("get_ekm_certificate", lambda c: c.get_ekm_certificate(), "GET", "/ekm/certificate"),
    Op("check_ekm_connection", lambda c: c.check_ekm_connection(), "POST", "/ekm/check"),
    Op("begin_create_ekm_private_endpoint",
       lambda c: c.begin_create_ekm_private_endpoint("pe 1/x", PLS, request_message="Please approve", polling=False),
       "POST", "/ekm/privateendpoint/pe%201%2Fx",
       '{"privateLinkServiceId": "' + PLS + '", "requestMessage": "Please approve"}', kind="lro"),
    Op("begin_delete_ekm_private_endpoint", lambda c: c.begin_delete_ekm_private_endpoint("pe-1", polling=False),
       "DELETE", "/ekm/privateendpoint/pe-1", kind="lro"),
    Op("get_ekm_private_endpoint", lambda c: c.get_ekm_private_endpoint("pe-1"), "GET", "/ekm/privateendpoint/pe-1"),
    Op("list_ekm_private_endpoints", lambda c: c.list_ekm_private_endpoints(), "GET", "/ekm/privateendpoint",
       kind="list"),
    Op("get_ekm_private_endpoint_operation_status",
       lambda c: c.get_ekm_private_endpoint_operation_status("j 1/x"), "GET",
       "/ekm/privateendpoint/operations/j%201%2Fx"),
]


def prepared(hsm: EkmHsm, op: Op) -> EkmHsm:
    if op.name != "create_ekm_connection":
        hsm.connection = connection_json()
    hsm.endpoints["pe-1"] = endpoint_json("pe-1")
    hsm.jobs["j%201%2Fx"] = Job("pe-1", "Create", ["Running"])
    return hsm


async def invoke(op: Op, client: Any) -> Any:
    outcome = op.call(client)
    if op.kind == "list":
        return await collect(outcome)
    return await resolve(outcome)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: repr(v))
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
async def test_request_or_version_gate(flavor: str, hsm: EkmHsm, op: Op, version: Optional[str]) -> None:
    client = make_ekm_client(flavor, prepared(hsm, op), api_version=version)
    if version not in op.versions:
        with pytest.raises(ValueError) as info:
            await invoke(op, client)
        first = op.versions[0]
        assert str(info.value) == (f"'{op.name}' is not available in API version {version}. "
                                   f"Pass service API version {first} or newer to your client.")
        assert hsm.sent == [] and hsm.probes == []  # refused before anything, even the challenge probe
        return
    await invoke(op, client)
    assert len(hsm.sent) == 1
    sent = hsm.sent[0]
    assert sent.method == op.method
    assert sent.url == f"{VAULT}{op.path}?api-version={version}"
    assert header(sent, "Accept") == "application/json"
    assert header(sent, "Authorization") == "Bearer fake-token"
    assert header(sent, "x-ms-client-request-id")
    assert header(sent, "User-Agent").startswith(  # type: ignore[union-attr]
        f"azsdk-python-keyvault-administration/4.8.0b3 Python/{platform.python_version()} (")
    if op.body is None:
        assert header(sent, "Content-Type") is None and not sent.body
    else:
        assert header(sent, "Content-Type") == "application/json"
        assert sent.text == op.body  # key order and json.dumps' default separators are the wire contract
    # The challenge probe of the first request is body-less, to the same URL.
    assert [(p.method, p.url, p.body or None) for p in hsm.probes] == [(op.method, sent.url, None)]


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
async def test_default_api_version_is_the_2026_07_preview(flavor: str, hsm: EkmHsm, op: Op) -> None:
    client = make_ekm_client(flavor, prepared(hsm, op))
    assert client.api_version == "2026-07-01-preview"
    await invoke(op, client)
    assert hsm.sent[0].query["api-version"] == ["2026-07-01-preview"]


async def test_api_version_enum_members_are_sent_as_values(flavor: str, hsm: EkmHsm) -> None:
    client = make_ekm_client(flavor, hsm, api_version=ApiVersion.V2026_01_01_PREVIEW)
    assert client.api_version == "2026-01-01-preview" and type(client.api_version) is str
    await resolve(client.check_ekm_connection())
    assert hsm.sent[0].url == f"{VAULT}/ekm/check?api-version=2026-01-01-preview"
    with pytest.raises(ValueError, match="Pass service API version 2026-07-01-preview or newer"):
        await resolve(client.get_ekm_private_endpoint("pe-1"))


@pytest.mark.parametrize(
    ("connection", "text"),
    [
        (KeyVaultEkmConnection("h", [b"\xff\xfe"]), '{"host": "h", "server_ca_certificates": ["//4="]}'),
        (KeyVaultEkmConnection(host="h", server_ca_certificates=[b"\xfb\xff", "text-cert", 5, None, b""]),
         '{"host": "h", "server_ca_certificates": ["+/8=", "text-cert", 5, null, ""]}'),
        (KeyVaultEkmConnection("h", (b"a", b"bc")), '{"host": "h", "server_ca_certificates": ["YQ==", "YmM="]}'),
        (KeyVaultEkmConnection("h", []), '{"host": "h", "server_ca_certificates": []}'),
        (KeyVaultEkmConnection("h", None), '{"host": "h"}'),  # type: ignore[arg-type]
        (KeyVaultEkmConnection("", [], path_prefix="", server_subject_common_name=""),
         '{"host": "", "server_ca_certificates": [], "path_prefix": "", "server_subject_common_name": ""}'),
        (KeyVaultEkmConnection("h", [], connectivity_mode=KeyVaultEkmConnectivityMode.PUBLIC),
         '{"host": "h", "server_ca_certificates": [], "connectivity_mode": "Public"}'),
        (KeyVaultEkmConnection("h", [], connectivity_mode="somethingElse"),
         '{"host": "h", "server_ca_certificates": [], "connectivity_mode": "somethingElse"}'),
        (KeyVaultEkmConnection("a b/c?d=\u00e9", [], server_subject_common_name="\u00fcn"),
         '{"host": "a b/c?d=\\u00e9", "server_ca_certificates": [], "server_subject_common_name": "\\u00fcn"}'),
    ],
)
async def test_connection_bodies(flavor: str, hsm: EkmHsm, connection: KeyVaultEkmConnection, text: str) -> None:
    client = make_ekm_client(flavor, hsm)
    await resolve(client.create_ekm_connection(connection))
    await resolve(client.update_ekm_connection(connection=connection))
    assert [(s.method, s.path, s.text) for s in hsm.sent] == [("POST", "/ekm/create", text), ("PATCH", "/ekm", text)]


@pytest.mark.parametrize(
    ("arguments", "text"),
    [
        ({"private_link_service_id": PLS}, '{"privateLinkServiceId": "' + PLS + '"}'),
        ({"private_link_service_id": PLS, "request_message": ""},
         '{"privateLinkServiceId": "' + PLS + '", "requestMessage": ""}'),
        ({"private_link_service_id": None}, "{}"),
        ({"private_link_service_id": None, "request_message": "m"}, '{"requestMessage": "m"}'),
    ],
)
async def test_private_endpoint_create_bodies(flavor: str, hsm: EkmHsm, arguments: dict[str, Any], text: str) -> None:
    client = make_ekm_client(flavor, hsm)
    await resolve(client.begin_create_ekm_private_endpoint(name="pe", polling=False, **arguments))
    assert [(s.method, s.path, s.text) for s in hsm.sent] == [("POST", "/ekm/privateendpoint/pe", text)]


@pytest.mark.parametrize(("name", "path"), [("a b/c", "a%20b%2Fc"), ("", ""), (5, "5"), ("p\u00e9", "p%C3%A9")])
async def test_names_are_percent_quoted(flavor: str, hsm: EkmHsm, name: Any, path: str) -> None:
    client = make_ekm_client(flavor, hsm)
    hsm.endpoints[path] = endpoint_json(path)
    await resolve(client.get_ekm_private_endpoint(name))
    await resolve(client.begin_delete_ekm_private_endpoint(name, polling=False))
    assert [s.url for s in hsm.sent] == [f"{VAULT}/ekm/privateendpoint/{path}?api-version=2026-07-01-preview"] * 2


async def test_per_call_keywords_reach_the_request(flavor: str, hsm: EkmHsm) -> None:
    client = make_ekm_client(flavor, hsm, headers={"x-client": "c"}, user_agent="app/1")
    await resolve(client.check_ekm_connection(headers={"x-call": "1"}))
    sent = hsm.sent[0]
    assert (header(sent, "x-client"), header(sent, "x-call")) == ("c", "1")
    assert header(sent, "User-Agent").startswith("app/1 azsdk-python-keyvault-administration/4.8.0b3 ")  # type: ignore
