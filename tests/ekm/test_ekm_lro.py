"""Private-endpoint long-running operations (EKM.md 2.5), sync and async: 4.8.0b3's polling semantics, and the
deliberate fixes (resuming from a continuation token, relative status URLs, tokens of ``polling=False`` pollers).

Sleeps are recorded by the fake transport instead of slept: ``hsm.sleeps`` is exactly what the poller asked for.
"""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.polling import AsyncLROPoller, AsyncPollingMethod, LROPoller, PollingMethod
from azure.core.polling.base_polling import BadResponse
from clients.fake_service import Reply

from azure.keyvault.administration import (
    KeyVaultEkmPrivateEndpointOperation,
    KeyVaultEkmPrivateEndpointOperationStatus,
    KeyVaultEkmPrivateEndpointOperationType,
)

from .ekm_fakes import PLS, VAULT, EkmHsm, header, make_ekm_client, resolve, result

STATUS = VAULT + "/ekm/privateendpoint/operations/job01?api-version=2026-07-01-preview"


async def begin_create(client: Any, name: str = "pe-1", **kwargs: Any) -> Any:
    return await resolve(client.begin_create_ekm_private_endpoint(name, PLS, **kwargs))


async def begin_delete(client: Any, name: str = "pe-1", **kwargs: Any) -> Any:
    return await resolve(client.begin_delete_ekm_private_endpoint(name, **kwargs))


async def test_create_polls_the_status_url_to_the_end(flavor: str, hsm: EkmHsm) -> None:
    poller = await begin_create(make_ekm_client(flavor, hsm), request_message="please")
    assert isinstance(poller, LROPoller if flavor == "sync" else AsyncLROPoller)
    operation = await result(poller)
    assert [(s.method, s.url) for s in hsm.sent] == [
        ("POST", f"{VAULT}/ekm/privateendpoint/pe-1?api-version=2026-07-01-preview"), ("GET", STATUS), ("GET", STATUS)]
    # The first status GET follows the 202 at once (its Retry-After: 10 is not waited for); then the interval.
    assert hsm.sleeps == [30]
    assert type(operation) is KeyVaultEkmPrivateEndpointOperation
    assert (operation.job_id, operation.private_endpoint_name) == ("job01", "pe-1")
    assert operation.status is KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED
    assert operation.operation_type is KeyVaultEkmPrivateEndpointOperationType.CREATE
    assert (poller.status(), poller.done()) == ("Succeeded", True)
    # Polls carry the initial request's client request id, and no body.
    ids = {header(sent, "x-ms-client-request-id") for sent in hsm.sent}
    assert len(ids) == 1 and None not in ids
    assert [s.body or None for s in hsm.sent[1:]] == [None, None]


async def test_delete(flavor: str, hsm: EkmHsm) -> None:
    operation = await result(await begin_delete(make_ekm_client(flavor, hsm), polling_interval=0))
    assert [(s.method, s.path) for s in hsm.sent] == [
        ("DELETE", "/ekm/privateendpoint/pe-1"), ("GET", "/ekm/privateendpoint/operations/job01"),
        ("GET", "/ekm/privateendpoint/operations/job01")]
    assert operation.operation_type is KeyVaultEkmPrivateEndpointOperationType.DELETE
    assert hsm.sent[0].body in (None, b"")


async def test_async_status_right_after_the_call_is_the_202s(hsm: EkmHsm) -> None:
    poller = await begin_create(make_ekm_client("async", hsm), polling_interval=0)
    assert (poller.status(), poller.done()) == ("NotStarted", False)
    await poller.result()
    assert poller.status() == "Succeeded"


@pytest.mark.parametrize(
    ("client_kwargs", "call_kwargs", "status_headers", "sleeps"),
    [
        ({}, {}, {}, [30, 30]),  # default: 30 s
        ({"polling_interval": 2}, {}, {}, [2, 2]),  # the client's keyword
        ({"polling_interval": 2}, {"polling_interval": 0.5}, {}, [0.5, 0.5]),  # the call's keyword wins
        ({}, {"polling_interval": 3}, {"Retry-After": "7"}, [7.0, 7.0]),  # Retry-After of the latest response wins
    ],
)
async def test_delays(
    flavor: str, hsm: EkmHsm, client_kwargs: dict[str, Any], call_kwargs: dict[str, Any],
    status_headers: dict[str, str], sleeps: list[float]
) -> None:
    hsm.pe_plan = ["Running", "Running", "Succeeded"]
    hsm.status_headers = status_headers
    await result(await begin_create(make_ekm_client(flavor, hsm, **client_kwargs), **call_kwargs))
    assert hsm.sleeps == sleeps
    assert len(hsm.sent) == 4


