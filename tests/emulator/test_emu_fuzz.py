"""Malformed input on every route never gets a 500, a non-JSON answer or a stack trace, and the server stays up.

Deterministic tables (no random generator): every field of every route's body replaced by each value of
:data:`BAD_VALUES`, raw non-JSON bodies, content types, api-versions, Authorization headers, odd path segments,
methods and query strings. Each answer must have a status below 500, the service content type, an
``x-ms-request-id``, the ``{"error": {"code", "message"}}`` body on 4xx and no Python traceback text.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from emu_helpers import API_VERSION, ASSIGNMENTS, DEFS, new_guid
from mhsm_emulator import RunningEmulator, run_emulator
from reliability_ledger import ledger

JSON_TYPE = "application/json; charset=utf-8"
ROLE_ID = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b"
SAS = {"storageResourceUri": "https://127.0.0.1:9/acct/container", "token": "sv=2024&se=2099-01-01&sig=abc"}
SETTING = "/settings/AllowKeyManagementOperationsThroughARM"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "aiohttp.", "Error handling request")

BAD_VALUES: list[Any] = [
    0,
    -1,
    1.5,
    10**30,
    True,
    None,
    [],
    [1, "a", None],
    [{}],
    {},
    {"nested": {"deeper": [[], {}]}},
    "",
    " ",
    "x" * 100_000,
    "\u00e9\u4e2d\U0001f600\u202e",
    "\ud800",  # a lone surrogate: valid JSON escape, not storable as UTF-8
    "a\x00b",
    "../../etc/passwd",
    "'; DROP TABLE role_assignments; --",
]


def _leaves(template: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value in a nested dict (dicts themselves included)."""
    if isinstance(template, dict):
        for key, value in template.items():
            yield (*path, key)
            yield from _leaves(value, (*path, key))


def _replaced(template: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(template))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def _without(template: Any, path: tuple[Any, ...]) -> Any:
    copy = json.loads(json.dumps(template))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


# (method, path factory, body template); path factories give fresh names so creates do not collide.
BODY_ROUTES: list[tuple[str, Any, dict[str, Any]]] = [
    ("PUT", lambda: f"{DEFS}/{new_guid()}", {"properties": {
        "roleName": "r", "description": "d", "type": "CustomRole", "assignableScopes": ["/"],
        "permissions": [{"actions": [], "dataActions": ["Microsoft.KeyVault/managedHsm/keys/read/action"],
                         "notActions": [], "notDataActions": []}]}}),
    ("PUT", lambda: f"/keys{ASSIGNMENTS}/{new_guid()}", {"properties": {
        "roleDefinitionId": ROLE_ID, "principalId": new_guid()}}),
    ("PATCH", lambda: SETTING, {"value": "false"}),
    ("POST", lambda: "/backup", dict(SAS, useManagedIdentity=False)),
    ("POST", lambda: "/prebackup", dict(SAS, useManagedIdentity=False)),
    ("PUT", lambda: "/restore", {"sasTokenParameters": dict(SAS), "folderToRestore": "mhsm-x-2024"}),
    ("PUT", lambda: "/prerestore", {"sasTokenParameters": dict(SAS), "folderToRestore": "mhsm-x-2024"}),
    ("PUT", lambda: "/keys/fuzzkey/restore", {"sasTokenParameters": dict(SAS), "folder": "mhsm-x-2024"}),
    ("POST", lambda: "/keys/fuzzkey/create", {
        "kty": "EC", "crv": "P-256", "key_size": 256, "public_exponent": 65537, "key_ops": ["sign"],
        "attributes": {"enabled": True, "exp": 4102444800, "nbf": 0, "exportable": False}, "tags": {"a": "b"}}),
]

