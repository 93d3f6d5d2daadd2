"""One running emulator: the HTTPS vault listener plus the plain-HTTP token endpoint, on loopback."""

from __future__ import annotations

import json
import secrets
import socket
import ssl
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from aiohttp import web

from .app import ROUTE_MODULES, build_app, collect_migrations
from .certs import TlsFiles, ensure_tls_files
from .config import EmulatorConfig
from .faults import FaultInjector
from .identities import SYSTEM_IDENTITY
from .identity_endpoint import TOKEN_PATH, build_identity_app
from .identity_endpoint import protocol_error_response as identity_protocol_error
from .listener import JsonErrorSockSite
from .middleware import protocol_error_response as vault_protocol_error
from .rbac_store import bootstrap
from .redact import SHARED_FILTER, install_on_loggers
from .state import EmulatorState
from .store import Store
from .tokens import SIGNING_KEY_FILE, TokenIssuer

IDENTITY_FILE = "identity.json"


def _bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _identity_header(data_dir: Path) -> str:
    """The ``IDENTITY_HEADER`` secret, made once per data folder so restarts keep the same environment."""
    path = data_dir / IDENTITY_FILE
    if path.exists():
        try:
            value = json.loads(path.read_text()).get("identity_header")
            if isinstance(value, str) and value:
                return value
        except (ValueError, OSError):
            pass
    value = secrets.token_urlsafe(24)
    path.write_text(json.dumps({"identity_header": value}))
    path.chmod(0o600)
    return value


class EmulatorServer:
    """Start/stop an emulator inside the running event loop.

    :param config: options (data folder, ports, faults...).
    :param modules: route modules to serve (default :data:`mhsm_emulator.app.ROUTE_MODULES`).
    """

    def __init__(self, config: EmulatorConfig, modules: Sequence[ModuleType] | None = None) -> None:
        self.config = config
        self.modules = list(modules if modules is not None else ROUTE_MODULES)
        self.state: EmulatorState | None = None
        self.tls: TlsFiles | None = None
        self._runners: list[web.AppRunner] = []
        self.port = 0
        self.identity_port = 0

    async def start(self) -> None:
        """Prepare the data folder (certificates, keys, database) and start both listeners."""
        config = self.config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.tls = ensure_tls_files(config.data_dir)
        store = Store(config.database_path, collect_migrations(self.modules))
        bootstrap(store, SYSTEM_IDENTITY.object_id)
        self.state = EmulatorState(
            config=config,
            store=store,
            issuer=TokenIssuer(config.data_dir / SIGNING_KEY_FILE, config.tenant_id),
            faults=FaultInjector(config.faults),
            identity_header=_identity_header(config.data_dir),
        )
        SHARED_FILTER.add_secret(self.state.identity_header)
        install_on_loggers(SHARED_FILTER)
        vault_app = build_app(self.state, self.modules)
        identity_app = build_identity_app(vault_app)
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(str(self.tls.cert_file), str(self.tls.key_file))
        try:
            vault_sock = _bound_socket(config.host, config.port)
            identity_sock = _bound_socket(config.host, config.identity_port)
            self.port = vault_sock.getsockname()[1]
            self.identity_port = identity_sock.getsockname()[1]
            listeners = (
                (vault_app, vault_sock, ssl_context, vault_protocol_error),
                (identity_app, identity_sock, None, identity_protocol_error),
            )
            for app, sock, context, render in listeners:
                runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
                await runner.setup()
                self._runners.append(runner)
                await JsonErrorSockSite(runner, sock, render, ssl_context=context).start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop both listeners and close the database."""
        runners, self._runners = self._runners, []
        for runner in reversed(runners):
            await runner.cleanup()
        if self.state is not None:
            self.state.store.close()

    # --- what clients need ------------------------------------------------------------------------------

    @property
    def vault_url(self) -> str:
        """``https://127.0.0.1:<port>``: the ``vault_url`` for clients (``AZURE_MANAGEDHSM_URL``)."""
        return f"https://{self.config.host}:{self.port}"

    @property
    def ca_file(self) -> str:
        """PEM file of the CA that signed the server certificate."""
        assert self.tls is not None, "server not started"
        return str(self.tls.ca_file)

    @property
    def identity_endpoint(self) -> str:
        """``IDENTITY_ENDPOINT`` value (plain HTTP on loopback, as App Service does)."""
        return f"http://{self.config.host}:{self.identity_port}{TOKEN_PATH}"

    @property
    def identity_header(self) -> str:
        """``IDENTITY_HEADER`` value."""
        assert self.state is not None, "server not started"
        return self.state.identity_header

    @property
    def resource(self) -> str:
        """The challenge resource for :attr:`vault_url` (token audience)."""
        assert self.state is not None, "server not started"
        return self.state.resource_for_host(f"{self.config.host}:{self.port}")

    def env(self) -> dict[str, str]:
        """Environment variables that let an unchanged program use this emulator."""
        return {
            "AZURE_MANAGEDHSM_URL": self.vault_url,
            "SSL_CERT_FILE": self.ca_file,
            "REQUESTS_CA_BUNDLE": self.ca_file,
            "IDENTITY_ENDPOINT": self.identity_endpoint,
            "IDENTITY_HEADER": self.identity_header,
        }

    def info(self) -> dict[str, Any]:
        """The startup record printed by the CLI."""
        return {
            "vault_url": self.vault_url,
            "ca_file": self.ca_file,
            "identity_endpoint": self.identity_endpoint,
            "identity_header": self.identity_header,
            "resource": self.resource,
            "tenant_id": self.config.tenant_id,
            "principal_id": SYSTEM_IDENTITY.object_id,
            "data_dir": str(self.config.data_dir),
            "database": self.config.database_path,
            "env": self.env(),
        }
