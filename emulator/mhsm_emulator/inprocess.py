"""Run an emulator inside the current process (tests, samples): a context manager on a background thread."""

from __future__ import annotations

import asyncio
import tempfile
import threading
import uuid
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from .config import EmulatorConfig, FaultConfig
from .credentials import AsyncEmulatorCredential, EmulatorCredential
from .identities import SYSTEM_IDENTITY, Principal, principal_for, user_assigned
from .rbac_store import create_assignment, definition_id, find_definition, list_definitions
from .server import EmulatorServer
from .state import EmulatorState

T = TypeVar("T")


class RunningEmulator:
    """Handle on an emulator served from a background event loop thread.

    Attributes mirror the CLI's startup record: :attr:`vault_url`, :attr:`ca_file`, :attr:`identity_endpoint`,
    :attr:`identity_header`, :attr:`principal_id` (the bootstrapped administrator), :attr:`tenant_id`,
    :attr:`resource`, :attr:`data_dir`.
    """

    def __init__(self, server: EmulatorServer, loop: asyncio.AbstractEventLoop) -> None:
        self._server = server
        self._loop = loop
        self.vault_url = server.vault_url
        self.ca_file = server.ca_file
        self.identity_endpoint = server.identity_endpoint
        self.identity_header = server.identity_header
        self.resource = server.resource
        self.tenant_id = server.config.tenant_id
        self.principal_id = SYSTEM_IDENTITY.object_id
        self.data_dir = server.config.data_dir
        self.port = server.port

    @property
    def state(self) -> EmulatorState:
        """The live state (store, issuer, fault injector)."""
        assert self._server.state is not None
        return self._server.state

    def env(self) -> dict[str, str]:
        """The five environment variables an unchanged program needs (see :meth:`EmulatorServer.env`)."""
        return self._server.env()

    def connection_stats(self) -> dict[str, dict[str, int]]:
        """Connection counters of each listener (``"vault"``, ``"identity"``): accepted, refused, evicted, open,
        closures per timeout (see :class:`mhsm_emulator.connections.ConnectionStats`)."""
        async def snapshot() -> dict[str, dict[str, int]]:  # read on the loop that changes them
            return {name: stats.as_dict() for name, stats in self._server.connection_stats().items()}

        return self.run(snapshot())

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any Key Vault client: ``{"connection_verify": ca_file}``."""
        return {"connection_verify": self.ca_file}

    def credential(self, client_id: str | None = None) -> EmulatorCredential:
        """A sync token credential for the system identity, or the user-assigned one named by ``client_id``."""
        return EmulatorCredential(self.identity_endpoint, self.identity_header, client_id=client_id)

    def async_credential(self, client_id: str | None = None) -> AsyncEmulatorCredential:
        """Async twin of :meth:`credential`."""
        return AsyncEmulatorCredential(self.identity_endpoint, self.identity_header, client_id=client_id)

    # --- RBAC test helpers -----------------------------------------------------------------------------

    def create_principal(self, name: str | None = None) -> Principal:
        """A new principal with no role (deterministic in ``name``; random when ``name`` is None)."""
        return principal_for(name if name is not None else uuid.uuid4().hex)

    def principal_for_client_id(self, client_id: str) -> Principal:
        """The principal the identity endpoint uses for a user-assigned ``client_id``."""
        return user_assigned(client_id=client_id)

    def mint_token(
        self,
        principal: Principal | str | None = None,
        *,
        lifetime: int = 3600,
        audience: str | None = None,
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        """A signed bearer token for ``principal`` (a :class:`Principal`, an object id, or the admin by default).

        ``lifetime`` may be negative (expired token); ``audience`` defaults to the emulator's fixed resource (the
        only audience it accepts).
        """
        if principal is None:
            principal = SYSTEM_IDENTITY
        elif isinstance(principal, str):
            principal = Principal(object_id=principal, client_id=str(uuid.uuid5(uuid.NAMESPACE_OID, principal)))
        issued = self.state.issuer.issue(
            principal, audience or self.state.resource, lifetime, extra_claims=extra_claims
        )
        return issued.token

    def assign_role(self, principal_id: str, role: str, scope: str = "/", name: str | None = None) -> dict[str, Any]:
        """Assign a role (definition GUID in any spelling, or roleName) directly in the store, bypassing HTTP and
        RBAC (the definition must still be assignable at ``scope``)."""
        definition = find_definition(self.state.store, role) or next(
            (d for d in list_definitions(self.state.store) if role.lower() == d["properties"]["roleName"].lower()),
            None,
        )
        if definition is None:
            raise ValueError(f"unknown role {role!r}")
        return create_assignment(
            self.state.store, scope, name or str(uuid.uuid4()), definition_id(definition["name"]), principal_id
        )

    # --- faults -----------------------------------------------------------------------------------------

    @property
    def faults(self) -> FaultConfig:
        """The fault switches in force."""
        return self.state.faults.config

    def set_faults(self, config: FaultConfig | None = None, **changes: Any) -> FaultConfig:
        """Replace the fault switches (``set_faults(error_rate=0.5, seed=1)``; ``set_faults()`` turns all off)."""
        new = (config or FaultConfig()).replace(**changes) if changes else (config or FaultConfig())
        self.state.faults.configure(new)
        return new

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the emulator's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()


@contextmanager
def run_emulator(
    data_dir: str | Path | None = None,
    *,
    port: int = 0,
    identity_port: int = 0,
    database: str | None = None,
    page_size: int = 100,
    token_lifetime: int = 3600,
    faults: FaultConfig | None = None,
    modules: Sequence[ModuleType] | None = None,
    **options: Any,
) -> Iterator[RunningEmulator]:
    """Start an emulator on free ports (by default) in a background thread; stop it on exit.

    :param data_dir: folder for certificates, keys and state; a temporary folder (deleted afterwards) if None.
    :param database: ``":memory:"`` for in-memory state; default is a file in ``data_dir``.
    :param page_size: list page size (small values exercise ``nextLink`` paging).
    :param faults: initial fault switches.
    :param modules: route modules (default: all of :data:`mhsm_emulator.app.ROUTE_MODULES`).
    :param options: other :class:`~mhsm_emulator.config.EmulatorConfig` fields (``tenant_id``, ``resource``,
        ``idle_timeout``, ``header_timeout``, ``body_timeout``, ``tls_handshake_timeout``, ``max_connections``...).
    :raises ~mhsm_emulator.datadir_lock.DataDirInUseError: another emulator (in this process or another) runs on
        ``data_dir``.
    :raises ~mhsm_emulator.startup.StartupError: the emulator cannot start (port in use, data folder or database
        unusable); the message says what failed and how to fix it.
    """
    with tempfile.TemporaryDirectory(prefix="mhsm-emulator-") as temp_dir:
        config = EmulatorConfig(
            data_dir=Path(data_dir) if data_dir is not None else Path(temp_dir),
            port=port,
            identity_port=identity_port,
            database=database,
            page_size=page_size,
            token_lifetime=token_lifetime,
            faults=faults or FaultConfig(),
            **options,
        )
        server = EmulatorServer(config, modules)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="mhsm-emulator", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=60)
            yield RunningEmulator(server, loop)
        finally:
            try:
                asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=30)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=10)
                loop.close()
