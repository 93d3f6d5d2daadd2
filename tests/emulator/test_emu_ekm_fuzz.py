"""Malformed input on every EKM route never gets a 500, a non-JSON answer or a stack trace; the server stays up.

The tables of ``test_emu_fuzz`` (bad JSON values at every member, raw bodies, content types, api-versions, odd
path segments, methods) applied to the EKM routes, plus every bad value as a ``server_ca_certificates`` item.
``POST /ekm/check`` may answer 502 (its connection points at a closed port), with an ``EkmProxy*`` code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from ekm_helpers import PLS_ALIAS, V1, V2, b64, der, ekm_api, self_signed
from mhsm_emulator import RunningEmulator, run_emulator
from reliability_ledger import ledger
from test_emu_fuzz import (
    API_VERSIONS,
    BAD_VALUES,
    CONTENT_TYPES,
    METHODS,
    ODD_SEGMENTS,
    RAW_BODIES,
    _leaves,
    _replaced,
    _without,
    check,
)

CERT = b64(der(self_signed()[0]))
CONNECTION = {"host": "127.0.0.1:9", "server_ca_certificates": [CERT], "path_prefix": "/api/v1",
              "server_subject_common_name": "cn", "connectivity_mode": "Public"}
PE_BODY = {"privateLinkServiceId": PLS_ALIAS, "requestMessage": "please"}
JOB = "0123456789abcdef0123456789abcdef"

BODY_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/ekm/create", CONNECTION),
    ("PATCH", "/ekm", CONNECTION),
    ("POST", "/ekm/privateendpoint/pe-fuzz", PE_BODY),
]
PLAIN_ROUTES: list[tuple[str, str]] = [
    ("GET", "/ekm"),
    ("DELETE", "/ekm/privateendpoint/pe-none"),
    ("GET", "/ekm/certificate"),
    ("POST", "/ekm/check"),
    ("GET", "/ekm/privateendpoint"),
    ("GET", "/ekm/privateendpoint/pe-none"),
    ("GET", f"/ekm/privateendpoint/operations/{JOB}"),
]


class EkmFuzzer:
    """Sends requests with an EKM Administrator's token and checks every answer."""

    def __init__(self, emu: RunningEmulator, token: str) -> None:
        self.emu = emu
        self.token = token
        self.session = requests.Session()
        self.count = 0

    def send(self, method: str, path: str, *, api_version: Any = V2, headers: dict[str, Any] | None = None,
             **kwargs: Any) -> requests.Response:
        params: list[tuple[str, str]] = list(kwargs.pop("params", {}).items())
        if isinstance(api_version, list):
            params.extend(("api-version", v) for v in api_version)
        elif api_version is not None:
            params.append(("api-version", api_version))
        response = self.session.request(
            method, self.emu.vault_url + path, params=params,
            headers={"Authorization": f"Bearer {self.token}", **(headers or {})}, verify=self.emu.ca_file,
            timeout=30, **kwargs,
        )
        self.count += 1
        ledger.add("fuzzed_requests")
        if response.status_code == 502 and path.startswith("/ekm/check"):
            ledger.add("ekm_check_502")
            code = response.json()["error"]["code"]
            assert code.startswith("EkmProxy"), response.text
        else:
            ledger.add("fuzzed_5xx", response.status_code >= 500)
            check(response, method)
        return response


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    # Private-endpoint jobs wait a minute, so fuzzed creates stay "Updating" (the limit of two is reached early;
    # the bodies are still validated first).
    with run_emulator(database=":memory:", ekm_job_delay=60.0, ekm_check_timeout=2.0) as running:
        yield running


@pytest.fixture(scope="module")
def fuzz(emu: RunningEmulator) -> EkmFuzzer:
    api = ekm_api(emu, name="ekm-fuzzer")
    fuzzer = EkmFuzzer(emu, api.token)
    assert fuzzer.send("POST", "/ekm/create", json=CONNECTION).status_code == 200
    return fuzzer


def _healthy(fuzz: EkmFuzzer) -> None:
    response = fuzz.send("GET", "/ekm")
    assert response.status_code == 200 and response.json()["host"] == CONNECTION["host"], response.text


