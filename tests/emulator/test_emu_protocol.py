"""Challenge, headers, routing, api-version and body errors of the vault endpoint."""

from __future__ import annotations

import re

import pytest
import requests
from emu_helpers import ASSIGNMENTS, DEFS, Api, assert_error
from mhsm_emulator import RunningEmulator
from mhsm_emulator.versions import SUPPORTED_API_VERSIONS

CHALLENGE = re.compile(r'^Bearer authorization="https://login\.microsoftonline\.com/([0-9a-f-]+)", resource="([^"]+)"$')


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "PATCH", "DELETE"])
def test_unauthenticated_probe_gets_challenge(api: Api, emu: RunningEmulator, method: str) -> None:
    # The official client's probe: no Authorization, Content-Length: 0 even for PUT/POST.
    response = api.request(method, DEFS + "/x", auth=False, data=b"", headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    match = CHALLENGE.match(response.headers["WWW-Authenticate"])
    assert match is not None, response.headers["WWW-Authenticate"]
    assert match.group(1) == emu.tenant_id
    assert match.group(2) == emu.resource
    assert_error(response, 401, "Unauthorized")
    assert response.text != "OK"


def test_challenge_resource_is_dot_suffix_of_vault_host(emu: RunningEmulator) -> None:
    vault_netloc = emu.vault_url.removeprefix("https://")
    resource_netloc = emu.resource.removeprefix("https://")
    assert vault_netloc.endswith("." + resource_netloc)
    assert resource_netloc.endswith(f":{emu.port}")


def test_probe_with_body_answered_before_body_is_read(api: Api) -> None:
    response = api.put(DEFS + "/x", auth=False, data=b"{not json")
    assert response.status_code == 401


def test_service_headers(api: Api) -> None:
    response = api.get(DEFS)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r"[0-9a-f-]{36}", response.headers["x-ms-request-id"])
    assert response.headers["x-ms-keyvault-region"] == "local"
    assert "x-ms-keyvault-service-version" in response.headers
    assert "Retry-After" not in response.headers


def test_request_id_is_the_activity_id(api: Api) -> None:
    response = api.get(DEFS + "/00000000-0000-0000-0000-000000000000")
    body = assert_error(response, 404, "RoleDefinitionNotFound")
    assert body["error"]["message"].endswith(f"(Activity ID: {response.headers['x-ms-request-id']})")


def test_unknown_route_is_404_json(api: Api) -> None:
    assert_error(api.get("/no/such/route"), 404, "NotFound")


def test_wrong_method_is_405_json(api: Api) -> None:
    assert_error(api.request("POST", "/settings"), 405, "MethodNotAllowed")


def test_missing_api_version(api: Api) -> None:
    body = assert_error(api.get(DEFS, api_version=None), 400, "BadParameter")
    assert "api-version" in body["error"]["message"]


@pytest.mark.parametrize("version", ["2016-10-01", "7.1", "1.0", "latest", "7.6-preview.1"])
def test_unsupported_api_version(api: Api, version: str) -> None:
    assert_error(api.get(DEFS, api_version=version), 400, "BadParameter")


@pytest.mark.parametrize("version", SUPPORTED_API_VERSIONS)
def test_supported_api_versions(api: Api, version: str) -> None:
    assert api.get(DEFS, api_version=version).status_code == 200


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b'"text"', b"\xff\xfe", b"", b"null", b"[" * 5000])
def test_malformed_bodies_are_400(api: Api, body: bytes) -> None:
    response = api.put(DEFS + "/6a0e7d4c-6c3c-4b49-9cf6-2a3c2ed0a7a1", data=body,
                       headers={"Content-Type": "application/json"})
    assert_error(response, 400, "BadParameter")


@pytest.mark.parametrize(
    "path",
    [
        "/foo/providers/Microsoft.Authorization/roleAssignments",
        "/keys/a/b/providers/Microsoft.Authorization/roleAssignments",
        "/keys/bad_name!/providers/Microsoft.Authorization/roleAssignments",
    ],
)
def test_invalid_scope_is_400(api: Api, path: str) -> None:
    assert_error(api.get(path), 400, "BadParameter")


@pytest.mark.parametrize("prefix", ["/", "//", "///", "//keys/", "/keys//"])
def test_repeated_leading_slashes_collapse(api: Api, prefix: str) -> None:
    url = api.emulator.vault_url + prefix + ASSIGNMENTS.lstrip("/")
    # requests would normalise the path; send the raw request line through a prepared request.
    session = api.session
    request = requests.Request("GET", api.emulator.vault_url + ASSIGNMENTS,
                               headers={"Authorization": f"Bearer {api.token}"}).prepare()
    request.url = url + "?api-version=2025-07-01"
    response = session.send(request, timeout=30, verify=api.emulator.ca_file)
    assert response.status_code == 200, response.text
    assert response.json()["value"], "the bootstrap administrator assignment is listed at every scope"


def test_oversized_body_is_4xx_json(api: Api) -> None:
    response = api.put(DEFS + "/6a0e7d4c-6c3c-4b49-9cf6-2a3c2ed0a7a1", data=b" " * (5 * 1024 * 1024))
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
