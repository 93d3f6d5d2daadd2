"""EKM private endpoints (2026-07-01-preview): create/delete jobs, get, list, limits, in-use, restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from ekm_helpers import PLS_ALIAS, PLS_ID, V2, connection_body, ekm_api
from emu_helpers import Api, assert_error
from mhsm_emulator import RunningEmulator, run_emulator

PE = "/ekm/privateendpoint"


def _wait(api: Api, job_id: str) -> dict[str, Any]:
    """Poll the operation until it ends (the emulator long-polls, so this needs few requests)."""
    for _ in range(200):
        body: dict[str, Any] = api.get(f"{PE}/operations/{job_id}", api_version=V2).json()
        if body["status"] in ("Succeeded", "Failed"):
            return body
    raise AssertionError(f"job {job_id} did not end")


def _create(api: Api, name: str, service: str = PLS_ALIAS, **extra: Any) -> requests.Response:
    return api.request("POST", f"{PE}/{name}", api_version=V2, json={"privateLinkServiceId": service, **extra})


def _clean(api: Api) -> None:
    api.delete("/ekm", api_version=V2)
    for endpoint in api.get(PE, api_version=V2).json()["value"]:
        response = api.delete(f"{PE}/{endpoint['name']}", api_version=V2)
        if response.status_code == 202:
            _wait(api, response.json()["jobId"])


@pytest.fixture
def admin(emu: RunningEmulator) -> Iterator[Api]:
    api = ekm_api(emu)
    _clean(api)
    yield api
    _clean(api)


@pytest.fixture
def slow() -> Iterator[tuple[RunningEmulator, Api]]:
    """An emulator whose jobs take a while, so the intermediate states can be seen."""
    with run_emulator(database=":memory:", ekm_job_delay=30.0, status_hold=0.0) as emu:
        yield emu, ekm_api(emu)


def test_create_job_to_succeeded(admin: Api) -> None:
    started = _create(admin, "pe-1", requestMessage="Please approve")
    assert started.status_code == 202, started.text
    job = started.json()
    assert list(job) == ["jobId", "privateEndpointName", "operationType", "status", "statusDetails", "startTime",
                         "endTime", "error"]
    assert job["status"] == "NotStarted" and job["operationType"] == "Create" and job["privateEndpointName"] == "pe-1"
    assert len(job["jobId"]) == 32 and job["endTime"] is None and job["error"] is None
    host = admin.emulator.vault_url
    assert started.headers["Azure-AsyncOperation"] == f"{host}{PE}/operations/{job['jobId']}?api-version={V2}"
    assert started.headers["Location"] == started.headers["Azure-AsyncOperation"]
    assert started.headers["Retry-After"] == "10"

    done = _wait(admin, job["jobId"])
    assert done["status"] == "Succeeded" and done["error"] is None
    assert done["endTime"] >= done["startTime"] == job["startTime"]
    assert "Retry-After" not in admin.get(f"{PE}/operations/{job['jobId']}", api_version=V2).headers

    endpoint = admin.get(f"{PE}/pe-1", api_version=V2).json()
    assert endpoint["name"] == "pe-1" and endpoint["location"] == "local"
    assert endpoint["provisioningState"] == "Succeeded"
    assert endpoint["properties"]["privateLinkServiceId"] == PLS_ALIAS
    assert endpoint["properties"]["privateLinkServiceConnectionName"].startswith("pe-1-")
    assert endpoint["privateLinkServiceConnectionState"]["status"] == "Approved"
    assert endpoint["privateLinkServiceConnectionState"]["actionsRequired"] == "None"
    assert admin.get(PE, api_version=V2).json() == {"value": [endpoint]}
    assert admin.get(started.headers["Location"]).json() == done  # the Location URL gives the finished operation


def test_delete_job_to_gone(admin: Api) -> None:
    _wait(admin, _create(admin, "pe-del", PLS_ID).json()["jobId"])
    started = admin.delete(f"{PE}/pe-del", api_version=V2)
    assert started.status_code == 202
    job = started.json()
    assert job["operationType"] == "Delete" and job["status"] == "NotStarted"
    assert started.headers["Azure-AsyncOperation"].endswith(f"/operations/{job['jobId']}?api-version={V2}")
    assert "Location" not in started.headers
    assert _wait(admin, job["jobId"])["status"] == "Succeeded"
    assert_error(admin.get(f"{PE}/pe-del", api_version=V2), 404, "NotFound")
    assert admin.get(PE, api_version=V2).json() == {"value": []}
    assert _wait(admin, job["jobId"])["status"] == "Succeeded"  # the finished job stays readable
    assert_error(admin.delete(f"{PE}/pe-del", api_version=V2), 404, "NotFound")


def test_message_becomes_the_pending_description(slow: tuple[RunningEmulator, Api]) -> None:
    _, api = slow
    _create(api, "pe-msg", requestMessage="Please approve")
    state = api.get(f"{PE}/pe-msg", api_version=V2).json()["privateLinkServiceConnectionState"]
    assert state == {"status": "Pending", "description": "Please approve", "actionsRequired": "None"}


def test_a_create_that_cannot_find_its_service_fails(admin: Api) -> None:
    job = _create(admin, "pe-bad", "not-a-private-link-service").json()
    done = _wait(admin, job["jobId"])
    assert done["status"] == "Failed"
    assert done["error"]["code"] == "PrivateLinkServiceNotFound"
    assert "not-a-private-link-service" in done["error"]["message"]
    assert admin.get(f"{PE}/pe-bad", api_version=V2).json()["provisioningState"] == "Failed"
    deleted = admin.delete(f"{PE}/pe-bad", api_version=V2)  # a failed endpoint can be deleted
    assert deleted.status_code == 202 and _wait(admin, deleted.json()["jobId"])["status"] == "Succeeded"


def test_at_most_two_endpoints(admin: Api) -> None:
    for name in ("pe-a", "pe-b"):
        _wait(admin, _create(admin, name).json()["jobId"])
    body = assert_error(_create(admin, "pe-c"), 409, "EkmPrivateEndpointLimitExceeded")
    assert "at most 2" in body["error"]["message"] and "'pe-a'" in body["error"]["message"]
    assert_error(admin.get(f"{PE}/pe-c", api_version=V2), 404, "NotFound")
    assert [e["name"] for e in admin.get(PE, api_version=V2).json()["value"]] == ["pe-a", "pe-b"]
    _wait(admin, admin.delete(f"{PE}/pe-a", api_version=V2).json()["jobId"])
    assert _create(admin, "pe-c").status_code == 202  # room again


def test_concurrent_creates_respect_the_limit(admin: Api) -> None:
    results: list[int] = []

    def create(name: str) -> None:
        results.append(_create(Api(admin.emulator, admin.token), name).status_code)

    threads = [threading.Thread(target=create, args=(f"pe-t{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [202, 202, 409, 409, 409, 409]
    assert len(admin.get(PE, api_version=V2).json()["value"]) == 2


def test_name_taken_is_conflict_case_insensitively(admin: Api) -> None:
    _wait(admin, _create(admin, "Pe-Case").json()["jobId"])
    assert_error(_create(admin, "pe-case"), 409, "Conflict")
    assert admin.get(f"{PE}/PE-CASE", api_version=V2).json()["name"] == "Pe-Case"


@pytest.mark.parametrize("name", ["-a", "a-", "a" * 25, "a_b", "a.b", "%C3%A9", "a%20b", "a%2Fb"])
def test_invalid_names_are_400(admin: Api, name: str) -> None:
    for method in ("GET", "DELETE", "POST"):
        url = f"{admin.emulator.vault_url}{PE}/{name}?api-version={V2}"
        response = admin.session.request(method, url, headers={"Authorization": f"Bearer {admin.token}"},
                                         json={"privateLinkServiceId": PLS_ALIAS}, verify=admin.emulator.ca_file,
                                         timeout=30)
        assert response.status_code in (400, 404), (method, name, response.text)
        assert_error(response, response.status_code)
    assert admin.get(PE, api_version=V2).json() == {"value": []}


@pytest.mark.parametrize("name", ["a", "A1", "a" * 24, "a-b-c", "0-9"])
def test_valid_names(admin: Api, name: str) -> None:
    assert _create(admin, name).status_code == 202


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "'privateLinkServiceId' is required"),
        ({"privateLinkServiceId": ""}, "is required"),
        ({"privateLinkServiceId": 5}, "is required"),
        ({"privateLinkServiceId": " x"}, "without leading or trailing spaces"),
        ({"privateLinkServiceId": "x" * 1025}, "at most 1024"),
        ({"privateLinkServiceId": "a\u0000b"}, "printable"),
        ({"privateLinkServiceId": PLS_ALIAS, "requestMessage": 1}, "'requestMessage' must be a string"),
        ({"privateLinkServiceId": PLS_ALIAS, "requestMessage": "x" * 141}, "at most 140"),
        ({"privateLinkServiceId": PLS_ALIAS, "requestMessage": "a\nb"}, "printable"),
    ],
)
def test_bad_create_bodies_are_400(admin: Api, body: dict[str, Any], fragment: str) -> None:
    error = assert_error(admin.request("POST", f"{PE}/pe-x", api_version=V2, json=body), 400, "BadParameter")
    assert fragment in error["error"]["message"]
    assert_error(admin.get(f"{PE}/pe-x", api_version=V2), 404, "NotFound")


def test_unknown_job_is_404(admin: Api) -> None:
    assert_error(admin.get(f"{PE}/operations/{'0' * 32}", api_version=V2), 404, "NotFound")


def test_connection_through_a_private_endpoint(admin: Api) -> None:
    body = connection_body("pe-link", connectivity_mode="PrivateEndpoint", server_subject_common_name="ekm.contoso")
    error = assert_error(admin.request("POST", "/ekm/create", api_version=V2, json=body), 400, "BadParameter")
    assert "there is no private endpoint 'pe-link'" in error["error"]["message"]
    _wait(admin, _create(admin, "pe-link").json()["jobId"])
    created = admin.request("POST", "/ekm/create", api_version=V2, json=body)
    assert created.status_code == 200 and created.json()["connectivity_mode"] == "PrivateEndpoint"

    error = assert_error(admin.delete(f"{PE}/PE-LINK", api_version=V2), 409, "EkmPrivateEndpointInUse")
    assert "Delete the EKM connection" in error["error"]["message"]
    assert admin.get(f"{PE}/pe-link", api_version=V2).json()["provisioningState"] == "Succeeded"  # untouched

    # moving the connection to the public internet frees the endpoint
    assert admin.patch("/ekm", api_version=V2, json={"connectivity_mode": "Public", "host": "p.example"}).ok
    assert admin.delete(f"{PE}/pe-link", api_version=V2).status_code == 202


def test_a_connection_cannot_use_an_endpoint_that_is_not_ready(slow: tuple[RunningEmulator, Api]) -> None:
    _, api = slow
    _create(api, "pe-wait")
    body = connection_body("pe-wait", connectivity_mode="PrivateEndpoint")
    error = assert_error(api.request("POST", "/ekm/create", api_version=V2, json=body), 400, "BadParameter")
    assert "not ready" in error["error"]["message"]


def test_states_progress_and_jobs_survive_restarts(tmp_path: Path) -> None:
    """Jobs held back by a long delay show the intermediate states; stopping the emulator leaves them unfinished,
    and the next start (no delay) completes them as they would have completed."""

    def emulator(delay: float) -> Any:
        return run_emulator(data_dir=tmp_path, ekm_job_delay=delay, status_hold=0.0)

    with emulator(600.0) as emu:
        api = ekm_api(emu, name="ekm-pe-restart")
        job = _create(api, "pe-restart").json()
        endpoint = api.get(f"{PE}/pe-restart", api_version=V2).json()
        assert endpoint["provisioningState"] == "Updating"
        assert endpoint["privateLinkServiceConnectionState"]["status"] == "Pending"
        assert api.get(f"{PE}/operations/{job['jobId']}", api_version=V2).json()["status"] in ("NotStarted", "Running")
        assert_error(api.delete(f"{PE}/pe-restart", api_version=V2), 409, "Conflict")  # busy
    with emulator(0.0) as emu:
        api = ekm_api(emu, name="ekm-pe-restart")
        done = _wait(api, job["jobId"])
        assert done["status"] == "Succeeded" and done["startTime"] == job["startTime"] and done["endTime"] is not None
        endpoint = api.get(f"{PE}/pe-restart", api_version=V2).json()
        assert endpoint["provisioningState"] == "Succeeded"
        assert endpoint["privateLinkServiceConnectionState"]["status"] == "Approved"
    with emulator(600.0) as emu:
        api = ekm_api(emu, name="ekm-pe-restart")
        deleting = api.delete(f"{PE}/pe-restart", api_version=V2).json()
        assert api.get(f"{PE}/pe-restart", api_version=V2).json()["provisioningState"] == "Deleting"
        assert api.get(f"{PE}/operations/{deleting['jobId']}", api_version=V2).json()["status"] in (
            "NotStarted", "Running")
        assert len(api.get(PE, api_version=V2).json()["value"]) == 1  # still listed while deleting
    with emulator(0.0) as emu:
        api = ekm_api(emu, name="ekm-pe-restart")
        assert _wait(api, deleting["jobId"])["status"] == "Succeeded"
        assert_error(api.get(f"{PE}/pe-restart", api_version=V2), 404, "NotFound")
        assert _wait(api, job["jobId"])["status"] == "Succeeded"  # history kept