# Routes without a body (method, path); each also gets the generic header/query/method treatment.
PLAIN_ROUTES: list[tuple[str, str]] = [
    ("GET", DEFS),
    ("GET", f"/keys{DEFS}/{new_guid()}"),
    ("DELETE", f"{DEFS}/{new_guid()}"),
    ("GET", ASSIGNMENTS),
    ("GET", f"/keys/k{ASSIGNMENTS}"),
    ("GET", f"{ASSIGNMENTS}/{new_guid()}"),
    ("DELETE", f"{ASSIGNMENTS}/{new_guid()}"),
    ("GET", "/settings"),
    ("GET", SETTING),
    ("GET", f"/backup/{new_guid().replace('-', '')}/pending"),
    ("GET", f"/restore/{new_guid().replace('-', '')}/pending"),
    ("GET", "/keys"),
    ("GET", "/keys/fuzzkey"),
    ("GET", "/keys/fuzzkey/versions"),
    ("GET", "/keys/fuzzkey/0123456789abcdef"),
    ("DELETE", "/keys/nokey"),
    ("GET", "/deletedkeys"),
    ("GET", "/deletedkeys/nokey"),
    ("DELETE", "/deletedkeys/nokey"),
    ("POST", "/deletedkeys/nokey/recover"),
]

RAW_BODIES: list[bytes] = [
    b"",
    b"   ",
    b"not json",
    b"[]",
    b"null",
    b'"a string"',
    b"42",
    b"{",
    b'{"properties": }',
    b"\xff\xfe\x00{",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"a": ' + b"9" * 5000 + b"}",
    b'{"value": NaN, "properties": Infinity}',
    b'{"value": "true", "value": 1}',
    b'{"value": "\\ud800"}',
    b"\x00" * 1000,
]

CONTENT_TYPES = ["text/plain", "application/xml", "multipart/form-data; boundary=x",
                 "application/json; charset=latin-1", "application/x-www-form-urlencoded", "garbage///", ""]

API_VERSIONS: list[Any] = [None, "", "abc", "7.0", "7.6-preview.1", "2025-07-01 ", "7.4;", "1" * 5000, "\u00e9",
                           ["7.4", "7.5"], ["bogus", API_VERSION], "%00"]

ODD_SEGMENTS = ["..", ".", "%2F", "a%2Fb", "%2e%2e", "%00", "%ff", "%ED%A0%80", "x" * 4000, "~!$&'()*+,;=:@",
                "%20", "%25", "\u00e9", "a.b", "-", "00000000-0000-0000-0000-000000000000"]

FILTERS = ["", "garbage", "atScope(", "principalId eq ", "principalId eq 'x' and principalId eq 'y'",
           "roleName eq 'a''b'", "atScope() or 1 eq 1", "principalId eq '" + "x" * 5000 + "'", "%", "'",
           "atScope() and atScopeAndBelow()", "\u00e9 eq '\u00e9'"]
SKIPTOKENS = ["", "garbage", "====", "b2Zmc2V0Oi0x", "b2Zmc2V0OjEwMDAwMDAw", base64.b64encode(b"offset:\xff").decode(),
              base64.urlsafe_b64encode(b"offset:" + b"9" * 5000).decode(), "%00", "x" * 5000]

