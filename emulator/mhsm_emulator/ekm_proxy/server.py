"""One running reference EKM proxy: HTTPS on 127.0.0.1 with its own CA, server certificate and keys in a folder.

The data folder keeps ``proxy-ca.pem`` (the CA to give an EKM connection as ``server_ca_certificates``), its key,
the server certificate (CN :data:`SERVER_COMMON_NAME`, SANs that name, ``localhost`` and ``127.0.0.1``) and the
proxy's keys; all are reused across restarts. With a client CA the proxy requires a client certificate issued by
it (mutual TLS) and refuses the handshake otherwise.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Union

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .. import __version__
from ..ekm_certs import ensure_ca, ensure_leaf, load_certificates
from ..ekm_models import MAX_PATH_PREFIX, PATH_PREFIX
from ..startup import StartupError, bind_socket, prepare_data_dir
from .app import API_VERSION, ProxySettings, build_proxy_app
from .keys import ProxyKeys

HOST = "127.0.0.1"
DEFAULT_PATH_PREFIX = "/api/v1"
CA_FILE = "proxy-ca.pem"
CA_KEY_FILE = "proxy-ca-key.pem"
SERVER_CERT_FILE = "proxy-server.pem"
SERVER_KEY_FILE = "proxy-server-key.pem"
CA_COMMON_NAME = "mhsm-emulator EKM proxy CA"
SERVER_COMMON_NAME = "ekm-proxy.mhsm-emulator.local"
"""The server certificate's CN (also a DNS SAN): what ``server_subject_common_name`` may name."""

PROXY_INFO = {
    "api_version": API_VERSION,
    "proxy_vendor": "mhsm-emulator",
    "proxy_name": f"mhsm-emulator reference EKM proxy {__version__}",
    "ekm_vendor": "mhsm-emulator",
    "ekm_product": f"mhsm-emulator software keys {__version__}",
}
"""The info answer (the five fields ``check_ekm_connection`` returns)."""

ClientCa = Union[str, Path, bytes, Sequence[Union[bytes, str]], None]
"""A client CA: a file path, PEM/DER bytes, or a list of certificates (DER/PEM bytes, or base64 DER text)."""


def client_ca_certificates(client_ca: ClientCa) -> list[x509.Certificate]:
    """The certificates of a :data:`ClientCa` (none for ``None``).

    :raises ValueError: nothing parses as a certificate (the message says what was wrong).
    """
    if client_ca is None:
        return []
    if isinstance(client_ca, (str, Path)):
        path = Path(client_ca)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValueError(f"cannot read the client CA file {path}: {exc.strerror or exc}") from None
        try:
            return load_certificates(data)
        except ValueError:
            raise ValueError(f"the client CA file {path} holds no PEM or DER certificate") from None
    if isinstance(client_ca, (bytes, bytearray)):
        return load_certificates(bytes(client_ca))
    certificates: list[x509.Certificate] = []
    for item in client_ca:
        data = base64.b64decode(item, validate=True) if isinstance(item, str) else bytes(item)
        certificates.extend(load_certificates(data))
    if not certificates:
        raise ValueError("the client CA list is empty")
    return certificates