async def test_per_call_keywords_reach_every_poll(flavor: str, hsm: EkmHsm) -> None:
    await result(await begin_create(make_ekm_client(flavor, hsm), polling_interval=0, headers={"x-t": "1"}))
    assert [header(s, "x-t") for s in hsm.sent] == ["1", "1", "1"]
    assert all(s.transport_kwargs == ["stream"] for s in hsm.sent)  # nothing else reaches the transport


@pytest.mark.parametrize(
    ("status_url", "polled"),
    [
        (VAULT + "/ekm/privateendpoint/operations/{job}", VAULT + "/ekm/privateendpoint/operations/job01"),
        ("https://other.managedhsm.azure.net/ops/{job}?x=1", "https://other.managedhsm.azure.net/ops/job01?x=1"),
        # deliberate difference: a relative URL is resolved against the vault URL (4.8.0b3 fails on it)
        ("/ekm/privateendpoint/operations/{job}?api-version={version}", STATUS),
    ],
)
async def test_status_url_is_used_as_given(flavor: str, hsm: EkmHsm, status_url: str, polled: str) -> None:
    hsm.status_url = status_url
    hsm.pe_plan = ["Succeeded"]
    if "other" in status_url:
        hsm.script("GET", "/ops/job01", Reply(200, {"jobId": "job01", "status": "Succeeded"}))
    operation = await result(await begin_create(make_ekm_client(flavor, hsm), polling_interval=0))
    assert [s.url for s in hsm.sent[1:]] == [polled]
    assert operation.status is KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED


async def test_create_fetches_the_location_after_success(flavor: str, hsm: EkmHsm) -> None:
    hsm.location = True
    final = {"jobId": "job01", "privateEndpointName": "pe-1", "status": "Succeeded", "statusDetails": "from Location"}
    hsm.script("GET", "/ekm/privateendpoint/pe-1", Reply(200, final))
    operation = await result(await begin_create(make_ekm_client(flavor, hsm), polling_interval=0))
    assert [s.url for s in hsm.sent[1:]] == [STATUS, STATUS, f"{VAULT}/ekm/privateendpoint/pe-1"]  # as given
    assert operation.status_details == "from Location"


async def test_delete_ignores_the_location(flavor: str, hsm: EkmHsm) -> None:
    hsm.location = True
    await result(await begin_delete(make_ekm_client(flavor, hsm), polling_interval=0))
    assert [s.path for s in hsm.sent] == ["/ekm/privateendpoint/pe-1"] + ["/ekm/privateendpoint/operations/job01"] * 2


async def test_a_resource_location_in_the_final_status_is_fetched(flavor: str, hsm: EkmHsm) -> None:
    hsm.final_extra = {"resourceLocation": f"{VAULT}/final/pe-1"}
    hsm.script("GET", "/final/pe-1", Reply(200, {"jobId": "job01", "status": "Succeeded", "statusDetails": "final"}))
    operation = await result(await begin_create(make_ekm_client(flavor, hsm), polling_interval=0))
    assert hsm.sent[-1].url == f"{VAULT}/final/pe-1" and operation.status_details == "final"


@pytest.mark.parametrize(
    ("plan", "failure", "message"),
    [
        (["Running", "Failed"], {"code": "Denied", "message": "rejected"},
         "(Denied) rejected\nCode: Denied\nMessage: rejected"),
        (["Canceled"], {"code": "Canceled", "message": "stopped"},
         "(Canceled) stopped\nCode: Canceled\nMessage: stopped"),
        (["FAILED"], None, "Operation returned an invalid status 'OK'"),  # statuses are case-insensitive
    ],
)
async def test_failed_and_canceled_raise_from_result(
    flavor: str, hsm: EkmHsm, plan: list[str], failure: Any, message: str
) -> None:
    hsm.pe_plan, hsm.pe_failure = plan, failure
    poller = await begin_create(make_ekm_client(flavor, hsm), polling_interval=0)
    with pytest.raises(HttpResponseError) as info:
        await result(poller)
    assert type(info.value) is HttpResponseError and info.value.status_code == 200
    assert str(info.value).startswith(message)
    assert poller.status() == plan[-1]


