"""The generated clients build azure-core's default policy list (same policies, same order), with a body decoder
that remembers charsets and decodes exactly as azure-core's ``ContentDecodePolicy`` does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core import AsyncPipelineClient, PipelineClient
from azure.core.exceptions import DecodeError
from azure.core.pipeline import PipelineContext, PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import ContentDecodePolicy, RetryPolicy, SansIOHTTPPolicy
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl import HttpResponseImpl

from azure.keyvault.administration._generated import KeyVaultClient
from azure.keyvault.administration._generated._configuration import KeyVaultClientConfiguration
from azure.keyvault.administration._generated._pipeline import CharsetCachingContentDecodePolicy
from azure.keyvault.administration._generated.aio import KeyVaultClient as AsyncKeyVaultClient
from azure.keyvault.administration._generated.aio._configuration import AsyncKeyVaultClientConfiguration


class Marker(SansIOHTTPPolicy[Any, Any]):
    def __init__(self, name: str) -> None:
        self.name = name


def _describe(pipeline: Any) -> list[str]:
    names = []
    for policy in pipeline._impl_policies:
        inner = getattr(policy, "_policy", policy)
        name = type(inner).__name__
        if isinstance(inner, CharsetCachingContentDecodePolicy):
            name = "ContentDecodePolicy"
        names.append(f"{name}:{inner.name}" if isinstance(inner, Marker) else name)
    return names


OPTIONS = [
    {},
    {"per_call_policies": [Marker("call1"), Marker("call2")]},
    {"per_call_policies": Marker("call")},
    {"per_retry_policies": [Marker("retry")]},
    {"per_retry_policies": Marker("retry"), "per_call_policies": [Marker("call")]},
    {"redirect_policy": None},
    {"permit_redirects": False, "logging_enable": True},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_same_policies_in_the_same_order_as_azure_core(options: dict[str, Any]) -> None:
    ours = KeyVaultClient(api_version="7.6", **options)
    theirs = PipelineClient("{vaultBaseUrl}", config=KeyVaultClientConfiguration(api_version="7.6", **options),
                            **options)
    assert _describe(ours._client._pipeline) == _describe(theirs._pipeline)
    async_ours = AsyncKeyVaultClient(api_version="7.6", **options)
    async_theirs = AsyncPipelineClient(
        "{vaultBaseUrl}", config=AsyncKeyVaultClientConfiguration(api_version="7.6", **options), **options
    )
    assert _describe(async_ours._client._pipeline) == _describe(async_theirs._pipeline)


def test_caller_policies_are_used_as_given() -> None:
    mine = [Marker("only"), RetryPolicy()]
    client = KeyVaultClient(api_version="7.6", policies=mine, per_retry_policies=[Marker("r")])
    assert _describe(client._client._pipeline) == ["Marker:only", "RetryPolicy", "Marker:r"]


class _Closable:
    def close(self) -> None:
        pass


def _response(body: bytes, content_type: Any) -> Any:
    headers = {} if content_type is None else {"Content-Type": content_type}
    request = HttpRequest("GET", "https://h/x")
    response = HttpResponseImpl(
        request=request, internal_response=_Closable(), status_code=200, reason="OK", content_type=content_type,
        headers=headers, stream_download_generator=None,
    )
    response._content = body
    return response


def _decode(policy: Any, body: bytes, content_type: Any, options: dict[str, Any]) -> Any:
    context = PipelineContext(None, stream=False, **options)
    request = PipelineRequest(HttpRequest("GET", "https://h/x"), context)
    policy.on_request(request)
    response = PipelineResponse(request.http_request, _response(body, content_type), context)
    try:
        policy.on_response(request, response)
    except DecodeError as error:
        return "DecodeError", str(error).split(":")[0]
    except Exception as error:
        return type(error).__name__
    return context.get("deserialized_data"), response.http_response.encoding, response.http_response.text()


BODY = json.dumps({"roleName": "Crypto Üser", "n": 1}, ensure_ascii=False)
CASES = [
    (BODY.encode("utf-8"), "application/json; charset=utf-8"),
    (b"\xef\xbb\xbf" + BODY.encode("utf-8"), "application/json; charset=utf-8"),
    (b"\xef\xbb\xbf" + BODY.encode("utf-8"), "application/json"),
    (BODY.encode("latin-1"), "application/json; charset=ISO-8859-1"),
    (BODY.encode("latin-1"), "application/json"),
    (BODY.encode("utf-16"), "application/json; charset=utf-16"),
    (BODY.encode("utf-8"), "application/json; charset=no-such-charset"),
    (BODY.encode("utf-8"), 'application/json; charset="utf-8"; q=1'),
    (BODY.encode("utf-8"), None),
    (b"", "application/json"),
    (b"not json", "application/json; charset=utf-8"),
    (b"plain", "text/plain; charset=utf-8"),
    (b"<a>1</a>", "application/xml"),
    (BODY.encode("utf-8"), "APPLICATION/JSON; CHARSET=UTF-8"),
]


@pytest.mark.parametrize(("body", "content_type"), CASES)
@pytest.mark.parametrize("options", [{}, {"response_encoding": "latin-1"}])
def test_bodies_decode_exactly_as_azure_core_decodes_them(body: bytes, content_type: Any, options: Any) -> None:
    ours = CharsetCachingContentDecodePolicy()
    theirs = ContentDecodePolicy()
    for _ in range(2):  # the second time from the charset cache
        a, b = _decode(ours, body, content_type, dict(options)), _decode(theirs, body, content_type, dict(options))
        if isinstance(a, tuple) and len(a) == 3 and hasattr(a[0], "tag"):  # XML elements: compare their text
            a, b = (a[0].text, *a[1:]), (b[0].text, *b[1:])
        assert a == b


def test_the_comparison_decodes_real_bodies() -> None:
    decoded = _decode(CharsetCachingContentDecodePolicy(), BODY.encode("latin-1"),
                      "application/json; charset=ISO-8859-1", {})
    assert decoded == ({"roleName": "Crypto Üser", "n": 1}, "ISO-8859-1", BODY)
