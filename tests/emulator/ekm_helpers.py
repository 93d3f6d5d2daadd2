"""Helpers for the EKM emulator tests: api-versions, principals with EKM roles, test certificates, and TLS servers
that misbehave in chosen ways (for ``POST /ekm/check``)."""

from __future__ import annotations

import base64
import datetime
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from emu_helpers import Api
from mhsm_emulator import RunningEmulator
from mhsm_emulator.ekm_proxy import RunningEkmProxy

V1 = "2026-01-01-preview"
V2 = "2026-07-01-preview"
EKM_ADMIN = "Managed HSM EKM Administrator"
PLS_ALIAS = "ekmproxy.8f4e7a52-1b47-4c59-9b1e-3f2f1c0a9d11.eastus.azure.privatelinkservice"
PLS_ID = (
    "/subscriptions/2a1f9b4c-8d3e-4f6a-9b7c-1d2e3f4a5b6c/resourceGroups/rg/providers/Microsoft.Network/"
    "privateLinkServices/ekm-pls"
)


def ekm_api(emu: RunningEmulator, role: str | None = EKM_ADMIN, name: str | None = None) -> Api:
    """An :class:`Api` for a new principal holding ``role`` at ``/`` (none for ``role=None``)."""
    principal = emu.create_principal(name)
    if role is not None:
        emu.assign_role(principal.object_id, role)
    return Api(emu, emu.mint_token(principal.object_id))


def self_signed(common_name: str = "test CA") -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A throwaway self-signed certificate and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def connection_body(host: str = "ekm-proxy.contoso.com", **extra: Any) -> dict[str, Any]:
    """A valid create body with a fresh self-signed CA."""
    body: dict[str, Any] = {"host": host, "server_ca_certificates": [b64(der(self_signed()[0]))]}
    body.update(extra)
    return body


def point_at(api: Api, proxy: RunningEkmProxy, *, version: str = V2, **changes: Any) -> requests.Response:
    """Create (or replace) the HSM's connection so that it points at ``proxy`` (with ``changes`` applied)."""
    api.delete("/ekm", api_version=version)
    body = {**proxy.connection_body(), **changes}
    body = {key: value for key, value in body.items() if value is not None}
    response = api.request("POST", "/ekm/create", api_version=version, json=body)
    assert response.status_code == 200, response.text
    return response


# ---- TLS servers that misbehave ----

Reply = Callable[[ssl.SSLSocket], None]
"""What a :class:`TlsServer` does with an accepted, handshaken connection (after reading the request)."""


def canned(raw: bytes) -> Reply:
    """Send ``raw`` bytes as the answer, then close."""

    def reply(conn: ssl.SSLSocket) -> None:
        conn.sendall(raw)

    return reply


def http_answer(status: int, body: bytes, *, content_type: str = "application/json", extra: str = "") -> Reply:
    """A complete HTTP/1.1 answer with ``Content-Length``."""
    reasons = {200: "OK", 302: "Found", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}
    reason = reasons.get(status, "X")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}"
        "Connection: close\r\n\r\n"
    )
    return canned(head.encode("latin-1") + body)


class TlsServer:
    """A TLS server on 127.0.0.1 (thread) using the certificate of a proxy's data folder; each connection gets the
    handshake, its request is read, then ``reply`` runs. ``tls=False`` serves plain TCP; ``silent=True`` accepts and
    never sends a byte (not even the TLS handshake)."""

    def __init__(self, cert_dir: Path, reply: Reply | None = None, *, tls: bool = True, silent: bool = False) -> None:
        self._reply = reply
        self._silent = silent
        self._context: ssl.SSLContext | None = None
        if tls:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(str(cert_dir / "proxy-server.pem"), str(cert_dir / "proxy-server-key.pem"))
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.requests: list[bytes] = []

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._sock.accept()
            except OSError:
                continue
            raw.settimeout(10)
            if self._silent:
                self._held.append(raw)
                continue
            try:
                conn: Any = self._context.wrap_socket(raw, server_side=True) if self._context else raw
                data = b""
                # a plain server gets a TLS ClientHello, not HTTP: it answers whatever first arrives
                while b"\r\n\r\n" not in data and not (self._context is None and data):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.requests.append(data)
                if self._reply is not None:
                    self._reply(conn)
                conn.close()
            except OSError:
                raw.close()

    def __enter__(self) -> TlsServer:
        self._thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._sock.close()
        for held in self._held:
            held.close()


@contextmanager
def tls_server(proxy: RunningEkmProxy, reply: Reply | None = None, **options: Any) -> Iterator[TlsServer]:
    """A :class:`TlsServer` with ``proxy``'s server certificate (so the connection's CA and CN fit)."""
    with TlsServer(proxy.data_dir, reply, **options) as server:
        yield server
