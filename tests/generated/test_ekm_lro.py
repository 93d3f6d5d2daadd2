"""The generated EKM private-endpoint LROs ("resource" style): azure-core's operation-resource polling on
``Azure-AsyncOperation`` alone, a POST's ``Location`` fetched after success, relative status URLs resolved against
the vault URL, per-call headers on every poll, and resumable ``polling=False`` tokens (sync and async)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.polling.base_polling import BadResponse

from azure.keyvault.administration._generated import models as m
from azure.keyvault.administration._generated._request_builders import (
    CREATE_EKM_PRIVATE_ENDPOINT,
    DELETE_EKM_PRIVATE_ENDPOINT,
    FULL_BACKUP,
)

from ._transport import VAULT, Canned, make_async_client, make_client

VERSION = "2026-07-01-preview"
STATUS = f"{VAULT}/ekm/privateendpoint/operations/job1?api-version={VERSION}"
ACCEPTED = {"jobId": "job1", "privateEndpointName": "pe", "operationType": "Create", "status": "NotStarted"}
RUNNING = {**ACCEPTED, "status": "Running"}
DONE = {**ACCEPTED, "status": "Succeeded"}
PARAMETERS = m.EkmPrivateEndpointCreateParameters(private_link_service_id="pls")


def test_specs_choose_the_polling_style() -> None:
    assert (CREATE_EKM_PRIVATE_ENDPOINT.lro_style, DELETE_EKM_PRIVATE_ENDPOINT.lro_style) == ("resource", "resource")
    assert FULL_BACKUP.lro_style == "job"


async def run(flavor: str, responses: list[Canned], begin: str = "create", **kwargs: Any) -> tuple[Any, list[Any]]:
    maker = make_client if flavor == "sync" else make_async_client
    client, transport = maker(VERSION, responses)
    if begin == "create":
        poller = client.begin_create_ekm_private_endpoint(VAULT, "pe", PARAMETERS, polling_interval=0, **kwargs)
    else:
        poller = client.begin_delete_ekm_private_endpoint(VAULT, "pe", polling_interval=0, **kwargs)
    if flavor == "async":
        poller = await poller
        return await poller.result(), transport.requests
    return poller.result(), transport.requests


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_create_follows_the_location(flavor: str) -> None:
    final = {**DONE, "statusDetails": "final"}
    responses = [Canned(202, ACCEPTED, {"Azure-AsyncOperation": STATUS, "Location": f"{VAULT}/pe-final"}),
                 Canned(200, RUNNING), Canned(200, DONE), Canned(200, final)]
    operation, requests = await run(flavor, responses)
    assert [(r.method, r.url) for r in requests] == [
        ("POST", f"{VAULT}/ekm/privateendpoint/pe?api-version={VERSION}"), ("GET", STATUS), ("GET", STATUS),
        ("GET", f"{VAULT}/pe-final")]
    assert isinstance(operation, m.EkmPrivateEndpointOperation) and operation.status_details == "final"


async def test_delete_ignores_the_location(flavor: str) -> None:
    responses = [Canned(202, ACCEPTED, {"Azure-AsyncOperation": STATUS, "Location": f"{VAULT}/pe-final"}),
                 Canned(200, DONE)]
    operation, requests = await run(flavor, responses, begin="delete")
    assert [r.url for r in requests][1:] == [STATUS]
    assert operation.status is m.OperationState.SUCCEEDED


async def test_relative_status_url_and_headers_on_every_poll(flavor: str) -> None:
    relative = f"/ekm/privateendpoint/operations/job1?api-version={VERSION}"
    responses = [Canned(202, ACCEPTED, {"Azure-AsyncOperation": relative}), Canned(200, DONE)]
    _, requests = await run(flavor, responses, headers={"x-h": "1"})
    assert [r.url for r in requests][1:] == [STATUS]
    assert [r.headers.get("x-h") for r in requests] == ["1", "1"]


async def test_no_status_link_is_a_bad_response(flavor: str) -> None:
    with pytest.raises(BadResponse):
        await run(flavor, [Canned(202, ACCEPTED, {"Operation-Location": STATUS})])


async def test_polling_false_tokens_resume(flavor: str) -> None:
    maker = make_client if flavor == "sync" else make_async_client
    client, _ = maker(VERSION, [Canned(202, ACCEPTED, {"Azure-AsyncOperation": STATUS})])
    started = client.begin_delete_ekm_private_endpoint(VAULT, "pe", polling=False)
    started = await started if flavor == "async" else started
    token = started.continuation_token()
    other, transport = maker(VERSION, [Canned(200, RUNNING), Canned(200, DONE)])
    resumed = other.begin_delete_ekm_private_endpoint(VAULT, "ignored", continuation_token=token, polling_interval=0)
    if flavor == "async":
        resumed = await resumed
        operation = await resumed.result()
    else:
        operation = resumed.result()
    assert [r.url for r in transport.requests] == [STATUS, STATUS]
    assert operation.status is m.OperationState.SUCCEEDED
