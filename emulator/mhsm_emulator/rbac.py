"""Permission checks: the caller's effective data actions at a scope, and the service's 403.

Matching follows Azure RBAC: a data action pattern matches case-insensitively, ``*`` matches any run of
characters (``/`` included) and every other character is literal (``?``, ``[``, ``.`` ... are not wildcards).
A permission grants an action when one of its ``dataActions`` matches and none of its ``notDataActions`` does;
an assignment counts at its scope and below, and only where its definition is assignable.

Checks are cheap: a role's patterns are compiled once per definition version (built-in roles once at import),
exact patterns are a set lookup and wildcard patterns are indexed by their literal prefix. A decision
(principal, action, scope) is remembered while the store's change marker (:meth:`Store.change_marker`: every row
written through its connection, every commit of another connection) is the same; any write, an assignment or
definition created, changed or deleted included, forgets every decision, so a change takes effect on the next
request. Otherwise the check reads the principal's assignments (one indexed query, no JSON) and the definitions'
versions from the store.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import ServiceError
from .guids import canonical_principal
from .rbac_store import BUILTIN_DEFINITIONS, assignable_at, custom_definition_row, principal_grants
from .scopes import GLOBAL, scope_contains
from .state import get_caller, get_state
from .store import Store
from .tokens import VerifiedCaller


def _glob_match(parts: tuple[str, ...], text: str) -> bool:
    """``text`` matches ``parts[0] * parts[1] * ... * parts[-1]`` (``len(parts) >= 2``; all lower case).

    Greedy leftmost matching of each middle part is exact for ``*``-only patterns.
    """
    first, last = parts[0], parts[-1]
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    position, end = len(first), len(text) - len(last)
    for part in parts[1:-1]:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


class ActionPatterns:
    """A compiled list of data action patterns (``*`` is the only wildcard; case-insensitive)."""

    __slots__ = ("_by_prefix", "_exact")

    def __init__(self, patterns: Iterable[str]) -> None:
        self._exact: set[str] = set()
        self._by_prefix: dict[str, list[tuple[str, ...]]] = {}
        for pattern in patterns:
            parts = tuple(pattern.lower().split("*"))
            if len(parts) == 1:
                self._exact.add(parts[0])
            else:
                self._by_prefix.setdefault(parts[0], []).append(parts)

    def __bool__(self) -> bool:
        return bool(self._exact or self._by_prefix)

    def matches(self, action: str) -> bool:
        """True when some pattern matches ``action``."""
        lowered = action.lower()
        if lowered in self._exact:
            return True
        if not self._by_prefix:
            return False
        by_prefix = self._by_prefix
        # Only patterns whose literal prefix is a prefix of the action can match: len(action) + 1 lookups.
        for length in range(len(lowered) + 1):
            candidates = by_prefix.get(lowered[:length])
            if candidates is not None and any(_glob_match(parts, lowered) for parts in candidates):
                return True
        return False


@dataclass(frozen=True)
class CompiledPermission:
    """One permission object: granted and excluded data actions."""

    data_actions: ActionPatterns
    not_data_actions: ActionPatterns

    def allows(self, action: str) -> bool:
        """True when ``action`` is granted by this permission and not excluded by it."""
        return self.data_actions.matches(action) and not self.not_data_actions.matches(action)


@dataclass(frozen=True)
class CompiledRole:
    """A role definition ready for checks: its permissions and where it may be assigned."""

    permissions: tuple[CompiledPermission, ...]
    properties: dict[str, Any]

    def allows(self, action: str) -> bool:
        """True when one of the role's permissions grants ``action``."""
        return any(permission.allows(action) for permission in self.permissions)

    def assignable_at(self, scope: str) -> bool:
        """True when an assignment of this role at ``scope`` may exist (see ``assignableScopes``)."""
        return assignable_at(self.properties, scope)


def compile_role(properties: dict[str, Any]) -> CompiledRole:
    """Compile a definition's ``properties`` (the service's shape)."""
    permissions = tuple(
        CompiledPermission(ActionPatterns(block.get("dataActions") or []),
                           ActionPatterns(block.get("notDataActions") or []))
        for block in properties.get("permissions") or []
    )
    return CompiledRole(permissions, {"assignableScopes": list(properties.get("assignableScopes") or ["/"])})


_BUILTIN_ROLES = {d["name"]: compile_role(d["properties"]) for d in BUILTIN_DEFINITIONS}


