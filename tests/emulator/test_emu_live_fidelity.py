"""Details of the live service's answers, as public recordings of a real Managed HSM show them (7.3, 2022).

Headers as a Managed HSM writes them, compact JSON bodies and the service's key order of role assignments.
"""

from __future__ import annotations

import json

import pytest
from emu_helpers import ASSIGNMENTS, DEFS, Api
from mhsm_emulator import RunningEmulator

BACKUP_USER = "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8"
DEFINITION_ID = f"Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{BACKUP_USER}"


def test_managed_hsm_header_values(api: Api) -> None:
    response = api.get(DEFS)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["x-ms-keyvault-network-info"].endswith(";act_addr_fam=Ipv4;")


@pytest.mark.parametrize("auth", [True, False])
def test_build_version_on_answers_to_get(api: Api, auth: bool) -> None:
    response = api.get(DEFS, auth=auth)
    assert response.status_code == (200 if auth else 401)
    assert response.headers["x-ms-build-version"]


def test_no_build_version_on_writes(api: Api) -> None:
    name = "3d1b0f7e-1c4a-4f7e-9a57-5c1d3e0f0a01"
    created = api.put(ASSIGNMENTS + "/" + name, json={"properties": {
        "roleDefinitionId": DEFINITION_ID, "principalId": "fidelity-principal"}})
    deleted = api.delete(ASSIGNMENTS + "/" + name)
    assert (created.status_code, deleted.status_code) == (201, 200)
    assert "x-ms-build-version" not in created.headers and "x-ms-build-version" not in deleted.headers


def test_json_bodies_are_compact(api: Api) -> None:
    response = api.get(DEFS + "/" + BACKUP_USER)
    assert response.status_code == 200
    assert response.content == json.dumps(response.json(), separators=(",", ":")).encode()
    missing = api.get(DEFS + "/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.content == json.dumps(missing.json(), separators=(",", ":")).encode()


def test_role_assignment_key_order(api: Api, emu: RunningEmulator) -> None:
    name = "3d1b0f7e-1c4a-4f7e-9a57-5c1d3e0f0a02"
    created = api.put(ASSIGNMENTS + "/" + name, json={"properties": {
        "roleDefinitionId": DEFINITION_ID, "principalId": "fidelity-principal"}})
    try:
        got = api.get(ASSIGNMENTS + "/" + name)
        listed = [a for a in api.get(ASSIGNMENTS).json()["value"] if a["name"] == name]
        for body in (created.json(), got.json(), *listed):
            assert list(body) == ["id", "name", "properties", "type"]
            assert list(body["properties"]) == ["principalId", "roleDefinitionId", "scope"]
        assert got.json()["properties"] == {
            "principalId": "fidelity-principal", "roleDefinitionId": DEFINITION_ID, "scope": "/"}
    finally:
        api.delete(ASSIGNMENTS + "/" + name)
