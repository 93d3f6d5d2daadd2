"""Sans-I/O half of the client base, shared by the sync and async clients.

Argument validation, the api-version, the keywords the generated client is built with, and the request
preparation of ``send_request`` live here, so the twins only differ where the I/O does.
"""

from copy import deepcopy
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Optional
from urllib.parse import urlparse, urlunparse

from azure.core import CaseInsensitiveEnumMeta
from azure.core.pipeline.policies import HttpLoggingPolicy
from azure.core.rest import HttpRequest

from .._version import VERSION
from .logging_policy import RedactingNetworkTraceLoggingPolicy


class ApiVersion(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """Key Vault API versions supported by this package."""

    #: the default of KeyVaultEkmClient (EKM private endpoints need it)
    V2026_07_01_PREVIEW = "2026-07-01-preview"
    #: the first version with EKM connections
    V2026_01_01_PREVIEW = "2026-01-01-preview"
    #: the default of the access control, backup and settings clients
    V2025_07_01 = "2025-07-01"
    V7_6 = "7.6"
    V7_5 = "7.5"
    V7_4 = "7.4"
    V7_3 = "7.3"
    V7_2 = "7.2"


DEFAULT_VERSION = ApiVersion.V2025_07_01
"""The default of the access control, backup and settings clients: the newest stable version. (4.8.0b3 moved them
to the preview too, which silently puts stable code on a preview API; this package does not.)"""

EKM_DEFAULT_VERSION = ApiVersion.V2026_07_01_PREVIEW
"""The default of ``KeyVaultEkmClient``: EKM exists only in preview versions."""

#: Identifies the package in the User-Agent header (azure-core adds the ``azsdk-python-`` prefix).
SDK_MONIKER = f"keyvault-administration/{VERSION}"

#: Response headers that are safe and useful to log, beyond azure-core's default allow-list.
LOGGED_KEYVAULT_HEADERS = frozenset(
    {"x-ms-keyvault-network-info", "x-ms-keyvault-region", "x-ms-keyvault-service-version"}
)

_NO_CREDENTIAL = "credential should be an object supporting the {} protocol, such as a credential from azure-identity"
_NO_VAULT_URL = "vault_url must be the URL of an Azure Key Vault"


@dataclass
class ClientSettings:
    """What a client keeps from its constructor arguments.

    :ivar str vault_url: the vault URL without surrounding spaces and slashes
    :ivar str api_version: the api-version as a plain string (not validated; None fails at request time)
    :ivar bool verify_challenge_resource: whether the auth policy checks the challenge's resource
    :ivar dict pipeline_kwargs: every other keyword, for azure-core's pipeline
    """

    vault_url: str
    api_version: str
    verify_challenge_resource: bool
    pipeline_kwargs: dict[str, Any] = field(default_factory=dict)


def resolve_client_settings(
    vault_url: Any,
    credential: Any,
    kwargs: dict[str, Any],
    *,
    credential_protocol: str = "TokenCredential",
    default_api_version: str = DEFAULT_VERSION,
) -> ClientSettings:
    """Validate a client's constructor arguments.

    :param vault_url: the vault URL given to the client
    :param credential: the credential given to the client (only checked for truthiness)
    :param dict kwargs: the client's keyword arguments (not modified)
    :keyword str credential_protocol: the protocol named in the error for a missing credential
    :keyword str default_api_version: the api-version used when ``kwargs`` has none (the client's own default)
    :rtype: ClientSettings
    :raises ValueError: for a falsy credential (checked first) or a falsy vault URL
    """
    if not credential:
        raise ValueError(_NO_CREDENTIAL.format(credential_protocol))
    if not vault_url:
        raise ValueError(_NO_VAULT_URL)
    pipeline_kwargs = dict(kwargs)
    api_version = pipeline_kwargs.pop("api_version", default_api_version)
    if isinstance(api_version, Enum):
        api_version = api_version.value
    verify = pipeline_kwargs.pop("verify_challenge_resource", True)
    return ClientSettings(vault_url.strip(" /"), api_version, verify, pipeline_kwargs)


def build_http_logging_policy(**kwargs: Any) -> HttpLoggingPolicy:
    """azure-core's HTTP logging policy, also allowed to log Key Vault's diagnostic response headers.

    :rtype: ~azure.core.pipeline.policies.HttpLoggingPolicy
    """
    policy = HttpLoggingPolicy(**kwargs)
    policy.allowed_header_names.update(LOGGED_KEYVAULT_HEADERS)
    return policy


def generated_client_kwargs(
    settings: ClientSettings, authentication_policy: Any, default_transport: Optional[Callable[..., Any]] = None
) -> dict[str, Any]:
    """The keywords to build the generated ``KeyVaultClient`` with.

    A caller's own ``http_logging_policy`` is used as it is (the official package raises ``TypeError`` then).

    :param ClientSettings settings: the validated constructor arguments
    :param authentication_policy: the (sync or async) challenge authentication policy
    :param default_transport: builds the transport (from the pipeline keywords, as azure-core builds its
        default) when the caller gives neither ``transport`` nor ``pipeline``
    :rtype: dict[str, Any]
    """
    kwargs = {
        "api_version": settings.api_version,
        "authentication_policy": authentication_policy,
        "sdk_moniker": SDK_MONIKER,
        "http_logging_policy": build_http_logging_policy(**settings.pipeline_kwargs),
        "logging_policy": RedactingNetworkTraceLoggingPolicy(**settings.pipeline_kwargs),
        **settings.pipeline_kwargs,
    }
    if default_transport is not None and not kwargs.get("transport") and kwargs.get("pipeline") is None:
        kwargs["transport"] = default_transport(**settings.pipeline_kwargs)
    return kwargs


def _resolve_url(url: str, vault_url: str) -> str:
    """An absolute URL as it is; a relative one (``/x`` or ``x``, optionally with a query) under the vault URL.

    :param str url: the request URL
    :param str vault_url: the client's vault URL
    :rtype: str
    """
    parsed = urlparse(url)
    if parsed.scheme and parsed.netloc:
        return url
    stub_path, _, stub_query = url.partition("?")
    base = urlparse(vault_url)
    if stub_path:
        base = base._replace(path=base.path.rstrip("/") + "/" + stub_path.lstrip("/"))
    if stub_query:
        base = base._replace(query="&".join(q for q in (base.query, stub_query) if q))
    return urlunparse(base)


def _with_api_version_first(url: str, api_version: Any) -> str:
    """Put ``api-version`` first in the query: the request's own value if it has one, else the client's.

    Query segments are moved as they are, so their encoding is untouched.

    :param str url: an absolute URL
    :param api_version: the client's api-version
    :rtype: str
    """
    base, _, query = url.partition("?")
    segments = [segment for segment in query.split("&") if segment]
    explicit = [segment for segment in segments if segment.partition("=")[0] == "api-version"]
    others = [segment for segment in segments if segment.partition("=")[0] != "api-version"]
    first = explicit[:1] or [f"api-version={api_version}"]
    return base + "?" + "&".join(first + explicit[1:] + others)


def prepare_request(request: HttpRequest, vault_url: str, api_version: Any) -> HttpRequest:
    """A copy of a ``send_request`` request, ready for the pipeline; the caller's request is not modified.

    :param request: the caller's request
    :type request: ~azure.core.rest.HttpRequest
    :param str vault_url: the client's vault URL, used for relative URLs
    :param api_version: the client's api-version, added when the URL has none
    :rtype: ~azure.core.rest.HttpRequest
    """
    request_copy = deepcopy(request)
    request_copy.url = _with_api_version_first(_resolve_url(request_copy.url, vault_url), api_version)
    return request_copy
