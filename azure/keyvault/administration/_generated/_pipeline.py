"""The generated clients' policy list: azure-core's default list, with a cheaper body decoder.

azure-core's ``(Async)PipelineClient`` builds its default policies itself when given none. The generated clients
build the same list, in the same order, with the caller's ``per_call_policies``/``per_retry_policies`` in the
same places, and pass it as ``policies``; the only difference is :class:`CharsetCachingContentDecodePolicy`
in place of ``ContentDecodePolicy``. A caller's own ``policies`` (or ``pipeline``) are used as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any, Optional

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import (
    ContentDecodePolicy,
    DistributedTracingPolicy,
    HttpLoggingPolicy,
    RequestIdPolicy,
    SensitiveHeaderCleanupPolicy,
)
from azure.core.rest._helpers import get_charset_encoding

_MAX_CONTENT_TYPES = 32


class _ContentTypeOnly:
    """What ``get_charset_encoding`` reads from a response: its Content-Type header."""

    __slots__ = ("headers",)

    def __init__(self, content_type: str) -> None:
        self.headers = {"Content-Type": content_type}


class CharsetCachingContentDecodePolicy(ContentDecodePolicy):
    """azure-core's ``ContentDecodePolicy`` that parses each distinct Content-Type's charset once.

    azure-core finds a response's charset by parsing its Content-Type header with ``email.message`` for every
    response (~13 µs). The answer depends on the header value alone, so it is kept per value (by azure-core's own
    function) and given to the response through its public ``encoding`` setter before the body is decoded,
    exactly as azure-core would decode it.
    """

    def __init__(self, response_encoding: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(response_encoding, **kwargs)
        self._charsets: dict[str, Optional[str]] = {}

    def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
        if not response.context.options.get("stream", True) and not request.context.get("response_encoding"):
            http_response = response.http_response
            if isinstance(getattr(type(http_response), "encoding", None), property) and "_encoding" not in vars(
                http_response
            ):
                content_type = http_response.headers.get("Content-Type")
                if isinstance(content_type, str):
                    try:
                        charset = self._charsets[content_type]
                    except KeyError:
                        charset = get_charset_encoding(_ContentTypeOnly(content_type))
                        if len(self._charsets) < _MAX_CONTENT_TYPES:
                            self._charsets[content_type] = charset
                    http_response.encoding = charset
        super().on_response(request, response)


def _extend(policies: list[Any], extra: Any) -> None:
    if isinstance(extra, Iterable):
        policies.extend(extra)
    else:
        policies.append(extra)


def use_default_policies(config: Any, kwargs: MutableMapping[str, Any]) -> None:
    """Put azure-core's default policy list (with the cheaper decoder) in ``kwargs["policies"]``.

    Nothing changes when the caller gave ``policies`` or ``pipeline``. ``per_call_policies`` and
    ``per_retry_policies`` are taken out of ``kwargs`` and placed where azure-core places them.

    :param config: the client's configuration (its policies)
    :param kwargs: the keywords the ``(Async)PipelineClient`` is built with (changed in place)
    """
    if kwargs.get("policies") is not None or kwargs.get("pipeline") is not None:
        return
    per_call = kwargs.pop("per_call_policies", None) or []
    per_retry = kwargs.pop("per_retry_policies", None) or []
    options = {key: value for key, value in kwargs.items() if key != "policies"}
    policies: list[Any] = [
        config.request_id_policy or RequestIdPolicy(**options),
        config.headers_policy,
        config.user_agent_policy,
        config.proxy_policy,
        CharsetCachingContentDecodePolicy(**options),
    ]
    _extend(policies, per_call)
    policies.extend([config.redirect_policy, config.retry_policy, config.authentication_policy,
                     config.custom_hook_policy])
    _extend(policies, per_retry)
    policies.extend(
        [
            config.logging_policy,
            DistributedTracingPolicy(**options),
            SensitiveHeaderCleanupPolicy(**options) if config.redirect_policy else None,
            config.http_logging_policy or HttpLoggingPolicy(**options),
        ]
    )
    kwargs["policies"] = policies
