"""The request log (``mhsm_emulator.access``): one INFO line per request of either listener, with method, path,
status, caller, duration and request id, the missing data action and scope on a 403, secrets masked; nothing at
the CLI's default level; shown by ``--log-level INFO``."""

from __future__ import annotations

import json
import logging
import re
import signal
from collections.abc import Iterator

import pytest
import requests
from cli_process import cli, emulator_args
from emu_helpers import ASSIGNMENTS, Api, new_guid
from mhsm_emulator import RunningEmulator
from mhsm_emulator.access_log import ACCESS_LOGGER, AccessEntry

LINE = re.compile(
    r"^(?P<listener>vault|identity) (?P<method>[A-Z]+) (?P<target>\S+) (?P<status>\d{3}|no-answer) "
    r"(?P<ms>\d+\.\d)ms caller=(?P<caller>\S+) request_id=(?P<request_id>\S+)"
    r"(?: missing=(?P<missing>\S+) scope=(?P<scope>\S+))?$"
)


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    yield caplog


def _entries(caplog: pytest.LogCaptureFixture) -> list[AccessEntry]:
    entries = []
    for record in caplog.records:
        if record.name == ACCESS_LOGGER:
            assert LINE.match(record.getMessage()), record.getMessage()
            entries.append(record.access)  # type: ignore[attr-defined]
    return entries


def _only(caplog: pytest.LogCaptureFixture, request_id: str) -> AccessEntry:
    found = [entry for entry in _entries(caplog) if entry.request_id == request_id]
    assert len(found) == 1, found
    return found[0]


def test_one_line_per_answer_with_status_caller_and_request_id(emu: RunningEmulator, api: Api,
                                                               access: pytest.LogCaptureFixture) -> None:
    ok = api.get("/settings")
    unauthenticated = api.get("/settings", auth=False)
    missing = api.get("/no/such/route")
    bad_version = api.get("/settings", api_version="1.0")
    assert [ok.status_code, unauthenticated.status_code, missing.status_code, bad_version.status_code] == [
        200, 401, 404, 400]

    entry = _only(access, ok.headers["x-ms-request-id"])
    assert (entry.listener, entry.method, entry.status, entry.caller) == ("vault", "GET", 200, emu.principal_id)
    assert entry.target == "/settings?api-version=2025-07-01" and entry.duration_ms >= 0
    entry = _only(access, unauthenticated.headers["x-ms-request-id"])
    assert (entry.status, entry.caller, entry.missing_action) == (401, None, None)
    assert "caller=- " in entry.line()
    assert _only(access, missing.headers["x-ms-request-id"]).status == 404
    assert _only(access, bad_version.headers["x-ms-request-id"]).target == "/settings?api-version=1.0"


@pytest.mark.parametrize(
    ("method", "path", "action", "scope"),
    [
        ("GET", "/settings", "Microsoft.KeyVault/managedHsm/settings/read/action", "/"),
        ("GET", "/keys/log-k1", "Microsoft.KeyVault/managedHsm/keys/read/action", "/keys/log-k1"),
        ("GET", "/keys" + ASSIGNMENTS, "Microsoft.KeyVault/managedHsm/roleAssignments/read/action", "/keys"),
        ("POST", "/backup", "Microsoft.KeyVault/managedHsm/backup/start/action", "/"),
    ],
)
def test_a_403_names_the_missing_data_action_and_scope(
    emu: RunningEmulator, api: Api, access: pytest.LogCaptureFixture, method: str, path: str, action: str, scope: str
) -> None:
    nobody = emu.create_principal()
    response = api.for_principal(nobody.object_id).request(method, path, json={})
    assert response.status_code == 403, response.text
    entry = _only(access, response.headers["x-ms-request-id"])
    assert (entry.status, entry.caller, entry.missing_action, entry.scope) == (403, nobody.object_id, action, scope)
    assert entry.line().endswith(f" missing={action} scope={scope}")
    assert action in response.json()["error"]["message"]  # the same facts the caller is told


def test_other_errors_name_no_missing_action(emu: RunningEmulator, api: Api,
                                             access: pytest.LogCaptureFixture) -> None:
    response = api.put(f"{ASSIGNMENTS}/{new_guid()}", json={"properties": {"principalId": new_guid()}})
    assert response.status_code == 400
    entry = _only(access, response.headers["x-ms-request-id"])
    assert entry.missing_action is None and "missing=" not in entry.line()


