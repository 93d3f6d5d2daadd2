"""KeyVaultClientBase and AsyncKeyVaultClientBase: construction, pipeline, send_request, lifecycle, tracing."""

import logging
import platform
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.core.pipeline.policies import HttpLoggingPolicy
from azure.core.rest import HttpRequest
from kv_internal_fakes import (
    OK,
    SCOPE,
    TENANT,
    VAULT,
    ClientHarness,
    Reply,
    make_credential,
)
from span_recorder import recording_spans

from azure.keyvault.administration._internal import HttpChallengeCache
from azure.keyvault.administration._internal.async_client_base import AsyncKeyVaultClientBase
from azure.keyvault.administration._internal.client_base import DEFAULT_VERSION, ApiVersion, KeyVaultClientBase

NO_CREDENTIAL = "credential should be an object supporting the {} protocol, such as a credential from azure-identity"
USER_AGENT = f"azsdk-python-keyvault-administration/4.8.0b3 Python/{platform.python_version()} ({platform.platform()})"
SETTING = Reply.json(200, {"name": "s", "value": "true", "type": "boolean"})


def client_types() -> list[Any]:
    return [KeyVaultClientBase, AsyncKeyVaultClientBase]


# ---------------------------------------------------------------- construction


@pytest.mark.parametrize("client_type", client_types())
@pytest.mark.parametrize("credential", [None, "", 0])
def test_falsy_credential_is_refused_before_the_url(client_type: Any, credential: Any) -> None:
    with pytest.raises(ValueError) as error:
        client_type("", credential)
    protocol = "TokenCredential" if client_type is KeyVaultClientBase else "AsyncTokenCredential"
    assert str(error.value) == NO_CREDENTIAL.format(protocol)


@pytest.mark.parametrize("client_type", client_types())
@pytest.mark.parametrize("vault_url", [None, ""])
def test_falsy_vault_url_is_refused(client_type: Any, vault_url: Any) -> None:
    with pytest.raises(ValueError) as error:
        client_type(vault_url, object())
    assert str(error.value) == "vault_url must be the URL of an Azure Key Vault"


@pytest.mark.parametrize("client_type", client_types())
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (" https://h.net// ", "https://h.net"),
        ("https://h/path/", "https://h/path"),
        ("https://MyHsm.ManagedHSM.azure.net", "https://MyHsm.ManagedHSM.azure.net"),
        ("myhsm", "myhsm"),
    ],
)
def test_vault_url_loses_outer_spaces_and_slashes_only(client_type: Any, given: str, kept: str) -> None:
    client = client_type(given, object())
    assert client.vault_url == kept
    with pytest.raises(AttributeError):
        client.vault_url = "https://other"


def test_api_version_enum() -> None:
    assert [(m.name, m.value) for m in ApiVersion] == [
        ("V2026_07_01_PREVIEW", "2026-07-01-preview"),
        ("V2026_01_01_PREVIEW", "2026-01-01-preview"),
        ("V2025_07_01", "2025-07-01"),
        ("V7_6", "7.6"),
        ("V7_5", "7.5"),
        ("V7_4", "7.4"),
        ("V7_3", "7.3"),
        ("V7_2", "7.2"),
    ]
    assert DEFAULT_VERSION is ApiVersion.V2025_07_01
    assert ApiVersion["v7_5"] is ApiVersion.V7_5
    assert ApiVersion.V7_6 == "7.6"


@pytest.mark.parametrize("client_type", client_types())
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (None, "2025-07-01"),
        (ApiVersion.V7_5, "7.5"),
        ("7.4", "7.4"),
        ("1.0", "1.0"),
        ("7.6-preview.2", "7.6-preview.2"),
    ],
)
def test_api_version_is_kept_as_a_plain_string(client_type: Any, given: Any, stored: str) -> None:
    kwargs = {} if given is None else {"api_version": given}
    client = client_type(VAULT, object(), **kwargs)
    assert client.api_version == stored
    assert type(client.api_version) is str


async def test_unknown_api_version_is_sent(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), SETTING], api_version="1.0")
    await harness.run(harness.client._client.get_setting(harness.client.vault_url, "s"))
    assert harness.requests[-1].url == VAULT + "/settings/s?api-version=1.0"


async def test_api_version_none_fails_at_request_time(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), SETTING], api_version=None)
    assert harness.client.api_version is None
    with pytest.raises(ValueError, match="No value for given attribute"):
        await harness.run(harness.client._client.get_setting(harness.client.vault_url, "s"))
    assert harness.requests == []


# ---------------------------------------------------------------- pipeline


