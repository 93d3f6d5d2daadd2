"""The reference proxy's keys: an AES-256 key and an RSA-2048 key, made in the data folder on first start.

They stand in for the external HSM's key-encryption keys. Algorithms (EKM Proxy API): ``A256KW`` (RFC 3394) and
``A256KWP`` (RFC 5649) with the AES key, ``RSA-OAEP-256`` (SHA-256) and ``RSA-OAEP`` (SHA-1) with the RSA key.
Values travel as base64url (padding optional on input, none on output).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap,
    aes_key_unwrap_with_padding,
    aes_key_wrap,
    aes_key_wrap_with_padding,
)

from ..certs import write_file_atomic, write_private_key

AES_KEY_NAME = "aes256-key"
RSA_KEY_NAME = "rsa2048-key"
AES_KEY_FILE = "key-aes256.bin"
RSA_KEY_FILE = "key-rsa2048.pem"
AES_ALGORITHMS = ("A256KW", "A256KWP")
RSA_ALGORITHMS = ("RSA-OAEP-256", "RSA-OAEP")
KEY_OPS = ["wrapKey", "unwrapKey"]
KEY_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class ProxyError(Exception):
    """An EKM Proxy API error reply: ``status`` with ``{"code", "message"}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def invalid_request(message: str) -> ProxyError:
    """400 ``InvalidRequest``."""
    return ProxyError(400, "InvalidRequest", message)


def b64url(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(value: Any, name: str) -> bytes:
    """Decode a base64url member (padding optional); 400 ``InvalidRequest`` otherwise."""
    if not isinstance(value, str) or not value or _BASE64URL.fullmatch(value) is None:
        raise invalid_request(f"'{name}' must be a non-empty base64url string.")
    text = value.rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise invalid_request(f"'{name}' must be a non-empty base64url string.") from None


@dataclass
class ProxyKeys:
    """The keys the proxy holds, by name."""

    aes: bytes
    rsa_key: rsa.RSAPrivateKey

    @classmethod
    def load_or_create(cls, data_dir: Path) -> ProxyKeys:
        """Read the keys from ``data_dir``, creating the missing ones (files 0600)."""
        aes_path, rsa_path = data_dir / AES_KEY_FILE, data_dir / RSA_KEY_FILE
        if aes_path.exists():
            aes = aes_path.read_bytes()
            if len(aes) != 32:
                raise ValueError(f"{aes_path} does not hold a 256-bit AES key")
        else:
            aes = os.urandom(32)
            write_file_atomic(aes_path, aes, mode=0o600)
        if rsa_path.exists():
            loaded = serialization.load_pem_private_key(rsa_path.read_bytes(), password=None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise ValueError(f"{rsa_path} does not hold an RSA private key")
            rsa_key = loaded
        else:
            rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            write_private_key(rsa_path, rsa_key)
        return cls(aes=aes, rsa_key=rsa_key)

    @property
    def names(self) -> list[str]:
        """The key names."""
        return [AES_KEY_NAME, RSA_KEY_NAME]

    def _known(self, name: str) -> str:
        if KEY_NAME.fullmatch(name) is None:
            raise invalid_request("A key name is 1-64 letters, digits and '-'.")
        for known in self.names:
            if known.lower() == name.lower():
                return known
        raise ProxyError(404, "KeyNotFound", f"The proxy holds no key named '{name}'.")

    def metadata(self, name: str) -> dict[str, Any]:
        """``{"key_type", "key_size", "key_ops"}`` (+ ``n``, ``e`` for RSA)."""
        if self._known(name) == AES_KEY_NAME:
            return {"key_type": "oct", "key_size": 256, "key_ops": list(KEY_OPS)}
        numbers = self.rsa_key.public_key().public_numbers()
        return {
            "key_type": "RSA",
            "key_size": self.rsa_key.key_size,
            "key_ops": list(KEY_OPS),
            "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
        }

    def _algorithm(self, key: str, alg: Any) -> str:
        allowed = AES_ALGORITHMS if key == AES_KEY_NAME else RSA_ALGORITHMS
        if not isinstance(alg, str) or alg not in allowed:
            raise ProxyError(
                400,
                "UnsupportedAlgorithm",
                f"The key '{key}' supports the algorithms {', '.join(allowed)}; got {alg!r}."[:300],
            )
        return alg

    @staticmethod
    def _oaep(alg: str) -> padding.OAEP:
        digest: hashes.HashAlgorithm = hashes.SHA256() if alg == "RSA-OAEP-256" else hashes.SHA1()
        return padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)

    def wrap(self, name: str, alg: Any, value: bytes) -> bytes:
        """Wrap ``value`` (a data-encryption key) with the named key."""
        key = self._known(name)
        algorithm = self._algorithm(key, alg)
        try:
            if algorithm == "A256KW":
                return aes_key_wrap(self.aes, value)
            if algorithm == "A256KWP":
                return aes_key_wrap_with_padding(self.aes, value)
            return self.rsa_key.public_key().encrypt(value, self._oaep(algorithm))
        except ValueError as exc:
            raise invalid_request(f"The value cannot be wrapped with {algorithm}: {exc}") from None

    def unwrap(self, name: str, alg: Any, value: bytes) -> bytes:
        """Unwrap ``value`` with the named key."""
        key = self._known(name)
        algorithm = self._algorithm(key, alg)
        try:
            if algorithm == "A256KW":
                return aes_key_unwrap(self.aes, value)
            if algorithm == "A256KWP":
                return aes_key_unwrap_with_padding(self.aes, value)
            return self.rsa_key.decrypt(value, self._oaep(algorithm))
        except (InvalidUnwrap, ValueError):
            raise invalid_request(
                f"The value cannot be unwrapped with {algorithm} and the key '{key}' (wrong key, algorithm or value)."
            ) from None