async def test_lowercase_and_unknown_statuses(flavor: str, hsm: EkmHsm) -> None:
    hsm.pe_plan = ["InProgress", "whatever", "succeeded"]  # anything but succeeded/failed/canceled: keep polling
    poller = await begin_create(make_ekm_client(flavor, hsm), polling_interval=0)
    operation = await result(poller)
    assert len(hsm.sent) == 4 and poller.status() == "succeeded"
    assert operation.status == "succeeded" and type(operation.status) is str


@pytest.mark.parametrize(("body", "message"), [({"jobId": "j"}, "No status found in body"),
                                               (None, "The response from long running operation does not contain "
                                                      "a body.")])
async def test_status_without_status(flavor: str, hsm: EkmHsm, body: Any, message: str) -> None:
    hsm.script("GET", "/ekm/privateendpoint/operations/job01", Reply(200, body))
    poller = await begin_create(make_ekm_client(flavor, hsm), polling_interval=0)
    with pytest.raises(HttpResponseError) as info:
        await result(poller)
    assert str(info.value).startswith(message) and poller.status() == "Failed"


async def test_status_error_response(flavor: str, hsm: EkmHsm) -> None:
    hsm.script("GET", "/ekm/privateendpoint/operations/job01", Reply(404, {"error": {"code": "NotFound",
                                                                                   "message": "no job"}}))
    with pytest.raises(HttpResponseError, match=r"^\(NotFound\) no job"):
        await result(await begin_create(make_ekm_client(flavor, hsm), polling_interval=0))


async def test_initial_response_must_be_202_with_a_status_link(flavor: str, hsm: EkmHsm) -> None:
    client = make_ekm_client(flavor, hsm)
    hsm.script("POST", "/ekm/privateendpoint/pe-1", Reply(200, {"jobId": "j", "status": "Succeeded"}))
    with pytest.raises(HttpResponseError, match="Operation returned an invalid status 'OK'"):
        await begin_create(client)
    hsm.script("POST", "/ekm/privateendpoint/pe-1", Reply(202, {"jobId": "j", "status": "NotStarted"}))
    with pytest.raises(BadResponse, match=r"^Unable to find status link for polling\.$"):
        await begin_create(client)
    hsm.script("DELETE", "/ekm/privateendpoint/pe-1", Reply(202, {"status": "NotStarted"},
                                                           {"Operation-Location": STATUS}))
    with pytest.raises(BadResponse):
        await begin_delete(client)
    assert len(hsm.sent) == 3  # no poll was attempted


async def test_polling_false(flavor: str, hsm: EkmHsm) -> None:
    poller = await begin_create(make_ekm_client(flavor, hsm), polling=False)
    operation = await result(poller)
    assert len(hsm.sent) == 1
    assert (poller.status(), poller.done()) == ("succeeded", True)
    assert operation.status is KeyVaultEkmPrivateEndpointOperationStatus.NOT_STARTED and operation.job_id == "job01"
    assert isinstance(poller.continuation_token(), str)  # deliberate: azure-core's NoPolling cannot make one


async def test_polling_false_with_an_empty_202(flavor: str, hsm: EkmHsm) -> None:
    hsm.script("POST", "/ekm/privateendpoint/pe-1", Reply(202, None, {"Azure-AsyncOperation": STATUS}))
    assert await result(await begin_create(make_ekm_client(flavor, hsm), polling=False)) is None


