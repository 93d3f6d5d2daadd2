"""Per-instance state shared by every handler, and typed keys to reach it from a request."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .config import EmulatorConfig
from .faults import FaultInjector
from .store import Store
from .tokens import TokenIssuer, VerifiedCaller


@dataclass
class EmulatorState:
    """Everything a handler may need: options, database, token issuer, fault switches, identity secret."""

    config: EmulatorConfig
    store: Store
    issuer: TokenIssuer
    faults: FaultInjector
    identity_header: str

    def resource_for_host(self, host: str) -> str:
        """The challenge ``resource`` (= token audience) for a request to ``host`` (``Host`` header value).

        The official client requires the request authority to end with ``"." + resource authority``, port
        included. So the first DNS label is dropped: ``127.0.0.1:8443`` -> ``https://0.0.1:8443``,
        ``myhsm.localhost:8443`` -> ``https://localhost:8443``. A host without a dot is used as it is.
        """
        if self.config.resource:
            return self.config.resource.rstrip("/")
        hostname, sep, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not sep or not port.isdigit():
            hostname, port = host, ""
        if "." in hostname and not hostname.startswith("["):
            hostname = hostname.split(".", 1)[1]
        return f"https://{hostname}" + (f":{port}" if port else "")


STATE_KEY = web.AppKey("mhsm_state", EmulatorState)
CALLER_KEY = web.RequestKey("mhsm_caller", VerifiedCaller)
REQUEST_ID_KEY = web.RequestKey("mhsm_request_id", str)


def get_state(request: web.Request) -> EmulatorState:
    """The :class:`EmulatorState` of the app serving ``request``."""
    return request.app[STATE_KEY]


def get_caller(request: web.Request) -> VerifiedCaller:
    """The authenticated caller (set by the auth middleware before any handler runs)."""
    return request[CALLER_KEY]
