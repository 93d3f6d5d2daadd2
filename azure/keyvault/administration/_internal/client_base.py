"""Base of the sync clients: validated construction, the pipeline, ``send_request`` and the context manager."""

from typing import Any, ClassVar

from typing_extensions import Self

from azure.core.credentials import TokenCredential
from azure.core.rest import HttpRequest, HttpResponse
from azure.core.tracing.decorator import distributed_trace

from .._generated import KeyVaultClient
from ._client_common import (
    DEFAULT_VERSION,
    EKM_DEFAULT_VERSION,
    ApiVersion,
    generated_client_kwargs,
    prepare_request,
    resolve_client_settings,
)
from .challenge_auth_policy import ChallengeAuthPolicy

__all__ = ["DEFAULT_VERSION", "EKM_DEFAULT_VERSION", "ApiVersion", "KeyVaultClientBase"]


class KeyVaultClientBase:
    """Common construction and plumbing of the sync Key Vault administration clients.

    :param str vault_url: URL of the vault (Managed HSM) the client will access
    :param credential: an object which can provide an access token for the vault, such as a credential from
        :mod:`azure.identity`
    :type credential: ~azure.core.credentials.TokenCredential
    :keyword api_version: version of the service API to use. Defaults to the newest stable one,
        :attr:`ApiVersion.V2025_07_01` (``KeyVaultEkmClient``: :attr:`ApiVersion.V2026_07_01_PREVIEW`).
    :paramtype api_version: ~azure.keyvault.administration.ApiVersion or str
    :keyword bool verify_challenge_resource: whether to verify that the authentication challenge's resource
        matches the vault's domain. Defaults to True.
    :keyword kwargs: any other keyword configures azure-core's pipeline (``transport``, ``retry_total``,
        ``logging_enable``, ``user_agent``, ...)
    :raises ValueError: when ``credential`` or ``vault_url`` is falsy
    """

    #: The api-version a client of this class sends when it is given none (a subclass may choose its own).
    _default_api_version: ClassVar[str] = DEFAULT_VERSION

    def __init__(self, vault_url: str, credential: TokenCredential, **kwargs: Any) -> None:
        settings = resolve_client_settings(vault_url, credential, kwargs, default_api_version=self._default_api_version)
        self._vault_url = settings.vault_url
        #: The service API version the client sends, as a plain string.
        self.api_version: str = settings.api_version
        policy = ChallengeAuthPolicy(credential, verify_challenge_resource=settings.verify_challenge_resource)
        # The HTTP library is imported with the first client, not with the package.
        from .transports import EnvironmentCachingRequestsTransport

        self._client = KeyVaultClient(**generated_client_kwargs(settings, policy, EnvironmentCachingRequestsTransport))

    @property
    def vault_url(self) -> str:
        """The vault URL the client was built for, without surrounding spaces and slashes.

        :rtype: str
        """
        return self._vault_url

    @distributed_trace
    def send_request(self, request: HttpRequest, *, stream: bool = False, **kwargs: Any) -> HttpResponse:
        """Run a network request through the client's pipeline (authentication, retries, logging).

        A relative URL is resolved against the vault URL, and the client's api-version is added as the first
        query parameter unless the URL already has one. The request itself is not modified.

        :param request: the request to send
        :type request: ~azure.core.rest.HttpRequest
        :keyword bool stream: whether to stream the response body. Defaults to False.
        :returns: the response; error statuses are not raised (use ``raise_for_status()``)
        :rtype: ~azure.core.rest.HttpResponse
        """
        request_copy = prepare_request(request, self._vault_url, self.api_version)
        return self._client.send_request(request_copy, stream=stream, **kwargs)

    def close(self) -> None:
        """Close the sockets opened by the client; calling it again is harmless."""
        self._client.close()

    def __enter__(self) -> Self:
        self._client.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self._client.__exit__(*args)
