"""Permission checks: the caller's effective data actions at a scope, and the service's 403."""

from __future__ import annotations

import fnmatch
from typing import Any

from aiohttp import web

from .errors import ServiceError
from .rbac_store import assignments_for_principal, find_definition
from .scopes import GLOBAL, scope_contains
from .state import get_caller, get_state
from .store import Store
from .tokens import VerifiedCaller


def _matches(action: str, patterns: list[str]) -> bool:
    lowered = action.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern.lower()) for pattern in patterns)


def permission_blocks(store: Store, principal_id: str, scope: str) -> list[dict[str, Any]]:
    """The permission objects of every role assigned to the principal at ``scope`` or above."""
    blocks: list[dict[str, Any]] = []
    for assigned_scope, definition_name in assignments_for_principal(store, principal_id):
        if not scope_contains(assigned_scope, scope):
            continue
        definition = find_definition(store, definition_name)
        if definition is not None:
            blocks.extend(definition["properties"]["permissions"])
    return blocks


def is_allowed(store: Store, principal_id: str, action: str, scope: str = GLOBAL) -> bool:
    """True when some assigned permission grants ``action`` (wildcards allowed) and does not exclude it."""
    for block in permission_blocks(store, principal_id, scope):
        if _matches(action, block.get("dataActions", [])) and not _matches(action, block.get("notDataActions", [])):
            return True
    return False


def forbidden(caller: VerifiedCaller, action: str, scope: str) -> ServiceError:
    """The service's 403 for a caller that lacks ``action``."""
    message = (
        f"Operation \"{action}\" not allowed. Caller: appid={caller.client_id};oid={caller.object_id};"
        f"iss={caller.issuer}. Scope: {scope}. Assignment: (not found). DecisionReason: 'DeniedWithNoValidRBAC'. "
        "Vault: mhsm-emulator;location=local."
    )
    return ServiceError(403, "Forbidden", message, innererror={"code": "ForbiddenByRbac"})


def require_data_action(request: web.Request, action: str, scope: str = GLOBAL) -> VerifiedCaller:
    """Raise the service's 403 unless the request's caller holds ``action`` at ``scope`` (or above).

    :param request: the authenticated request.
    :param action: full data action name (see :mod:`mhsm_emulator.actions`).
    :param scope: normalised scope (``/``, ``/keys``, ``/keys/<name>``).
    :returns: the caller.
    """
    caller = get_caller(request)
    if not is_allowed(get_state(request).store, caller.object_id, action, scope):
        raise forbidden(caller, action, scope)
    return caller
