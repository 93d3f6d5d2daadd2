"""Certificates for EKM's mutual TLS: a small CA that issues one client or server certificate, kept on disk.

The emulator uses it for the HSM's EKM client certificate (what ``GET /ekm/certificate`` describes and what
``POST /ekm/check`` presents to the proxy); the reference proxy (:mod:`mhsm_emulator.ekm_proxy`) for its own CA
and server certificate. Everything is made once in the data folder and reused across restarts (private keys
0600); a leaf certificate is issued again when it nears expiry, no longer matches its CA, or names other hosts.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .certs import write_file_atomic, write_private_key

CLIENT_CA_FILE = "ekm-client-ca.pem"
CLIENT_CA_KEY_FILE = "ekm-client-ca-key.pem"
CLIENT_CERT_FILE = "ekm-client.pem"
CLIENT_KEY_FILE = "ekm-client-key.pem"
CLIENT_CA_COMMON_NAME = "mhsm-emulator EKM client CA"
CLIENT_COMMON_NAME = "mhsm-emulator.managedhsmclient.azure.net"
"""CN of the HSM's EKM client certificate, in the ``<hsm-name>.managedhsmclient.azure.net`` form proxies expect."""

_CA_DAYS = 3650
_LEAF_DAYS = 825
_RENEW_BEFORE = datetime.timedelta(days=2)


@dataclass(frozen=True)
class CertificateFiles:
    """PEM files of one issued certificate: ``ca_file`` is the issuing CA, the others the certificate and its key."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    common_name: str

    def ca_der(self) -> bytes:
        """The CA certificate, DER."""
        return x509.load_pem_x509_certificate(self.ca_file.read_bytes()).public_bytes(serialization.Encoding.DER)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _load_ca(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        return None
    if cert.not_valid_after_utc - _RENEW_BEFORE <= _now():
        return None
    return cert, key


def ensure_ca(cert_path: Path, key_path: Path, common_name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """Load the CA at ``cert_path``/``key_path``, or create it (P-256, ten years) when absent or unusable."""
    loaded = _load_ca(cert_path, key_path)
    if loaded is not None:
        return loaded
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private_key(key_path, key)
    write_file_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _san_entries(dns_names: Sequence[str], ip_addresses: Sequence[str]) -> list[x509.GeneralName]:
    entries: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    entries.extend(x509.IPAddress(ipaddress.ip_address(address)) for address in ip_addresses)
    return entries


def _leaf_usable(
    cert_path: Path, key_path: Path, ca_cert: x509.Certificate, common_name: str, sans: list[x509.GeneralName]
) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca_cert)
    except (OSError, ValueError, TypeError, InvalidSignature):
        return False
    if key.public_key() != cert.public_key() or certificate_common_name(cert) != common_name:
        return False
    try:
        current = list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        current = []
    return current == sans and cert.not_valid_after_utc - _RENEW_BEFORE > _now()


def ensure_leaf(
    cert_path: Path,
    key_path: Path,
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
    common_name: str,
    *,
    server: bool,
    dns_names: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
) -> None:
    """Issue (or keep) a client (``server=False``) or server certificate signed by ``ca``.

    The extensions are those a strict verifier (Python 3.13's ``VERIFY_X509_STRICT``) expects.
    """
    ca_cert, ca_key = ca
    sans = _san_entries(dns_names, ip_addresses)
    if _leaf_usable(cert_path, key_path, ca_cert, common_name, sans):
        return
    key = ec.generate_private_key(ec.SECP256R1())
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=_LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    write_private_key(key_path, key)
    write_file_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def ensure_ekm_client_files(data_dir: Path) -> CertificateFiles:
    """The HSM's EKM client CA and client certificate (CN :data:`CLIENT_COMMON_NAME`) in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file, key_file = data_dir / CLIENT_CA_FILE, data_dir / CLIENT_CERT_FILE, data_dir / CLIENT_KEY_FILE
    ca = ensure_ca(ca_file, data_dir / CLIENT_CA_KEY_FILE, CLIENT_CA_COMMON_NAME)
    ensure_leaf(cert_file, key_file, ca, CLIENT_COMMON_NAME, server=False)
    return CertificateFiles(ca_file=ca_file, cert_file=cert_file, key_file=key_file, common_name=CLIENT_COMMON_NAME)


# ---- reading certificates given by users ----


def certificate_common_name(cert: x509.Certificate) -> str | None:
    """The subject's (first) common name, or ``None``."""
    attributes = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not attributes:
        return None
    value = attributes[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def certificate_names(cert: x509.Certificate) -> list[str]:
    """The names a certificate is issued to: its CN, then its DNS and IP subject alternative names."""
    names: list[str] = []
    common_name = certificate_common_name(cert)
    if common_name is not None:
        names.append(common_name)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return names
    names.extend(san.get_values_for_type(x509.DNSName))
    names.extend(str(address) for address in san.get_values_for_type(x509.IPAddress))
    return names


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or several blocks) or DER (one certificate, or several concatenated).

    :raises ValueError: nothing in ``data`` parses as a certificate.
    """
    if b"-----BEGIN" in data:
        certificates = x509.load_pem_x509_certificates(data)
    else:
        certificates = []
        rest = data
        while rest:
            length = _der_length(rest)
            certificates.append(x509.load_der_x509_certificate(rest[:length]))
            rest = rest[length:]
    if not certificates:
        raise ValueError("no certificate found")
    return certificates


def _der_length(data: bytes) -> int:
    """Length of the first DER element (a SEQUENCE) in ``data``, header included."""
    if len(data) < 2 or data[0] != 0x30:
        raise ValueError("not a DER certificate")
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < 2 + count:
        raise ValueError("not a DER certificate")
    length = int.from_bytes(data[2 : 2 + count], "big")
    if 2 + count + length > len(data):
        raise ValueError("truncated DER certificate")
    return 2 + count + length


def der_base64(cert: x509.Certificate) -> str:
    """A certificate as standard padded base64 of its DER (how the EKM JSON carries certificates)."""
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
