"""Side-by-side wire parity with the OFFICIAL azure-keyvault-administration 4.7.2.

``scripts/parity_scenarios.py`` drives every public method of every client (sync and async) through a capturing
fake transport and a fake credential, and writes a normalised trace: each request (method, URL, headers, body,
transport keywords), each token request, and each outcome (result attributes and reprs, exceptions, poller
state). It runs once with our package (this interpreter) and once in ``.venv-official`` (see
``test_official_sdk.py``), from a working directory outside the repository and without ``PYTHONPATH``, so the
official venv imports the official package. The traces must be equal scenario by scenario and step by step.

The only allowed differences are the documented deliberate deviations in :data:`DEVIATIONS`; for each, the test
asserts that the two packages differ in exactly the documented way and agree on everything else in the step.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from parity_diff import differences, step_differences
from test_official_sdk import REPO, _ensure_venv

SCRIPT = Path(__file__).parent / "scripts" / "parity_scenarios.py"
Step = dict[str, Any]


def _run(python: str, output: Path, cwd: Path) -> dict[str, Any]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONHASHSEED": "0"}  # no PYTHONPATH
    result = subprocess.run([python, str(SCRIPT), str(output)], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    trace: dict[str, Any] = json.loads(output.read_text())
    return trace


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    official_python = _ensure_venv()
    work = tmp_path_factory.mktemp("parity")  # outside the repository: its azure/ folder must not shadow
    ours = _run(sys.executable, work / "ours.json", work)
    official = _run(str(official_python), work / "official.json", work)
    return _same_user_agent_version(ours, official), official


# ---------------------------------------------------------------------------------------------------------------
# Deliberate deviations: (scenario, step) -> (reason, checker(ours_step, official_step, mode))


def _without(step: Step, *keys: str) -> Step:
    return {key: value for key, value in step.items() if key not in keys}


def _assert_same_apart_from(ours: Step, official: Step, *keys: str) -> None:
    found = differences(_without(ours, *keys), _without(official, *keys))
    assert not found, "\n".join(found)


def _list_settings_kwargs(ours: Step, official: Step, mode: str) -> None:
    # Official: the keywords are unpacked positionally into the generated call -> TypeError, nothing sent.
    assert official["requests"] == []
    assert official["raised"]["error"] == "builtins.TypeError"
    assert "get_settings() takes 1 positional argument but 2 were given" in official["raised"]["str"]
    # Ours: the keywords are pipeline options (here a header on every request).
    assert [setting["attrs"]["name"] for setting in ours["result"]] == [
        "AllowKeyManagementOperationsThroughARM", "SomeString", "Untyped"]
    assert ours["requests"] and all(request["headers"].get("x-custom") == "1" for request in ours["requests"])


def _settings_old_version(ours: Step, official: Step, mode: str) -> None:
    operation, version = ours["step"].split("@")
    generated = {"get_setting": "get_setting", "list_settings": "get_settings", "update_setting": "update_setting"}
    # Official: sends the request to a service version that has no settings.
    assert official["requests"] and all(f"api-version={version}" in r["url"] for r in official["requests"])
    assert "result" in official
    # Ours: refuses before sending anything.
    assert ours["requests"] == [] and ours["token_calls"] == []
    assert ours["raised"] == {
        "error": "builtins.ValueError", "bases": [],
        "str": f"'{generated[operation]}' is not available in API version {version}. "
               "Pass service API version 7.4 or newer to your client."}


def _resumed_finished_result(ours: Step, official: Step, mode: str) -> None:
    # Official: result() of a rehydrated poller whose job already ended fails on its placeholder response.
    assert official["result_raised"]["error"] == "builtins.AttributeError"
    assert "has no attribute 'json'" in official["result_raised"]["str"]
    # Ours: the result, from the status fetched when resuming; same requests, status and token.
    assert "result_raised" not in ours
    if ours["step"].startswith("backup"):
        assert ours["result"]["attrs"]["folder_url"] == "https://acct.blob.core.windows.net/backup/mhsm-myhsm-2025060502180134"
    else:
        assert ours["result"] is None
    _assert_same_apart_from(ours, official, "result", "result_raised")


def _public_polling_interval(ours: Step, official: Step, mode: str) -> None:
    # Official: polling_interval is handed to the transport (a real one rejects it); the sync poller then stops
    # silently with an empty result, the async one raises TypeError from result().
    assert "polling_interval" in official["requests"][-1]["transport_kwargs"]
    assert official["status"] == "InProgress"
    if mode == "sync":
        assert official["result"]["attrs"]["folder_url"] is None
    else:
        assert official["result_raised"]["error"] == "builtins.TypeError"
    # Ours: polls with the interval to the end.
    assert all("polling_interval" not in request["transport_kwargs"] for request in ours["requests"])
    assert ours["status"] == "Succeeded" and ours["done"] is True
    assert ours["result"]["attrs"]["folder_url"] == "https://acct.blob.core.windows.net/backup/mhsm-myhsm-2025060502180134"
    assert ours["requests"][: len(official["requests"]) - 1] == official["requests"][:-1]


def _polling_keyword(ours: Step, official: Step, mode: str) -> None:
    # Official: the generated layer receives `polling` twice -> TypeError before any request.
    assert official["requests"] == []
    assert official["raised"]["error"] == "builtins.TypeError"
    assert official["raised"]["str"].endswith("begin_full_backup() got multiple values for keyword argument 'polling'")
    # Ours (documented in KeyVaultBackupClient's docstring; tests/backup rely on polling=False): accepted.
    assert ours["status"] == "Succeeded" and ours["result"]["model"] == "KeyVaultBackupResult"


OURS_USER_AGENT = "azsdk-python-keyvault-administration/4.8.0b3 "
OFFICIAL_USER_AGENT = "azsdk-python-keyvault-administration/4.7.2 "


def _same_user_agent_version(ours: dict[str, Any], official: dict[str, Any]) -> dict[str, Any]:
    """Deviation of every request: ours is 4.8.0b3 (the release whose surface it matches), so its User-Agent says so.

    Asserts exactly that (every User-Agent of ours names 4.8.0b3, every one of the official 4.7.2), then gives ours
    the official version so that the step comparison covers everything else (including which requests carry one).
    """
    def versions(trace: dict[str, Any]) -> set[str]:
        # The package's version in each User-Agent that names the package (user_agent_overwrite=True removes it).
        return {match for name, scenario in trace.items() if name != "package_file"
                for step in scenario["steps"] for request in step["requests"]
                for match in re.findall(r"azsdk-python-keyvault-administration/(\S+) ",
                                        request["headers"].get("User-Agent", ""))}
    assert versions(ours) == {"4.8.0b3"} and versions(official) == {"4.7.2"}
    normalised: dict[str, Any] = json.loads(json.dumps(ours).replace(OURS_USER_AGENT, OFFICIAL_USER_AGENT))
    return normalised


def _wider_pre_operation_gate(ours: Step, official: Step, mode: str) -> None:
    # 4.7.2 refuses the previews; ours has 4.8.0b3's gate, which accepts 2026-01-01-preview (and the later previews).
    operation = "begin_pre_full_backup" if ours["step"].startswith("pre_backup") else "begin_pre_full_restore_operation"
    assert official["raised"] == {
        "error": "builtins.ValueError", "bases": [],
        "str": f"'{operation}' is not available in API version 2026-01-01-preview. "
               "Pass service API version 7.6-preview.2 or newer to your client."}
    assert "raised" not in ours and ours["status"] == "Succeeded" and ours["done"] is True
    assert all("api-version=2026-01-01-preview" in r["url"] for r in ours["requests"] if "?" in r["url"])


EKM_NAMES = ["KeyVaultEkmClient", "KeyVaultEkmConnection", "KeyVaultEkmConnectivityMode", "KeyVaultEkmPrivateEndpoint",
             "KeyVaultEkmPrivateEndpointConnectionState", "KeyVaultEkmPrivateEndpointConnectionStatus",
             "KeyVaultEkmPrivateEndpointOperation", "KeyVaultEkmPrivateEndpointOperationStatus",
             "KeyVaultEkmPrivateEndpointOperationType", "KeyVaultEkmPrivateEndpointProperties",
             "KeyVaultEkmPrivateEndpointProvisioningState", "KeyVaultEkmProxyClientCertificateInfo",
             "KeyVaultEkmProxyInfo"]


def _version_and_exports(ours: Step, official: Step, mode: str) -> None:
    # Ours is 4.8.0b3 and exports its 13 EKM names (the async package: KeyVaultEkmClient); nothing of 4.7.2 went away.
    version, aio_version, exports, aio_exports = official["result"]
    assert (version, aio_version) == ("4.7.2", "4.7.2")
    assert ours["result"] == ["4.8.0b3", "4.8.0b3", sorted(exports + EKM_NAMES),
                              sorted([*aio_exports, "KeyVaultEkmClient"])]


def _api_version_members(ours: Step, official: Step, mode: str) -> None:
    # ApiVersion gains 4.8.0b3's two previews, in front; everything else of the step is unchanged.
    previews = [{"enum": "ApiVersion", "value": "2026-07-01-preview", "str": "ApiVersion.V2026_07_01_PREVIEW"},
                {"enum": "ApiVersion", "value": "2026-01-01-preview", "str": "ApiVersion.V2026_01_01_PREVIEW"}]
    assert ours["result"][0] == previews + official["result"][0]
    assert ours["result"][1:] == official["result"][1:]
    _assert_same_apart_from(ours, official, "result")


DEVIATIONS: dict[tuple[str, str], tuple[str, Callable[[Step, Step, str], None]]] = {
    **{("backup_version_gate", f"{operation}@2026-01-01-preview"): (
        "4.8.0b3's pre-backup/pre-restore gate also accepts the 2026 previews (4.7.2 refuses them)",
        _wider_pre_operation_gate)
       for operation in ("pre_backup", "pre_restore", "pre_backup_token")},
    ("models", "version"): ("the package is 4.8.0b3 with its EKM names", _version_and_exports),
    ("models", "enums"): ("ApiVersion has 4.8.0b3's two preview members", _api_version_members),
    ("settings_list_kwargs", "list_settings_headers"): (
        "list_settings(**kwargs) passes the keywords to the pipeline (official: TypeError)", _list_settings_kwargs),
    **{("settings_old_versions", f"{operation}@{version}"): (
        "settings operations are refused with ValueError on API versions 7.2/7.3 before any request",
        _settings_old_version)
       for operation in ("get_setting", "list_settings", "update_setting") for version in ("7.2", "7.3")},
    ("backup_resumed_finished_result", "backup_resumed_finished_result"): (
        "result() of a finished rehydrated poller returns the result (official: AttributeError)",
        _resumed_finished_result),
    ("backup_resumed_finished_result", "restore_resumed_finished_result"): (
        "result() of a finished rehydrated poller returns the result (official: AttributeError)",
        _resumed_finished_result),
    ("backup_polling_interval", "backup_polling_interval"): (
        "the public polling_interval keyword works (official: forwarded to the transport)", _public_polling_interval),
    ("backup_polling_keyword", "backup_polling_true"): (
        "begin_* accept polling= (official: TypeError); kept by design, see the client docstring",
        _polling_keyword),
}


# ---------------------------------------------------------------------------------------------------------------


def test_each_run_imported_the_intended_package(traces: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, official = traces
    assert Path(ours["package_file"]).resolve().is_relative_to(REPO / "azure")
    assert ".venv-official" in official["package_file"] and "site-packages" in official["package_file"]


def test_same_scenarios_and_no_crash(traces: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, official = traces
    assert list(ours) == list(official)
    assert len(ours) > 80  # every scenario, sync and async
    for name in ours:
        if name != "package_file":
            assert ours[name]["scenario_crashed"] is None, ours[name]["scenario_crashed"]
            assert official[name]["scenario_crashed"] is None, official[name]["scenario_crashed"]


def test_traces_equal_except_documented_deviations(traces: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, official = traces
    report: list[str] = []
    deviations_seen: set[tuple[str, str]] = set()
    for name in ours:
        if name == "package_file":
            continue
        mode, scenario = name.split(":", 1)
        ours_steps = {step["step"]: step for step in ours[name]["steps"]}
        official_steps = {step["step"]: step for step in official[name]["steps"]}
        for step_name, lines in step_differences(ours[name], official[name]).items():
            if (scenario, step_name) in DEVIATIONS:
                continue
            report.append(f"== {name} / {step_name}\n    " + "\n    ".join(lines))
        for (dev_scenario, dev_step), (reason, check) in DEVIATIONS.items():
            if dev_scenario != scenario:
                continue
            deviations_seen.add((dev_scenario, dev_step))
            try:
                check(ours_steps[dev_step], official_steps[dev_step], mode)
            except AssertionError as err:
                report.append(f"== {name} / {dev_step}: deviation '{reason}' not as documented: {err}")
    assert not report, "wire/behaviour differences from the official package:\n" + "\n".join(report)
    assert deviations_seen == set(DEVIATIONS)


def test_parity_covers_every_public_method(traces: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Every public operation appears in the trace as a request the official package also sent."""
    _, official = traces
    seen = {(request["method"], request["url"].split("?")[0].split("/", 3)[-1].split("/")[-1])
            for name, scenario in official.items() if name != "package_file"
            for step in scenario["steps"] for request in step["requests"]}
    for expected in [("PUT", "restore"), ("PUT", "prerestore"), ("POST", "backup"), ("POST", "prebackup"),
                     ("GET", "roleDefinitions"), ("GET", "roleAssignments"), ("GET", "settings"),
                     ("PATCH", "AllowKeyManagementOperationsThroughARM"), ("GET", "pending"),
                     ("DELETE", "00000000-0000-0000-0000-0000000000d1"),
                     ("DELETE", "00000000-0000-0000-0000-0000000000a1")]:
        assert expected in seen, expected