@pytest.mark.parametrize(("method", "path", "template"), BODY_ROUTES, ids=[r[0] + r[1] for r in BODY_ROUTES])
def test_wrong_json_types_at_every_member(fuzz: EkmFuzzer, method: str, path: str, template: Any) -> None:
    statuses: set[int] = set()
    before = fuzz.count
    for member in _leaves(template):
        for value in BAD_VALUES:
            statuses.add(fuzz.send(method, path, json=_replaced(template, member, value)).status_code)
        statuses.add(fuzz.send(method, path, json=_without(template, member)).status_code)
    assert 400 in statuses, statuses
    assert fuzz.count - before == len(list(_leaves(template))) * (len(BAD_VALUES) + 1)
    _healthy(fuzz)


@pytest.mark.parametrize(("method", "path"), [("POST", "/ekm/create"), ("PATCH", "/ekm")])
def test_every_bad_value_as_a_certificate(fuzz: EkmFuzzer, method: str, path: str) -> None:
    extra = ["!!!", "QUJD", CERT[:-10], CERT + "===", CERT.replace("M", "\u00e9", 1), "=" * 8, "-_" * 100]
    for value in [*BAD_VALUES, *extra]:
        for certificates in ([value], [CERT, value], [value] * 11):
            body = {**CONNECTION, "server_ca_certificates": certificates}
            response = fuzz.send(method, path, json=body)
            assert response.status_code in (400, 409), (value if not isinstance(value, str) else value[:40],
                                                        response.text[:200])
    _healthy(fuzz)


@pytest.mark.parametrize(("method", "path", "template"), BODY_ROUTES, ids=[r[0] + r[1] for r in BODY_ROUTES])
def test_non_json_bodies_and_content_types(fuzz: EkmFuzzer, method: str, path: str, template: Any) -> None:
    for raw in RAW_BODIES:
        response = fuzz.send(method, path, data=raw, headers={"Content-Type": "application/json"})
        # an update whose members are all unknown (e.g. '{"value": NaN}') changes nothing: 200
        allowed = (200, 400) if method == "PATCH" and raw.startswith(b'{"value"') else (400,)
        assert response.status_code in allowed, (raw[:40], response.text[:200])
    for content_type in CONTENT_TYPES:
        fuzz.send(method, path, data=json.dumps(template).encode(), headers={"Content-Type": content_type})
    _healthy(fuzz)


@pytest.mark.parametrize(("method", "path"), PLAIN_ROUTES + [(m, p) for m, p, _ in BODY_ROUTES])
def test_api_versions_and_methods(fuzz: EkmFuzzer, method: str, path: str) -> None:
    for version in [*API_VERSIONS, "2025-07-01", "7.6", "2026-03-01-preview", "2026-07-01-PREVIEW", V1]:
        response = fuzz.send(method, path, api_version=version)
        if version != V1:
            assert response.status_code == 400, (version, response.text[:200])
    for other in METHODS:
        fuzz.send(other, path)
    fuzz.send(method, path, params={"x": "\u00e9", "$filter": "'"})
    assert fuzz.send("POST", "/ekm/create", json=CONNECTION).status_code in (200, 409)  # DELETE /ekm was sent
    _healthy(fuzz)


@pytest.mark.parametrize("segment", ODD_SEGMENTS)
def test_odd_path_segments(fuzz: EkmFuzzer, segment: str) -> None:
    for path in (f"/ekm/privateendpoint/{segment}", f"/ekm/privateendpoint/operations/{segment}",
                 f"/ekm/{segment}", f"/ekm/privateendpoint/{segment}/x"):
        for method in ("GET", "DELETE", "PATCH"):
            fuzz.send(method, path)
        fuzz.send("POST", path, json=PE_BODY)
    _healthy(fuzz)


def test_check_with_odd_headers(fuzz: EkmFuzzer) -> None:
    for value in ["", "x" * 5000, "\u00e9", "a b", "../..", "'; DROP TABLE ekm_connection; --"]:
        response = fuzz.send("POST", "/ekm/check", headers={"x-ms-client-request-id": value.encode("utf-8")})
        assert response.status_code == 502
    _healthy(fuzz)


def test_server_survived_everything(fuzz: EkmFuzzer) -> None:
    """After the tables the connection still has its host and certificate (fuzzed updates could only change
    optional members to valid values), and at most two endpoints exist."""
    _healthy(fuzz)
    connection = fuzz.send("GET", "/ekm").json()
    assert connection["server_ca_certificates"] == [CERT]
    assert connection["connectivity_mode"] in ("Public", "PrivateEndpoint")
    endpoints = fuzz.send("GET", "/ekm/privateendpoint").json()["value"]
    assert len(endpoints) <= 2
    for endpoint in endpoints:
        assert endpoint["properties"]["privateLinkServiceId"].strip()