METHODS = ["GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "FOO", "PROPFIND"]


class Fuzzer:
    """Sends requests and checks every answer; counts what it sent."""

    def __init__(self, emu: RunningEmulator) -> None:
        self.emu = emu
        self.session = requests.Session()
        self.token = emu.mint_token()
        self.count = 0

    def send(
        self,
        method: str,
        path: str,
        *,
        api_version: Any = API_VERSION,
        headers: dict[str, Any] | None = None,
        query: str = "",
        **kwargs: Any,
    ) -> requests.Response:
        all_headers: dict[str, Any] = {"Authorization": f"Bearer {self.token}"}
        all_headers.update(headers or {})
        params: list[tuple[str, str]] = list(kwargs.pop("params", {}).items())
        if isinstance(api_version, list):
            params.extend(("api-version", v) for v in api_version)
        elif api_version is not None:
            params.append(("api-version", api_version))
        url = self.emu.vault_url + path
        if query:
            url += "?" + query
        response = self.session.request(
            method, url, params=params, headers=all_headers, verify=self.emu.ca_file, timeout=30, **kwargs
        )
        self.count += 1
        ledger.add("fuzzed_requests")
        ledger.add("fuzzed_5xx", response.status_code >= 500)
        check(response, method)
        return response


def check(response: requests.Response, method: str = "GET") -> None:
    """The invariants of every vault answer."""
    context = (response.request.method, response.request.url and response.request.url[:200], response.status_code,
               response.text[:300])
    assert response.status_code < 500, context
    assert response.headers.get("Content-Type") == JSON_TYPE, context
    assert response.headers.get("x-ms-request-id"), context
    for marker in TRACEBACK_MARKERS:
        assert marker not in response.text, context
    if method == "HEAD" or response.status_code == 204:
        return
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body, dict) and set(body) == {"error"}, context
        assert isinstance(body["error"]["code"], str) and body["error"]["code"], context
        assert isinstance(body["error"]["message"], str) and body["error"]["message"], context
        assert "Retry-After" not in response.headers, context


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    # Backup/restore jobs wait a minute before touching storage, so fuzzed jobs never run (and never leave
    # 127.0.0.1); they are interrupted when the emulator stops.
    with run_emulator(database=":memory:", page_size=5, backup_job_delay=60.0) as running:
        running.assign_role(running.principal_id, "Managed HSM Crypto User")
        yield running


@pytest.fixture
def fuzz(emu: RunningEmulator) -> Fuzzer:
    return Fuzzer(emu)


def _healthy(emu: RunningEmulator) -> None:
    response = requests.get(f"{emu.vault_url}/settings", params={"api-version": API_VERSION},
                            headers={"Authorization": f"Bearer {emu.mint_token()}"}, verify=emu.ca_file, timeout=30)
    assert response.status_code == 200 and response.json()["settings"]


@pytest.mark.parametrize(("method", "path_factory", "template"), BODY_ROUTES, ids=[r[0] + r[1]() for r in BODY_ROUTES])
def test_wrong_json_types_at_every_field(fuzz: Fuzzer, method: str, path_factory: Any, template: Any) -> None:
    statuses: set[int] = set()
    for path in _leaves(template):
        for value in BAD_VALUES:
            statuses.add(fuzz.send(method, path_factory(), json=_replaced(template, path, value)).status_code)
        statuses.add(fuzz.send(method, path_factory(), json=_without(template, path)).status_code)
    assert statuses & {400}, statuses  # at least some of it was refused as bad input
    assert fuzz.count >= len(list(_leaves(template))) * len(BAD_VALUES)
    _healthy(fuzz.emu)


