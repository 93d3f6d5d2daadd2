"""Permission checks are compiled once per role version and stay correct under updates (issue 8 item 6).

No timings are asserted (see benchmarks/bench_emulator_rbac.py): these tests count compilations and check that
a changed, deleted or re-created role or assignment takes effect on the very next request, also while other
threads keep checking and when another connection to the same database file makes the change.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from emu_helpers import ASSIGNMENTS, DEFS, Api, assert_error, new_guid
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator.app import collect_migrations
from mhsm_emulator.rbac import role_cache
from mhsm_emulator.rbac_store import definition_id, put_definition
from mhsm_emulator.store import Store

P = "Microsoft.KeyVault/managedHsm/"
READ = P + "settings/read/action"


def _body(*actions: str, not_data: list[str] | None = None) -> dict[str, Any]:
    return {"properties": {"permissions": [{"dataActions": list(actions), "notDataActions": not_data or []}]}}


def _role_and_caller(emu: RunningEmulator, api: Api, *actions: str) -> tuple[str, str, Api]:
    role = new_guid()
    assert api.put(f"{DEFS}/{role}", json=_body(*actions)).status_code == 201
    principal = emu.create_principal().object_id
    emu.assign_role(principal, role)
    return role, principal, api.for_principal(principal)


def test_compiled_once_per_version(emu: RunningEmulator, api: Api) -> None:
    role, _, caller = _role_and_caller(emu, api, READ)
    cache = role_cache(emu.state.store)
    before = cache.compiled
    for _ in range(20):
        assert caller.get("/settings").status_code == 200
    assert cache.compiled == before + 1
    assert api.put(f"{DEFS}/{role}", json=_body(READ, P + "keys/read/action")).status_code == 201
    for _ in range(20):
        assert caller.get("/settings").status_code == 200
    assert cache.compiled == before + 2


def test_changes_take_effect_on_the_next_request(emu: RunningEmulator, api: Api) -> None:
    role, principal, caller = _role_and_caller(emu, api, READ)
    for round_ in range(10):
        assert caller.get("/settings").status_code == 200, round_
        assert api.put(f"{DEFS}/{role}", json=_body(P + "keys/read/action")).status_code == 201
        assert_error(caller.get("/settings"), 403, "Forbidden")
        assert api.put(f"{DEFS}/{role}", json=_body(P + "*", not_data=[READ])).status_code == 201
        assert_error(caller.get("/settings"), 403, "Forbidden")
        assert api.put(f"{DEFS}/{role}", json=_body(READ)).status_code == 201
    # assignment deleted -> gone; definition deleted and re-created under the same GUID -> its new permissions
    (assignment,) = api.get(ASSIGNMENTS, params={"$filter": f"principalId eq '{principal}'"}).json()["value"]
    assert api.delete(assignment["id"]).status_code == 200
    assert_error(caller.get("/settings"), 403, "Forbidden")
    assert api.delete(f"{DEFS}/{role}").status_code == 200
    assert api.put(f"{DEFS}/{role}", json=_body(P + "keys/read/action")).status_code == 201
    emu.assign_role(principal, role)
    assert_error(caller.get("/settings"), 403, "Forbidden")
    assert api.put(f"{DEFS}/{role}", json=_body(READ)).status_code == 201
    assert caller.get("/settings").status_code == 200


def test_updates_while_other_threads_check(emu: RunningEmulator, api: Api) -> None:
    role, _, caller = _role_and_caller(emu, api, READ)
    # other principals holding the same role keep checking while it flips
    readers = [emu.create_principal().object_id for _ in range(3)]
    for reader in readers:
        emu.assign_role(reader, role)
    readers_api = [api.for_principal(reader) for reader in readers]
    stop = threading.Event()
    unexpected: list[int] = []

    def read(reader: Api) -> None:
        while not stop.is_set():
            status = reader.get("/settings").status_code
            if status not in (200, 403):
                unexpected.append(status)

    threads = [threading.Thread(target=read, args=(reader,)) for reader in readers_api]
    for thread in threads:
        thread.start()
    try:
        for round_ in range(15):
            granted = round_ % 2 == 0
            actions = [READ] if granted else [P + "keys/read/action"]
            assert api.put(f"{DEFS}/{role}", json=_body(*actions)).status_code == 201
            assert caller.get("/settings").status_code == (200 if granted else 403), round_
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert unexpected == []


def test_a_change_through_another_connection_takes_effect(tmp_path: Path) -> None:
    with run_emulator(data_dir=tmp_path) as emu:
        api = Api(emu)
        role, _, caller = _role_and_caller(emu, api, READ)
        assert caller.get("/settings").status_code == 200
        other = Store(emu.data_dir.joinpath("state.sqlite3").as_posix(), collect_migrations([]))
        try:
            properties = api.get(f"{DEFS}/{role}").json()["properties"]
            properties["permissions"] = [{"actions": [], "dataActions": [P + "keys/read/action"], "notActions": [],
                                          "notDataActions": []}]
            put_definition(other, role, properties)
            assert_error(caller.get("/settings"), 403, "Forbidden")
            with other.transaction() as conn:
                conn.execute("DELETE FROM role_assignments")
            assert_error(api.get("/settings"), 403, "Forbidden")  # even the administrator's assignment is gone
        finally:
            other.close()


def test_a_role_with_twenty_thousand_patterns(emu: RunningEmulator, api: Api) -> None:
    patterns = [f"{P}custom/area{i}/*" if i % 2 else f"{P}custom/action{i}" for i in range(20_000)]
    role, principal, caller = _role_and_caller(emu, api, *patterns[:10_000], READ, *patterns[10_000:])
    assert caller.get("/settings").status_code == 200
    assert_error(caller.patch("/settings/AllowKeyManagementOperationsThroughARM", json={"value": "true"}), 403,
                 "Forbidden")
    body = {"properties": {"roleDefinitionId": definition_id(role), "principalId": new_guid()}}
    assert_error(caller.put(f"{ASSIGNMENTS}/{new_guid()}", json=body), 403, "Forbidden")
    from mhsm_emulator.rbac import is_allowed

    assert is_allowed(emu.state.store, principal, f"{P}custom/area19999/anything", "/")
    assert is_allowed(emu.state.store, principal, f"{P}CUSTOM/ACTION19998", "/keys/k1")
    assert not is_allowed(emu.state.store, principal, f"{P}custom/action19999", "/")
