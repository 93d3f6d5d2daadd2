"""The CLI process: startup record, clean stop on SIGINT/SIGTERM, state surviving SIGKILL + restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from cli_process import Cli, cli, emulator_args
from emu_helpers import ASSIGNMENTS, DEFS, new_guid
from mhsm_emulator.identities import SYSTEM_PRINCIPAL_ID


@contextmanager
def _started(data_dir: Path, *extra: str) -> Iterator[tuple[Cli, dict[str, Any]]]:
    """The CLI on ``data_dir`` and its startup record; its process group is killed on exit, whatever happened."""
    with cli(emulator_args("--data-dir", str(data_dir), *extra)) as process:
        line = process.stdout.next()
        assert line, process.stderr.rest()
        yield process, json.loads(line)


def _token(info: dict[str, Any]) -> str:
    response = requests.get(
        info["identity_endpoint"],
        params={"api-version": "2019-08-01", "resource": info["resource"]},
        headers={"X-IDENTITY-HEADER": info["identity_header"], "Metadata": "true"},
        timeout=30,
    )
    assert response.status_code == 200
    return str(response.json()["access_token"])


def _call(info: dict[str, Any], method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(
        method, info["vault_url"] + path, params={"api-version": "2025-07-01"}, verify=info["ca_file"],
        headers={"Authorization": f"Bearer {_token(info)}"}, timeout=30, **kwargs,
    )


def test_startup_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with _started(Path("data")) as (process, info):  # relative, as the README shows
        for key in ("vault_url", "ca_file", "identity_endpoint", "identity_header"):
            assert info[key]
        assert info["principal_id"] == SYSTEM_PRINCIPAL_ID
        assert info["env"] == {
            "AZURE_MANAGEDHSM_URL": info["vault_url"],
            "SSL_CERT_FILE": info["ca_file"],
            "REQUESTS_CA_BUNDLE": info["ca_file"],
            "IDENTITY_ENDPOINT": info["identity_endpoint"],
            "IDENTITY_HEADER": info["identity_header"],
        }
        assert Path(info["ca_file"]).is_file() and Path(info["ca_file"]).is_absolute()  # usable from any folder
        assert _call(info, "GET", "/settings").status_code == 200
        process.signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    with _started(tmp_path / "data") as (process, _):
        process.signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_state_survives_sigkill_and_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    definition, assignment = new_guid(), new_guid()
    with _started(data_dir) as (process, info):
        assert _call(info, "PUT", f"{DEFS}/{definition}", json={"properties": {"roleName": "kept"}}).status_code == 201
        body = {"properties": {"principalId": "p1", "roleDefinitionId": f"Microsoft.KeyVault/providers/"
                               f"Microsoft.Authorization/roleDefinitions/{definition}"}}
        assert _call(info, "PUT", f"/keys{ASSIGNMENTS}/{assignment}", json=body).status_code == 201
        patch = _call(info, "PATCH", "/settings/AllowKeyManagementOperationsThroughARM", json={"value": "true"})
        assert patch.status_code == 200
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
    ca_before = Path(info["ca_file"]).read_bytes()
    with _started(data_dir) as (process, info2):
        assert Path(info2["ca_file"]).read_bytes() == ca_before
        assert info2["identity_header"] == info["identity_header"]
        assert _call(info2, "GET", f"{DEFS}/{definition}").json()["properties"]["roleName"] == "kept"
        assert _call(info2, "GET", f"/keys{ASSIGNMENTS}/{assignment}").json()["properties"]["principalId"] == "p1"
        setting = _call(info2, "GET", "/settings/AllowKeyManagementOperationsThroughARM").json()
        assert setting["value"] == "true"
        admins = [a for a in _call(info2, "GET", ASSIGNMENTS).json()["value"]
                  if a["properties"]["principalId"] == SYSTEM_PRINCIPAL_ID]
        assert len(admins) == 1  # bootstrap not repeated
        process.signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_memory_database_option(tmp_path: Path) -> None:
    with _started(tmp_path / "data", "--database", ":memory:") as (process, info):
        assert info["database"] == ":memory:"
        assert _call(info, "GET", "/settings").status_code == 200
        assert not (tmp_path / "data" / "state.sqlite3").exists()
        process.signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


@pytest.mark.parametrize("args", [["--error-rate", "2"], ["--error-statuses", "500"], ["--page-size", "0"]])
def test_bad_cli_arguments(tmp_path: Path, args: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "mhsm_emulator", "--data-dir", str(tmp_path), *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "error" in result.stderr
    assert len(result.stderr.splitlines()) == 1  # one line, not the whole usage


def test_fault_flags_reach_the_server(tmp_path: Path) -> None:
    args = ("--error-rate", "1", "--error-statuses", "503", "--retry-after", "3")
    with _started(tmp_path / "data", *args) as (process, info):
        response = _call(info, "GET", "/settings")  # the token endpoint is not subject to faults
        assert response.status_code == 503 and response.headers["Retry-After"] == "3"
        assert "code" in response.json()["error"]
        process.signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    with _started(tmp_path / "data", "--drop-rate", "1") as (process, info):
        with pytest.raises(requests.ConnectionError):
            _call(info, "GET", "/settings")
        process.signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_connection_flags_map_to_the_config(tmp_path: Path) -> None:
    from mhsm_emulator.__main__ import build_parser, config_from_args

    defaults = config_from_args(build_parser().parse_args(["--data-dir", str(tmp_path)]))
    assert (defaults.idle_timeout, defaults.header_timeout, defaults.body_timeout, defaults.tls_handshake_timeout,
            defaults.max_connections) == (20.0, 10.0, 15.0, 10.0, 256)
    args = ["--data-dir", str(tmp_path), "--idle-timeout", "1.5", "--header-timeout", "2", "--body-timeout", "3",
            "--tls-handshake-timeout", "4", "--max-connections", "9"]
    config = config_from_args(build_parser().parse_args(args))
    assert (config.idle_timeout, config.header_timeout, config.body_timeout, config.tls_handshake_timeout,
            config.max_connections) == (1.5, 2.0, 3.0, 4.0, 9)


def test_fault_flags_map_to_the_fault_config(tmp_path: Path) -> None:
    from mhsm_emulator.__main__ import build_parser, config_from_args

    defaults = config_from_args(build_parser().parse_args(["--data-dir", str(tmp_path)])).faults
    assert not defaults.active  # off by default
    args = ["--data-dir", str(tmp_path), "--latency", "0.25", "--error-rate", "0.5", "--error-statuses", "429",
            "--retry-after", "7", "--drop-rate", "0.1", "--seed", "42"]
    faults = config_from_args(build_parser().parse_args(args)).faults
    assert (faults.latency, faults.error_rate, faults.error_statuses, faults.retry_after, faults.drop_rate,
            faults.seed) == (0.25, 0.5, (429,), 7, 0.1, 42)
