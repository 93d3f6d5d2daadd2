"""The App Service-style managed identity endpoint, with raw HTTP and with azure-identity."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests
from emu_helpers import Api, assert_error
from mhsm_emulator import SYSTEM_PRINCIPAL_ID, RunningEmulator


def _get(emu: RunningEmulator, headers: dict[str, str] | None = None, **params: str) -> requests.Response:
    query = {"api-version": "2019-08-01", "resource": emu.resource, **params}
    base = {"X-IDENTITY-HEADER": emu.identity_header, "Metadata": "true"}
    return requests.get(emu.identity_endpoint, params=query, headers=headers if headers is not None else base,
                        timeout=30)


def test_token_response_shape(emu: RunningEmulator) -> None:
    response = _get(emu)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["resource"] == emu.resource
    assert isinstance(body["expires_on"], int) and isinstance(body["expires_in"], int)
    assert 0 < body["expires_in"] <= 3600 and body["expires_on"] > time.time()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == emu.resource
    assert claims["tid"] == emu.tenant_id
    assert claims["oid"] == SYSTEM_PRINCIPAL_ID


def test_missing_identity_header_is_400(emu: RunningEmulator) -> None:
    assert _get(emu, headers={"Metadata": "true"}).status_code == 400


def test_wrong_identity_header_is_401(emu: RunningEmulator) -> None:
    assert _get(emu, headers={"X-IDENTITY-HEADER": "wrong", "Metadata": "true"}).status_code == 401


@pytest.mark.parametrize("params", [{"api-version": "2017-09-01"}, {"resource": ""}])
def test_bad_query_is_400(emu: RunningEmulator, params: dict[str, str]) -> None:
    assert _get(emu, **params).status_code == 400


def test_user_assigned_ids_map_to_distinct_deterministic_principals(emu: RunningEmulator) -> None:
    def oid(**params: str) -> str:
        token = _get(emu, **params).json()["access_token"]
        return str(jwt.decode(token, options={"verify_signature": False})["oid"])

    client_a, client_b = str(uuid.uuid4()), str(uuid.uuid4())
    assert oid(client_id=client_a) == oid(client_id=client_a) == emu.principal_for_client_id(client_a).object_id
    assert oid(client_id=client_a) != oid(client_id=client_b)
    assert SYSTEM_PRINCIPAL_ID not in (oid(client_id=client_a), oid(client_id=client_b))
    object_id = str(uuid.uuid4())
    assert oid(object_id=object_id) == object_id
    assert oid(mi_res_id="/subscriptions/x/id1") != oid(mi_res_id="/subscriptions/x/id2")


def test_user_assigned_identity_has_no_rights(emu: RunningEmulator) -> None:
    token = _get(emu, client_id=str(uuid.uuid4())).json()["access_token"]
    body = assert_error(Api(emu, token).get("/settings"), 403, "Forbidden")
    assert "Assignment: (not found)" in body["error"]["message"]


def test_system_identity_token_is_accepted(emu: RunningEmulator) -> None:
    token = _get(emu).json()["access_token"]
    assert Api(emu, token).get("/settings").status_code == 200


def _set_env(monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator) -> None:
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
                 "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)


def test_azure_identity_sync_credentials(emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    _set_env(monkeypatch, emu)
    scope = emu.resource + "/.default"
    system = DefaultAzureCredential().get_token(scope)
    assert jwt.decode(system.token, options={"verify_signature": False})["oid"] == SYSTEM_PRINCIPAL_ID
    client_id = str(uuid.uuid4())
    user = ManagedIdentityCredential(client_id=client_id).get_token(scope)
    expected = emu.principal_for_client_id(client_id).object_id
    assert jwt.decode(user.token, options={"verify_signature": False})["oid"] == expected


async def test_azure_identity_async_credentials(emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential

    _set_env(monkeypatch, emu)
    scope = emu.resource + "/.default"
    async with DefaultAzureCredential() as credential:
        token = await credential.get_token(scope)
    assert jwt.decode(token.token, options={"verify_signature": False})["oid"] == SYSTEM_PRINCIPAL_ID
    client_id = str(uuid.uuid4())
    async with ManagedIdentityCredential(client_id=client_id) as credential:
        token = await credential.get_token(scope)
    assert jwt.decode(token.token, options={"verify_signature": False})["oid"] == (
        emu.principal_for_client_id(client_id).object_id
    )


def test_emulator_credentials(emu: RunningEmulator) -> None:
    token = emu.credential().get_token(emu.resource + "/.default")
    assert Api(emu, token.token).get("/settings").status_code == 200
    assert emu.credential().get_token(emu.resource + "/.default").expires_on > time.time()


async def test_async_emulator_credential(emu: RunningEmulator) -> None:
    async with emu.async_credential() as credential:
        token = await credential.get_token(emu.resource + "/.default")
    assert jwt.decode(token.token, options={"verify_signature": False})["oid"] == SYSTEM_PRINCIPAL_ID
