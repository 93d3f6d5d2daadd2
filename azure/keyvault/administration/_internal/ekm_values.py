"""How EKM values cross the wire (sans-I/O): certificates as base64 text, enum values as public members.

Certificates go out as standard base64 with padding (what the official 4.8.0b3 sends). Coming back, the
service's strings are decoded whether they use the standard or the URL-safe alphabet (the REST specs call
them base64url) and whether or not they are padded. A string that is neither (characters outside both
alphabets, a mix of the two, an impossible length or wrong padding) is kept as the ``str`` it was: a
response is never refused because of one odd certificate, and nothing is silently dropped (the official
package strips unknown characters and can return ``b""`` for garbage).
"""

from __future__ import annotations

import base64
import binascii
import re
from enum import Enum
from typing import Any, Optional, TypeVar

_STANDARD = re.compile(r"[A-Za-z0-9+/]*")
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]*")

EnumT = TypeVar("EnumT", bound=Enum)


def certificate_to_wire(certificate: Any) -> Any:
    """One certificate as the request body carries it: ``bytes``/``bytearray`` as padded standard base64.

    Anything else (text already encoded, or a value the service should judge) is sent as it is.

    :param certificate: A DER certificate, or what the caller gave instead.
    :returns: The JSON value to send.
    """
    if isinstance(certificate, (bytes, bytearray)):
        return base64.b64encode(bytes(certificate)).decode("ascii")
    return certificate


def certificates_to_wire(certificates: Any) -> Optional[list[Any]]:
    """A certificate list (or tuple) for a request body; ``None`` stays ``None`` (the member is omitted).

    :param certificates: The caller's certificates.
    :rtype: list or None
    """
    if certificates is None:
        return None
    return [certificate_to_wire(certificate) for certificate in certificates]


def certificate_from_wire(value: Any) -> Any:
    """One certificate from a response: base64 or base64url text, padded or not, as ``bytes``.

    :param value: The JSON value the service sent.
    :returns: The decoded DER bytes; the value as it was when it is not a string or not valid base64.
    """
    if not isinstance(value, str):
        return value
    body = value.rstrip("=")
    padding = len(value) - len(body)
    if padding > 2 or len(body) % 4 == 1 or (padding and len(value) % 4):
        return value
    if _STANDARD.fullmatch(body):
        altchars: Optional[bytes] = None
    elif _URL_SAFE.fullmatch(body):
        altchars = b"-_"
    else:
        return value
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), altchars=altchars, validate=True)
    except binascii.Error:  # pragma: no cover - the checks above leave nothing for the decoder to refuse
        return value


def certificates_from_wire(values: Optional[list[Any]]) -> Optional[list[Any]]:
    """A certificate list from a response (see :func:`certificate_from_wire`); ``None`` stays ``None``.

    :param values: The JSON list the service sent.
    :rtype: list or None
    """
    if values is None:
        return None
    return [certificate_from_wire(value) for value in values]


def public_enum(value: Any, enum_type: type[EnumT]) -> Any:
    """A value read from the service as a member of the public enum ``enum_type``.

    The generated layer returns its own enum members for the values it knows (exact spelling) and plain
    strings otherwise; users compare against the public ``KeyVaultEkm*`` enums, so members are translated and
    strings are left alone.

    :param value: The deserialized value.
    :param enum_type: The public enum.
    :returns: A member of ``enum_type``, or ``value`` unchanged.
    """
    if isinstance(value, Enum) and not isinstance(value, enum_type):
        try:
            return enum_type(value.value)
        except ValueError:
            return value.value
    return value
