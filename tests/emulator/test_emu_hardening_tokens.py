"""The token audience is fixed at startup (issue 8 item 2): no ``Host`` header makes a foreign token acceptable.

Also the other ways to forge or stretch a token (algorithm confusion, foreign keys, tampering, audience lists),
and the normal flows that must keep working: our client and ``DefaultAzureCredential`` via the emulator's
identity endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from emu_helpers import DEFS, Api, assert_error
from mhsm_emulator import SYSTEM_PRINCIPAL_ID, RunningEmulator, run_emulator
from mhsm_emulator.identities import SYSTEM_IDENTITY
from mhsm_emulator.tokens import TokenIssuer
from reliability_ledger import ledger

CHALLENGE = re.compile(r'^Bearer authorization="https://login\.microsoftonline\.com/[0-9a-f-]+", resource="([^"]+)"$')


def _host_spellings(port: int) -> list[str]:
    return [
        "x.storage.azure.com", "X.STORAGE.AZURE.COM", "x.storage.azure.com:443", f"x.storage.azure.com:{port}",
        "x.storage.azure.com.", "storage.azure.com", "myhsm.managedhsm.azure.net", "localhost", "LOCALHOST",
        f"localhost:{port}", f"LocalHost:{port}", "127.0.0.1", f"127.0.0.1:{port}", f"127.0.0.1:{port + 1}",
        f"127.0.0.1.:{port}", f"x.0.0.1:{port + 1}", "[::1]", f"[::1]:{port}", "[::ffff:127.0.0.1]",
        f"0.0.1:{port + 1}", "evil.example:1", "a.b.c.d.e",
    ]


def _foreign_audiences(emu: RunningEmulator) -> list[str]:
    resource = emu.resource
    return [
        "https://storage.azure.com", "https://storage.azure.com/", "https://x.storage.azure.com",
        "https://managedhsm.azure.net", "https://vault.azure.net", f"https://0.0.1:{emu.port + 1}",
        "https://0.0.1", f"https://localhost:{emu.port}", emu.vault_url, resource.upper(), resource + "//",
        resource + "/x", " " + resource, resource.replace("https://", "http://"),
    ]


def _identity_token(emu: RunningEmulator, resource: str) -> str:
    response = requests.get(emu.identity_endpoint, params={"api-version": "2019-08-01", "resource": resource},
                            headers={"X-IDENTITY-HEADER": emu.identity_header, "Metadata": "true"}, timeout=30)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _challenge_resource(response: requests.Response) -> str:
    match = CHALLENGE.match(response.headers["WWW-Authenticate"])
    assert match is not None, response.headers["WWW-Authenticate"]
    return match.group(1)


def test_the_reported_replay_is_refused(emu: RunningEmulator, api: Api) -> None:
    """A token the identity endpoint minted for storage, sent with ``Host: x.storage.azure.com``."""
    token = _identity_token(emu, "https://storage.azure.com")
    response = api.get("/settings", token=token, headers={"Host": "x.storage.azure.com"})
    assert_error(response, 401, "Unauthorized")
    assert _challenge_resource(response) == emu.resource
    ledger.add("token_forgeries_refused")


def test_foreign_audiences_are_refused_with_every_host(emu: RunningEmulator, api: Api) -> None:
    hosts = _host_spellings(emu.port)
    audiences = _foreign_audiences(emu)
    refused = 0
    for audience in audiences:
        tokens = [emu.mint_token(audience=audience)]
        if audience.strip() == audience:
            tokens.append(_identity_token(emu, audience))
        for token in tokens:
            for host in hosts:
                response = api.get("/settings", token=token, headers={"Host": host})
                assert response.status_code == 401, (audience, host, response.status_code, response.text)
                assert _challenge_resource(response) == emu.resource, host
                refused += 1
    assert refused >= len(hosts) * len(audiences)
    ledger.add("token_forgeries_refused", refused)


def test_the_challenge_and_audience_do_not_follow_the_host(emu: RunningEmulator, api: Api) -> None:
    """The emulator's own token works whatever the Host (verifying the challenge is the client's job), and the
    challenge always names the one fixed resource."""
    for host in _host_spellings(emu.port):
        assert api.get("/settings", headers={"Host": host}).status_code == 200, host
        assert _challenge_resource(api.get("/settings", auth=False, headers={"Host": host})) == emu.resource


def test_resource_is_derived_from_the_bound_address(emu: RunningEmulator) -> None:
    assert emu.resource == f"https://0.0.1:{emu.port}"
    assert emu.state.resource == emu.resource
    assert emu.vault_url.removeprefix("https://").endswith("." + emu.resource.removeprefix("https://"))
    claims = jwt.decode(emu.mint_token(), options={"verify_signature": False})
    assert claims["aud"] == emu.resource


def test_configured_resource_is_the_only_audience() -> None:
    with run_emulator(database=":memory:", resource="https://myhsm.example.test:1234/") as emu:
        api = Api(emu)
        assert emu.resource == "https://myhsm.example.test:1234"
        assert api.get("/settings").status_code == 200  # mint_token follows the configured resource
        assert api.get("/settings", token=emu.mint_token(audience=emu.resource + "/")).status_code == 200
        derived = emu.mint_token(audience=f"https://0.0.1:{emu.port}")
        for host in [*_host_spellings(emu.port), "myhsm.example.test:1234", "x.myhsm.example.test:1234"]:
            response = api.get("/settings", token=derived, headers={"Host": host})
            assert response.status_code == 401, host
            assert _challenge_resource(response) == "https://myhsm.example.test:1234"
            ledger.add("token_forgeries_refused")


# --- other forgeries ----------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _claims(emu: RunningEmulator, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"aud": emu.resource, "iss": f"https://sts.windows.net/{emu.tenant_id}/", "iat": now, "nbf": now - 1,
              "exp": now + 600, "tid": emu.tenant_id, "oid": SYSTEM_PRINCIPAL_ID, "appid": "x"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _unsigned(claims: dict[str, Any], alg: str = "none") -> str:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _hs256(claims: dict[str, Any], secret: bytes) -> str:
    """Key confusion: an HMAC "signed" with the verifier's public key (PyJWT refuses to make one)."""
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def _resign(token: str, key: ec.EllipticCurvePrivateKey, **header: Any) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, key, algorithm="ES256", headers=header or None)