def test_secrets_in_the_path_and_query_are_masked(emu: RunningEmulator, api: Api,
                                                  access: pytest.LogCaptureFixture) -> None:
    token = api.token
    response = api.get("/settings", params={"sv": "2025-11-05", "sig": "c2VjcmV0LXNpZ25hdHVyZQ==", "x": token})
    api.put("/backup", json={"storageResourceUri": "http://127.0.0.1:9/c", "token": "sv=1&sig=BODYSECRET"})
    entry = _only(access, response.headers["x-ms-request-id"])
    assert "sig=REDACTED" in entry.target
    text = "\n".join(record.getMessage() for record in access.records)
    for secret in ("c2VjcmV0LXNpZ25hdHVyZQ", token, "BODYSECRET", emu.identity_header):
        assert secret not in text


def test_the_identity_endpoint_is_logged_too(emu: RunningEmulator, access: pytest.LogCaptureFixture) -> None:
    params = {"api-version": "2019-08-01", "resource": emu.resource, "client_id": "log-client"}
    issued = requests.get(emu.identity_endpoint, params=params, headers={"X-IDENTITY-HEADER": emu.identity_header},
                          timeout=30)
    refused = requests.get(emu.identity_endpoint, params=params, headers={"X-IDENTITY-HEADER": "wrong"}, timeout=30)
    assert (issued.status_code, refused.status_code) == (200, 401)
    entry = _only(access, issued.headers["x-ms-request-id"])
    assert (entry.listener, entry.status) == ("identity", 200)
    assert entry.caller == emu.principal_for_client_id("log-client").object_id  # who got the token
    assert entry.target.startswith("/msi/token?api-version=2019-08-01&")
    assert _only(access, refused.headers["x-ms-request-id"]).status == 401
    text = "\n".join(record.getMessage() for record in access.records)
    assert issued.json()["access_token"] not in text and emu.identity_header not in text


def test_a_dropped_connection_is_logged_without_an_answer(emu: RunningEmulator, api: Api,
                                                         access: pytest.LogCaptureFixture) -> None:
    emu.set_faults(drop_rate=1.0, match="^GET /settings/dropped$")
    try:
        with pytest.raises(requests.ConnectionError):
            api.get("/settings/dropped")
    finally:
        emu.set_faults()
    dropped = [entry for entry in _entries(access) if entry.target.startswith("/settings/dropped")]
    assert len(dropped) == 1 and dropped[0].status is None and " no-answer " in dropped[0].line()


def test_nothing_is_logged_below_info(emu: RunningEmulator, api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=ACCESS_LOGGER)
    assert api.get("/settings").status_code == 200
    assert api.get("/settings", auth=False).status_code == 401
    assert [record for record in caplog.records if record.name == ACCESS_LOGGER] == []


def _cli_lines(level: str | None) -> list[str]:
    """The access lines a CLI emulator writes on stderr for one authorized and one unauthorized request."""
    extra = ["--log-level", level] if level else []
    with cli(emulator_args("--database", ":memory:", *extra)) as emulator:
        info = json.loads(emulator.stdout.next())
        assert requests.get(info["vault_url"] + "/settings?api-version=7.6", verify=info["ca_file"],
                            timeout=30).status_code == 401
        assert requests.get(info["ready_url"], timeout=30).status_code == 200
        emulator.signal(signal.SIGTERM)
        assert emulator.wait() == 0
        stderr = emulator.stderr.rest()
    return [line for line in stderr.splitlines() if ACCESS_LOGGER in line]


def test_the_cli_logs_requests_at_info_only() -> None:
    lines = _cli_lines("INFO")
    assert len(lines) == 2, lines
    assert re.search(r"vault GET /settings\?api-version=7\.6 401 [\d.]+ms caller=- request_id=\S+$", lines[0])
    assert re.search(r"identity GET /ready 200 ", lines[1])
    assert _cli_lines(None) == []  # the default level, WARNING, hides it


def test_log_lines_are_single_lines_whatever_the_path(emu: RunningEmulator, api: Api,
                                                      access: pytest.LogCaptureFixture) -> None:
    response = api.get("/keys/a%0Ab%0D%0Ac" + "x" * 5000)
    entry = _only(access, response.headers["x-ms-request-id"])
    assert "\n" not in entry.line() and "\r" not in entry.line()
    assert len(entry.target) == 2048 + len("...") and entry.target.endswith("...")
