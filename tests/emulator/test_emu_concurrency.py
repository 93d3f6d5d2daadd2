"""Concurrent writers (threads over HTTP, and two stores on one file) never lose or duplicate rows."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from emu_helpers import ASSIGNMENTS, Api, new_guid
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator.app import collect_migrations
from mhsm_emulator.rbac_store import create_assignment, list_assignments
from mhsm_emulator.store import Store
from reliability_ledger import ledger, lost_writes

ROLE = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b"


def test_parallel_http_writers(tmp_path: Path) -> None:
    with run_emulator(tmp_path, page_size=1000) as emu:
        principal = new_guid()
        names = [new_guid() for _ in range(80)]
        local = threading.local()

        def create(name: str) -> int:
            if not hasattr(local, "api"):
                local.api = Api(emu)
            body = {"properties": {"roleDefinitionId": ROLE, "principalId": principal}}
            return int(local.api.put(f"{ASSIGNMENTS}/{name}", json=body).status_code)

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(create, names + names[:20]))  # 20 repeats race with the originals
        assert statuses.count(201) == 100
        listed = Api(emu).get(ASSIGNMENTS, params={"$filter": f"principalId eq '{principal}'"}).json()["value"]
        ledger.add("concurrent_writes", statuses.count(201))
        ledger.add("concurrent_writes_lost", lost_writes([a["name"] for a in listed], names))
        assert sorted(a["name"] for a in listed) == sorted(names)


def test_two_stores_on_one_file(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    stores = [Store(path, collect_migrations([])) for _ in range(2)]
    names = [new_guid() for _ in range(60)]

    def write(index: int) -> None:
        create_assignment(stores[index % 2], "/", names[index], ROLE, "p")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(len(names))))
    ledger.add("concurrent_writes", len(names))
    for store in stores:
        ledger.add("concurrent_writes_lost", lost_writes([a["name"] for a in list_assignments(store, "/")], names))
        assert sorted(a["name"] for a in list_assignments(store, "/")) == sorted(names)
        store.close()


def test_running_emulator_is_usable_from_threads(emu: RunningEmulator) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: Api(emu).get("/settings").status_code, range(16)))
    assert statuses == [200] * 16