async def test_a_polling_method_instance_is_used_as_given(flavor: str, hsm: EkmHsm) -> None:
    calls: list[str] = []

    class Recording(PollingMethod[Any] if flavor == "sync" else AsyncPollingMethod[Any]):  # type: ignore[misc]
        def initialize(self, client: Any, initial_response: Any, deserialization_callback: Any) -> None:
            calls.append(f"initialize {initial_response.http_response.status_code}")
            self._response, self._callback = initial_response, deserialization_callback

        def run(self) -> Any:
            calls.append("run")
            if flavor == "async":
                async def done() -> None:
                    return None
                return done()
            return None

        def status(self) -> str:
            return "mine"

        def finished(self) -> bool:
            return True

        def resource(self) -> Any:
            return self._callback(self._response)

    poller = await begin_create(make_ekm_client(flavor, hsm), polling=Recording())
    operation = await result(poller)
    assert calls[0] == "initialize 202" and poller.status() == "mine"
    assert operation.status is KeyVaultEkmPrivateEndpointOperationStatus.NOT_STARTED
    assert len(hsm.sent) == 1


# ---- continuation tokens (deliberate: 4.8.0b3 cannot resume) ------------------------------------------------------


@pytest.mark.parametrize("resumer", ["sync", "async"])
@pytest.mark.parametrize("polling", [True, False])
async def test_resume_from_a_token(flavor: str, resumer: str, polling: bool, hsm: EkmHsm) -> None:
    hsm.pe_plan = ["Running"]
    started = await begin_create(make_ekm_client(flavor, hsm), polling=polling, polling_interval=0)
    token = started.continuation_token()
    if polling:
        # the original poller keeps polling a job that stays Running; let it go
        hsm.jobs["job01"].plan = ["Running", "Running", "Succeeded"]
        await result(started)
    hsm.jobs["job01"].plan = ["Running", "Succeeded"]
    before = len(hsm.sent)
    other = EkmHsm(jobs=hsm.jobs)  # another client, same service state
    resumed = await begin_create(make_ekm_client(resumer, other), "ignored", continuation_token=token,
                                 polling_interval=0)
    operation = await result(resumed)
    assert len(hsm.sent) == before  # the resumed poller did not start anything
    assert [(s.method, s.url) for s in other.sent] == [("GET", STATUS), ("GET", STATUS)]
    assert operation.job_id == "job01" and operation.status is KeyVaultEkmPrivateEndpointOperationStatus.SUCCEEDED
    assert resumed.continuation_token() == token
    assert {header(s, "x-ms-client-request-id") for s in other.sent} == {header(hsm.sent[0], "x-ms-client-request-id")}


async def test_resumed_create_fetches_the_location(flavor: str, hsm: EkmHsm) -> None:
    hsm.location = True
    token = (await begin_create(make_ekm_client(flavor, hsm), polling=False)).continuation_token()
    hsm.script("GET", "/ekm/privateendpoint/pe-1", Reply(200, {"jobId": "job01", "status": "Succeeded",
                                                              "statusDetails": "located"}))
    operation = await result(await begin_create(make_ekm_client(flavor, hsm), "x", continuation_token=token,
                                                polling_interval=0))
    assert hsm.sent[-1].url == f"{VAULT}/ekm/privateendpoint/pe-1" and operation.status_details == "located"


async def test_resumed_delete(flavor: str, hsm: EkmHsm) -> None:
    token = (await begin_delete(make_ekm_client(flavor, hsm), polling=False)).continuation_token()
    operation = await result(await begin_delete(make_ekm_client(flavor, hsm), None, continuation_token=token,
                                                polling_interval=0))
    assert operation.operation_type is KeyVaultEkmPrivateEndpointOperationType.DELETE
    assert [s.method for s in hsm.sent] == ["DELETE", "GET", "GET"]


@pytest.mark.parametrize("token", ["!!!", "", "e30="])  # not base64 / empty / base64 of "{}"
async def test_malformed_tokens(flavor: str, hsm: EkmHsm, token: str) -> None:
    with pytest.raises((ValueError, KeyError)) as info:
        await begin_create(make_ekm_client(flavor, hsm), continuation_token=token)
    if token != "e30=":
        assert str(info.value) == "Invalid continuation token format."
    assert hsm.sent == [] and hsm.probes == []


async def test_version_gate_before_a_token(flavor: str, hsm: EkmHsm) -> None:
    client = make_ekm_client(flavor, hsm, api_version="2026-01-01-preview")
    with pytest.raises(ValueError, match="'begin_delete_ekm_private_endpoint' is not available"):
        await begin_delete(client, continuation_token="!!!")
