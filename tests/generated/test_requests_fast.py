"""The precomputed request path (``plain_relative_url`` + the vault prefix) sends exactly what the general one sends.

For every operation, random vault URLs and random path/query values (plain ones, and ones full of characters
that the general path treats specially: braces, ``?``, ``#``, ``[``, spaces, ``%``, non-ASCII, leading slashes),
the request ``_prepare`` builds is compared with the one ``build_request`` + ``_absolute`` build: method, URL,
headers (names, values, order) and body bytes, and any error by type and message.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from azure.keyvault.administration._generated import KeyVaultClient
from azure.keyvault.administration._generated import _request_builders as rb
from azure.keyvault.administration._generated._api_versions import API_VERSIONS, is_available

ALPHABET = "aZ09-._~/:@!$&'()*+,;=%{}?#[] \\é\t"
PLAIN = "aZ09-._~/:@!$&'()*+,;=%"
VAULTS = [
    "https://myhsm.managedhsm.azure.net",
    "https://myhsm.managedhsm.azure.net/",
    "HTTPS://MyHsm.managedhsm.azure.net:8443",
    "https://127.0.0.1:8443/sub/path/",
    "https://h/{x}",
    "https://h/?q=1",
    "https://h/#f",
    "https://h/a;p",
    "myhsm",
    "",
]
PLACEHOLDER = re.compile(r"\{([^}]+)\}")


def _describe(request: Any) -> Any:
    return (request.method, request.url, list(request.headers.items()), request.content)


def _outcome(function: Any, *args: Any) -> Any:
    try:
        return "request", _describe(function(*args))
    except Exception as error:
        return "error", type(error).__name__, str(error)


def _general(operations: Any, spec: rb.OperationSpec, vault: str, path: Any, query: Any, json: Any) -> Any:
    request = rb.build_request(spec, api_version=operations._config.api_version, path=path, query=query, json=json)
    return operations._absolute(request, vault)


def _prepared(operations: Any, spec: rb.OperationSpec, vault: str, path: Any, query: Any) -> Any:
    return operations._prepare(spec, vault, {}, path=path, query=query).request


def _value(rng: random.Random, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))


@pytest.mark.parametrize("spec", list(rb.SPECS.values()), ids=list(rb.SPECS))
def test_plain_requests_equal_general_requests(spec: rb.OperationSpec) -> None:
    rng = random.Random(spec.name)
    names = PLACEHOLDER.findall(spec.path)
    plain_seen = 0
    for attempt in range(300):
        available = [version for version in API_VERSIONS if is_available(spec.name, version)]
        others = [*API_VERSIONS, "2099-01-01", "7.6-preview.2", "a b", "x&y=z"]
        version = rng.choice(available if rng.random() < 0.6 else others)
        client = KeyVaultClient(api_version=version)
        operations = client.role_definitions
        vault = rng.choice(VAULTS)
        alphabet = PLAIN if attempt % 2 else ALPHABET
        path: dict[str, Any] = {name: _value(rng, alphabet) for name in names}
        if names and rng.random() < 0.05:
            path[names[0]] = rng.choice([None, 3, b"x"])
        query = {"$filter": rng.choice([None, _value(rng, alphabet), "atScope()"])} if spec.method == "GET" else {}
        json = rng.choice([None, {"properties": {"a": 1}}]) if spec.body_type else None
        general = _outcome(_general, operations, spec, vault, path, query, json)
        try:
            plain = operations._plain_request(spec, vault, path, query, json)
        except Exception as error:  # the plain path must never raise: it declines and the general path decides
            raise AssertionError((spec.name, version, vault, path, query)) from error
        if plain is not None:
            plain_seen += 1
            assert ("request", _describe(plain)) == general, (spec.name, version, vault, path, query)
        if json is None:  # what _prepare (either path) builds
            prepared = _outcome(_prepared, operations, spec, vault, path, query)
            assert prepared == general, (spec.name, version, vault, path, query)
    assert plain_seen >= 10  # the precomputed path was really exercised


def test_plain_path_is_taken_for_ordinary_calls() -> None:
    client = KeyVaultClient(api_version="2025-07-01")
    request = client.role_definitions._plain_request(
        rb.ROLE_DEFINITIONS_GET, "https://h.managedhsm.azure.net", {"scope": "/", "roleDefinitionName": "a b"}, None,
        None,
    )
    assert request is not None
    assert request.url == "https://h.managedhsm.azure.net/providers/Microsoft.Authorization/roleDefinitions/a%20b" \
        "?api-version=2025-07-01"
    assert list(request.headers.items()) == [("Accept", "application/json")]


def test_caller_headers_and_params_take_the_general_path() -> None:
    client = KeyVaultClient(api_version="2025-07-01")
    kwargs: dict[str, Any] = {"headers": {"x-a": "1"}, "params": {"b": "2"}}
    path = {"scope": "/", "roleDefinitionName": "n"}
    vault = "https://h.managedhsm.azure.net"
    call = client.role_definitions._prepare(rb.ROLE_DEFINITIONS_GET, vault, kwargs, path=path)
    assert call.request.url == (
        "https://h.managedhsm.azure.net/providers/Microsoft.Authorization/roleDefinitions/n?b=2&api-version=2025-07-01"
    )
    assert call.request.headers["x-a"] == "1"


def test_unavailable_version_still_fails_before_sending() -> None:
    client = KeyVaultClient(api_version="7.3")
    with pytest.raises(ValueError, match=r"is not available in API version 7\.3"):
        client._prepare(rb.GET_SETTINGS, "https://h.managedhsm.azure.net", {})
