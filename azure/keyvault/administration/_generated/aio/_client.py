"""The async generated client."""

from copy import deepcopy
from typing import Any, Awaitable

from azure.core import AsyncPipelineClient
from azure.core.rest import AsyncHttpResponse, HttpRequest

from .._codecs import Codecs
from .._pipeline import use_default_policies
from ._configuration import AsyncKeyVaultClientConfiguration
from ._operations import KeyVaultClientOperationsMixin, RoleAssignmentsOperations, RoleDefinitionsOperations


class KeyVaultClient(KeyVaultClientOperationsMixin):
    """Async twin of :class:`azure.keyvault.administration._generated.KeyVaultClient`.

    :keyword str api_version: The service API version (any string is sent as it is).
    :keyword kwargs: Policy and transport keywords for azure-core's AsyncPipelineClient.
    """

    def __init__(self, *, api_version: str, **kwargs: Any) -> None:
        self._config = AsyncKeyVaultClientConfiguration(api_version=api_version, **kwargs)
        use_default_policies(self._config, kwargs)
        self._client: AsyncPipelineClient = AsyncPipelineClient(
            base_url="{vaultBaseUrl}", config=self._config, **kwargs
        )
        self._codecs = Codecs()  # msrest is imported when the first body is (de)serialized
        self.role_definitions = RoleDefinitionsOperations(self._client, self._config, self._codecs)
        self.role_assignments = RoleAssignmentsOperations(self._client, self._config, self._codecs)

    def send_request(
        self, request: HttpRequest, *, stream: bool = False, **kwargs: Any
    ) -> Awaitable[AsyncHttpResponse]:
        """Run a request through the client's pipeline as it is (its URL must be absolute).

        :param request: The request; it is copied, not changed.
        :type request: ~azure.core.rest.HttpRequest
        :keyword bool stream: Whether to stream the response body.
        :returns: An awaitable of the response; error statuses are not raised.
        :rtype: ~typing.Awaitable[~azure.core.rest.AsyncHttpResponse]
        """
        return self._client.send_request(deepcopy(request), stream=stream, **kwargs)

    async def close(self) -> None:
        """Close the transport's sessions."""
        await self._client.close()

    async def __aenter__(self) -> "KeyVaultClient":
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc_details: Any) -> None:
        await self._client.__aexit__(*exc_details)
