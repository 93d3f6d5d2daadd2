"""Managed identities of the emulator: the system-assigned one and deterministic user-assigned ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

SYSTEM_PRINCIPAL_ID = "b0f0c0de-5e1f-4a55-9d1e-000000000001"
"""Object (principal) id of the default, system-assigned identity: bootstrapped as Managed HSM Administrator."""

SYSTEM_CLIENT_ID = "b0f0c0de-5e1f-4a55-9d1e-0000000000c1"
"""Application (client) id of the system-assigned identity."""

_NAMESPACE = uuid.UUID("6d1b4f52-2f0a-4e1c-9a43-6e2d3a1f5b7e")


@dataclass(frozen=True)
class Principal:
    """A caller as seen in a token: ``object_id`` is the principal id used for RBAC (``oid`` claim)."""

    object_id: str
    client_id: str
    kind: str = "ServicePrincipal"


SYSTEM_IDENTITY = Principal(object_id=SYSTEM_PRINCIPAL_ID, client_id=SYSTEM_CLIENT_ID)


def _derived(kind: str, value: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{value.strip().lower()}"))


def user_assigned(
    *, client_id: str | None = None, object_id: str | None = None, resource_id: str | None = None
) -> Principal:
    """The user-assigned identity selected by one of its ids (the first given wins).

    The mapping is deterministic: the same ``client_id`` always yields the same principal. An ``object_id``
    *is* the principal id; the other ids are derived from it.
    """
    if client_id:
        return Principal(object_id=_derived("client", client_id), client_id=client_id.strip().lower())
    if object_id:
        return Principal(object_id=object_id.strip().lower(), client_id=_derived("object-client", object_id))
    if resource_id:
        oid = _derived("resource", resource_id)
        return Principal(object_id=oid, client_id=_derived("object-client", oid))
    return SYSTEM_IDENTITY


def principal_for(name: str) -> Principal:
    """A made-up principal for tests, deterministic in ``name``."""
    return Principal(object_id=_derived("test-principal", name), client_id=_derived("test-client", name))
