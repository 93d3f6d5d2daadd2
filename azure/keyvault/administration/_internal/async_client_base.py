"""Base of the async clients: the twin of :mod:`.client_base`."""

from typing import Any, ClassVar

from typing_extensions import Self

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.rest import AsyncHttpResponse, HttpRequest
from azure.core.tracing.decorator_async import distributed_trace_async

from .._generated.aio import KeyVaultClient
from ._client_common import (
    DEFAULT_VERSION,
    EKM_DEFAULT_VERSION,
    ApiVersion,
    generated_client_kwargs,
    prepare_request,
    resolve_client_settings,
)
from .async_challenge_auth_policy import AsyncChallengeAuthPolicy

__all__ = ["DEFAULT_VERSION", "EKM_DEFAULT_VERSION", "ApiVersion", "AsyncKeyVaultClientBase"]


class AsyncKeyVaultClientBase:
    """Common construction and plumbing of the async Key Vault administration clients.

    :param str vault_url: URL of the vault (Managed HSM) the client will access
    :param credential: an object which can provide an access token for the vault, such as a credential from
        :mod:`azure.identity.aio`
    :type credential: ~azure.core.credentials_async.AsyncTokenCredential
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

    def __init__(self, vault_url: str, credential: AsyncTokenCredential, **kwargs: Any) -> None:
        settings = resolve_client_settings(
            vault_url,
            credential,
            kwargs,
            credential_protocol="AsyncTokenCredential",
            default_api_version=self._default_api_version,
        )
        self._vault_url = settings.vault_url
        #: The service API version the client sends, as a plain string.
        self.api_version: str = settings.api_version
        policy = AsyncChallengeAuthPolicy(credential, verify_challenge_resource=settings.verify_challenge_resource)
        # The HTTP library is imported with the first client, not with the package.
        from .async_transports import KeyVaultAioHttpTransport

        self._client = KeyVaultClient(**generated_client_kwargs(settings, policy, KeyVaultAioHttpTransport))

    @property
    def vault_url(self) -> str:
        """The vault URL the client was built for, without surrounding spaces and slashes.

        :rtype: str
        """
        return self._vault_url

    @distributed_trace_async
    async def send_request(self, request: HttpRequest, *, stream: bool = False, **kwargs: Any) -> AsyncHttpResponse:
        """Run a network request through the client's pipeline (authentication, retries, logging).

        A relative URL is resolved against the vault URL, and the client's api-version is added as the first
        query parameter unless the URL already has one. The request itself is not modified.

        :param request: the request to send
        :type request: ~azure.core.rest.HttpRequest
        :keyword bool stream: whether to stream the response body. Defaults to False.
        :returns: the response; error statuses are not raised (use ``raise_for_status()``)
        :rtype: ~azure.core.rest.AsyncHttpResponse
        """
        request_copy = prepare_request(request, self._vault_url, self.api_version)
        return await self._client.send_request(request_copy, stream=stream, **kwargs)

    async def close(self) -> None:
        """Close the sockets opened by the client; calling it again is harmless."""
        await self._client.close()

    async def __aenter__(self) -> Self:
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self._client.__aexit__(*args)