class EkmProxyServer:
    """Start/stop the reference proxy inside the running event loop.

    :param data_dir: folder for its CA, server certificate and keys (created if needed).
    :param port: TCP port on 127.0.0.1; 0 picks a free one.
    :param client_ca: CA certificate(s) a client certificate must be issued by; ``None`` asks for none.
    :param path_prefix: the path the API is served under (also under ``/azureekm`` + prefix); the EKM
        connection's rule applies (empty, or ``/segment`` parts of letters, digits and '-').
    :raises ValueError: an invalid path prefix.
    :param proxy_info: the info answer (default :data:`PROXY_INFO`).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        client_ca: ClientCa = None,
        path_prefix: str = DEFAULT_PATH_PREFIX,
        proxy_info: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.requested_port = port
        self.client_ca = client_ca
        if path_prefix and (len(path_prefix) > MAX_PATH_PREFIX or PATH_PREFIX.fullmatch(path_prefix) is None):
            raise ValueError(
                f"path prefix {path_prefix!r}: empty, or at most {MAX_PATH_PREFIX} characters of '/segment' parts "
                "(letters, digits, '-'), e.g. /api/v1"
            )
        self.path_prefix = path_prefix
        self.proxy_info = dict(proxy_info or PROXY_INFO)
        self.port = 0
        self.settings: ProxySettings | None = None
        self.client_ca_required = False
        self._runner: web.AppRunner | None = None

    @property
    def ca_file(self) -> Path:
        """The proxy's CA certificate (PEM)."""
        return self.data_dir / CA_FILE

    def _ssl_context(self) -> ssl.SSLContext:
        ca = ensure_ca(self.ca_file, self.data_dir / CA_KEY_FILE, CA_COMMON_NAME)
        ensure_leaf(
            self.data_dir / SERVER_CERT_FILE,
            self.data_dir / SERVER_KEY_FILE,
            ca,
            SERVER_COMMON_NAME,
            server=True,
            dns_names=(SERVER_COMMON_NAME, "localhost"),
            ip_addresses=(HOST,),
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(self.data_dir / SERVER_CERT_FILE), str(self.data_dir / SERVER_KEY_FILE))
        try:
            trusted = client_ca_certificates(self.client_ca)
        except ValueError as exc:
            raise StartupError(f"--client-ca-file: {exc}") from None
        if trusted:
            context.verify_mode = ssl.CERT_REQUIRED
            context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
            context.load_verify_locations(
                cadata=b"".join(cert.public_bytes(serialization.Encoding.DER) for cert in trusted)
            )
            self.client_ca_required = True
        return context

    async def start(self) -> None:
        """Prepare the data folder (certificates, keys) and start listening.

        :raises StartupError: the folder, the client CA or the port cannot be used (one-line message).
        """
        prepare_data_dir(self.data_dir)
        try:
            context = self._ssl_context()
            keys = ProxyKeys.load_or_create(self.data_dir)
        except (OSError, ValueError) as exc:
            raise StartupError(f"cannot use the proxy's data folder {self.data_dir}: {exc}") from None
        self.settings = ProxySettings(path_prefix=self.path_prefix, proxy_info=self.proxy_info, keys=keys)
        sock = bind_socket(HOST, self.requested_port, "EKM proxy", "--port")
        self.port = sock.getsockname()[1]
        runner = web.AppRunner(build_proxy_app(self.settings), access_log=None, handle_signals=False,
                               shutdown_timeout=1.0)
        await runner.setup()
        self._runner = runner
        try:
            await web.SockSite(runner, sock, ssl_context=context).start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop listening."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # --- what an EKM connection needs ---------------------------------------------------------------------

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, exactly as an EKM connection's ``host`` takes it."""
        return f"{HOST}:{self.port}"

    @property
    def server_ca_certificates(self) -> list[bytes]:
        """The proxy's CA certificate, DER (what ``server_ca_certificates`` must hold)."""
        cert = x509.load_pem_x509_certificate(self.ca_file.read_bytes())
        return [cert.public_bytes(serialization.Encoding.DER)]

    def connection_body(self) -> dict[str, Any]:
        """The JSON body of ``POST /ekm/create`` that points the HSM at this proxy."""
        return {
            "host": self.host,
            "server_ca_certificates": [base64.b64encode(der).decode("ascii") for der in self.server_ca_certificates],
            "path_prefix": self.path_prefix,
            "server_subject_common_name": SERVER_COMMON_NAME,
        }

    def info(self) -> dict[str, Any]:
        """The startup record the CLI prints."""
        body = self.connection_body()
        return {
            "host": body["host"],
            "path_prefix": self.path_prefix,
            "server_ca_certificates": body["server_ca_certificates"],
            "server_subject_common_name": SERVER_COMMON_NAME,
            "proxy_info": dict(self.proxy_info),
            "ca_file": str(self.ca_file),
            "client_ca_required": self.client_ca_required,
            "keys": self.settings.keys.names if self.settings is not None else [],
            "data_dir": str(self.data_dir),
        }
