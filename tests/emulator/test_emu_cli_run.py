"""The ``mhsm-emulator`` command: version and help, stop signals whatever was inherited, shell exports for
``eval``/``source``, a temporary data folder by default, and ``--with-azurite`` (the whole local environment in one
command, stopped together)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from cli_process import children, cli, emulator_args, wait_gone
from mhsm_emulator import EmulatorCredential, __version__

from azure.keyvault.administration import KeyVaultBackupClient

CONSOLE_SCRIPT = str(Path(sys.executable).with_name("mhsm-emulator"))
FIVE = {"AZURE_MANAGEDHSM_URL", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "IDENTITY_ENDPOINT", "IDENTITY_HEADER"}
STORAGE = {"AZURE_STORAGE_CONNECTION_STRING", "BLOB_CONTAINER_URL", "BLOB_SAS_TOKEN"}


def _settings_status(env: dict[str, str]) -> int:
    token = requests.get(
        env["IDENTITY_ENDPOINT"], params={"api-version": "2019-08-01", "resource": "https://0.0.1:" +
                                          env["AZURE_MANAGEDHSM_URL"].rsplit(":", 1)[1]},
        headers={"X-IDENTITY-HEADER": env["IDENTITY_HEADER"]}, timeout=30,
    ).json()["access_token"]
    return requests.get(f"{env['AZURE_MANAGEDHSM_URL']}/settings", params={"api-version": "7.5"},
                        headers={"Authorization": f"Bearer {token}"}, verify=env["SSL_CERT_FILE"],
                        timeout=30).status_code


def _exports(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        words = shlex.split(line)
        assert words[0] == "export" and len(words) == 2, line
        name, _, value = words[1].partition("=")
        values[name] = value
    return values


def test_version_and_help_show_defaults() -> None:
    version = subprocess.run([CONSOLE_SCRIPT, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.strip() == f"mhsm-emulator {__version__}"
    shown = subprocess.run([CONSOLE_SCRIPT, "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    text = " ".join(shown.stdout.split())
    for expected in ("--data-dir DIR", "(default: a temporary folder removed at exit)", "--with-azurite",
                     "--format {json,shell}", "--env-file PATH", "(default: json)", "(default: 20.0)",
                     "(default: 10.0)", "(default: 15.0)", "(default: 256)", "(default: 100)", "(default: 3600)"):
        assert expected in text, expected
    same = subprocess.run(emulator_args("--help"), capture_output=True, text=True, timeout=60)
    assert same.stdout == shown.stdout  # `python -m mhsm_emulator` is the same CLI


def test_the_test_harness_really_starts_programs_with_sigint_ignored() -> None:
    probe = "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"
    with cli([sys.executable, "-c", probe]) as child:
        assert child.stdout.next().strip() == "True"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command", ["console script", "python -m"])
def test_stop_signals_work_although_sigint_was_ignored_at_start(command: str, signum: int) -> None:
    args = [CONSOLE_SCRIPT] if command == "console script" else emulator_args()
    with cli([*args, "--database", ":memory:"]) as emulator:
        info = json.loads(emulator.stdout.next())
        assert _settings_status(info["env"]) == 200
        emulator.signal(signum)
        assert emulator.wait() == 0
        data_dir = Path(info["data_dir"])
    assert not data_dir.exists()  # no --data-dir: a temporary folder, removed at exit


def test_shell_format_works_with_eval_while_the_emulator_keeps_serving(tmp_path: Path) -> None:
    script = f"""
