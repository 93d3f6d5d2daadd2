"""The emulator's per-request caches (verified tokens, RBAC decisions, shared built-in roles) change no answer.

Each cache is shown to be used (by counting the work it saves: signature checks, decisions worked out), and to let
go at once when it must: a token past its expiry is refused although it is cached, a forged or altered token is
checked in full, a deleted assignment or a changed role takes effect on the next request, also when another
connection to the database makes the change. No timings are asserted (speed is measured in benchmarks/).
"""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from emu_helpers import ASSIGNMENTS, DEFS, Api, assert_error, new_guid
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator import tokens as tokens_module
from mhsm_emulator.app import collect_migrations
from mhsm_emulator.identities import Principal
from mhsm_emulator.rbac import is_allowed, role_cache
from mhsm_emulator.rbac_store import BUILTIN_DEFINITIONS, bootstrap, create_assignment, definition_id
from mhsm_emulator.store import Store
from mhsm_emulator.tokens import TokenError, TokenIssuer

P = "Microsoft.KeyVault/managedHsm/"
READ = P + "settings/read/action"
AUDIENCE = "https://127.0.0.1:1"
TENANT = "72f988bf-0000-4000-8000-00000000e1a0"
CALLER = Principal(object_id="6a2b1c9e-0000-4000-8000-00000000be0c", client_id="c1")
CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b"


# ---- verified tokens -------------------------------------------------------------------------------------------


def test_a_token_is_verified_once_and_then_remembered() -> None:
    issuer = TokenIssuer(None, TENANT)
    token = issuer.issue(CALLER, AUDIENCE).token
    callers = {id(issuer.verify(token, [AUDIENCE])) for _ in range(20)}
    assert issuer.signature_checks == 1 and len(callers) == 1
    assert issuer.verify(token, [AUDIENCE]).object_id == CALLER.object_id
    issuer.verify(token, [AUDIENCE, "https://other"])  # other accepted audiences: checked on their own
    assert issuer.signature_checks == 2


def test_a_cached_token_is_refused_once_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = TokenIssuer(None, TENANT)
    now = 1_800_000_000.0
    token = issuer.issue(CALLER, AUDIENCE, lifetime=60, now=now).token
    monkeypatch.setattr(tokens_module.time, "time", lambda: now + 10)
    monkeypatch.setattr(tokens_module.jwt.api_jwt, "datetime", _FrozenDatetime(now + 10))
    issuer.verify(token, [AUDIENCE])
    monkeypatch.setattr(tokens_module.time, "time", lambda: now + 64)  # within the 5 s leeway
    issuer.verify(token, [AUDIENCE])
    assert issuer.signature_checks == 1
    monkeypatch.setattr(tokens_module.time, "time", lambda: now + 66)
    with pytest.raises(TokenError, match="expired"):
        issuer.verify(token, [AUDIENCE])
    with pytest.raises(TokenError, match="expired"):  # forgotten: now checked in full, and refused by PyJWT too
        monkeypatch.setattr(tokens_module.jwt.api_jwt, "datetime", _FrozenDatetime(now + 66))
        issuer.verify(token, [AUDIENCE])
    assert issuer.signature_checks == 2


class _FrozenDatetime:
    """Stands in for PyJWT's ``datetime`` so that its own time checks see the same clock as the cache's."""

    def __init__(self, timestamp: float) -> None:
        import datetime

        self._now = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)

    def now(self, tz: Any = None) -> Any:
        return self._now


