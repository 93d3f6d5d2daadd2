"""EKM connection routes: create/get/update/delete, the client certificate, api-version gates, RBAC, validation."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from ekm_helpers import EKM_ADMIN, V1, V2, b64, connection_body, der, ekm_api, self_signed
from emu_helpers import Api, assert_error
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator.ekm_certs import CLIENT_COMMON_NAME


@pytest.fixture
def admin(emu: RunningEmulator) -> Iterator[Api]:
    api = ekm_api(emu)
    api.delete("/ekm", api_version=V2)
    yield api
    api.delete("/ekm", api_version=V2)


# ---- lifecycle ----


def test_connection_lifecycle(admin: Api) -> None:
    assert_error(admin.get("/ekm", api_version=V2), 404, "NotFound")
    body = connection_body(
        "ekm-proxy.contoso.com:8443", path_prefix="/api/v1", server_subject_common_name="ekm.contoso"
    )
    created = admin.request("POST", "/ekm/create", api_version=V2, json=body)
    assert created.status_code == 200, created.text
    expected = {
        "host": "ekm-proxy.contoso.com:8443",
        "path_prefix": "/api/v1",
        "server_ca_certificates": body["server_ca_certificates"],
        "server_subject_common_name": "ekm.contoso",
        "connectivity_mode": "Public",
    }
    assert created.json() == expected
    assert list(created.json()) == list(expected)  # the service's member order
    assert admin.get("/ekm", api_version=V2).json() == expected

    updated = admin.patch("/ekm", api_version=V2, json={"host": "other.contoso.com", "path_prefix": "/v2"})
    assert updated.status_code == 200
    assert updated.json() == {**expected, "host": "other.contoso.com", "path_prefix": "/v2"}

    deleted = admin.delete("/ekm", api_version=V2)
    assert deleted.status_code == 200 and deleted.json() == updated.json()  # the deleted connection
    assert_error(admin.get("/ekm", api_version=V2), 404, "NotFound")
    assert_error(admin.delete("/ekm", api_version=V2), 404, "NotFound")
    assert_error(admin.patch("/ekm", api_version=V2, json={"host": "x"}), 404, "NotFound")


def test_create_refused_when_a_connection_exists(admin: Api) -> None:
    first = connection_body("first.example")
    assert admin.request("POST", "/ekm/create", api_version=V2, json=first).status_code == 200
    body = assert_error(admin.request("POST", "/ekm/create", api_version=V2, json=connection_body("second")), 409,
                        "Conflict")
    assert "already has an EKM connection" in body["error"]["message"]
    assert admin.get("/ekm", api_version=V2).json()["host"] == "first.example"  # untouched


def test_update_merges_and_null_clears_optional_members(admin: Api) -> None:
    body = connection_body("h.example", path_prefix="/p", server_subject_common_name="cn")
    admin.request("POST", "/ekm/create", api_version=V2, json=body)
    assert admin.patch("/ekm", api_version=V2, json={}).json()["server_subject_common_name"] == "cn"
    cleared = admin.patch("/ekm", api_version=V2, json={"server_subject_common_name": None, "path_prefix": None}).json()
    assert "server_subject_common_name" not in cleared and "path_prefix" not in cleared
    assert cleared["host"] == "h.example"
    assert_error(admin.patch("/ekm", api_version=V2, json={"host": None}), 400, "BadParameter")
    assert_error(admin.patch("/ekm", api_version=V2, json={"server_ca_certificates": None}), 400, "BadParameter")
    assert admin.get("/ekm", api_version=V2).json() == cleared  # refused updates changed nothing


def test_certificates_accepted_in_every_base64_form_and_echoed_padded(admin: Api) -> None:
    raw = der(self_signed()[0])
    standard = base64.b64encode(raw).decode()
    url = base64.urlsafe_b64encode(raw).decode()
    forms = [standard, standard.rstrip("="), url, url.rstrip("=")]
    response = admin.request("POST", "/ekm/create", api_version=V2,
                             json={"host": "h", "server_ca_certificates": forms})
    assert response.status_code == 200, response.text
    assert response.json()["server_ca_certificates"] == [standard] * 4


def test_unknown_keys_are_ignored(admin: Api) -> None:
    body = {**connection_body("h.example"), "extra": {"x": 1}, "ServerCaCertificates": 5}
    response = admin.request("POST", "/ekm/create", api_version=V2, json=body)
    assert response.status_code == 200 and "extra" not in response.json()


def test_empty_optional_strings_are_kept(admin: Api) -> None:
    body = connection_body("h.example", path_prefix="", server_subject_common_name="")
    response = admin.request("POST", "/ekm/create", api_version=V2, json=body)
    assert response.status_code == 200
    assert response.json()["path_prefix"] == "" and response.json()["server_subject_common_name"] == ""


# ---- validation ----

GOOD_CERT = b64(der(self_signed()[0]))


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"host": None}, "'host' is required"),
        ({"host": 5}, "'host' is required"),
        ({"host": ""}, "'host' must be"),
        ({"host": "a_b.example"}, "'host' must be"),
        ({"host": "a b"}, "'host' must be"),
        ({"host": "https://a.example"}, "'host' must be"),
        ({"host": "a.example/path"}, "'host' must be"),
        ({"host": "-a.example"}, "'host' must be"),
        ({"host": "a..example"}, "'host' must be"),
        ({"host": "a.example:"}, "'host' must be"),
        ({"host": "a.example:0"}, "between 1 and 65535"),
        ({"host": "a.example:65536"}, "between 1 and 65535"),
        ({"host": "a:b:c"}, "'host' must be"),
        ({"host": "a" * 64}, "'host' must be"),
        ({"server_ca_certificates": None}, "non-empty list"),
        ({"server_ca_certificates": []}, "non-empty list"),
        ({"server_ca_certificates": GOOD_CERT}, "non-empty list"),
        ({"server_ca_certificates": [GOOD_CERT] * 11}, "at most 10"),
        ({"server_ca_certificates": [5]}, "[0]' must be a string"),
        ({"server_ca_certificates": [GOOD_CERT, "!!!"]}, "[1]' is not base64"),
        ({"server_ca_certificates": [""]}, "is not base64"),
        ({"server_ca_certificates": ["QUJD"]}, "does not decode to a DER-encoded X.509"),
        ({"server_ca_certificates": [GOOD_CERT[:-8]]}, "X.509"),
        ({"server_ca_certificates": [GOOD_CERT + "\n"]}, "is not base64"),
        ({"path_prefix": 1}, "'path_prefix' must be a string"),
        ({"path_prefix": "api"}, "'path_prefix' must be"),
        ({"path_prefix": "/api/"}, "'path_prefix' must be"),
        ({"path_prefix": "/"}, "'path_prefix' must be"),
        ({"path_prefix": "//api"}, "'path_prefix' must be"),
        ({"path_prefix": "/a_b"}, "'path_prefix' must be"),
        ({"path_prefix": "/a?x=1"}, "'path_prefix' must be"),
        ({"path_prefix": "/" + "a" * 64}, "'path_prefix' must be"),
        ({"server_subject_common_name": 3}, "must be a string"),
        ({"server_subject_common_name": "a\nb"}, "printable"),
        ({"server_subject_common_name": "x" * 257}, "printable"),
        ({"connectivity_mode": "public"}, "'Public' or 'PrivateEndpoint'"),
        ({"connectivity_mode": 1}, "'Public' or 'PrivateEndpoint'"),
        ({"connectivity_mode": "PrivateEndpoint", "host": "nope"}, "there is no private endpoint 'nope'"),
    ],
)
def test_bad_connection_bodies_are_400(admin: Api, changes: dict[str, Any], fragment: str) -> None:
    body = {**connection_body("h.example"), **changes}
    body = {key: value for key, value in body.items() if value is not None}
    response = admin.request("POST", "/ekm/create", api_version=V2, json=body)
    error = assert_error(response, 400, "BadParameter")["error"]
    assert fragment in error["message"], error
    assert_error(admin.get("/ekm", api_version=V2), 404, "NotFound")  # nothing stored
    admin.request("POST", "/ekm/create", api_version=V2, json=connection_body("h.example"))
    patch = {key: value for key, value in changes.items()}
    if patch and all(value is not None for value in patch.values()):
        assert_error(admin.patch("/ekm", api_version=V2, json=patch), 400, "BadParameter")
    assert admin.get("/ekm", api_version=V2).json()["host"] == "h.example"


@pytest.mark.parametrize("host", ["a.example", "a.example:1", "A-1.b-2.example:65535", "10.0.0.1:8443", "localhost",
                                  "x" * 63 + "." + "y" * 63])
def test_valid_hosts(admin: Api, host: str) -> None:
    response = admin.request("POST", "/ekm/create", api_version=V2, json=connection_body(host))
    assert response.status_code == 200 and response.json()["host"] == host


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b"null", b"{"])
def test_non_object_bodies_are_400(admin: Api, raw: bytes) -> None:
    for method, path in (("POST", "/ekm/create"), ("PATCH", "/ekm")):
        response = admin.request(method, path, api_version=V2, data=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "BadParameter")


# ---- api-versions ----


def test_connectivity_mode_exists_from_2026_07_01_preview(admin: Api) -> None:
    created = admin.request("POST", "/ekm/create", api_version=V1,
                            json=connection_body("h.example", connectivity_mode="bogus"))
    assert created.status_code == 200, created.text  # an unknown member in 2026-01-01-preview: ignored
    assert "connectivity_mode" not in created.json()
    assert admin.get("/ekm", api_version=V2).json()["connectivity_mode"] == "Public"
    assert "connectivity_mode" not in admin.get("/ekm", api_version=V1).json()
    assert admin.patch("/ekm", api_version=V1, json={"connectivity_mode": "PrivateEndpoint"}).status_code == 200
    assert admin.get("/ekm", api_version=V2).json()["connectivity_mode"] == "Public"


CONNECTION_ROUTES = [("GET", "/ekm"), ("PATCH", "/ekm"), ("DELETE", "/ekm"), ("POST", "/ekm/create"),
                     ("GET", "/ekm/certificate"), ("POST", "/ekm/check")]
PE_ROUTES = [("GET", "/ekm/privateendpoint"), ("GET", "/ekm/privateendpoint/pe1"),
             ("POST", "/ekm/privateendpoint/pe1"), ("DELETE", "/ekm/privateendpoint/pe1"),
             ("GET", "/ekm/privateendpoint/operations/0123456789abcdef0123456789abcdef")]


@pytest.mark.parametrize(("method", "path"), CONNECTION_ROUTES + PE_ROUTES)
@pytest.mark.parametrize(
    "version", [None, "7.6", "2025-07-01", "2026-03-01-preview", "2026-07-01-PREVIEW", "2027-01-01"]
)
def test_ekm_routes_refuse_older_and_unknown_versions(admin: Api, method: str, path: str, version: str | None) -> None:
    body = assert_error(admin.request(method, path, api_version=version, json={}), 400, "BadParameter")
    assert "version" in body["error"]["message"]


@pytest.mark.parametrize(("method", "path"), PE_ROUTES)
def test_private_endpoint_routes_need_2026_07_01_preview(admin: Api, method: str, path: str) -> None:
    body = assert_error(admin.request(method, path, api_version=V1, json={}), 400, "BadParameter")
    assert "2026-07-01-preview" in body["error"]["message"]


@pytest.mark.parametrize("version", [V1, V2])
def test_connection_routes_work_in_both_previews(admin: Api, version: str) -> None:
    assert admin.get("/ekm/certificate", api_version=version).status_code == 200
    assert admin.request("POST", "/ekm/create", api_version=version, json=connection_body()).status_code == 200
    assert admin.get("/ekm", api_version=version).status_code == 200
    assert admin.patch("/ekm", api_version=version, json={"host": "h2"}).status_code == 200
    assert admin.delete("/ekm", api_version=version).status_code == 200


@pytest.mark.parametrize("version", [V1, V2])
def test_administration_routes_work_in_the_previews(api: Api, version: str) -> None:
    assert api.get("/settings", api_version=version).status_code == 200
    assert api.get("/providers/Microsoft.Authorization/roleDefinitions", api_version=version).status_code == 200


# ---- certificate ----


def test_certificate_is_the_client_chain_kept_in_the_data_folder(tmp_path: Path) -> None:
    with run_emulator(data_dir=tmp_path, database=":memory:") as emu:
        first = ekm_api(emu).get("/ekm/certificate", api_version=V2)
    assert first.status_code == 200
    body = first.json()
    assert list(body) == ["ca_certificates", "subject_common_name"]
    assert body["subject_common_name"] == CLIENT_COMMON_NAME
    ca = x509.load_der_x509_certificate(base64.b64decode(body["ca_certificates"][0], validate=True))
    client = x509.load_pem_x509_certificate((tmp_path / "ekm-client.pem").read_bytes())
    client.verify_directly_issued_by(ca)  # the chain really issued the client certificate
    assert client.subject.rfc4514_string() == f"CN={CLIENT_COMMON_NAME}"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for key_file in ("ekm-client-key.pem", "ekm-client-ca-key.pem"):
        assert stat.S_IMODE(os.stat(tmp_path / key_file).st_mode) == 0o600
    with run_emulator(data_dir=tmp_path, database=":memory:") as emu:
        again = ekm_api(emu).get("/ekm/certificate", api_version=V2).json()
    assert again == body  # the same CA after a restart
    assert x509.load_pem_x509_certificate((tmp_path / "ekm-client.pem").read_bytes()) == client


def test_a_damaged_client_certificate_is_issued_again(tmp_path: Path) -> None:
    with run_emulator(data_dir=tmp_path, database=":memory:") as emu:
        ca_before = ekm_api(emu).get("/ekm/certificate", api_version=V2).json()
    (tmp_path / "ekm-client.pem").write_text("garbage")
    with run_emulator(data_dir=tmp_path, database=":memory:") as emu:
        assert ekm_api(emu).get("/ekm/certificate", api_version=V2).json() == ca_before
    x509.load_pem_x509_certificate((tmp_path / "ekm-client.pem").read_bytes())


# ---- RBAC ----

READ = [("GET", "/ekm"), ("GET", "/ekm/certificate"), ("POST", "/ekm/check"), ("GET", "/ekm/privateendpoint"),
        ("GET", "/ekm/privateendpoint/pe1"), ("GET", "/ekm/privateendpoint/operations/0123")]
WRITE = [("POST", "/ekm/create"), ("PATCH", "/ekm"), ("POST", "/ekm/privateendpoint/pe1"),
         ("DELETE", "/ekm/privateendpoint/pe1")]
DELETE = [("DELETE", "/ekm")]
ACTION = "Microsoft.KeyVault/managedHsm/ekm/{}/action"


def _forbidden(api: Api, method: str, path: str, action: str) -> None:
    body = assert_error(api.request(method, path, api_version=V2, json=connection_body()), 403, "Forbidden")
    assert ACTION.format(action) in body["error"]["message"]
    assert body["error"]["innererror"]["code"] == "ForbiddenByRbac"


@pytest.mark.parametrize("role", [None, "Managed HSM Administrator", "Managed HSM Crypto Officer",
                                  "Managed HSM Crypto User", "Managed HSM Policy Administrator"])
def test_roles_without_ekm_actions_are_refused_everywhere(emu: RunningEmulator, role: str | None) -> None:
    api = ekm_api(emu, role)
    for routes, action in ((READ, "read"), (WRITE, "write"), (DELETE, "delete")):
        for method, path in routes:
            _forbidden(api, method, path, action)


def test_the_bootstrapped_administrator_is_refused(api: Api) -> None:
    _forbidden(api, "GET", "/ekm", "read")
    _forbidden(api, "POST", "/ekm/create", "write")


def test_ekm_administrator_is_allowed_everywhere(emu: RunningEmulator, admin: Api) -> None:
    for method, path in READ + WRITE + DELETE:
        response = admin.request(method, path, api_version=V2, json=connection_body())
        assert response.status_code != 403, (method, path, response.text)


def _custom_role(emu: RunningEmulator, name: str, actions: list[str], not_actions: tuple[str, ...] = ()) -> str:
    """A custom role with EKM data actions, defined over HTTP by the bootstrapped administrator."""
    role_id = {"read": "1b7e3a52-8c4d-4e1f-9a3b-5c6d7e8f9a01"}.get(name, "2c8f4b63-9d5e-4f20-8b4c-6d7e8f9a0b12")
    permission = {"dataActions": [ACTION.format(a) if a != "*" else a for a in actions],
                  "notDataActions": [ACTION.format(a) for a in not_actions]}
    body = {"properties": {"roleName": name, "permissions": [permission]}}
    response = Api(emu).put(f"/providers/Microsoft.Authorization/roleDefinitions/{role_id}", json=body)
    assert response.status_code == 201, response.text
    return role_id


def test_a_custom_ekm_read_role_reads_but_cannot_write_or_delete(emu: RunningEmulator, admin: Api) -> None:
    admin.request("POST", "/ekm/create", api_version=V2, json=connection_body("kept.example"))
    role_id = _custom_role(emu, "read", ["read"])
    reader = ekm_api(emu, role_id)
    assert reader.get("/ekm", api_version=V2).json()["host"] == "kept.example"
    assert reader.get("/ekm/certificate", api_version=V2).status_code == 200
    assert reader.get("/ekm/privateendpoint", api_version=V2).status_code == 200
    for method, path in WRITE:
        _forbidden(reader, method, path, "write")
    _forbidden(reader, "DELETE", "/ekm", "delete")
    assert admin.get("/ekm", api_version=V2).json()["host"] == "kept.example"


def test_wildcards_and_not_data_actions_apply_to_ekm(emu: RunningEmulator, admin: Api) -> None:
    role_id = _custom_role(emu, "all-but-delete", ["*"], ("delete",))
    user = ekm_api(emu, role_id)
    assert user.request("POST", "/ekm/create", api_version=V2, json=connection_body()).status_code == 200
    _forbidden(user, "DELETE", "/ekm", "delete")


def test_rbac_is_checked_before_existence_and_body(emu: RunningEmulator) -> None:
    nobody = ekm_api(emu, None)
    assert_error(nobody.request("POST", "/ekm/create", api_version=V2, data=b"not json"), 403, "Forbidden")
    assert_error(nobody.delete("/ekm/privateendpoint/!bad!", api_version=V2), 403, "Forbidden")


def test_ekm_administrator_role_is_builtin(api: Api) -> None:
    roles = api.get("/providers/Microsoft.Authorization/roleDefinitions", api_version=V2).json()["value"]
    role = next(r for r in roles if r["properties"]["roleName"] == EKM_ADMIN)
    expected = [ACTION.format(a) for a in ("read", "write", "delete")]
    assert role["properties"]["permissions"][0]["dataActions"] == expected


def test_connection_survives_a_restart(tmp_path: Path) -> None:
    body = connection_body("kept.example:444", path_prefix="/x", server_subject_common_name="cn")
    with run_emulator(data_dir=tmp_path) as emu:
        admin = ekm_api(emu, name="ekm-restart-admin")
        created = admin.request("POST", "/ekm/create", api_version=V2, json=body).json()
    with run_emulator(data_dir=tmp_path) as emu:
        assert ekm_api(emu, name="ekm-restart-admin").get("/ekm", api_version=V2).json() == created
