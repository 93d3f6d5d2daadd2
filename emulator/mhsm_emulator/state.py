"""Per-instance state shared by every handler, and typed keys to reach it from a request."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .config import EmulatorConfig
from .faults import FaultInjector
from .store import Store
from .tokens import TokenIssuer, VerifiedCaller


def resource_for_address(host: str, port: int) -> str:
    """The challenge ``resource`` (= token audience) derived from the address the emulator serves.

    The official client requires the request authority to end with ``"." + resource authority``, port
    included. So the first DNS label is dropped: ``127.0.0.1:8443`` -> ``https://0.0.1:8443``,
    ``myhsm.localhost:8443`` -> ``https://localhost:8443``. A host without a dot is used as it is; an IPv6
    literal gets its brackets.
    """
    if ":" in host:
        hostname = host if host.startswith("[") else f"[{host}]"
    elif "." in host:
        hostname = host.split(".", 1)[1]
    else:
        hostname = host
    return f"https://{hostname}:{port}"


@dataclass
class EmulatorState:
    """Everything a handler may need: options, database, token issuer, fault switches, identity secret.

    :attr:`resource` is the one challenge resource and token audience of this instance, fixed once the vault
    port is bound (:meth:`fix_resource`); nothing a request sends (``Host`` included) changes it.
    """

    config: EmulatorConfig
    store: Store
    issuer: TokenIssuer
    faults: FaultInjector
    identity_header: str
    resource: str = ""

    def fix_resource(self, port: int) -> str:
        """Fix :attr:`resource`: ``config.resource`` (``--resource``) when set, else derived from ``config.host``
        and the bound vault ``port`` (:func:`resource_for_address`). Returns it."""
        if self.config.resource:
            self.resource = self.config.resource.rstrip("/")
        else:
            self.resource = resource_for_address(self.config.host, port)
        return self.resource

    @property
    def audiences(self) -> list[str]:
        """The ``aud`` values a token must carry one of: the resource, with or without a trailing slash."""
        if not self.resource:
            raise RuntimeError("the emulator's resource is not fixed yet (EmulatorState.fix_resource)")
        return [self.resource, self.resource + "/"]


STATE_KEY = web.AppKey("mhsm_state", EmulatorState)
CALLER_KEY = web.RequestKey("mhsm_caller", VerifiedCaller)
REQUEST_ID_KEY = web.RequestKey("mhsm_request_id", str)


def get_state(request: web.Request) -> EmulatorState:
    """The :class:`EmulatorState` of the app serving ``request``."""
    return request.app[STATE_KEY]


def get_caller(request: web.Request) -> VerifiedCaller:
    """The authenticated caller (set by the auth middleware before any handler runs)."""
    return request[CALLER_KEY]
