"""Run the reference EKM proxy inside the current process: a context manager on a background thread."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .server import DEFAULT_PATH_PREFIX, SERVER_COMMON_NAME, ClientCa, EkmProxyServer


class RunningEkmProxy:
    """Handle on a proxy served from a background event loop thread.

    :ivar host: ``127.0.0.1:PORT`` (an EKM connection's ``host``).
    :ivar port: the TCP port.
    :ivar path_prefix: the connection's ``path_prefix``.
    :ivar server_ca_certificates: the proxy's CA, DER bytes in a list (the connection's ``server_ca_certificates``).
    :ivar server_subject_common_name: CN of the proxy's server certificate.
    :ivar proxy_info: the five info fields the proxy answers.
    :ivar ca_file: the proxy's CA certificate file (PEM).
    :ivar data_dir: the proxy's data folder.
    """

    def __init__(self, server: EkmProxyServer) -> None:
        self._server = server
        self.host = server.host
        self.port = server.port
        self.path_prefix = server.path_prefix
        self.server_ca_certificates = server.server_ca_certificates
        self.server_subject_common_name = SERVER_COMMON_NAME
        self.proxy_info = dict(server.proxy_info)
        self.ca_file = server.ca_file
        self.data_dir = server.data_dir
        self.client_ca_required = server.client_ca_required

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The API requests the proxy accepted so far (operation, path, query, headers, body, client CN), oldest
        first (the last 200)."""
        assert self._server.settings is not None
        return list(self._server.settings.requests)

    def connection_body(self) -> dict[str, Any]:
        """The JSON body of ``POST /ekm/create`` pointing at this proxy (certificates as base64 DER)."""
        return self._server.connection_body()

    def info(self) -> dict[str, Any]:
        """The record the CLI prints."""
        return self._server.info()


@contextmanager
def run_ekm_proxy(
    data_dir: str | Path | None = None,
    *,
    client_ca: ClientCa = None,
    port: int = 0,
    path_prefix: str = DEFAULT_PATH_PREFIX,
    proxy_info: dict[str, str] | None = None,
) -> Iterator[RunningEkmProxy]:
    """Start a reference EKM proxy on 127.0.0.1 (a free port by default); stop it on exit.

    :param data_dir: folder for its CA, certificate and keys; a temporary folder (deleted afterwards) if None.
    :param client_ca: require client certificates issued by these CA certificates: a file path (PEM or DER), PEM or
        DER bytes, or a list of DER certificates (e.g. ``get_ekm_certificate().ca_certificates``).
    :param path_prefix: the path prefix the API is served under.
    :param proxy_info: another info answer (default :data:`~mhsm_emulator.ekm_proxy.PROXY_INFO`).
    :raises ~mhsm_emulator.startup.StartupError: it could not start.
    """
    with tempfile.TemporaryDirectory(prefix="mhsm-ekm-proxy-") as temp_dir:
        server = EkmProxyServer(
            Path(data_dir) if data_dir is not None else Path(temp_dir),
            port=port,
            client_ca=client_ca,
            path_prefix=path_prefix,
            proxy_info=proxy_info,
        )
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="mhsm-ekm-proxy", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=60)
            yield RunningEkmProxy(server)
        finally:
            try:
                asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=30)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=10)
                loop.close()
