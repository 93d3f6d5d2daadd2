"""Builds the vault (HTTPS) aiohttp application from route modules.

A route module is any module with ``routes: web.RouteTableDef``; it may also define ``setup(app)`` (called once
the app exists: add startup/cleanup hooks, background tasks, extra routes) and ``MIGRATIONS`` (a list of
:class:`mhsm_emulator.store.Migration`, applied when the store opens). Add a module to :data:`ROUTE_MODULES`
(or pass ``extra_modules``) to serve it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import ModuleType

from aiohttp import web

from .access_log import access_log_middleware
from .middleware import auth_middleware, fault_middleware, service_middleware
from .routes import backup, ekm, keys, role_assignments, role_definitions, settings
from .state import STATE_KEY, EmulatorState
from .store import CORE_MIGRATIONS, Migration

ROUTE_MODULES: list[ModuleType] = [role_definitions, role_assignments, settings, keys, backup, ekm]
"""Route modules served by default, in registration order."""

MAX_BODY_BYTES = 4 * 1024 * 1024


def collect_migrations(modules: Iterable[ModuleType]) -> list[Migration]:
    """Core migrations followed by each module's ``MIGRATIONS``."""
    migrations = list(CORE_MIGRATIONS)
    for module in modules:
        migrations.extend(getattr(module, "MIGRATIONS", ()))
    return migrations


def build_app(state: EmulatorState, modules: Sequence[ModuleType] | None = None) -> web.Application:
    """The vault application: middlewares (request log -> service headers/errors -> faults -> auth) and every
    module's routes. The request log is outermost: it sees every answer, 401s and errors included."""
    app = web.Application(
        middlewares=[access_log_middleware("vault"), service_middleware, fault_middleware, auth_middleware],
        client_max_size=MAX_BODY_BYTES,
    )
    app[STATE_KEY] = state
    for module in modules if modules is not None else ROUTE_MODULES:
        routes = getattr(module, "routes", None)
        if routes is not None:
            app.add_routes(routes)
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
    return app