async def test_user_agent(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), OK])
    await harness.send_request(HttpRequest("GET", "/settings"))
    assert {r.header("User-Agent") for r in harness.requests} == {USER_AGENT}


async def test_user_agent_keyword_is_prepended(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), OK], user_agent="app/1")
    await harness.send_request(HttpRequest("GET", "/settings"))
    assert harness.requests[-1].header("User-Agent") == "app/1 " + USER_AGENT


async def test_keyvault_diagnostic_headers_may_be_logged(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    headers = {
        "x-ms-keyvault-region": "westus",
        "x-ms-keyvault-network-info": "addr=1.2.3.4",
        "x-ms-keyvault-service-version": "1.9",
        "x-ms-unlisted": "hidden-value",
    }
    harness = ClientHarness(mode, [Reply.challenge(), Reply(200, headers, b"")])
    caplog.set_level(logging.INFO, logger="azure.core.pipeline.policies.http_logging_policy")
    await harness.send_request(HttpRequest("GET", "/settings"))

    text = caplog.text
    assert "'x-ms-keyvault-region': 'westus'" in text
    assert "'x-ms-keyvault-network-info': 'addr=1.2.3.4'" in text
    assert "'x-ms-keyvault-service-version': '1.9'" in text
    assert "hidden-value" not in text
    assert "x-ms-keyvault-region" not in HttpLoggingPolicy().allowed_header_names  # no global side effect


@pytest.mark.parametrize("client_type", client_types())
def test_own_http_logging_policy_is_used(client_type: Any) -> None:
    # The official package raises TypeError here (duplicate keyword); honouring the caller's policy is kinder.
    own = HttpLoggingPolicy()
    client = client_type(VAULT, object(), http_logging_policy=own)
    assert client._client._config.http_logging_policy is own
    assert "x-ms-keyvault-region" not in own.allowed_header_names


@pytest.mark.parametrize("client_type", client_types())
def test_pipeline_policy_order(client_type: Any) -> None:
    client = client_type(VAULT, object())
    policies = [getattr(p, "_policy", p) for p in client._client._client._pipeline._impl_policies]
    auth = "ChallengeAuthPolicy" if client_type is KeyVaultClientBase else "AsyncChallengeAuthPolicy"
    redirect = "RedirectPolicy" if client_type is KeyVaultClientBase else "AsyncRedirectPolicy"
    retry = "RetryPolicy" if client_type is KeyVaultClientBase else "AsyncRetryPolicy"
    assert [type(p).__name__ for p in policies] == [
        "RequestIdPolicy",
        "HeadersPolicy",
        "UserAgentPolicy",
        "ProxyPolicy",
        "CharsetCachingContentDecodePolicy",  # ContentDecodePolicy remembering charsets
        redirect,
        retry,
        auth,
        "CustomHookPolicy",
        "RedactingNetworkTraceLoggingPolicy",  # NetworkTraceLoggingPolicy without secrets in the trace
        "DistributedTracingPolicy",
        "SensitiveHeaderCleanupPolicy",
        "HttpLoggingPolicy",
    ]


async def test_verify_challenge_resource_keyword_reaches_the_policy(mode: str) -> None:
    vault = "https://myvault.vault.azure.net"
    refused = ClientHarness(mode, [Reply.challenge()], vault_url=vault)
    with pytest.raises(ValueError, match="does not match the requested domain"):
        await refused.send_request(HttpRequest("GET", "/settings"))

    allowed = ClientHarness(mode, [Reply.challenge(), OK], vault_url=vault, verify_challenge_resource=False)
    assert (await allowed.send_request(HttpRequest("GET", "/settings"))).status_code == 200


async def test_challenge_flow_through_a_generated_operation(mode: str) -> None:
    credential = make_credential(mode)
    harness = ClientHarness(mode, [Reply.challenge(), SETTING, SETTING], credential)
    for _ in range(2):
        setting = await harness.run(harness.client._client.get_setting(harness.client.vault_url, "s"))
        assert setting.value == "true"
    assert [r.authorization for r in harness.requests] == [None, "Bearer token-1", "Bearer token-1"]
    assert credential.calls == [("get_token", (SCOPE,), {"claims": None, "tenant_id": TENANT, "enable_cae": True})]


async def test_repeated_challenge_surfaces_as_client_authentication_error(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), Reply.challenge()])
    with pytest.raises(ClientAuthenticationError) as error:
        await harness.run(harness.client._client.get_setting(harness.client.vault_url, "s"))
    assert error.value.status_code == 401
    assert len(harness.requests) == 2
    assert HttpChallengeCache.get_challenge_for_url(VAULT) is None


