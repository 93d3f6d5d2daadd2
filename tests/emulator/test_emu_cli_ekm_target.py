"""``--ekm-private-link-target ID=HOST:PORT``: where a private endpoint to that private link service leads, so the
check of a ``PrivateEndpoint`` connection reaches an EKM proxy when the emulator runs as a separate process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests
from cli_process import cli, emulator_args
from ekm_helpers import EKM_ADMIN, PLS_ALIAS, PLS_ID, V2
from mhsm_emulator.__main__ import build_parser, config_from_args
from mhsm_emulator.ekm_proxy import run_ekm_proxy


def test_targets_reach_the_configuration(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["--ekm-private-link-target", f"{PLS_ID}=127.0.0.1:4433", "--ekm-private-link-target", f"{PLS_ALIAS}=h:1"]
    )
    assert config_from_args(args, tmp_path).ekm_private_link_targets == {PLS_ID: "127.0.0.1:4433", PLS_ALIAS: "h:1"}
    assert config_from_args(build_parser().parse_args([]), tmp_path).ekm_private_link_targets == {}


@pytest.mark.parametrize("value", ["127.0.0.1:4433", f"{PLS_ID}=127.0.0.1", f"{PLS_ID}=:443", "=h:1", f"{PLS_ID}=h:x"])
def test_malformed_targets_are_one_line_usage_errors(value: str) -> None:
    result = subprocess.run(emulator_args("--ekm-private-link-target", value), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "is not ID=HOST:PORT" in result.stderr


def test_a_private_endpoint_connection_is_checked_through_the_target(tmp_path: Path) -> None:
    data_dir = tmp_path / "hsm"
    with run_ekm_proxy(client_ca=None) as proxy:
        args = ["--data-dir", str(data_dir), "--ekm-private-link-target", f"{PLS_ALIAS}={proxy.host}"]
        with cli(emulator_args(*args)) as emulator:
            info = json.loads(emulator.stdout.next())
            session = requests.Session()
            session.trust_env = False  # a REQUESTS_CA_BUNDLE of the environment would win over session.verify
            session.verify = info["ca_file"]
            token = session.get(
                info["identity_endpoint"],
                params={"resource": info["resource"], "api-version": "2019-08-01"},
                headers={"X-IDENTITY-HEADER": info["identity_header"]},
                timeout=30,
            ).json()["access_token"]
            session.headers["Authorization"] = f"Bearer {token}"
            vault, query = info["vault_url"], {"api-version": V2}
            roles = session.get(f"{vault}/providers/Microsoft.Authorization/roleDefinitions", params=query,
                                timeout=30).json()["value"]
            role_id = next(r["id"] for r in roles if r["properties"]["roleName"] == EKM_ADMIN)
            assignment = {"properties": {"roleDefinitionId": role_id, "principalId": info["principal_id"]}}
            put = session.put(f"{vault}/providers/Microsoft.Authorization/roleAssignments/"
                              "0b1c3a52-5c1e-4d67-9a2f-6a0d3c1e2f40", params=query, json=assignment, timeout=30)
            assert put.status_code == 201, put.text
            created = session.post(f"{vault}/ekm/privateendpoint/pe1", params=query,
                                   json={"privateLinkServiceId": PLS_ALIAS}, timeout=30)
            assert created.status_code == 202, created.text
            status = session.get(created.headers["Azure-AsyncOperation"], timeout=30).json()
            assert status["status"] == "Succeeded", status
            body = {**proxy.connection_body(), "host": "pe1", "connectivity_mode": "PrivateEndpoint"}
            assert session.post(f"{vault}/ekm/create", params=query, json=body, timeout=30).status_code == 200
            checked = session.post(f"{vault}/ekm/check", params=query, timeout=30)
            assert checked.status_code == 200, checked.text
            assert checked.json() == proxy.proxy_info
            assert proxy.requests[-1]["path"] == f"{proxy.path_prefix}/info"