class RoleCache:
    """Compiled custom roles of one store, keyed by definition row (``seq``) and checked against its version.

    An updated definition has a new version, so its stale compiled form is never used; a deleted one is no longer
    found by the assignment query. Least recently used entries beyond ``capacity`` are dropped.
    """

    def __init__(self, capacity: int = 256, decision_capacity: int = 4096) -> None:
        self.capacity = capacity
        self.decision_capacity = decision_capacity
        self._lock = threading.Lock()
        self._roles: OrderedDict[int, tuple[int, CompiledRole]] = OrderedDict()
        self.compiled = 0  # how many definitions were compiled (for tests and benchmarks)
        self._decisions: dict[tuple[str, str, str], bool] = {}
        self._decisions_marker: Any = None
        self.decided = 0  # how many decisions were worked out from the store (for tests and benchmarks)

    def decision(self, marker: Any, key: tuple[str, str, str]) -> bool | None:
        """The remembered decision for ``key`` while the store's change marker is ``marker``, else ``None``."""
        with self._lock:
            if marker != self._decisions_marker:
                self._decisions.clear()
                self._decisions_marker = marker
                return None
            return self._decisions.get(key)

    def remember(self, marker: Any, key: tuple[str, str, str], allowed: bool) -> None:
        """Keep a decision worked out while the store's change marker was ``marker`` (read before working it out)."""
        with self._lock:
            self.decided += 1
            if marker != self._decisions_marker:
                return  # the store changed meanwhile: the decision may be stale
            if len(self._decisions) >= self.decision_capacity:
                self._decisions.clear()
            self._decisions[key] = allowed

    def role(self, store: Store, seq: int, version: int) -> CompiledRole | None:
        """The compiled role of row ``seq`` at ``version`` (compiled now if needed); ``None`` once deleted."""
        with self._lock:
            cached = self._roles.get(seq)
            if cached is not None and cached[0] == version:
                self._roles.move_to_end(seq)
                return cached[1]
        loaded = custom_definition_row(store, seq)
        if loaded is None:
            return None
        loaded_version, properties = loaded
        role = compile_role(properties)
        with self._lock:
            self.compiled += 1
            current = self._roles.get(seq)
            if current is None or current[0] <= loaded_version:
                self._roles[seq] = (loaded_version, role)
                self._roles.move_to_end(seq)
            while len(self._roles) > self.capacity:
                self._roles.popitem(last=False)
        return role


_CACHES: weakref.WeakKeyDictionary[Store, RoleCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def role_cache(store: Store) -> RoleCache:
    """The :class:`RoleCache` of ``store``."""
    with _CACHES_LOCK:
        cache = _CACHES.get(store)
        if cache is None:
            cache = _CACHES[store] = RoleCache()
        return cache


def effective_roles(store: Store, principal_id: str, scope: str = GLOBAL) -> list[CompiledRole]:
    """The compiled roles assigned to the principal at ``scope`` or above (where their definition allows it)."""
    cache = role_cache(store)
    roles: list[CompiledRole] = []
    for assigned_scope, definition_name, seq, version in principal_grants(store, principal_id):
        if not scope_contains(assigned_scope, scope):
            continue
        role = _BUILTIN_ROLES.get(definition_name) if seq is None or version is None else cache.role(
            store, seq, version
        )
        # An assignment outside its definition's assignable scopes (possible only in data written before they
        # were enforced) grants nothing.
        if role is not None and role.assignable_at(assigned_scope):
            roles.append(role)
    return roles


def is_allowed(store: Store, principal_id: str, action: str, scope: str = GLOBAL) -> bool:
    """True when some role assigned to the principal at ``scope`` (or above) grants ``action``."""
    cache = role_cache(store)
    marker = store.change_marker()
    key = (principal_id, action, scope)
    allowed = cache.decision(marker, key)
    if allowed is None:
        allowed = any(role.allows(action) for role in effective_roles(store, principal_id, scope))
        cache.remember(marker, key, allowed)
    return allowed


def forbidden(caller: VerifiedCaller, action: str, scope: str) -> ServiceError:
    """The service's 403 for a caller that lacks ``action``."""
    message = (
        f"Operation \"{action}\" not allowed. Caller: appid={caller.client_id};oid={caller.object_id};"
        f"iss={caller.issuer}. Scope: {scope}. Assignment: (not found). DecisionReason: 'DeniedWithNoValidRBAC'. "
        "Vault: mhsm-emulator;location=local."
    )
    return ServiceError(403, "Forbidden", message, innererror={"code": "ForbiddenByRbac"})


@dataclass(frozen=True)
class Denial:
    """The data action a request's caller lacked, and the scope it was checked at (for the request log)."""

    action: str
    scope: str


DENIAL_KEY = web.RequestKey("mhsm_rbac_denial", Denial)
"""Set on a request that :func:`require_data_action` refused."""


def require_data_action(request: web.Request, action: str, scope: str = GLOBAL) -> VerifiedCaller:
    """Raise the service's 403 unless the request's caller holds ``action`` at ``scope`` (or above).

    :param request: the authenticated request.
    :param action: full data action name (see :mod:`mhsm_emulator.actions`).
    :param scope: normalised scope (``/``, ``/keys``, ``/keys/<name>``) where the operation takes effect.
    :returns: the caller.
    """
    caller = get_caller(request)
    if not is_allowed(get_state(request).store, canonical_principal(caller.object_id), action, scope):
        request[DENIAL_KEY] = Denial(action, scope)
        raise forbidden(caller, action, scope)
    return caller