def _forgeries(emu: RunningEmulator) -> Iterator[tuple[str, str]]:
    good = emu.mint_token()
    header, payload, signature = good.split(".")
    foreign_key = ec.generate_private_key(ec.SECP256R1())
    public_pem = emu.state.issuer._public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    yield "alg none", _unsigned(_claims(emu))
    yield "alg None", _unsigned(_claims(emu), alg="None")
    yield "HS256 with the public key", _hs256(_claims(emu), public_pem)
    yield "foreign EC key", _resign(good, foreign_key)
    yield "foreign key with our kid", _resign(good, foreign_key, kid="token-signing-key")
    yield "foreign key via jku", _resign(good, foreign_key, jku="https://evil.example/keys")
    yield "foreign issuer instance", TokenIssuer(None, emu.tenant_id).issue(SYSTEM_IDENTITY, emu.resource).token
    for field, value in (("aud", "https://storage.azure.com"), ("oid", str(uuid.uuid4())), ("tid", str(uuid.uuid4())),
                         ("exp", int(time.time()) + 10**6)):
        tampered = _b64(json.dumps({**jwt.decode(good, options={"verify_signature": False}), field: value}).encode())
        yield f"tampered {field}", ".".join([header, tampered, signature])
    yield "signature removed", f"{header}.{payload}."
    yield "signature of another token", ".".join([header, payload, emu.mint_token(lifetime=7).split(".")[2]])
    yield "audience list with ours", emu.mint_token(extra_claims={"aud": ["https://storage.azure.com", emu.resource]})
    yield "audience list of ours", emu.mint_token(extra_claims={"aud": [emu.resource]})
    yield "expired", emu.mint_token(lifetime=-60)
    yield "not yet valid", emu.mint_token(extra_claims={"nbf": int(time.time()) + 600})
    yield "wrong issuer", emu.mint_token(extra_claims={"iss": "https://sts.windows.net/evil/"})
    yield "wrong tenant", emu.mint_token(extra_claims={"tid": str(uuid.uuid4())})
    yield "no object id", emu.mint_token(extra_claims={"oid": ""})
    yield "no expiry", _resign_without(emu, "exp")
    yield "no audience", _resign_without(emu, "aud")
    yield "no tenant", _resign_without(emu, "tid")


def _resign_without(emu: RunningEmulator, claim: str) -> str:
    claims = jwt.decode(emu.mint_token(), options={"verify_signature": False})
    claims.pop(claim)
    return jwt.encode(claims, emu.state.issuer._key, algorithm="ES256")


def test_forged_tokens_are_refused(emu: RunningEmulator, api: Api) -> None:
    names = []
    for name, token in _forgeries(emu):
        for host in (None, "x.storage.azure.com"):
            headers = {"Host": host} if host else {}
            response = api.get(DEFS, token=token, headers=headers)
            assert response.status_code == 401, (name, host, response.text)
            assert _challenge_resource(response) == emu.resource
        names.append(name)
    assert len(names) == len(set(names)) == 23
    ledger.add("token_forgeries_refused", 2 * len(names))  # each without and with a foreign Host


# --- the normal flows -----------------------------------------------------------------------------------------


def _set_env(monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator) -> None:
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
                 "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)


def test_our_client_with_default_azure_credential(emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity import DefaultAzureCredential

    from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultSettingsClient

    _set_env(monkeypatch, emu)
    credential = DefaultAzureCredential()
    settings = KeyVaultSettingsClient(emu.vault_url, credential, connection_verify=emu.ca_file)
    assert settings.get_setting("AllowKeyManagementOperationsThroughARM").name
    rbac = KeyVaultAccessControlClient(emu.vault_url, credential, connection_verify=emu.ca_file)
    assert len(list(rbac.list_role_definitions("/"))) >= 10


async def test_our_async_client_with_default_azure_credential(
    emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.identity.aio import DefaultAzureCredential

    from azure.keyvault.administration.aio import KeyVaultSettingsClient

    _set_env(monkeypatch, emu)
    async with DefaultAzureCredential() as credential, KeyVaultSettingsClient(
        emu.vault_url, credential, connection_verify=emu.ca_file
    ) as client:
        assert (await client.get_setting("AllowKeyManagementOperationsThroughARM")).name


def test_emulator_credential_with_our_client(emu: RunningEmulator) -> None:
    from azure.keyvault.administration import KeyVaultSettingsClient

    client = KeyVaultSettingsClient(emu.vault_url, emu.credential(), connection_verify=emu.ca_file)
    assert [s.name for s in client.list_settings()]
