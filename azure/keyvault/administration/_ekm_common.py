"""Everything ``KeyVaultEkmClient`` and its async twin share that is not I/O.

Argument checks, request bodies and the conversion of the generated (wire) models into the public ones live here;
the twins only call the generated operations. The polling of private-endpoint operations is the generated layer's
(azure-core's ``LROBasePolling`` on the ``Azure-AsyncOperation`` header); this module supplies the result builder.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional

from ._internal.ekm_values import certificates_to_wire
from ._models import (
    KeyVaultEkmConnection,
    KeyVaultEkmPrivateEndpoint,
    KeyVaultEkmPrivateEndpointOperation,
    KeyVaultEkmProxyClientCertificateInfo,
    KeyVaultEkmProxyInfo,
)

if TYPE_CHECKING:
    from ._generated import models as _wire


class EkmConnectionTypeError(TypeError, AttributeError):
    """The ``connection`` argument is not a :class:`~azure.keyvault.administration.KeyVaultEkmConnection`.

    Both a ``TypeError`` (what it is) and an ``AttributeError`` (what the official package raises for it, from a
    missing ``_to_generated``), so code written for either keeps working.
    """


def connection_body(connection: Any) -> _wire.EkmConnection:
    """The body of a connection create or update: every member of ``connection``, ``None`` ones left out.

    Certificates given as ``bytes``/``bytearray`` are sent as padded standard base64; other items as they are.
    Nothing else is validated: the service decides.

    :param connection: The caller's connection.
    :rtype: ~azure.keyvault.administration._generated.models.EkmConnection
    :raises EkmConnectionTypeError: ``connection`` is not a ``KeyVaultEkmConnection`` (before any request).
    """
    if not isinstance(connection, KeyVaultEkmConnection):
        raise EkmConnectionTypeError(
            f"connection must be a KeyVaultEkmConnection, not {type(connection).__name__}: "
            "build one with KeyVaultEkmConnection(host, server_ca_certificates, ...)"
        )
    from ._generated import models as _wire  # msrest is imported with the first model built

    return _wire.EkmConnection(
        host=connection.host,
        server_ca_certificates=certificates_to_wire(connection.server_ca_certificates),
        path_prefix=connection.path_prefix,
        server_subject_common_name=connection.server_subject_common_name,
        connectivity_mode=connection.connectivity_mode,
    )


def private_endpoint_parameters(
    private_link_service_id: Optional[str], request_message: Optional[str]
) -> _wire.EkmPrivateEndpointCreateParameters:
    """The body of a private endpoint create: ``{"privateLinkServiceId", "requestMessage"}``, ``None`` left out.

    :param private_link_service_id: The Private Link Service's resource id or alias (not validated here).
    :param request_message: A message for the Private Link Service owner.
    :rtype: ~azure.keyvault.administration._generated.models.EkmPrivateEndpointCreateParameters
    """
    from ._generated import models as _wire

    return _wire.EkmPrivateEndpointCreateParameters(
        private_link_service_id=private_link_service_id, request_message=request_message
    )


def _require_body(wire: Any) -> Any:
    # A 200 without a body is a broken answer; fail like the official package (json's "Expecting value").
    if wire is None:
        raise json.JSONDecodeError("Expecting value", "", 0)
    return wire


def connection_from_wire(wire: Optional[_wire.EkmConnection]) -> KeyVaultEkmConnection:
    """The public connection from a response body.

    :raises json.JSONDecodeError: The response had no body.
    """
    return KeyVaultEkmConnection._from_generated(_require_body(wire))


def certificate_info_from_wire(
    wire: Optional[_wire.EkmProxyClientCertificateInfo],
) -> KeyVaultEkmProxyClientCertificateInfo:
    """The public client-certificate info from the body of ``GET /ekm/certificate``."""
    return KeyVaultEkmProxyClientCertificateInfo._from_generated(_require_body(wire))


def proxy_info_from_wire(wire: Optional[_wire.EkmProxyInfo]) -> KeyVaultEkmProxyInfo:
    """The public proxy info from the body of ``POST /ekm/check``."""
    return KeyVaultEkmProxyInfo._from_generated(_require_body(wire))


def private_endpoint_from_wire(wire: Optional[_wire.EkmPrivateEndpoint]) -> KeyVaultEkmPrivateEndpoint:
    """The public private endpoint from a response body."""
    return KeyVaultEkmPrivateEndpoint._from_generated(_require_body(wire))


def private_endpoints_from_wire(endpoints: list[_wire.EkmPrivateEndpoint]) -> list[KeyVaultEkmPrivateEndpoint]:
    """Map the list page of ``GET /ekm/privateendpoint`` (the generated pager's ``cls`` hook)."""
    return [KeyVaultEkmPrivateEndpoint._from_generated(endpoint) for endpoint in endpoints]


def operation_from_wire(wire: Optional[_wire.EkmPrivateEndpointOperation]) -> KeyVaultEkmPrivateEndpointOperation:
    """The public operation state from the body of ``GET /ekm/privateendpoint/operations/{id}``."""
    return KeyVaultEkmPrivateEndpointOperation._from_generated(_require_body(wire))


def operation_result(
    pipeline_response: Any, wire: Optional[_wire.EkmPrivateEndpointOperation], headers: Any
) -> Optional[KeyVaultEkmPrivateEndpointOperation]:
    """A private-endpoint poller's result (the generated ``begin_*``'s ``cls`` hook).

    Built from the last status body, or from the body of the final ``Location`` GET of a create; ``None`` when
    that body is empty (azure-core's rule for final responses).
    """
    return None if wire is None else KeyVaultEkmPrivateEndpointOperation._from_generated(wire)