# ---------------------------------------------------------------- send_request


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("/custom", VAULT + "/custom?api-version=2025-07-01"),
        ("custom", VAULT + "/custom?api-version=2025-07-01"),
        ("/x?a=b&c=d", VAULT + "/x?api-version=2025-07-01&a=b&c=d"),
        ("/q?xapi-version=9", VAULT + "/q?api-version=2025-07-01&xapi-version=9"),
        ("/q?api-version=9", VAULT + "/q?api-version=9"),
        ("/q?b=1&api-version=7.2", VAULT + "/q?api-version=7.2&b=1"),
        ("/q?a=%20b", VAULT + "/q?api-version=2025-07-01&a=%20b"),
        ("", VAULT + "?api-version=2025-07-01"),
        (VAULT + "/abs?z=1", VAULT + "/abs?api-version=2025-07-01&z=1"),
    ],
)
async def test_send_request_urls(mode: str, url: str, sent: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), OK])
    response = await harness.send_request(HttpRequest("GET", url))
    assert response.status_code == 200
    assert harness.requests[-1].url == sent


async def test_send_request_relative_url_keeps_the_vault_path(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), OK], vault_url="https://myhsm.managedhsm.azure.net/base/")
    await harness.send_request(HttpRequest("GET", "/x"))
    assert harness.requests[-1].url == VAULT + "/base/x?api-version=2025-07-01"


async def test_send_request_absolute_url_on_another_host(mode: str) -> None:
    other = "https://other.managedhsm.azure.net/backup/1/pending"
    harness = ClientHarness(mode, [Reply.challenge(), OK])
    await harness.send_request(HttpRequest("GET", other))
    assert [r.url for r in harness.requests] == [other + "?api-version=2025-07-01"] * 2


async def test_send_request_does_not_change_the_request(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), OK])
    request = HttpRequest("PUT", "/settings/s", json={"value": "x"})
    headers_before = dict(request.headers)
    await harness.send_request(request)

    assert request.url == "/settings/s"
    assert dict(request.headers) == headers_before
    assert harness.requests[-1].body == b'{"value": "x"}'
    assert harness.requests[-1].authorization == "Bearer token-1"


async def test_send_request_does_not_raise_on_error_status(mode: str) -> None:
    error = Reply.json(404, {"error": {"code": "NotFound", "message": "nope"}})
    harness = ClientHarness(mode, [Reply.challenge(), error])
    response = await harness.send_request(HttpRequest("GET", "/missing"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NotFound"
    with pytest.raises(HttpResponseError):
        response.raise_for_status()


async def test_send_request_stream(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), Reply(200, {"Content-Type": "text/plain"}, b"streamed")])
    response = await harness.send_request(HttpRequest("GET", "/blob"), stream=True)
    assert harness.requests[-1].options.get("stream") is True
    assert await harness.run(response.read()) == b"streamed"

    harness.transport._replies.append(Reply(200, {"Content-Type": "text/plain"}, b"plain"))
    await harness.send_request(HttpRequest("GET", "/blob"))
    assert not harness.requests[-1].options.get("stream")


async def test_send_request_kwargs_reach_the_pipeline(mode: str) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), OK])
    await harness.send_request(HttpRequest("GET", "/x"), headers={"x-custom": "1"})
    assert harness.requests[-1].header("x-custom") == "1"


# ---------------------------------------------------------------- tracing


@pytest.fixture
def recording_tracer() -> Iterator[list[str]]:
    with recording_spans() as names:
        yield names


async def test_send_request_is_traced(mode: str, recording_tracer: list[str]) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), OK])
    await harness.send_request(HttpRequest("GET", "/x"))
    expected = "KeyVaultClientBase.send_request" if mode == "sync" else "AsyncKeyVaultClientBase.send_request"
    assert recording_tracer[0] == expected


# ---------------------------------------------------------------- lifecycle


async def test_close_twice_is_harmless(mode: str) -> None:
    harness = ClientHarness(mode)
    await harness.close()
    await harness.close()
    assert harness.transport.close_count == 2


def test_sync_context_manager() -> None:
    harness = ClientHarness("sync", [Reply.challenge(), OK])
    with harness.client as client:
        assert client is harness.client
        assert client.send_request(HttpRequest("GET", "/x")).status_code == 200
        assert harness.transport.close_count == 0
    assert harness.transport.open_count == 1
    assert harness.transport.close_count == 1


async def test_async_context_manager() -> None:
    harness = ClientHarness("async", [Reply.challenge(), OK])
    async with harness.client as client:
        assert client is harness.client
        assert (await client.send_request(HttpRequest("GET", "/x"))).status_code == 200
        assert harness.transport.close_count == 0
    assert harness.transport.open_count == 1
    assert harness.transport.close_count == 1