@pytest.mark.parametrize(("method", "path_factory", "template"), BODY_ROUTES, ids=[r[0] + r[1]() for r in BODY_ROUTES])
def test_non_json_bodies_and_content_types(fuzz: Fuzzer, method: str, path_factory: Any, template: Any) -> None:
    for raw in RAW_BODIES:
        response = fuzz.send(method, path_factory(), data=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (raw[:40], response.text[:200])
    for content_type in CONTENT_TYPES:
        fuzz.send(method, path_factory(), data=json.dumps(template).encode(), headers={"Content-Type": content_type})
    _healthy(fuzz.emu)


def test_huge_body_is_413(fuzz: Fuzzer) -> None:
    response = fuzz.send("PATCH", SETTING, data=b'{"value": "' + b"x" * (5 * 1024 * 1024) + b'"}')
    assert response.status_code == 413
    _healthy(fuzz.emu)


@pytest.mark.parametrize(("method", "path"), PLAIN_ROUTES)
def test_api_versions_methods_and_queries(fuzz: Fuzzer, method: str, path: str) -> None:
    for version in API_VERSIONS:
        response = fuzz.send(method, path, api_version=version)
        if version in (None, "", "abc", "7.0", "1" * 5000) and "/pending" not in path:
            assert response.status_code in (400, 404), (version, response.text[:200])
    for other in METHODS:
        fuzz.send(other, path)
    for text in FILTERS:
        fuzz.send(method, path, params={"$filter": text})
    for token in SKIPTOKENS:
        fuzz.send(method, path, query="%24skiptoken=" + token)
    fuzz.send(method, path, query="%24filter=%ff%fe&%24skiptoken=%ED%A0%80&x=%00&&&=&a==b")
    _healthy(fuzz.emu)


def _bad_tokens(emu: RunningEmulator) -> list[str]:
    now = int(time.time())
    claims = {"aud": emu.resource, "iss": f"https://sts.windows.net/{emu.tenant_id}/", "tid": emu.tenant_id,
              "oid": emu.principal_id, "exp": now + 600, "nbf": now - 1}
    unsigned = jwt.encode(claims, None, algorithm="none")
    hs256 = jwt.encode(claims, "guess" * 8, algorithm="HS256")
    return [
        emu.mint_token(audience="https://vault.azure.net"),
        emu.mint_token(lifetime=-3600),
        unsigned,
        unsigned.rstrip(".") + ".",
        hs256,
        jwt.encode({**claims, "tid": "other"}, "k" * 40, algorithm="HS256"),
        "a.b.c",
        "eyJ",
        "x" * 6000,
        "....",
        "\u00e9\u00e9",
    ]


@pytest.mark.parametrize(("method", "path"), [("GET", DEFS), ("PATCH", SETTING), ("POST", "/backup"),
                                              ("GET", "/backup/abc/pending"), ("POST", "/keys/k/create")])
def test_bad_authorization_headers(fuzz: Fuzzer, method: str, path: str) -> None:
    headers: list[Any] = ["", "Bearer", "Bearer ", "bearer", "Basic dXNlcjpwYXNz", "PoP abc", "Digest x=y",
                          "Bearer a b c", "garbage", "Bearer\tabc", b"Bearer \xff\xfe\xfd", b"\xff\xff",
                          "Bearer " + "x" * 7000]
    headers += ["Bearer " + token for token in _bad_tokens(fuzz.emu)]
    for value in headers:
        response = fuzz.send(method, path, headers={"Authorization": value}, json={"value": "true"})
        assert response.status_code == 401, (value[:40], response.text[:200])
        assert response.headers["WWW-Authenticate"].startswith("Bearer authorization=")
    response = fuzz.send(method, path, headers={"Authorization": None}, json={})
    assert response.status_code == 401
    _healthy(fuzz.emu)


@pytest.mark.parametrize("segment", ODD_SEGMENTS)
def test_odd_path_segments(fuzz: Fuzzer, segment: str) -> None:
    paths = [
        f"/{segment}{DEFS}", f"/keys/{segment}{ASSIGNMENTS}", f"{DEFS}/{segment}", f"{ASSIGNMENTS}/{segment}",
        f"/settings/{segment}", f"/backup/{segment}/pending", f"/restore/{segment}/pending", f"/keys/{segment}",
        f"/keys/{segment}/versions", f"/deletedkeys/{segment}", f"/{segment}", f"/keys/fuzzkey/{segment}",
    ]
    for path in paths:
        for method in ("GET", "DELETE"):
            fuzz.send(method, path)
        fuzz.send("PUT", path, json={"properties": {"roleDefinitionId": ROLE_ID, "principalId": "p"}})
    fuzz.send("PATCH", f"/settings/{segment}", json={"value": "true"})
    fuzz.send("POST", f"/keys/{segment}/create", json={"kty": "EC"})
    _healthy(fuzz.emu)


def test_odd_host_headers(fuzz: Fuzzer) -> None:
    for host in ["", "evil.example", "127.0.0.1:1", "[::1]:443", "a" * 1000, "x:y:z", "\u00e9.example", b"\xff"]:
        fuzz.send("GET", "/settings", headers={"Host": host})
    _healthy(fuzz.emu)


def _raw_exchange(emu: RunningEmulator, payload: bytes) -> bytes:
    """Send raw bytes over TLS and read the answer (the connection is closed by the server)."""
    context = ssl.create_default_context(cafile=emu.ca_file)
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("payload", [
    b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /settings HTTP/1.1\r\nHost: x\r\nX-Long: " + b"b" * 10_000 + b"\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET /settings HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /settings HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
    b"POST /backup HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /backup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"\x16\x03\x01\x00\x00\r\n\r\n",
], ids=["long-line", "long-header", "garbage", "version", "no-colon", "negative-length", "bad-chunk", "binary"])
def test_unparseable_http_gets_json(emu: RunningEmulator, payload: bytes) -> None:
    answer = _raw_exchange(emu, payload)
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    ledger.add("fuzzed_requests")
    ledger.add("fuzzed_5xx", status >= 500)
    assert 400 <= status < 500, answer[:300]
    assert b"content-type: application/json; charset=utf-8" in head.lower()
    assert b"x-ms-request-id" in head.lower()
    error = json.loads(body)["error"]
    assert error["code"] and error["message"]
    assert b"Traceback" not in answer and b"aaaa" not in body
    _healthy(emu)


def test_identity_endpoint_fuzz(emu: RunningEmulator) -> None:
    good = {"api-version": "2019-08-01", "resource": emu.resource}
    secret = emu.identity_header
    cases: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        ("GET", "", good, {}),
        ("GET", "", good, {"X-IDENTITY-HEADER": b"\xff\xfe"}),
        ("GET", "", good, {"X-IDENTITY-HEADER": ""}),
        ("GET", "", good, {"X-IDENTITY-HEADER": secret + "x"}),
        ("GET", "", good, {"X-IDENTITY-HEADER": "\u00e9"}),
        ("GET", "", {**good, "api-version": "bogus"}, {"X-IDENTITY-HEADER": secret}),
        ("GET", "", {"api-version": "2019-08-01"}, {"X-IDENTITY-HEADER": secret}),
        ("GET", "", {**good, "resource": " "}, {"X-IDENTITY-HEADER": secret}),
        ("POST", "", good, {"X-IDENTITY-HEADER": secret}),
        ("DELETE", "", good, {"X-IDENTITY-HEADER": secret}),
        ("GET", "/../x", good, {"X-IDENTITY-HEADER": secret}),
        ("GET", "x", good, {"X-IDENTITY-HEADER": secret}),
        ("FOO", "", good, {"X-IDENTITY-HEADER": secret}),
    ]
    for method, suffix, params, headers in cases:
        response = requests.request(method, emu.identity_endpoint + suffix, params=params, headers=headers, timeout=30)
        ledger.add("fuzzed_requests")
        ledger.add("fuzzed_5xx", response.status_code >= 500)
        assert 400 <= response.status_code < 500, (method, suffix, response.status_code, response.text[:200])
        assert response.headers["Content-Type"] == JSON_TYPE
        body = response.json()
        assert isinstance(body["error"], str) and body["error_description"], body
        assert "Traceback" not in response.text
    odd = {**good, "client_id": "\u00e9" * 100, "object_id": "", "mi_res_id": "/x/../y" * 100}
    response = requests.get(emu.identity_endpoint, params=odd, headers={"X-IDENTITY-HEADER": secret}, timeout=30)
    ledger.add("fuzzed_requests")
    ledger.add("fuzzed_5xx", response.status_code >= 500)
    assert response.status_code == 200 and response.json()["access_token"]
    raw = socket.create_connection(("127.0.0.1", int(emu.identity_endpoint.split(":")[2].split("/")[0])), timeout=10)
    with raw:
        raw.sendall(b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\n\r\n")
        answer = raw.recv(65536)
    ledger.add("fuzzed_requests")
    ledger.add("fuzzed_5xx", answer[9:10] == b"5")  # "HTTP/1.1 5xx"
    assert answer.split(b" ", 2)[1] == b"400" and b"application/json" in answer.lower()
    _healthy(emu)


def test_server_survived_everything(emu: RunningEmulator) -> None:
    """After the whole table the emulator still answers, and no fuzzed write slipped a setting past validation."""
    _healthy(emu)
    api = Fuzzer(emu)
    setting = api.send("GET", SETTING).json()
    assert setting["value"] in ("true", "false")
    for row in emu.state.store.query("SELECT principal_id, role_definition_name FROM role_assignments"):
        assert isinstance(row["principal_id"], str) and row["principal_id"].strip()
