"""The sync generated client."""

from copy import deepcopy
from typing import Any

from azure.core import PipelineClient
from azure.core.rest import HttpRequest, HttpResponse

from ._codecs import Codecs
from ._configuration import KeyVaultClientConfiguration
from ._operations import KeyVaultClientOperationsMixin, RoleAssignmentsOperations, RoleDefinitionsOperations
from ._pipeline import use_default_policies


class KeyVaultClient(KeyVaultClientOperationsMixin):
    """The Managed HSM administration REST operations, for any supported api-version.

    Backup, restore and settings operations are methods of the client; role operations are on
    :attr:`role_definitions` and :attr:`role_assignments`. Every operation takes the vault URL
    as its first argument.

    :keyword str api_version: The service API version (7.2, 7.3, 7.4, 7.5, 7.6, 2025-07-01,
     2026-01-01-preview, 2026-07-01-preview; any other string is sent as it is, except to the EKM
     operations, which accept only their own versions).
    :keyword kwargs: Policy and transport keywords for azure-core's PipelineClient
     (``transport``, ``policies``, ``per_call_policies``, ``per_retry_policies``,
     ``authentication_policy``, ``retry_total``, ...).
    """

    def __init__(self, *, api_version: str, **kwargs: Any) -> None:
        self._config = KeyVaultClientConfiguration(api_version=api_version, **kwargs)
        use_default_policies(self._config, kwargs)
        self._client: PipelineClient = PipelineClient(base_url="{vaultBaseUrl}", config=self._config, **kwargs)
        self._codecs = Codecs()  # msrest is imported when the first body is (de)serialized
        self.role_definitions = RoleDefinitionsOperations(self._client, self._config, self._codecs)
        self.role_assignments = RoleAssignmentsOperations(self._client, self._config, self._codecs)

    def send_request(self, request: HttpRequest, *, stream: bool = False, **kwargs: Any) -> HttpResponse:
        """Run a request through the client's pipeline as it is (its URL must be absolute).

        :param request: The request; it is copied, not changed.
        :type request: ~azure.core.rest.HttpRequest
        :keyword bool stream: Whether to stream the response body.
        :returns: The response; error statuses are not raised.
        :rtype: ~azure.core.rest.HttpResponse
        """
        return self._client.send_request(deepcopy(request), stream=stream, **kwargs)

    def close(self) -> None:
        """Close the transport's sockets."""
        self._client.close()

    def __enter__(self) -> "KeyVaultClient":
        self._client.__enter__()
        return self

    def __exit__(self, *exc_details: Any) -> None:
        self._client.__exit__(*exc_details)