set -e
eval "$({shlex.quote(CONSOLE_SCRIPT)} --format shell --data-dir {shlex.quote(str(tmp_path / 'data'))} &)"
: "${{MHSM_EMULATOR_PID:?the emulator did not start}}"
env | grep -E '^(AZURE_MANAGEDHSM_URL|SSL_CERT_FILE|REQUESTS_CA_BUNDLE|IDENTITY_(ENDPOINT|HEADER)|MHSM_EMULATOR_PID)='
"""
    with cli(["bash", "-c", script]) as shell:  # the emulator runs in this process group: killed on failure
        assert shell.wait(timeout=60) == 0, shell.stderr.rest()
        env = dict(line.split("=", 1) for line in shell.stdout.rest().splitlines())
        assert set(env) == {*FIVE, "MHSM_EMULATOR_PID"}
        pid = int(env["MHSM_EMULATOR_PID"])
        assert _settings_status(env) == 200  # still serving after the shell went on
        os.kill(pid, signal.SIGTERM)
        assert wait_gone(pid)


def test_env_file_can_be_sourced_and_is_removed_at_exit(tmp_path: Path) -> None:
    env_file = tmp_path / "hsm.env"
    with cli(emulator_args("--data-dir", str(tmp_path / "data"), "--env-file", str(env_file))) as emulator:
        info = json.loads(emulator.stdout.next())
        assert env_file.stat().st_mode & 0o777 == 0o600  # it holds the identity secret
        exported = _exports(env_file.read_text())
        assert exported == {**info["env"], "MHSM_EMULATOR_PID": str(emulator.pid)}
        sourced = subprocess.run(["bash", "-c", f". {shlex.quote(str(env_file))} && echo $IDENTITY_HEADER"],
                                 capture_output=True, text=True, timeout=30)
        assert sourced.stdout.strip() == info["identity_header"]
        emulator.signal(signal.SIGINT)
        assert emulator.wait() == 0
    assert not env_file.exists()


def _backup(info: dict[str, Any], **kwargs: Any) -> str:
    env = info["env"]
    credential = EmulatorCredential(env["IDENTITY_ENDPOINT"], env["IDENTITY_HEADER"])
    url, ca_file = env["AZURE_MANAGEDHSM_URL"], env["SSL_CERT_FILE"]
    with KeyVaultBackupClient(url, credential, connection_verify=ca_file) as client:
        return str(client.begin_backup(env["BLOB_CONTAINER_URL"], polling_interval=0.2, **kwargs).result().folder_url)


def test_with_azurite_brings_up_and_stops_the_whole_environment(tmp_path: Path) -> None:
    with cli(emulator_args("--data-dir", str(tmp_path / "data"), "--with-azurite")) as emulator:
        info = json.loads(emulator.stdout.next(timeout=90))
        assert set(info["env"]) == FIVE | STORAGE
        azurite = info["azurite"]
        assert info["env"]["BLOB_CONTAINER_URL"] == azurite["container_url"] == azurite["account_url"] + "/backups"
        assert f"BlobEndpoint={azurite['account_url']};" in info["env"]["AZURE_STORAGE_CONNECTION_STRING"]
        assert azurite["location"] == str(tmp_path / "data" / "azurite")
        node = azurite["pid"]
        assert children(emulator.pid) == [node]
        # A SAS backup, and one with the HSM's own storage identity: it points at this Azurite.
        assert _backup(info, sas_token=info["env"]["BLOB_SAS_TOKEN"]).startswith(azurite["container_url"])
        assert _backup(info, use_managed_identity=True).startswith(azurite["container_url"])
        emulator.signal(signal.SIGINT)  # ignored at start, handled anyway
        assert emulator.wait(timeout=60) == 0
        assert wait_gone(node)


def test_with_azurite_the_emulator_stops_when_azurite_dies(tmp_path: Path) -> None:
    with cli(emulator_args("--database", ":memory:", "--with-azurite", "--format", "shell")) as emulator:
        exported = _exports(emulator.stdout.rest(timeout=90))
        assert set(exported) == FIVE | STORAGE | {"MHSM_EMULATOR_PID"}
        assert "'" in shlex.join([exported["BLOB_SAS_TOKEN"]])  # needs quoting, and was quoted
        (node,) = children(emulator.pid)
        os.kill(node, signal.SIGKILL)
        assert emulator.wait(timeout=60) == 1
        err = emulator.stderr.rest()
    assert f"Azurite (pid {node}) exited by itself" in err and "stopping the emulator" in err
    assert len(err.splitlines()) == 1
