"""KeyVaultEkmClient: the External Key Manager (EKM) connection of a Managed HSM and its private endpoints."""

from __future__ import annotations

from typing import Any, Optional, cast

from azure.core.paging import ItemPaged
from azure.core.polling import LROPoller
from azure.core.tracing.decorator import distributed_trace

from . import _ekm_common as _common
from ._internal.client_base import EKM_DEFAULT_VERSION, KeyVaultClientBase
from ._internal.paging import ReiterableItemPaged
from ._models import (
    KeyVaultEkmConnection,
    KeyVaultEkmPrivateEndpoint,
    KeyVaultEkmPrivateEndpointOperation,
    KeyVaultEkmProxyClientCertificateInfo,
    KeyVaultEkmProxyInfo,
)


class KeyVaultEkmClient(KeyVaultClientBase):
    """Manages a Managed HSM's External Key Manager (EKM) connection and its EKM private endpoints.

    With an EKM connection the HSM keeps its key-encryption keys in the customer's own HSM, which it reaches
    through an EKM proxy over mutual TLS. The proxy is reached over the internet, or through an EKM private
    endpoint connected to the customer's Private Link Service.

    EKM exists only in preview service versions: the connection methods need one of 2026-01-01-preview,
    2026-03-01-preview, 2026-05-01-preview or 2026-07-01-preview, the private-endpoint methods
    2026-07-01-preview (exactly these strings); with any other ``api_version`` a method raises ``ValueError``
    before sending anything.

    :param str vault_url: URL of the Managed HSM, for example ``https://myhsm.managedhsm.azure.net``.
    :param credential: An object that can provide an access token for the HSM, such as a credential from
        :mod:`azure.identity`.
    :type credential: ~azure.core.credentials.TokenCredential

    :keyword api_version: Version of the service API to use. Defaults to
        :attr:`ApiVersion.V2026_07_01_PREVIEW` (the other clients of this package default to the stable
        :attr:`ApiVersion.V2025_07_01`).
    :paramtype api_version: ~azure.keyvault.administration.ApiVersion or str
    :keyword bool verify_challenge_resource: Whether to check that the authentication challenge's resource matches
        the HSM's domain. Defaults to ``True``.
    :keyword float polling_interval: Default seconds between status checks of private-endpoint operations when the
        service does not say (``Retry-After``). Defaults to 30.

    Other keyword arguments configure the azure-core pipeline (``transport``, ``retry_total``,
    ``connection_verify``, ``logging_enable``, ...).

    .. code-block:: python

        from azure.identity import DefaultAzureCredential
        from azure.keyvault.administration import KeyVaultEkmClient

        client = KeyVaultEkmClient("https://myhsm.managedhsm.azure.net", DefaultAzureCredential())
    """

    _default_api_version = EKM_DEFAULT_VERSION

    def __enter__(self) -> KeyVaultEkmClient:
        super().__enter__()
        return self

    # ---- the connection ------------------------------------------------------------------------------------

    @distributed_trace
    def get_ekm_connection(self, **kwargs: Any) -> KeyVaultEkmConnection:
        """Get the HSM's EKM connection.

        :returns: The connection.
        :rtype: ~azure.keyvault.administration.KeyVaultEkmConnection
        :raises ~azure.core.exceptions.ResourceNotFoundError: if the HSM has no EKM connection.
        :raises ValueError: if the client's API version has no EKM connections.
        """
        return _common.connection_from_wire(self._client.get_ekm_connection(self._vault_url, **kwargs))

    @distributed_trace
    def create_ekm_connection(self, connection: KeyVaultEkmConnection, **kwargs: Any) -> KeyVaultEkmConnection:
        """Create the HSM's EKM connection; the service refuses when one exists.

        :param connection: The connection to create.
        :type connection: ~azure.keyvault.administration.KeyVaultEkmConnection

        :returns: The connection as the service stored it.
        :rtype: ~azure.keyvault.administration.KeyVaultEkmConnection
        :raises TypeError: if ``connection`` is not a ``KeyVaultEkmConnection`` (the exception is also an
            ``AttributeError``, which the official package raises).
        :raises ~azure.core.exceptions.ResourceExistsError: if the HSM already has an EKM connection.
        :raises ValueError: if the client's API version has no EKM connections.

        .. code-block:: python

            connection = KeyVaultEkmConnection("ekm-proxy.contoso.com", [root_ca_der], path_prefix="/api/v1")
            created = client.create_ekm_connection(connection)
        """
        body = _common.connection_body(connection)
        return _common.connection_from_wire(self._client.create_ekm_connection(self._vault_url, body, **kwargs))

    @distributed_trace
    def update_ekm_connection(self, connection: KeyVaultEkmConnection, **kwargs: Any) -> KeyVaultEkmConnection:
        """Replace the HSM's EKM connection with ``connection`` (every member that is not ``None`` is sent).

        :param connection: The connection's new state.
        :type connection: ~azure.keyvault.administration.KeyVaultEkmConnection

        :returns: The connection as the service now holds it.
        :rtype: ~azure.keyvault.administration.KeyVaultEkmConnection
        :raises TypeError: if ``connection`` is not a ``KeyVaultEkmConnection`` (also an ``AttributeError``).
        :raises ~azure.core.exceptions.ResourceNotFoundError: if the HSM has no EKM connection.
        :raises ValueError: if the client's API version has no EKM connections.
        """
        body = _common.connection_body(connection)
        return _common.connection_from_wire(self._client.update_ekm_connection(self._vault_url, body, **kwargs))

    @distributed_trace
    def delete_ekm_connection(self, **kwargs: Any) -> KeyVaultEkmConnection:
        """Delete the HSM's EKM connection.

        :returns: The deleted connection.
        :rtype: ~azure.keyvault.administration.KeyVaultEkmConnection
        :raises ~azure.core.exceptions.ResourceNotFoundError: if the HSM has no EKM connection.
        :raises ValueError: if the client's API version has no EKM connections.
        """
        return _common.connection_from_wire(self._client.delete_ekm_connection(self._vault_url, **kwargs))

    @distributed_trace
    def get_ekm_certificate(self, **kwargs: Any) -> KeyVaultEkmProxyClientCertificateInfo:
        """Get the client certificate the HSM presents to EKM proxies, to configure the proxy's trust.

        :returns: The CA chain of the HSM's client certificate and the certificate's common name.
        :rtype: ~azure.keyvault.administration.KeyVaultEkmProxyClientCertificateInfo
        :raises ValueError: if the client's API version has no EKM connections.
        """
        wire = self._client.get_ekm_certificate(self._vault_url, **kwargs)
        return _common.certificate_info_from_wire(wire)

    @distributed_trace
    def check_ekm_connection(self, **kwargs: Any) -> KeyVaultEkmProxyInfo:
        """Have the HSM connect to its EKM proxy (mutual TLS) and report what the proxy says about itself.

        :returns: The proxy's information.
        :rtype: ~azure.keyvault.administration.KeyVaultEkmProxyInfo
        :raises ~azure.core.exceptions.HttpResponseError: if the HSM cannot reach or trust the proxy.
        :raises ValueError: if the client's API version has no EKM connections.
        """
        return _common.proxy_info_from_wire(self._client.check_ekm_connection(self._vault_url, **kwargs))

    # ---- private endpoints -----------------------------------------------------------------------------------

    @distributed_trace
    def begin_create_ekm_private_endpoint(
        self, name: str, private_link_service_id: str, *, request_message: Optional[str] = None, **kwargs: Any
    ) -> LROPoller[KeyVaultEkmPrivateEndpointOperation]:
        """Start creating an EKM private endpoint to a Private Link Service.

        The Private Link Service's owner must approve the connection before an EKM connection can use it (see
        ``get_ekm_private_endpoint``).

        :param str name: The private endpoint's name (the service allows 1-24 letters, digits and hyphens).
        :param str private_link_service_id: The Private Link Service's resource id or alias.
        :keyword request_message: A message for the Private Link Service's owner.
        :paramtype request_message: str or None
        :keyword float polling_interval: Seconds between status checks when the service does not say
            (``Retry-After``). Defaults to the client's ``polling_interval`` (30).
        :keyword polling: ``False`` for no polling (the result is then the accepted operation), or a polling
            method of your own. Defaults to ``True``.
        :keyword str continuation_token: A token from a poller's ``continuation_token()``: resumes that operation
            (in this or another process) instead of starting a new one; the other arguments are then unused.

        :returns: A poller whose ``result()`` is the finished operation.
        :rtype: ~azure.core.polling.LROPoller[~azure.keyvault.administration.KeyVaultEkmPrivateEndpointOperation]
        :raises ~azure.core.exceptions.HttpResponseError: if the service refuses the request; ``result()`` raises
            it when the operation fails or is canceled.
        :raises ValueError: if the client's API version has no EKM private endpoints, or ``name`` is None.
        """
        parameters = _common.private_endpoint_parameters(private_link_service_id, request_message)
        poller = self._client.begin_create_ekm_private_endpoint(
            self._vault_url, name, parameters, cls=_common.operation_result, **kwargs
        )
        return cast(LROPoller[KeyVaultEkmPrivateEndpointOperation], poller)

    @distributed_trace
    def begin_delete_ekm_private_endpoint(
        self, name: str, **kwargs: Any
    ) -> LROPoller[KeyVaultEkmPrivateEndpointOperation]:
        """Start deleting an EKM private endpoint (delete the EKM connection that uses it first).

        :param str name: The private endpoint's name.
        :keyword float polling_interval: Seconds between status checks when the service does not say. Defaults
            to the client's ``polling_interval`` (30).
        :keyword polling: ``False`` for no polling, or a polling method of your own. Defaults to ``True``.
        :keyword str continuation_token: A token from a poller's ``continuation_token()``: resumes that operation.

        :returns: A poller whose ``result()`` is the finished operation.
        :rtype: ~azure.core.polling.LROPoller[~azure.keyvault.administration.KeyVaultEkmPrivateEndpointOperation]
        :raises ~azure.core.exceptions.HttpResponseError: if the service refuses the request; ``result()`` raises
            it when the operation fails or is canceled.
        :raises ValueError: if the client's API version has no EKM private endpoints, or ``name`` is None.
        """
        poller = self._client.begin_delete_ekm_private_endpoint(
            self._vault_url, name, cls=_common.operation_result, **kwargs
        )
        return cast(LROPoller[KeyVaultEkmPrivateEndpointOperation], poller)

    @distributed_trace
    def get_ekm_private_endpoint(self, name: str, **kwargs: Any) -> KeyVaultEkmPrivateEndpoint:
        """Get an EKM private endpoint.

        :param str name: The private endpoint's name.

        :returns: The private endpoint, with its provisioning and approval state.
        :rtype: ~azure.keyvault.administration.KeyVaultEkmPrivateEndpoint
        :raises ~azure.core.exceptions.ResourceNotFoundError: if there is no such private endpoint.
        :raises ValueError: if the client's API version has no EKM private endpoints, or ``name`` is None.
        """
        wire = self._client.get_ekm_private_endpoint(self._vault_url, name, **kwargs)
        return _common.private_endpoint_from_wire(wire)

    @distributed_trace
    def list_ekm_private_endpoints(self, **kwargs: Any) -> ItemPaged[KeyVaultEkmPrivateEndpoint]:
        """List the HSM's EKM private endpoints.

        Like every pager, nothing is sent until the result is iterated, and each iteration asks the service again.

        :returns: An iterable of private endpoints.
        :rtype: ~azure.core.paging.ItemPaged[~azure.keyvault.administration.KeyVaultEkmPrivateEndpoint]
        :raises ValueError: (when iterated) if the client's API version has no EKM private endpoints.
        """
        pager = self._client.list_ekm_private_endpoints(
            self._vault_url, cls=_common.private_endpoints_from_wire, _paged_type=ReiterableItemPaged, **kwargs
        )
        return cast(ItemPaged[KeyVaultEkmPrivateEndpoint], pager)

    @distributed_trace
    def get_ekm_private_endpoint_operation_status(
        self, job_id: str, **kwargs: Any
    ) -> KeyVaultEkmPrivateEndpointOperation:
        """Get the state of an EKM private-endpoint operation.

        :param str job_id: The operation's ``job_id``.

        :returns: The operation's state.
        :rtype: ~azure.keyvault.administration.KeyVaultEkmPrivateEndpointOperation
        :raises ~azure.core.exceptions.ResourceNotFoundError: if there is no such operation.
        :raises ValueError: if the client's API version has no EKM private endpoints, or ``job_id`` is None.
        """
        wire = self._client.get_ekm_private_endpoint_operation_status(self._vault_url, job_id, **kwargs)
        return _common.operation_from_wire(wire)
