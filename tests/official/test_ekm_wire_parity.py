"""Side-by-side wire parity of the EKM client with the OFFICIAL azure-keyvault-administration 4.8.0b3.

``scripts/ekm_parity_scenarios.py`` drives every ``KeyVaultEkmClient`` method (sync and async) through a capturing
fake transport and writes a normalised trace (requests, token requests, requested sleeps, outcomes). It runs once
with our package and once in ``.venv-official-48`` (4.8.0b3 + azure-identity 1.27.0 + aiohttp, created on first use
by ``test_official_sdk._ensure_venv``), from a folder outside the repository and without ``PYTHONPATH``. The traces
must be equal scenario by scenario and step by step, except for the deliberate deviations:

* one that runs through many steps, :func:`public_enums`: values read from the service are members of the public
  ``KeyVaultEkm*`` enums (4.8.0b3 returns members of its generated enums); the official trace is translated before
  the comparison, and :func:`test_returned_enum_members_are_public` asserts the translation is exactly that;
* the per-step ones of :data:`DEVIATIONS`, each asserted as the documented difference (and agreement on the rest).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from parity_diff import differences, step_differences
from test_official_sdk import REPO, _ensure_venv

SCRIPT = Path(__file__).parent / "scripts" / "ekm_parity_scenarios.py"
VENV_48 = REPO / ".venv-official-48"
REQUIREMENTS_48 = (
    "azure-keyvault-administration==4.8.0b3",
    "azure-identity==1.27.0",
    "aiohttp==3.14.5",  # the async clients' transport
)
Step = dict[str, Any]


def _run(python: str, output: Path, cwd: Path) -> dict[str, Any]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONHASHSEED": "0"}  # no PYTHONPATH
    result = subprocess.run([python, str(SCRIPT), str(output)], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    trace: dict[str, Any] = json.loads(output.read_text())
    return trace


@pytest.fixture(scope="module")
def raw_traces(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    official_python = _ensure_venv(VENV_48, REQUIREMENTS_48)
    work = tmp_path_factory.mktemp("ekm-parity")  # outside the repository: its azure/ folder must not shadow
    ours = _run(sys.executable, work / "ours.json", work)
    official = _run(str(official_python), work / "official.json", work)
    return ours, official


@pytest.fixture(scope="module")
def traces(raw_traces: tuple[dict[str, Any], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    ours, official = raw_traces
    return ours, public_enums(official)


# ---------------------------------------------------------------------------------------------------------------
# Deliberate deviation running through many steps: enum members read from the service are the public ones.

GENERATED_TO_PUBLIC = {
    "EkmConnectivityMode": "KeyVaultEkmConnectivityMode",
    "EkmPrivateEndpointProvisioningState": "KeyVaultEkmPrivateEndpointProvisioningState",
    "EkmPrivateEndpointConnectionStatus": "KeyVaultEkmPrivateEndpointConnectionStatus",
    "EkmPrivateEndpointOperationType": "KeyVaultEkmPrivateEndpointOperationType",
    "OperationState": "KeyVaultEkmPrivateEndpointOperationStatus",
}
# "EkmConnectivityMode.PUBLIC" inside str()/repr() texts, not the tail of "KeyVaultEkmConnectivityMode.PUBLIC"
GENERATED_MEMBER = re.compile(r"(?<![A-Za-z])(" + "|".join(GENERATED_TO_PUBLIC) + r")\.(?=[A-Z_]+\b)")


def public_enums(value: Any) -> Any:
    """``value`` with every generated-enum member described as the public member of the same value."""
    if isinstance(value, dict):
        out = {key: public_enums(item) for key, item in value.items()}
        if isinstance(out.get("enum"), str) and out["enum"] in GENERATED_TO_PUBLIC:
            out["enum"] = GENERATED_TO_PUBLIC[out["enum"]]
        return out
    if isinstance(value, list):
        return [public_enums(item) for item in value]
    if isinstance(value, str):
        return GENERATED_MEMBER.sub(lambda match: GENERATED_TO_PUBLIC[match.group(1)] + ".", value)
    return value


# ---------------------------------------------------------------------------------------------------------------
# Per-step deliberate deviations: (scenario, step) -> (reason, checker(ours_step, official_step, mode))


def _without(step: Step, *keys: str) -> Step:
    return {key: value for key, value in step.items() if key not in keys}


def _assert_same_apart_from(ours: Step, official: Step, *keys: str) -> None:
    found = differences(_without(ours, *keys), _without(official, *keys))
    assert not found, "\n".join(found)


def _other_clients_default(ours: Step, official: Step, mode: str) -> None:
    # Official 4.8.0b3: every client defaults to 2026-07-01-preview. Ours: only the EKM client does.
    ours_text, official_text = json.dumps(ours), json.dumps(official)
    assert "2025-07-01" in ours_text and "2026-07-01-preview" not in ours_text
    assert "2026-07-01-preview" in official_text and "2025-07-01" not in official_text
    assert json.loads(ours_text.replace("2025-07-01", "2026-07-01-preview")) == official


def _connection_type_error(ours: Step, official: Step, mode: str) -> None:
    # Official: AttributeError from a missing private converter. Ours: a clear message, and the exception is both a
    # TypeError and an AttributeError (checked in tests/ekm), so handlers written for either still catch it.
    match = re.fullmatch(r"'(\w+)' object has no attribute '_to_generated'", official["raised"]["str"])
    assert official["raised"]["error"] == "builtins.AttributeError" and match
    assert ours["raised"] == {
        "error": "azure.keyvault.administration._ekm_common.EkmConnectionTypeError", "bases": [],
        "str": f"connection must be a KeyVaultEkmConnection, not {match.group(1)}: build one with "
               "KeyVaultEkmConnection(host, server_ca_certificates, ...)"}
    assert ours["requests"] == official["requests"] == []


# step -> (attribute holding the certificates, ours, official 4.8.0b3)
CERTIFICATE_CASES: dict[str, tuple[str, list[Any], list[Any]]] = {
    # unpadded standard base64: ours decodes it, the official keeps the text
    "get[cert_unpadded]": ("server_ca_certificates", [{"bytes": "+/8="}], ["+/8"]),
    # padded base64url: ours decodes the four bytes, the official drops "-" and "_" and decodes the rest
    "get[cert_url_safe]": ("server_ca_certificates", [{"bytes": "+//+AQ=="}], [{"bytes": "AQ=="}]),
    "get[cert_url_safe_unpadded]": ("server_ca_certificates", [{"bytes": "+//+AQ=="}], ["-__-AQ"]),
    # not base64 at all: ours keeps the text, the official returns b"" (every character dropped)
    "get[cert_not_base64]": ("server_ca_certificates", ["!!!"], [{"bytes": ""}]),
    "certificate[go_mock]": ("ca_certificates", [{"bytes": "MIIEAGNsaWVudC1jYQ=="}, {"bytes": "+//+AQ=="}],
                             [{"bytes": "MIIEAGNsaWVudC1jYQ=="}, {"bytes": "AQ=="}]),
}


def _certificate_decoding(ours: Step, official: Step, mode: str) -> None:
    attribute, ours_expected, official_expected = CERTIFICATE_CASES[ours["step"]]
    assert ours["result"]["attrs"][attribute] == ours_expected
    assert official["result"]["attrs"][attribute] == official_expected
    ours_rest = json.loads(json.dumps(ours))
    del ours_rest["result"]["attrs"][attribute]
    official_rest = json.loads(json.dumps(official))
    del official_rest["result"]["attrs"][attribute]
    assert not differences(ours_rest, official_rest)


def _no_polling_token(ours: Step, official: Step, mode: str) -> None:
    # Official: azure-core's NoPolling cannot make a token (TypeError). Ours: azure-core's LROBasePolling token of the
    # 202, which a later begin_* call resumes (scenario ekm_private_endpoint_continuation, tests/ekm).
    for key in ("token_at_start", "token"):
        assert official[key]["token_raised"]["error"] == "builtins.TypeError"
        assert "Unable to generate a continuation token" in official[key]["token_raised"]["str"]
        data = ours[key]["token_json"]["data"]
        sent = ours["requests"][-1]
        assert (data["request"]["method"], data["request"]["url"]) == (sent["method"], sent["url"])
        assert data["response"]["status_code"] == 202 and "Azure-AsyncOperation" in data["response"]["headers"]
    _assert_same_apart_from(ours, official, "token_at_start", "token")


def _resumed(ours: Step, official: Step, mode: str) -> None:
    # Official: the resumed poller forwards continuation_token to the transport; the status GET fails and result()
    # raises (sync: AttributeError on its placeholder response; async: the transport's TypeError).
    assert [r["method"] for r in official["requests"]] == ["GET"]
    assert "continuation_token" in official["requests"][0]["transport_kwargs"]
    expected = ({"error": "builtins.AttributeError",
                 "str": "'_ContinuationTokenHttpResponse' object has no attribute 'json'", "bases": []}
                if mode == "sync" else
                {"error": "builtins.TypeError", "str": "request() got an unexpected keyword argument "
                                                       "'continuation_token'", "bases": []})
    assert official["result_raised"] == expected
    # Ours: polls the token's status URL to the end, with the token's request id; a create whose 202 had a Location
    # then fetches it (the result is built from that body, as for a poller that was never interrupted).
    assert ours["status"] == "Succeeded" and ours["done"] is True and "result_raised" not in ours
    assert ours["requests"][0]["url"] == official["requests"][0]["url"]
    assert all(r["method"] == "GET" and r["transport_kwargs"] == ["stream"] for r in ours["requests"])
    job = ours["requests"][0]["url"].split("/operations/")[1].split("?")[0]
    if ours["step"].startswith("create_location"):
        assert ours["requests"][-1]["url"] == "https://myhsm.managedhsm.azure.net/ekm/privateendpoint/pe-l"
        assert ours["result"]["attrs"]["job_id"] is None
    else:
        assert ours["result"]["attrs"]["job_id"] == job
        assert ours["result"]["attrs"]["status"]["value"] == "Succeeded"
    assert ours["token_at_start"] == ours["token"] == official["token_at_start"] == official["token"]


def _list_laziness(ours: Step, official: Step, mode: str) -> None:
    step = ours["step"]
    pager = {"model": "ReiterableItemPaged" if mode == "sync" else "ReiterableAsyncItemPaged"}
    if step in ("call", "gate_call"):
        # Ours: nothing is sent (or checked) until iteration; the pager is re-iterable.
        assert ours["requests"] == [] and ours["result"]["model"] == pager["model"]
        if mode == "sync":  # official sync: the request (or the version gate) happens at the call
            assert (len(official["requests"]) == 2) if step == "call" else ("raised" in official)
        else:
            assert official["result"] == {"object": "azure.core.async_paging.AsyncItemPaged"}
    elif step == "first_iteration":
        assert ours["result"] == official["result"] and len(ours["result"]) == 1
        if mode == "sync":
            assert official["requests"] == [] and len(ours["requests"]) == 2
        else:
            assert ours["requests"] == official["requests"]
    elif step == "second_iteration":
        # Official: an exhausted pager (nothing sent, nothing yielded). Ours: the request again, the same items.
        assert official["requests"] == [] and official["result"] == []
        assert [r["method"] for r in ours["requests"]] == ["GET"] and len(ours["result"]) == 1
    else:  # gate_iteration
        gate = ("'list_ekm_private_endpoints' is not available in API version 2026-01-01-preview. Pass service API "
                "version 2026-07-01-preview or newer to your client.")
        assert ours["raised"]["str"] == gate and ours["requests"] == []
        if mode == "sync":
            assert official["result"] is None  # its pager was never made
        else:
            assert official["raised"] == ours["raised"]


def _empty_token(ours: Step, official: Step, mode: str) -> None:
    # Official: UnboundLocalError (an empty token is neither "no token" nor a token). Ours: a malformed token.
    assert official["raised"]["error"] == "builtins.UnboundLocalError"
    assert ours["raised"] == {"error": "builtins.ValueError", "str": "Invalid continuation token format.",
                              "bases": []}
    assert ours["requests"] == official["requests"] == []


def _relative_status_url(ours: Step, official: Step, mode: str) -> None:
    # Official: the relative Azure-AsyncOperation URL is sent as it is and refused by the bearer-token policy.
    assert official["result_raised"]["error"] == "azure.core.exceptions.ServiceRequestError"
    assert "non-TLS" in official["result_raised"]["str"]
    # Ours: resolved against the vault URL, polled to the end.
    assert ours["requests"][:2] == official["requests"]
    assert [r["url"] for r in ours["requests"][2:]] == [
        "https://myhsm.managedhsm.azure.net/ekm/privateendpoint/operations/pejob01?api-version=2026-07-01-preview"] * 2
    assert ours["status"] == "Succeeded" and ours["result"]["attrs"]["job_id"] == "pejob01"


DEVIATIONS: dict[tuple[str, str], tuple[str, Callable[[Step, Step, str], None]]] = {
    **{("ekm_other_clients_default", step): (
        "the access control, backup and settings clients keep 2025-07-01 as their default (official: the preview)",
        _other_clients_default)
       for step in ("rbac_api_version", "backup_api_version", "settings_api_version", "settings_request")},
    **{("ekm_connection_bad_input", f"{operation}[{label}]"): (
        "a connection that is not a KeyVaultEkmConnection gets a clear TypeError that is also an AttributeError",
        _connection_type_error)
       for operation in ("create", "update") for label in ("dict", "none", "string", "int")},
    **{("ekm_connection_responses", step): (
        "certificates decode from base64 or base64url, padded or not; invalid text stays str", _certificate_decoding)
       for step in CERTIFICATE_CASES},
    **{("ekm_private_endpoint_lro", step): (
        "polling=False pollers have a continuation token (official: azure-core's NoPolling raises TypeError)",
        _no_polling_token)
       for step in ("create_no_polling", "delete_no_polling")},
    **{("ekm_private_endpoint_continuation", f"{label}_{suffix}"): (
        "a private-endpoint poller resumes from its continuation token", _resumed)
       for label in ("create", "create_location", "delete") for suffix in ("resumed", "resumed_finished")},
    **{("ekm_private_endpoint_list_laziness", step): (
        "list_ekm_private_endpoints is lazy (sends on iteration) and each iteration sends again", _list_laziness)
       for step in ("call", "first_iteration", "second_iteration", "gate_call", "gate_iteration")},
    ("ekm_private_endpoint_bad_tokens", "create[empty]"): (
        "an empty continuation token is a malformed token (official: UnboundLocalError)", _empty_token),
    ("ekm_private_endpoint_relative_status_url", "relative_status_url"): (
        "a relative Azure-AsyncOperation URL is resolved against the vault URL", _relative_status_url),
}


# ---------------------------------------------------------------------------------------------------------------


def test_each_run_imported_the_intended_package(raw_traces: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, official = raw_traces
    assert Path(ours["package_file"]).resolve().is_relative_to(REPO / "azure")
    assert ".venv-official-48" in official["package_file"] and "site-packages" in official["package_file"]


def test_official_package_versions() -> None:
    python = _ensure_venv(VENV_48, REQUIREMENTS_48)
    code = ("import importlib.metadata as m; print(m.version('azure-keyvault-administration'), "
            "m.version('azure-identity'), m.version('aiohttp'))")
    # From a folder outside the repository: its azure/ folder and egg-info would shadow the venv's packages.
    output = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60, check=True,
                            cwd=tempfile.gettempdir())
    assert output.stdout.split() == ["4.8.0b3", "1.27.0", "3.14.5"]


def test_same_scenarios_and_no_crash(raw_traces: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, official = raw_traces
    assert list(ours) == list(official)
    assert len(ours) > 40  # every scenario, sync and async
    for name in ours:
        if name != "package_file":
            assert ours[name]["scenario_crashed"] is None, ours[name]["scenario_crashed"]
            assert official[name]["scenario_crashed"] is None, official[name]["scenario_crashed"]


def test_returned_enum_members_are_public(raw_traces: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, official = raw_traces
    ours_text, official_text = json.dumps(ours), json.dumps(official)
    for generated, public in GENERATED_TO_PUBLIC.items():
        assert f'"enum": "{generated}"' not in ours_text, generated  # never a generated member in our results
        assert f'"enum": "{generated}"' in official_text, generated  # while the official returns them
        assert f'"enum": "{public}"' in ours_text
    assert GENERATED_MEMBER.search(official_text) and not GENERATED_MEMBER.search(ours_text)
    # The translation touches enum descriptions only (no step, request or count changes).
    assert [len(scenario["steps"]) for name, scenario in official.items() if name != "package_file"] == [
        len(scenario["steps"]) for name, scenario in public_enums(official).items() if name != "package_file"]


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
            except (AssertionError, KeyError, TypeError) as err:
                report.append(f"== {name} / {dev_step}: deviation '{reason}' not as documented: {err!r}")
    assert not report, "wire/behaviour differences from the official package:\n" + "\n".join(report)
    assert deviations_seen == set(DEVIATIONS)


def test_parity_covers_every_ekm_operation(traces: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Every EKM REST operation appears in the trace as a request the official package also sent."""
    _, official = traces
    seen = {(request["method"], re.sub(r"/(pe-?[\w-]*|pejob\d+|j1|pe1)$", "/{name}",
                                       request["url"].split("?")[0].split("azure.net", 1)[-1]))
            for name, scenario in official.items() if name != "package_file"
            for step in scenario["steps"] for request in step["requests"]}
    for expected in [("GET", "/ekm"), ("POST", "/ekm/create"), ("PATCH", "/ekm"), ("DELETE", "/ekm"),
                     ("GET", "/ekm/certificate"), ("POST", "/ekm/check"), ("POST", "/ekm/privateendpoint/{name}"),
                     ("DELETE", "/ekm/privateendpoint/{name}"), ("GET", "/ekm/privateendpoint/{name}"),
                     ("GET", "/ekm/privateendpoint"), ("GET", "/ekm/privateendpoint/operations/{name}")]:
        assert expected in seen, expected
