"""Key material for the emulator's keys: generation with ``cryptography`` and JWK public parts.

Managed HSM keys are HSM-backed, so key types are reported with the ``-HSM`` suffix whatever the request said.
Private material is kept as PKCS#8 PEM (asymmetric) or raw bytes (symmetric); it is an emulator.

Generating a key is CPU work (an RSA-4096 key takes about a second): handlers call :func:`generate_in_thread`,
which runs :func:`generate` in a worker thread (``cryptography`` releases the GIL while it generates), so the
event loop keeps answering other clients meanwhile. Reading the public JWK of stored material skips
``cryptography``'s RSA key consistency check (about 0.3 s for a 4096-bit key): stored material was generated here
or checked by :func:`check_material` when a restore read it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
from dataclasses import dataclass
from typing import Any, Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .errors import bad_parameter

RSA_SIZES = (2048, 3072, 4096)
OCT_SIZES = (128, 192, 256)
CURVES: dict[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(),
    "P-384": ec.SECP384R1(),
    "P-521": ec.SECP521R1(),
    "P-256K": ec.SECP256K1(),
}
DEFAULT_OPS = {
    "RSA-HSM": ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"],
    "EC-HSM": ["sign", "verify"],
    "oct-HSM": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
}
_HSM_TYPES = {
    "RSA": "RSA-HSM",
    "RSA-HSM": "RSA-HSM",
    "EC": "EC-HSM",
    "EC-HSM": "EC-HSM",
    "oct-HSM": "oct-HSM",
    "oct": "oct-HSM",
}


def b64url(data: bytes) -> str:
    """Base64url without padding, the JWK encoding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(value: int, length: Optional[int] = None) -> bytes:
    return value.to_bytes(length or max(1, (value.bit_length() + 7) // 8), "big")


@dataclass(frozen=True)
class KeyMaterial:
    """One key version's material: the HSM key type, curve (EC) and the secret part."""

    kty: str
    secret: str
    """PKCS#8 PEM for RSA/EC, base64 of the bytes for oct."""
    crv: Optional[str] = None

    def public_jwk(self) -> dict[str, Any]:
        """The JWK members the service returns: ``n``/``e`` (RSA), ``crv``/``x``/``y`` (EC), none for oct."""
        if self.kty == "oct-HSM":
            return {}
        private = self.private_key(check=False)
        if isinstance(private, rsa.RSAPrivateKey):
            numbers = private.public_key().public_numbers()
            return {"n": b64url(_int_bytes(numbers.n)), "e": b64url(_int_bytes(numbers.e))}
        if isinstance(private, ec.EllipticCurvePrivateKey):
            point = private.public_key().public_numbers()
            size = (private.curve.key_size + 7) // 8
            return {"crv": self.crv, "x": b64url(_int_bytes(point.x, size)), "y": b64url(_int_bytes(point.y, size))}
        raise ValueError(f"unexpected key type {type(private).__name__}")

    def private_key(self, *, check: bool = True) -> Any:
        """The private key object of RSA/EC material.

        :param check: Run ``cryptography``'s RSA consistency check (slow for large keys; off for stored material).
        :raises ValueError: The secret is not a PEM private key.
        """
        return serialization.load_pem_private_key(
            self.secret.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=not check
        )


def hsm_key_type(kty: Any) -> str:
    """The HSM key type for a requested ``kty``.

    :raises ServiceError: 400 for unknown types.
    """
    if not isinstance(kty, str) or kty not in _HSM_TYPES:
        raise bad_parameter(f"The key type '{kty}' is not supported. Supported: RSA, RSA-HSM, EC, EC-HSM, oct-HSM.")
    return _HSM_TYPES[kty]


def generate(kty: str, *, key_size: Any = None, crv: Any = None, public_exponent: Any = None) -> KeyMaterial:
    """Generate new key material.

    :param kty: an HSM key type from :func:`hsm_key_type`.
    :raises ServiceError: 400 for unsupported sizes, curves or exponents.
    """
    if kty == "RSA-HSM":
        size = 2048 if key_size is None else key_size
        exponent = 65537 if public_exponent is None else public_exponent
        if size not in RSA_SIZES:
            raise bad_parameter(f"Invalid RSA key size {size}. Supported sizes: 2048, 3072, 4096.")
        if exponent not in (3, 65537):
            raise bad_parameter(f"Invalid RSA public exponent {exponent}.")
        private = rsa.generate_private_key(public_exponent=exponent, key_size=size)
        return KeyMaterial(kty, _pem(private))
    if kty == "EC-HSM":
        curve_name = "P-256" if crv is None else crv
        if curve_name not in CURVES:
            raise bad_parameter(f"Invalid curve name '{curve_name}'. Supported: {', '.join(CURVES)}.")
        return KeyMaterial(kty, _pem(ec.generate_private_key(CURVES[curve_name])), crv=curve_name)
    size = 256 if key_size is None else key_size
    if size not in OCT_SIZES:
        raise bad_parameter(f"Invalid AES key size {size}. Supported sizes: 128, 192, 256.")
    return KeyMaterial(kty, base64.b64encode(os.urandom(size // 8)).decode("ascii"))


async def generate_in_thread(
    kty: str, *, key_size: Any = None, crv: Any = None, public_exponent: Any = None
) -> KeyMaterial:
    """:func:`generate` in a worker thread, so the event loop is not blocked while a key is generated."""
    return await asyncio.to_thread(generate, kty, key_size=key_size, crv=crv, public_exponent=public_exponent)


def check_material(material: KeyMaterial) -> None:
    """Check that material read from outside (a backup blob) is a key of its type, so reading it never fails later.

    Parses the key without ``cryptography``'s slow RSA consistency check: a structurally valid key is enough for
    what the emulator does with it (its public JWK).

    :raises ValueError: Unknown key type, a secret that is not a key of that type, or a wrong curve or size.
    """
    if material.kty not in DEFAULT_OPS:
        raise ValueError(f"unknown key type {material.kty!r}")
    if material.kty == "oct-HSM":
        try:
            raw = base64.b64decode(material.secret, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("the secret of an oct-HSM key is not base64") from None
        if len(raw) * 8 not in OCT_SIZES:
            raise ValueError(f"an oct-HSM key of {len(raw) * 8} bits")
        return
    try:
        private = material.private_key(check=False)
    except (ValueError, TypeError, UnicodeError):
        raise ValueError(f"the secret of an {material.kty} key is not a PEM private key") from None
    if material.kty == "RSA-HSM" and not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("the secret of an RSA-HSM key is not an RSA key")
    if material.kty == "EC-HSM":
        curve = CURVES.get(material.crv) if isinstance(material.crv, str) else None
        if not isinstance(private, ec.EllipticCurvePrivateKey) or curve is None or private.curve.name != curve.name:
            raise ValueError(f"the secret of an EC-HSM key is not a key on the curve {material.crv!r}")


def _pem(private: Any) -> str:
    data: bytes = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return data.decode("ascii")
