"""Client construction: configuration, pipeline order, user agent, policies, send_request, close."""

from __future__ import annotations

import platform

import pytest
from azure.core.pipeline.policies import (
    AsyncRedirectPolicy,
    AsyncRetryPolicy,
    HeadersPolicy,
    RedirectPolicy,
    RetryPolicy,
    SansIOHTTPPolicy,
)
from azure.core.rest import HttpRequest

from azure.keyvault.administration._generated import KeyVaultClient
from azure.keyvault.administration._generated._configuration import KeyVaultClientConfiguration
from azure.keyvault.administration._generated._operations import RoleAssignmentsOperations, RoleDefinitionsOperations
from azure.keyvault.administration._generated._serialization import Deserializer, Serializer
from azure.keyvault.administration._generated.aio import KeyVaultClient as AsyncKeyVaultClient
from azure.keyvault.administration._generated.aio._configuration import AsyncKeyVaultClientConfiguration

from ._cases import CASES_BY_ID
from ._transport import VAULT, Canned, make_client

SYNC_ORDER = [
    "RequestIdPolicy",
    "HeadersPolicy",
    "UserAgentPolicy",
    "ProxyPolicy",
    "CharsetCachingContentDecodePolicy",  # azure-core's ContentDecodePolicy, remembering charsets
    "RedirectPolicy",
    "RetryPolicy",
    "Auth",
    "CustomHookPolicy",
    "NetworkTraceLoggingPolicy",
    "DistributedTracingPolicy",
    "SensitiveHeaderCleanupPolicy",
    "HttpLoggingPolicy",
]


class Auth(SansIOHTTPPolicy):
    def on_request(self, request):  # type: ignore[no-untyped-def]
        request.http_request.headers["Authorization"] = "Bearer fake"


def policy_names(pipeline_client) -> list[str]:  # type: ignore[no-untyped-def]
    return [type(getattr(p, "_policy", p)).__name__ for p in pipeline_client._pipeline._impl_policies]


def test_configuration_policies() -> None:
    config = KeyVaultClientConfiguration("7.5", retry_total=2)
    assert config.api_version == "7.5"
    assert config.polling_interval == 30
    assert type(config.retry_policy) is RetryPolicy and config.retry_policy.total_retries == 2
    assert type(config.redirect_policy) is RedirectPolicy
    assert config.authentication_policy is None
    assert config.user_agent_policy.user_agent.startswith("azsdk-python-keyvault-administration/4.8.0b3 Python/")
    aconfig = AsyncKeyVaultClientConfiguration("7.5")
    assert type(aconfig.retry_policy) is AsyncRetryPolicy
    assert type(aconfig.redirect_policy) is AsyncRedirectPolicy


def test_policies_can_be_replaced_by_keyword() -> None:
    headers = HeadersPolicy({"x": "1"})
    config = KeyVaultClientConfiguration("7.5", headers_policy=headers, polling_interval=1, sdk_moniker="m/1")
    assert config.headers_policy is headers
    assert config.polling_interval == 1
    assert config.user_agent_policy.user_agent.startswith("azsdk-python-m/1 ")


def test_sync_pipeline_order_with_authentication_policy() -> None:
    client, _ = make_client("7.6", [Canned(200, {})], authentication_policy=Auth())
    assert policy_names(client._client) == SYNC_ORDER


def test_async_pipeline_order() -> None:
    client = AsyncKeyVaultClient(api_version="7.6", authentication_policy=Auth())
    expected = [
        {"RedirectPolicy": "AsyncRedirectPolicy", "RetryPolicy": "AsyncRetryPolicy"}.get(n, n) for n in SYNC_ORDER
    ]
    assert policy_names(client._client) == expected


def test_client_attributes() -> None:
    client = KeyVaultClient(api_version="7.4")
    assert client._config.api_version == "7.4"
    assert isinstance(client._serialize, Serializer) and isinstance(client._deserialize, Deserializer)
    assert client._serialize.client_side_validation is False
    assert isinstance(client.role_definitions, RoleDefinitionsOperations)
    assert isinstance(client.role_assignments, RoleAssignmentsOperations)
    assert client.role_definitions._client is client._client


def test_requests_carry_user_agent_auth_and_request_id() -> None:
    client, transport = make_client(
        "7.6", [Canned(200, {"settings": []})], authentication_policy=Auth(), user_agent="app/1"
    )
    client.get_settings(VAULT)
    headers = transport.last.headers
    assert headers["User-Agent"].startswith(
        f"app/1 azsdk-python-keyvault-administration/4.8.0b3 Python/{platform.python_version()} ("
    )
    assert headers["Authorization"] == "Bearer fake"
    assert headers["x-ms-client-request-id"]


def test_per_call_and_per_retry_policies_are_kept() -> None:
    seen: list[str] = []

    class Mark(SansIOHTTPPolicy):
        def __init__(self, tag: str) -> None:
            self.tag = tag

        def on_request(self, request):  # type: ignore[no-untyped-def]
            seen.append(self.tag)

    client, _ = make_client(
        "7.6", [Canned(200, {"settings": []})], per_call_policies=[Mark("call")], per_retry_policies=[Mark("retry")]
    )
    names = policy_names(client._client)
    assert names.index("Mark") == names.index("CharsetCachingContentDecodePolicy") + 1
    assert names.index("Mark", names.index("Mark") + 1) == names.index("CustomHookPolicy") + 1
    client.get_settings(VAULT)
    assert seen == ["call", "retry"]


def test_explicit_policies_list_replaces_the_default_pipeline() -> None:
    client, transport = make_client(
        "7.6", [Canned(200, CASES_BY_ID["get_setting"].response.body)], policies=[RetryPolicy()]
    )
    assert policy_names(client._client) == ["RetryPolicy"]
    setting = client.get_setting(VAULT, "AllowKeyManagementOperationsThroughARM")  # no ContentDecodePolicy: still works
    assert setting.value == "true"
    assert "User-Agent" not in transport.last.headers


def test_retries_follow_the_retry_policy() -> None:
    client, transport = make_client(
        "7.6", [Canned(503, None), Canned(200, {"settings": []})], retry_total=1, retry_backoff_factor=0
    )
    assert client.get_settings(VAULT).settings == []
    assert len(transport.requests) == 2


def test_send_request_runs_the_request_as_is() -> None:
    client, transport = make_client("7.6", [Canned(418, {"x": 1})], authentication_policy=Auth())
    request = HttpRequest("GET", "https://other.host/custom?a=b", headers={"k": "v"})
    response = client.send_request(request)
    assert response.status_code == 418  # never raises
    assert response.json() == {"x": 1}
    assert transport.last.url == "https://other.host/custom?a=b"
    assert transport.last.headers["k"] == "v"
    assert transport.last.headers["Authorization"] == "Bearer fake"
    assert "Authorization" not in request.headers  # the caller's request is copied


def test_context_manager_and_close() -> None:
    client, transport = make_client("7.6", [Canned(200, {})])
    with client as entered:
        assert entered is client
        assert transport.closed == 0
    assert transport.closed == 1
    client.close()
    assert transport.closed == 2


@pytest.mark.parametrize("api_version", ["7.2", "2025-07-01", "anything"])
def test_api_version_is_stored_as_given(api_version: str) -> None:
    assert KeyVaultClient(api_version=api_version)._config.api_version == api_version
