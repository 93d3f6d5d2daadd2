"""A private CA and a server certificate (SAN ``localhost``, ``127.0.0.1``), made once and kept on disk."""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server-key.pem"

_CA_DAYS = 3650
_SERVER_DAYS = 825
_RENEW_BEFORE = datetime.timedelta(days=2)


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the PEM files: ``ca_file`` is what clients trust; the others configure the server."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def ensure_tls_files(data_dir: Path) -> TlsFiles:
    """Create the CA and server certificate on first use (or when the server certificate nears expiry)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    ca_path, ca_key_path = data_dir / CA_FILE, data_dir / CA_KEY_FILE
    cert_path, key_path = data_dir / SERVER_CERT_FILE, data_dir / SERVER_KEY_FILE
    if not (ca_path.exists() and ca_key_path.exists()):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _make_ca(ca_key)
        _write_key(ca_key_path, ca_key)
        _write_atomic(ca_path, ca_cert.public_bytes(serialization.Encoding.PEM))
        cert_path.unlink(missing_ok=True)
    ca_key_loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    if not isinstance(ca_key_loaded, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{ca_key_path} does not hold an EC private key")
    ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
    if not _server_cert_usable(cert_path, key_path, ca_cert):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _make_server_cert(key, ca_key_loaded, ca_cert)
        _write_key(key_path, key)
        _write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return TlsFiles(ca_file=ca_path, cert_file=cert_path, key_file=key_path)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _make_ca(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mhsm-emulator local CA")])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
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
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )


def _make_server_cert(
    key: ec.EllipticCurvePrivateKey, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> x509.Certificate:
    # Python 3.13 verifies with VERIFY_X509_STRICT: keep the extensions a strict verifier expects.
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=_SERVER_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def _server_cert_usable(cert_path: Path, key_path: Path, ca_cert: x509.Certificate) -> bool:
    if not (cert_path.exists() and key_path.exists()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except ValueError:
        return False
    return cert.issuer == ca_cert.subject and cert.not_valid_after_utc - _RENEW_BEFORE > _now()


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_atomic(path, pem, mode=0o600)


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def write_private_key(path: Path, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> None:
    """Write a private key as unencrypted PKCS#8 PEM, readable by the owner only (0600), atomically."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_atomic(path, pem, mode=0o600)


def write_file_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so readers never see half a file."""
    _write_atomic(path, data, mode=mode)
