"""One job at a time, end to end: the sync and async clients against the in-process emulator and Azurite.

A start request while a job runs is refused with 409 Conflict and raised as ``ResourceExistsError`` (the official
type) naming the running job. When the emulator handles a start request and then loses its answer (a 503, a 500
or a dropped connection, injected after the handler committed the job), azure-core retries the request and the
retry meets the job its own first try started: the error says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import ResourceExistsError, ServiceRequestError, ServiceResponseError
from azure.core.rest import HttpRequest
from backup_helpers import client_class, container_name, prepare_emulator, resolve
from mhsm_emulator.azurite import Azurite
from mhsm_emulator.backup_jobs import fail_interrupted, running_job
from mhsm_emulator.inprocess import RunningEmulator, run_emulator
from reliability_ledger import count_faults

from azure.keyvault.administration._internal import HttpChallengeCache

KEY = "conflictkey"
# The start request of each kind, as the emulator's fault matcher sees it.
START_PATHS = {"backup": "^POST /backup$", "restore": "^PUT /restore$", "selective": f"^PUT /keys/{KEY}/restore$"}


@pytest.fixture(scope="module")
def hsm(azurite: Azurite) -> Iterator[RunningEmulator]:
    """An emulator of its own (faults and job delays would disturb other tests) with one backup to restore."""
    with run_emulator(database=":memory:") as emulator:
        prepare_emulator(emulator, azurite)
        yield emulator


@pytest.fixture(scope="module")
def storage(hsm: RunningEmulator, azurite: Azurite) -> dict[str, str]:
    container = container_name("test_backup_conflict_emulator")
    url = azurite.create_container(container)
    sas = azurite.container_sas(container)
    with client_class("sync")(hsm.vault_url, hsm.credential(), **hsm.client_kwargs()) as client:
        response = client.send_request(HttpRequest("POST", f"/keys/{KEY}/create", json={"kty": "EC-HSM"}))
        assert response.status_code == 200, response.text()
        folder = client.begin_backup(url, sas_token=sas, polling_interval=0.05).result().folder_url
    return {"container": url, "sas": sas, "folder": folder}


def _client(hsm: RunningEmulator, flavor: str) -> Any:
    credential = hsm.async_credential() if flavor == "async" else hsm.credential()
    return client_class(flavor)(hsm.vault_url, credential, **hsm.client_kwargs())


@pytest.fixture(autouse=True)
def _clean(hsm: RunningEmulator) -> Iterator[None]:
    HttpChallengeCache.clear()
    hsm.state.config.backup_job_delay = 60.0  # jobs stay InProgress until the test ends them
    with count_faults(hsm.state.faults):
        yield
    hsm.set_faults()
    hsm.state.config.backup_job_delay = 0.0
    _end_running_job(hsm)


def _end_running_job(hsm: RunningEmulator) -> None:
    # As a restart would: the job's row ends Failed (OperationInterrupted) and its sleeping task finds it finished.
    fail_interrupted(hsm.state.store)


async def _begin(client: Any, kind: str, storage: dict[str, str], **kwargs: Any) -> Any:
    if kind == "backup":
        call = client.begin_backup(storage["container"], sas_token=storage["sas"], polling=False, **kwargs)
    elif kind == "restore":
        call = client.begin_restore(storage["folder"], sas_token=storage["sas"], polling=False, **kwargs)
    else:
        call = client.begin_restore(storage["folder"], sas_token=storage["sas"], key_name=KEY, polling=False, **kwargs)
    return await resolve(call)


@pytest.mark.parametrize("flavor", ["sync", "async"])
@pytest.mark.parametrize("second", sorted(START_PATHS))
@pytest.mark.parametrize("first", sorted(START_PATHS))
async def test_a_start_while_a_job_runs_is_a_clear_409(
    hsm: RunningEmulator, storage: dict[str, str], flavor: str, first: str, second: str
) -> None:
    client = _client(hsm, flavor)
    try:
        poller = await _begin(client, first, storage)
        running = poller.polling_method().job_id
        assert poller.status() == "InProgress" and running
        with pytest.raises(ResourceExistsError) as info:
            await _begin(client, second, storage)
        error = info.value
        assert error.status_code == 409 and error.error is not None and error.error.code == "Conflict"
        assert error.error.message.startswith("Another backup operation is in progress")
        kind = "backup" if first == "backup" else "restore"
        assert f"job {running}" in str(error) and f"/{kind}/{running}/pending" in str(error)
        assert "Note:" not in str(error)  # a first try: nothing to add
        job = running_job(hsm.state.store)
        assert job is not None and job.job_id == running  # the refused request started nothing
    finally:
        await resolve(client.close())


@pytest.mark.parametrize("flavor", ["sync", "async"])
@pytest.mark.parametrize("lost", ["503", "500", "drop"])
@pytest.mark.parametrize("kind", sorted(START_PATHS))
async def test_a_retried_start_that_the_hsm_had_accepted(
    hsm: RunningEmulator, storage: dict[str, str], flavor: str, kind: str, lost: str
) -> None:
    hsm.set_faults(lost_answer_rate=1.0, lost_answer=lost, match=START_PATHS[kind], max_faults=1)
    client = _client(hsm, flavor)
    try:
        if lost == "drop" and kind == "backup":
            # Nobody re-sends a POST that got no answer (it may have been performed): no 409 to explain. The sync
            # transport reports a ServiceResponseError, aiohttp a ServiceRequestError ("Server disconnected").
            with pytest.raises((ServiceResponseError, ServiceRequestError)):
                await _begin(client, kind, storage)
            job = running_job(hsm.state.store)
            assert job is not None and job.operation == "backup"
            return
        with pytest.raises(ResourceExistsError) as info:
            await _begin(client, kind, storage)
        assert hsm.state.faults.injected["lost_answer"] == 1
        job = running_job(hsm.state.store)
        assert job is not None and job.operation == kind  # started by the try whose answer was lost
        message = str(info.value)
        assert info.value.error is not None and info.value.error.code == "Conflict"
        assert f"job {job.job_id}" in message
        if lost == "drop" and flavor == "async":
            # aiohttp itself re-sends an idempotent request once when a reused keep-alive connection closes without
            # an answer; azure-core never sees the first try, so the client cannot add its note. The service's
            # message (here the emulator's, naming the job) is what the caller gets.
            return
        failed = "no answer" if lost == "drop" else f"HTTP {lost}"
        assert f"azure-core sent this request again after its first try failed ({failed})" in message
        assert "the operation in progress may be this call's own" in message
    finally:
        await resolve(client.close())


@pytest.mark.parametrize("flavor", ["sync", "async"])
async def test_the_next_start_after_the_job_ended_is_accepted(
    hsm: RunningEmulator, storage: dict[str, str], flavor: str
) -> None:
    hsm.state.config.backup_job_delay = 0.0
    client = _client(hsm, flavor)
    try:
        for kind in ("backup", "selective", "restore", "backup"):
            poller = await _begin(client, kind, storage)
            token = poller.continuation_token()
            if kind == "backup":
                resumed = await resolve(client.begin_backup("ignored", continuation_token=token, polling_interval=0.05))
            else:
                resumed = await resolve(
                    client.begin_restore(storage["folder"], continuation_token=token, polling_interval=0.05)
                )
            await resolve(resumed.wait())
            assert resumed.status() == "Succeeded", resumed.polling_method().job
        assert running_job(hsm.state.store) is None
    finally:
        await resolve(client.close())