def test_forged_and_altered_tokens_are_checked_in_full_after_the_real_one_is_cached() -> None:
    issuer = TokenIssuer(None, TENANT)
    token = issuer.issue(CALLER, AUDIENCE).token
    issuer.verify(token, [AUDIENCE])
    header, payload, signature = token.split(".")
    other = TokenIssuer(None, TENANT).issue(CALLER, AUDIENCE).token
    forged = [
        ".".join([header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")]),
        ".".join([header, other.split(".")[1], signature]),
        other,  # signed by another key
        token + " ",
        token[:-1],
    ]
    for candidate in forged:
        with pytest.raises(TokenError):
            issuer.verify(candidate, [AUDIENCE])
    assert issuer.signature_checks == 1 + len(forged)
    assert issuer.verify(token, [AUDIENCE]).object_id == CALLER.object_id


def test_the_cache_is_bounded() -> None:
    issuer = TokenIssuer(None, TENANT, cache_size=2)
    tokens = [issuer.issue(CALLER, AUDIENCE, extra_claims={"n": n}).token for n in range(3)]
    for token in tokens:
        issuer.verify(token, [AUDIENCE])
    assert len(issuer._verified) == 2
    issuer.verify(tokens[0], [AUDIENCE])  # the least recently used one was forgotten
    assert issuer.signature_checks == 4


def test_a_token_not_yet_valid_is_never_cached() -> None:
    issuer = TokenIssuer(None, TENANT)
    token = issuer.issue(CALLER, AUDIENCE, now=4_000_000_000).token  # issued in the future
    for _ in range(2):
        with pytest.raises(TokenError):
            issuer.verify(token, [AUDIENCE])
    assert issuer.signature_checks == 2


def test_the_emulator_checks_each_token_signature_once(emu: RunningEmulator, api: Api) -> None:
    before = emu.state.issuer.signature_checks
    for _ in range(10):
        assert api.get(DEFS).status_code == 200
    assert emu.state.issuer.signature_checks - before <= 1


# ---- RBAC decisions --------------------------------------------------------------------------------------------


def _role_and_caller(emu: RunningEmulator, api: Api, *actions: str) -> tuple[str, str, Api]:
    role = new_guid()
    body = {"properties": {"permissions": [{"dataActions": list(actions), "notDataActions": []}]}}
    assert api.put(f"{DEFS}/{role}", json=body).status_code == 201
    principal = emu.create_principal().object_id
    emu.assign_role(principal, role)
    return role, principal, api.for_principal(principal)


def test_decisions_are_remembered_until_the_store_changes(emu: RunningEmulator, api: Api) -> None:
    _, principal, caller = _role_and_caller(emu, api, READ)
    cache = role_cache(emu.state.store)
    assert caller.get("/settings").status_code == 200
    decided = cache.decided
    for _ in range(10):
        assert caller.get("/settings").status_code == 200
    assert cache.decided == decided  # every answer came from the remembered decision
    (assignment,) = api.get(ASSIGNMENTS, params={"$filter": f"principalId eq '{principal}'"}).json()["value"]
    assert api.delete(assignment["id"]).status_code == 200
    assert_error(caller.get("/settings"), 403, "Forbidden")  # deleted -> the very next request is refused
    assert cache.decided > decided


def test_a_changed_role_takes_effect_at_once(emu: RunningEmulator, api: Api) -> None:
    role, _, caller = _role_and_caller(emu, api, READ)
    for _ in range(3):
        assert caller.get("/settings").status_code == 200
    narrowed = {"properties": {"permissions": [{"dataActions": [P + "keys/read/action"]}]}}
    assert api.put(f"{DEFS}/{role}", json=narrowed).status_code == 201
    assert_error(caller.get("/settings"), 403, "Forbidden")
    widened = {"properties": {"permissions": [{"dataActions": [P + "settings/*"]}]}}
    assert api.put(f"{DEFS}/{role}", json=widened).status_code == 201
    assert caller.get("/settings").status_code == 200


def test_a_new_assignment_takes_effect_at_once(emu: RunningEmulator, api: Api) -> None:
    principal = emu.create_principal().object_id
    caller = api.for_principal(principal)
    for _ in range(3):
        assert_error(caller.get("/settings"), 403, "Forbidden")
    emu.assign_role(principal, "Managed HSM Crypto Officer")
    assert caller.get(f"{DEFS}/{CRYPTO_USER}").status_code == 200


def test_a_change_by_another_connection_is_seen(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    store = Store(path, collect_migrations([]))
    admin = "0f0f0f0f-0000-4000-8000-000000000001"
    try:
        bootstrap(store, admin)
        create_assignment(store, "/", new_guid(), definition_id(CRYPTO_USER), CALLER.object_id)
        read = P + "keys/read/action"
        for _ in range(3):
            assert is_allowed(store, CALLER.object_id, read, "/")
        other = sqlite3.connect(path)
        try:
            other.execute("DELETE FROM role_assignments WHERE principal_id = ?", (CALLER.object_id,))
            other.commit()
        finally:
            other.close()
        assert not is_allowed(store, CALLER.object_id, read, "/")
        assert is_allowed(store, admin, P + "roleAssignments/read/action", "/")  # other principals unaffected
    finally:
        store.close()


def test_the_decision_cache_is_bounded(emu: RunningEmulator) -> None:
    cache = role_cache(emu.state.store)
    marker = emu.state.store.change_marker()
    for n in range(cache.decision_capacity + 10):
        cache.remember(marker, (f"p{n}", READ, "/"), True)
        cache.decision(marker, (f"p{n}", READ, "/"))
    assert len(cache._decisions) <= cache.decision_capacity


# ---- built-in roles served without copies ----------------------------------------------------------------------


def test_serving_built_in_roles_leaves_them_unchanged(emu: RunningEmulator, api: Api) -> None:
    snapshot = copy.deepcopy(BUILTIN_DEFINITIONS)
    first = api.get(f"{DEFS}/{CRYPTO_USER}").json()
    for _ in range(5):
        assert api.get(f"{DEFS}/{CRYPTO_USER.upper()}").json() == first
        api.get(DEFS, params={"$filter": "roleName eq 'Managed HSM Crypto User'"})
    assert BUILTIN_DEFINITIONS == snapshot
    assert first == next(d for d in snapshot if d["name"] == CRYPTO_USER)


def test_data_dir_restart_keeps_caches_out_of_the_state(tmp_path: Path) -> None:
    with run_emulator(data_dir=tmp_path) as emu:
        principal = emu.create_principal().object_id
        emu.assign_role(principal, "Managed HSM Crypto User")
        assert Api(emu).for_principal(principal).get(f"{DEFS}/{CRYPTO_USER}").status_code == 200
    with run_emulator(data_dir=tmp_path) as emu:  # a new process state: nothing cached, the same decisions
        assert Api(emu).for_principal(principal).get(f"{DEFS}/{CRYPTO_USER}").status_code == 200
