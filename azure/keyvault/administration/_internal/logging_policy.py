"""Network trace logging (``logging_enable=True``) that never writes credentials to the log.

azure-core's :class:`~azure.core.pipeline.policies.NetworkTraceLoggingPolicy` logs every request header and the
request body verbatim at DEBUG level. It sits after the authentication policy, so the bearer token would be
logged, and backup/restore bodies carry the caller's SAS token. This subclass logs the same lines from a redacted
view of the request; what is sent is unchanged.
"""

import logging
import re
from typing import Any

from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import NetworkTraceLoggingPolicy

# The logger azure-core's network trace policy writes to (its module's logger).
_TRACE_LOGGER = logging.getLogger(NetworkTraceLoggingPolicy.__module__)

REDACTED = "REDACTED"
_SECRET_HEADERS = frozenset({"authorization", "x-identity-header", "x-ms-encryption-key"})
# SAS signatures in URLs and bodies, and the "token" member of SAS token parameters in JSON bodies.
_SAS_SIGNATURE = re.compile(r"(?i)(\bsig=)[^&\"'\s]+")
_JSON_TOKEN = re.compile(r'("token"\s*:\s*")(?:[^"\\]|\\.)*(")')


def redact_text(text: str) -> str:
    """``text`` with SAS signatures and JSON ``token`` values replaced by ``REDACTED``."""
    return _JSON_TOKEN.sub(rf"\g<1>{REDACTED}\g<2>", _SAS_SIGNATURE.sub(rf"\g<1>{REDACTED}", text))


class _RedactedRequestView:
    """The attributes the network trace policy reads from a request, with secrets masked."""

    def __init__(self, http_request: Any) -> None:
        self.url = redact_text(str(http_request.url))
        self.method = http_request.method
        self.headers = {
            name: REDACTED if name.lower() in _SECRET_HEADERS else value
            for name, value in http_request.headers.items()
        }
        body = http_request.body
        if isinstance(body, (bytes, bytearray)):
            body = redact_text(bytes(body).decode("utf-8", errors="replace"))
        elif isinstance(body, str):
            body = redact_text(body)
        self.body = body


class RedactingNetworkTraceLoggingPolicy(NetworkTraceLoggingPolicy):
    """:class:`~azure.core.pipeline.policies.NetworkTraceLoggingPolicy` with tokens and SAS signatures masked."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        options = request.context.options
        logging_enable = options.get("logging_enable", self.enable_http_logger)
        if logging_enable and _TRACE_LOGGER.isEnabledFor(logging.DEBUG):
            # Same context: the parent pops ``logging_enable`` from the options and records it for on_response.
            view: Any = _RedactedRequestView(request.http_request)
            super().on_request(PipelineRequest(view, request.context))
            return
        # Nothing is logged: record the setting as the parent does, without building the redacted copy (and
        # without ever handing the parent the real request, whatever the logger's level becomes meanwhile).
        options.pop("logging_enable", None)
        request.context["logging_enable"] = logging_enable
