"""One backup/restore job at a time: every start request while a job runs is refused with the service's 409.

HTTP level, against the in-process emulator: every pair of job kinds (running x new), concurrent starts (exactly one
202), the order of checks (403 and 400 before 409), status polls during a conflict, and jobs a restart marked
``OperationInterrupted`` (they never block). Jobs are held ``InProgress`` with ``backup_job_delay``; nothing listens
on port 9, so no storage is needed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from emu_helpers import Api, assert_error
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator.app import collect_migrations
from mhsm_emulator.backup_jobs import BACKUP, OPERATIONS, RESTORE, create_job, fail_interrupted, running_job
from mhsm_emulator.errors import ServiceError
from mhsm_emulator.routes import backup as backup_routes
from mhsm_emulator.store import Store
from reliability_ledger import ledger, lost_writes

STORAGE = {"storageResourceUri": "http://127.0.0.1:9/devstoreaccount1/backups",
           "token": "se=2099-01-01T00%3A00%3A00Z&sp=rcwdl&sig=x"}
FOLDER = "mhsm-emulator-2025010100000000"
# operation -> (method, path, body, status URL kind)
STARTS: dict[str, tuple[str, str, dict[str, Any], str]] = {
    "backup": ("POST", "/backup", STORAGE, "backup"),
    "prebackup": ("POST", "/prebackup", STORAGE, "backup"),
    "restore": ("PUT", "/restore", {"sasTokenParameters": STORAGE, "folderToRestore": FOLDER}, "restore"),
    "prerestore": ("PUT", "/prerestore", {"sasTokenParameters": STORAGE, "folderToRestore": FOLDER}, "restore"),
    "selective": ("PUT", "/keys/somekey/restore", {"sasTokenParameters": STORAGE, "folder": FOLDER}, "restore"),
}
CONFLICT_MESSAGE = re.compile(
    r"^Another backup operation is in progress: the (?P<what>[a-z -]+) job (?P<job>[0-9a-f]{32}) started at "
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\. The HSM runs one backup, restore or pre-check at a time; wait until that job "
    r"has ended \(its status: GET (?P<url>https://\S+)\), then start this operation again\. "
    r"\(Activity ID: [0-9a-f-]+\)$"
)


@pytest.fixture
def held(emu: RunningEmulator) -> Iterator[RunningEmulator]:
    """Jobs stay InProgress (they sleep) until the test ends; then they are ended as a restart would end them."""
    emu.state.config.backup_job_delay = 60.0
    fail_interrupted(emu.state.store)
    try:
        yield emu
    finally:
        emu.state.config.backup_job_delay = 0.0
        fail_interrupted(emu.state.store)


def _start(api: Api, operation: str) -> requests.Response:
    method, path, body, _ = STARTS[operation]
    return api.request(method, path, json=body)


@pytest.mark.parametrize("second", sorted(STARTS))
@pytest.mark.parametrize("first", sorted(STARTS))
def test_every_start_is_refused_while_any_job_runs(held: RunningEmulator, first: str, second: str) -> None:
    api = Api(held)
    started = _start(api, first)
    assert started.status_code == 202, started.text
    running = started.json()["jobId"]
    refused = _start(api, second)
    body = assert_error(refused, 409, "Conflict")
    match = CONFLICT_MESSAGE.match(body["error"]["message"])
    assert match, body["error"]["message"]
    assert match["job"] == running
    assert match["what"] == OPERATIONS[first]
    status_url = f"{held.vault_url}/{STARTS[first][3]}/{running}/pending"
    assert match["url"] == started.headers["Azure-AsyncOperation"] == status_url
    assert "Azure-AsyncOperation" not in refused.headers and "Retry-After" not in refused.headers
    # The running job is untouched and still answers its status polls.
    status = api.get(f"/{STARTS[first][3]}/{running}/pending", api_version=None)
    assert status.status_code == 200 and status.json()["status"] == "InProgress"
    job = running_job(held.state.store)
    assert job is not None and job.job_id == running


@pytest.mark.parametrize("operation", sorted(STARTS))
def test_concurrent_starts_accept_exactly_one(held: RunningEmulator, operation: str) -> None:
    threads = 8
    barrier = threading.Barrier(threads)
    local = threading.local()

    def start(_: int) -> requests.Response:
        if not hasattr(local, "api"):
            local.api = Api(held)
        local.api.get("/settings")  # connected and authenticated before the race
        barrier.wait(timeout=30)
        return _start(local.api, operation)

    for _round in range(3):
        fail_interrupted(held.state.store)
        with ThreadPoolExecutor(max_workers=threads) as pool:
            answers = list(pool.map(start, range(threads)))
        accepted = [a for a in answers if a.status_code == 202]
        assert len(accepted) == 1, [a.status_code for a in answers]
        winner = accepted[0].json()["jobId"]
        for answer in answers:
            if answer is not accepted[0]:
                body = assert_error(answer, 409, "Conflict")
                assert f"job {winner} " in body["error"]["message"]
        rows = held.state.store.query("SELECT job_id FROM backup_jobs WHERE status = 'InProgress'")
        ledger.add("concurrent_writes", len(accepted))  # the one start accepted out of 8 racing ones
        ledger.add("concurrent_writes_lost", lost_writes([row["job_id"] for row in rows], [winner]))
        assert [row["job_id"] for row in rows] == [winner]


def test_two_stores_on_one_database_accept_one_start(tmp_path: Path) -> None:
    # Two processes on one file (what the data-folder lock prevents) still cannot both start a job.
    path = str(tmp_path / "state.sqlite3")
    stores = [Store(path, collect_migrations([backup_routes])) for _ in range(2)]
    barrier = threading.Barrier(8)

    def start(index: int) -> str:
        barrier.wait(timeout=30)
        try:
            return create_job(stores[index % 2], BACKUP if index % 3 else RESTORE, "backup").job_id
        except ServiceError as exc:
            assert exc.status == 409 and exc.code == "Conflict"
            return "409"

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(start, range(8)))
        assert outcomes.count("409") == 7
    finally:
        for store in stores:
            store.close()


def test_authorization_and_validation_come_before_the_conflict(held: RunningEmulator) -> None:
    api = Api(held)
    running = _start(api, "backup").json()["jobId"]
    nobody = api.for_principal(held.create_principal().object_id)
    for operation in STARTS:
        forbidden = assert_error(_start(nobody, operation), 403, "Forbidden")
        assert running not in forbidden["error"]["message"]  # no job details for callers who may not start one
    invalid = {**STORAGE, "token": "no-expiry"}
    assert_error(api.request("POST", "/backup", json=invalid), 400, "BadRequest")
    assert_error(api.request("PUT", "/keys/a_b/restore", json=STARTS["selective"][2]), 400, "BadParameter")
    assert_error(api.request("POST", "/backup", data=b"not json"), 400, "BadParameter")


def test_a_finished_job_does_not_block(held: RunningEmulator) -> None:
    api = Api(held)
    held.state.config.backup_job_delay = 0.0
    failed = _start(api, "backup").json()["jobId"]  # port 9: the job fails (storage unreachable)
    for _ in range(200):
        if api.get(f"/backup/{failed}/pending").json()["status"] != "InProgress":
            break
    assert api.get(f"/backup/{failed}/pending").json()["status"] == "Failed"
    held.state.config.backup_job_delay = 60.0
    assert _start(api, "restore").status_code == 202


def test_jobs_interrupted_by_a_restart_never_block(tmp_path: Path) -> None:
    with run_emulator(tmp_path, backup_job_delay=60.0) as first:
        api = Api(first)
        interrupted: dict[str, str] = {"backup": _start(api, "backup").json()["jobId"]}
        assert_error(_start(api, "selective"), 409, "Conflict")
    with run_emulator(tmp_path, backup_job_delay=60.0) as second:
        api = Api(second)
        status = api.get(f"/backup/{interrupted['backup']}/pending").json()
        assert status["status"] == "Failed" and status["error"]["code"] == "OperationInterrupted"
        started = _start(api, "selective")
        assert started.status_code == 202, started.text
        # ...and this one is interrupted by the shutdown below, so the next start is accepted too.
        interrupted["selective"] = started.json()["jobId"]
    with run_emulator(tmp_path) as third:
        api = Api(third)
        status = api.get(f"/restore/{interrupted['selective']}/pending").json()
        assert status["error"]["code"] == "OperationInterrupted"
        assert running_job(third.state.store) is None
        assert _start(api, "prebackup").status_code == 202


@pytest.mark.parametrize("operation", sorted(STARTS))
def test_key_writes_wait_for_a_restore(held: RunningEmulator, operation: str) -> None:
    # Live (7.3): a key DELETE during a selective restore was answered 409 with this message; reads are answered.
    for role in ("Managed HSM Crypto User", "Managed HSM Crypto Officer"):
        held.assign_role(held.principal_id, role, scope="/keys")
    api = Api(held)
    name = f"during-{operation}"
    assert api.request("POST", f"/keys/{name}/create", json={"kty": "EC"}).status_code == 200
    assert _start(api, operation).status_code == 202
    assert api.get(f"/keys/{name}").status_code == 200 and api.get("/keys").status_code == 200
    writes = [
        api.request("POST", f"/keys/{name}/create", json={"kty": "EC"}),
        api.delete(f"/keys/{name}"),
        api.delete(f"/deletedkeys/{name}"),
        api.request("POST", f"/deletedkeys/{name}/recover"),
    ]
    if operation in ("restore", "selective"):
        for answer in writes:
            body = assert_error(answer, 409, "Conflict")
            assert body["error"]["message"].startswith(
                "User triggered Restore operation is in progress. Retry after the restore operation (Activity ID: "
            )
    else:  # backups and pre-checks change no key: writes go ahead
        assert [answer.status_code for answer in writes] == [200, 200, 204, 404]
