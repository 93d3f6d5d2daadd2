"""One running emulator: the HTTPS vault listener plus the plain-HTTP token endpoint, on loopback."""

from __future__ import annotations

import json
import secrets
import sqlite3
import ssl
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from aiohttp import web

from .app import ROUTE_MODULES, build_app, collect_migrations
from .certs import TlsFiles, ensure_tls_files
from .config import EmulatorConfig
from .connections import ConnectionLimits, ConnectionStats
from .datadir_lock import DataDirLock
from .ekm_certs import CLIENT_CA_FILE
from .faults import FaultInjector
from .identities import SYSTEM_IDENTITY
from .identity_endpoint import READINESS_KEY, READY_PATH, TOKEN_PATH, Readiness, build_identity_app
from .identity_endpoint import protocol_error_response as identity_protocol_error
from .listener import JsonErrorSockSite
from .middleware import protocol_error_response as vault_protocol_error
from .rbac_store import bootstrap
from .redact import SHARED_FILTER, install_on_loggers
from .startup import StartupError, bind_socket, check_database_path, database_error, prepare_data_dir
from .state import EmulatorState
from .store import Store
from .tokens import SIGNING_KEY_FILE, TokenIssuer

IDENTITY_FILE = "identity.json"


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
        self._sites: dict[str, JsonErrorSockSite] = {}
        self._lock: DataDirLock | None = None
        self._store: Store | None = None
        self._readiness: Readiness | None = None
        self.port = 0
        self.identity_port = 0

    def lock_data_dir(self) -> DataDirLock:
        """Create the data folder if needed and lock it for this instance (:meth:`start` does it; idempotent).

        Call it first when something else will use the data folder before :meth:`start` (the CLI's Azurite).

        :raises ~mhsm_emulator.datadir_lock.DataDirInUseError: another emulator holds the folder.
        :raises ~mhsm_emulator.startup.StartupError: the folder cannot be created or written.
        """
        if self._lock is None or not self._lock.held:
            prepare_data_dir(self.config.data_dir)
            self._lock = DataDirLock(self.config.data_dir).acquire()
        return self._lock

    @property
    def connection_limits(self) -> ConnectionLimits:
        """The timeouts and connection limit of both listeners, from the configuration."""
        config = self.config
        return ConnectionLimits(
            idle_timeout=config.idle_timeout,
            header_timeout=config.header_timeout,
            body_timeout=config.body_timeout,
            tls_handshake_timeout=config.tls_handshake_timeout,
            max_connections=config.max_connections,
        )

    def connection_stats(self) -> dict[str, ConnectionStats]:
        """What each listener (``"vault"``, ``"identity"``) did with its connections so far."""
        return {name: site.stats for name, site in self._sites.items()}

    async def start(self) -> None:
        """Lock and prepare the data folder (certificates, keys, database) and start both listeners.

        :raises ~mhsm_emulator.startup.StartupError: something the user can fix (port in use, data folder or
            database unusable, data folder locked by another emulator); the message says what and how.
        """
        self.lock_data_dir()
        try:
            await self._start()
        except sqlite3.Error as exc:
            await self.stop()
            raise database_error(self.config.database_path, exc) from None
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        config = self.config
        try:
            self.tls = ensure_tls_files(config.data_dir)
            identity_header = _identity_header(config.data_dir)
            issuer = TokenIssuer(config.data_dir / SIGNING_KEY_FILE, config.tenant_id)
        except OSError as exc:
            raise StartupError(
                f"cannot write the certificates and keys in the data folder {config.data_dir}: "
                f"{exc.strerror or exc}; choose another folder with --data-dir"
            ) from None
        check_database_path(config.database_path)
        store = self._store = Store(config.database_path, collect_migrations(self.modules))
        bootstrap(store, SYSTEM_IDENTITY.object_id)
        self.state = EmulatorState(
            config=config,
            store=store,
            issuer=issuer,
            faults=FaultInjector(config.faults),
            identity_header=identity_header,
        )
        SHARED_FILTER.add_secret(self.state.identity_header)
        install_on_loggers(SHARED_FILTER)
        vault_app = build_app(self.state, self.modules)
        identity_app = build_identity_app(vault_app)
        readiness = self._readiness = identity_app[READINESS_KEY]
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(str(self.tls.cert_file), str(self.tls.key_file))
        vault_sock = bind_socket(config.host, config.port, "vault", "--port")
        try:
            identity_sock = bind_socket(config.host, config.identity_port, "identity endpoint", "--identity-port")
        except BaseException:
            vault_sock.close()
            raise
        self.port = vault_sock.getsockname()[1]
        self.identity_port = identity_sock.getsockname()[1]
        self.state.fix_resource(self.port)  # the token audience, fixed before the first request
        listeners = (
            ("vault", vault_app, vault_sock, ssl_context, vault_protocol_error),
            ("identity", identity_app, identity_sock, None, identity_protocol_error),
        )
        limits = self.connection_limits
        for index, (name, app, sock, context, render) in enumerate(listeners):
            try:
                runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
                await runner.setup()
                self._runners.append(runner)
                site = JsonErrorSockSite(runner, sock, render, limits=limits, ssl_context=context)
                await site.start()
                self._sites[name] = site
            except BaseException:
                for _, _, unused, _, _ in listeners[index:]:
                    unused.close()  # not yet owned by a started site
                raise
        assert self._lock is not None
        self._lock.update(port=self.port, identity_port=self.identity_port, vault_url=self.vault_url,
                          identity_endpoint=self.identity_endpoint)
        readiness.set_ready(self.vault_url)  # both listeners accept connections: GET /ready says so

    async def stop(self) -> None:
        """Stop both listeners, close the database and release the data folder (idempotent)."""
        if self._readiness is not None:
            self._readiness.set_stopping()
        runners, self._runners = self._runners, []
        try:
            for runner in reversed(runners):
                await runner.cleanup()
        finally:
            store, self._store = self._store, None
            if store is not None:
                store.close()
            if self._lock is not None:
                self._lock.release()

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
    def ready_url(self) -> str:
        """The unauthenticated readiness check, on the identity endpoint's port (``GET``: 200 once serving)."""
        return f"http://{self.config.host}:{self.identity_port}{READY_PATH}"

    @property
    def identity_header(self) -> str:
        """``IDENTITY_HEADER`` value."""
        assert self.state is not None, "server not started"
        return self.state.identity_header

    @property
    def resource(self) -> str:
        """The challenge resource and only accepted token audience (``--resource``, else from host and port)."""
        assert self.state is not None, "server not started"
        return self.state.resource

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
            "ready_url": self.ready_url,
            # The CA of the HSM's EKM client certificate: an EKM proxy trusts it for mutual TLS.
            "ekm_client_ca_file": str(ekm_ca) if (ekm_ca := self.config.data_dir / CLIENT_CA_FILE).exists() else None,
            "env": self.env(),
        }
