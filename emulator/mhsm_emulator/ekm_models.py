"""EKM request bodies (validation) and response bodies (wire shapes).

Connection models use snake_case JSON names, private-endpoint models camelCase (EKM.md section 6). Unknown keys
are ignored. Every refusal is ``400 BadParameter`` with a message naming the member and the rule it breaks.
Certificates are accepted as base64 or base64url, padded or not, must decode to DER X.509 certificates, and are
echoed as standard padded base64 of the DER.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, replace
from typing import Any

from cryptography import x509

from .errors import bad_parameter
from .versions import EKM_PRIVATE_ENDPOINT_MIN_VERSION, at_least

PUBLIC = "Public"
PRIVATE_ENDPOINT = "PrivateEndpoint"
CONNECTIVITY_MODES = (PUBLIC, PRIVATE_ENDPOINT)

MAX_HOST_LENGTH = 261  # a 253-character DNS name plus ":65535"
MAX_CERTIFICATES = 10
MAX_CERTIFICATE_CHARS = 64 * 1024
MAX_PATH_PREFIX = 64
MAX_SUBJECT_NAME = 256
MAX_PRIVATE_LINK_SERVICE_ID = 1024
MAX_REQUEST_MESSAGE = 140  # Azure's limit on a private endpoint connection's request message

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"(?P<name>{_LABEL}(?:\.{_LABEL})*)(?::(?P<port>[0-9]{{1,5}}))?")
PATH_PREFIX = re.compile(r"(?:/[A-Za-z0-9-]+)+")
"""A non-empty path prefix: segments of letters, digits and '-', each after a '/' (at most 64 characters)."""
_PE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?")
_BASE64 = re.compile(r"[A-Za-z0-9+/\-_]+={0,2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PLS_RESOURCE_ID = re.compile(
    r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/privateLinkServices/[^/]+",
    re.IGNORECASE,
)
_PLS_ALIAS = re.compile(r"[A-Za-z0-9-]+\.[0-9a-fA-F-]{36}\.[A-Za-z0-9-]+\.azure\.privatelinkservice", re.IGNORECASE)


@dataclass(frozen=True)
class EkmConnection:
    """A stored EKM connection; ``server_ca_certificates`` holds DER bytes."""

    host: str
    server_ca_certificates: tuple[bytes, ...]
    path_prefix: str | None = None
    server_subject_common_name: str | None = None
    connectivity_mode: str = PUBLIC

    @property
    def hostname(self) -> str:
        """``host`` without its port."""
        return self.host.rsplit(":", 1)[0] if ":" in self.host else self.host

    @property
    def port(self) -> int:
        """The port of ``host`` (443 when it names none)."""
        return int(self.host.rsplit(":", 1)[1]) if ":" in self.host else 443

    def body(self, version: str | None) -> dict[str, Any]:
        """The ``EkmConnection`` JSON for a response to ``version`` (``connectivity_mode`` from 2026-07-01-preview)."""
        body: dict[str, Any] = {"host": self.host}
        if self.path_prefix is not None:
            body["path_prefix"] = self.path_prefix
        body["server_ca_certificates"] = [base64.b64encode(der).decode("ascii") for der in self.server_ca_certificates]
        if self.server_subject_common_name is not None:
            body["server_subject_common_name"] = self.server_subject_common_name
        if at_least(version, EKM_PRIVATE_ENDPOINT_MIN_VERSION):
            body["connectivity_mode"] = self.connectivity_mode
        return body


# ---- members ----


def _host(value: Any) -> str:
    if not isinstance(value, str):
        raise bad_parameter("'host' is required and must be a string.")
    match = _HOST.fullmatch(value)
    if len(value) > MAX_HOST_LENGTH or match is None or len(match["name"]) > 253:
        raise bad_parameter(
            "'host' must be a DNS name or IPv4 address, optionally followed by ':<port>' (allowed characters "
            "a-z, A-Z, 0-9, '-', '.', ':')."
        )
    if match["port"] is not None and not 1 <= int(match["port"]) <= 65535:
        raise bad_parameter("The port in 'host' must be between 1 and 65535.")
    return value


def decode_certificate(value: Any, index: int) -> bytes:
    """One ``server_ca_certificates`` item: base64 or base64url (padding optional) of a DER X.509 certificate."""
    where = f"'server_ca_certificates[{index}]'"
    if not isinstance(value, str):
        raise bad_parameter(f"{where} must be a string (base64 of a DER certificate).")
    if not value or len(value) > MAX_CERTIFICATE_CHARS or _BASE64.fullmatch(value) is None:
        raise bad_parameter(f"{where} is not base64 or base64url text.")
    text = value.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        der = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise bad_parameter(f"{where} is not base64 or base64url text.") from None
    try:
        x509.load_der_x509_certificate(der)
    except ValueError:
        raise bad_parameter(f"{where} does not decode to a DER-encoded X.509 certificate.") from None
    return der


def _certificates(value: Any) -> tuple[bytes, ...]:
    if not isinstance(value, list) or not value:
        raise bad_parameter(
            "'server_ca_certificates' is required: a non-empty list of the CA certificates (base64 DER) that issued "
            "the proxy's server certificate."
        )
    if len(value) > MAX_CERTIFICATES:
        raise bad_parameter(f"'server_ca_certificates' holds at most {MAX_CERTIFICATES} certificates.")
    return tuple(decode_certificate(item, index) for index, item in enumerate(value))


def _path_prefix(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_parameter("'path_prefix' must be a string.")
    if value and (len(value) > MAX_PATH_PREFIX or PATH_PREFIX.fullmatch(value) is None):
        raise bad_parameter(
            f"'path_prefix' must be empty or at most {MAX_PATH_PREFIX} characters of path segments, each '/' followed "
            "by letters, digits or '-' (e.g. '/api/v1'; no trailing '/')."
        )
    return value


def _subject_name(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_parameter("'server_subject_common_name' must be a string.")
    if len(value) > MAX_SUBJECT_NAME or _CONTROL.search(value) or not value.isprintable():
        raise bad_parameter(
            f"'server_subject_common_name' must be at most {MAX_SUBJECT_NAME} printable characters."
        )
    return value


def _mode(value: Any) -> str:
    if value is None:
        return PUBLIC
    if value not in CONNECTIVITY_MODES:
        raise bad_parameter("'connectivity_mode' must be 'Public' or 'PrivateEndpoint'.")
    return str(value)


# ---- bodies ----


def parse_connection(body: dict[str, Any], version: str | None) -> EkmConnection:
    """The ``EkmConnection`` of a create request (``host`` and ``server_ca_certificates`` required).

    ``connectivity_mode`` is a member from 2026-07-01-preview on; older versions ignore it like any unknown key.
    """
    mode = _mode(body.get("connectivity_mode")) if at_least(version, EKM_PRIVATE_ENDPOINT_MIN_VERSION) else PUBLIC
    return EkmConnection(
        host=_host(body.get("host")),
        server_ca_certificates=_certificates(body.get("server_ca_certificates")),
        path_prefix=_path_prefix(body.get("path_prefix")),
        server_subject_common_name=_subject_name(body.get("server_subject_common_name")),
        connectivity_mode=mode,
    )


def parse_connection_update(body: dict[str, Any], version: str | None) -> dict[str, Any]:
    """The members an update (``PATCH /ekm``) sets, validated; a JSON ``null`` clears an optional member.

    :returns: attribute name -> new value, for :func:`apply_update`.
    """
    changes: dict[str, Any] = {}
    if "host" in body:
        changes["host"] = _host(body["host"])
    if "server_ca_certificates" in body:
        changes["server_ca_certificates"] = _certificates(body["server_ca_certificates"])
    if "path_prefix" in body:
        changes["path_prefix"] = _path_prefix(body["path_prefix"])
    if "server_subject_common_name" in body:
        changes["server_subject_common_name"] = _subject_name(body["server_subject_common_name"])
    if "connectivity_mode" in body and at_least(version, EKM_PRIVATE_ENDPOINT_MIN_VERSION):
        changes["connectivity_mode"] = _mode(body["connectivity_mode"])
    return changes


def apply_update(connection: EkmConnection, changes: dict[str, Any]) -> EkmConnection:
    """The connection with an update's members applied."""
    return replace(connection, **changes)


