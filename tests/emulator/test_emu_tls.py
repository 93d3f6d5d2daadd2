"""TLS material: a CA and a server certificate (SAN localhost and 127.0.0.1) kept in the data folder."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator.certs import CA_FILE, SERVER_CERT_FILE, ensure_tls_files


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_ca_and_server_certificate(tmp_path: Path) -> None:
    files = ensure_tls_files(tmp_path)
    ca, server = _load(tmp_path / CA_FILE), _load(tmp_path / SERVER_CERT_FILE)
    assert Path(files.ca_file) == tmp_path / CA_FILE
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert server.issuer == ca.subject
    public_key = ca.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    server.verify_directly_issued_by(ca)  # raises if the CA did not sign it
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]


def test_certificates_are_kept_across_starts(tmp_path: Path) -> None:
    ensure_tls_files(tmp_path)
    before = [(tmp_path / name).read_bytes() for name in (CA_FILE, SERVER_CERT_FILE)]
    ensure_tls_files(tmp_path)
    assert [(tmp_path / name).read_bytes() for name in (CA_FILE, SERVER_CERT_FILE)] == before


def _handshake(emu: RunningEmulator, server_hostname: str) -> dict[str, object]:
    context = ssl.create_default_context(cafile=emu.ca_file)  # hostname checking on
    port = int(emu.vault_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
            peer = tls.getpeercert()
    assert peer is not None
    return dict(peer)


def test_https_verifies_for_both_names(tmp_path: Path) -> None:
    with run_emulator(tmp_path, database=":memory:") as emu:
        assert Path(emu.ca_file).parent == tmp_path
        for name in ("127.0.0.1", "localhost"):
            peer = _handshake(emu, name)
            assert ("DNS", "localhost") in peer["subjectAltName"]  # type: ignore[operator]