def private_endpoint_name(name: str) -> str:
    """Validate a private endpoint name from the URL: 1-24 letters, digits and '-', starting and ending alphanumeric."""
    if _PE_NAME.fullmatch(name) is None:
        raise bad_parameter(
            "The private endpoint name must be 1-24 characters of letters, digits and '-', starting and ending with "
            "a letter or digit."
        )
    return name


def parse_private_endpoint_request(body: dict[str, Any]) -> tuple[str, str | None]:
    """``{"privateLinkServiceId": str, "requestMessage"?: str}`` -> (service id, request message)."""
    service_id = body.get("privateLinkServiceId")
    if not isinstance(service_id, str) or not service_id.strip():
        raise bad_parameter(
            "'privateLinkServiceId' is required: the resource id or alias of the private link service in front of "
            "the EKM proxy."
        )
    too_long = len(service_id) > MAX_PRIVATE_LINK_SERVICE_ID
    if too_long or not service_id.isprintable() or service_id != service_id.strip():
        raise bad_parameter(
            f"'privateLinkServiceId' must be at most {MAX_PRIVATE_LINK_SERVICE_ID} printable characters without "
            "leading or trailing spaces."
        )
    message = body.get("requestMessage")
    if message is not None:
        if not isinstance(message, str):
            raise bad_parameter("'requestMessage' must be a string.")
        if len(message) > MAX_REQUEST_MESSAGE or _CONTROL.search(message) or not message.isprintable():
            raise bad_parameter(f"'requestMessage' must be at most {MAX_REQUEST_MESSAGE} printable characters.")
    return service_id, message


def is_private_link_service_id(value: str) -> bool:
    """True for a private link service resource id or alias (anything else cannot be provisioned)."""
    return _PLS_RESOURCE_ID.fullmatch(value) is not None or _PLS_ALIAS.fullmatch(value) is not None
