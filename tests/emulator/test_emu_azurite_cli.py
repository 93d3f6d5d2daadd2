"""``python -m mhsm_emulator.azurite``: prints where its own Azurite listens (and a container with its SAS, quoted for
the shell); SIGTERM and SIGINT stop it and its node child, also when SIGINT was ignored at start (a background job
of a non-interactive shell); a port served by another Azurite, or a node child that dies, is an error; the node child
never outlives the runner (SIGKILL included)."""

from __future__ import annotations

import os
import shlex
import signal
import sys
from pathlib import Path

import pytest
import requests
from cli_process import alive, children, cli, wait_gone
from mhsm_emulator.azurite import Azurite

RUNNER = [sys.executable, "-m", "mhsm_emulator.azurite"]


def _assignment(line: str) -> tuple[str, str]:
    """``NAME=value`` as the shell reads it (the value is shell-quoted)."""
    words = shlex.split(line)
    assert len(words) == 1, line
    name, _, value = words[0].partition("=")
    return name, value


def _node_child(pid: int) -> int:
    found = children(pid)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_its_endpoint_and_stops_the_child(tmp_path: Path, signum: int) -> None:
    with cli([*RUNNER, "--location", str(tmp_path / "azurite")]) as runner:  # SIGINT ignored, as inherited
        heading = runner.stdout.next()
        account_url = heading.strip().removeprefix("Azurite blob service: ")
        assert account_url.startswith("http://127.0.0.1:") and account_url.endswith("/devstoreaccount1")
        values = dict(_assignment(runner.stdout.next()) for _ in range(3))
        assert values["AZURE_STORAGE_CONNECTION_STRING"].endswith(f"BlobEndpoint={account_url};")
        container_url, sas = values["BLOB_CONTAINER_URL"], values["BLOB_SAS_TOKEN"]
        assert container_url == account_url + "/backups"
        listing = requests.get(f"{container_url}?restype=container&comp=list&{sas}", timeout=10)
        assert listing.status_code == 200, listing.text  # the container exists and the SAS lists it
        node = _node_child(runner.pid)
        runner.signal(signum)
        assert runner.wait(timeout=30) == 0
        assert wait_gone(node)


def test_shell_format_exports_then_detaches_stdout(tmp_path: Path) -> None:
    with cli([*RUNNER, "--format", "shell", "--location", str(tmp_path / "azurite")]) as runner:
        exported = runner.stdout.rest()  # ends: stdout is closed while Azurite keeps running
        values = {}
        for line in exported.splitlines():
            assert line.startswith("export "), line
            name, value = _assignment(line.removeprefix("export "))
            values[name] = value
        assert set(values) == {"AZURE_STORAGE_CONNECTION_STRING", "BLOB_CONTAINER_URL", "BLOB_SAS_TOKEN",
                               "AZURITE_RUNNER_PID"}
        assert values["AZURITE_RUNNER_PID"] == str(runner.pid)
        assert "'" in exported  # the SAS (with '&') is quoted
        assert runner.process.poll() is None
        listing = requests.get(
            f"{values['BLOB_CONTAINER_URL']}?restype=container&comp=list&{values['BLOB_SAS_TOKEN']}", timeout=10
        )
        assert listing.status_code == 200
        node = _node_child(runner.pid)
        runner.signal(signal.SIGINT)
        assert runner.wait() == 0
        assert wait_gone(node)


def test_port_served_by_another_azurite_is_an_error(tmp_path: Path) -> None:
    with Azurite() as other, cli([*RUNNER, "--port", str(other.port), "--location", str(tmp_path / "a")]) as runner:
        status = runner.wait(timeout=60)
        out, err = runner.stdout.rest(), runner.stderr.rest()
        assert status == 2
        assert "BLOB_SAS_TOKEN" not in out and "Azurite blob service" not in out  # nothing from the other process
        assert f"port {other.port}" in err and "already in use" in err and len(err.strip().splitlines()) == 1
        assert other.running  # untouched
        assert other.create_container("still-serving") == other.container_url("still-serving")


def test_a_dead_node_child_is_an_error(tmp_path: Path) -> None:
    with cli([*RUNNER, "--location", str(tmp_path / "azurite")]) as runner:
        runner.stdout.next()
        node = _node_child(runner.pid)
        os.kill(node, signal.SIGKILL)
        assert runner.wait(timeout=30) == 1
        err = runner.stderr.rest()
        assert f"Azurite (pid {node}) exited by itself" in err


def test_node_child_dies_with_a_sigkilled_runner(tmp_path: Path) -> None:
    with cli([*RUNNER, "--location", str(tmp_path / "azurite")]) as runner:
        runner.stdout.next()
        node = _node_child(runner.pid)
        os.kill(runner.pid, signal.SIGKILL)  # no clean-up code runs in the runner
        runner.wait()
        assert wait_gone(node), "node outlived its runner"


# Starts Azurite from a thread that is not the main one, so no PR_SET_PDEATHSIG is set (Linux sends it when the
# forking *thread* ends): only the stdin watcher ties node to this process.
_FROM_A_THREAD = """
import sys, threading, time
from mhsm_emulator.azurite import Azurite
started = []
thread = threading.Thread(target=lambda: started.append(Azurite(location=sys.argv[1]).start()))
thread.start(); thread.join()
print(started[0].pid, flush=True)
time.sleep(600)
"""


def test_node_child_dies_with_its_parent_through_the_stdin_watcher(tmp_path: Path) -> None:
    with cli([sys.executable, "-c", _FROM_A_THREAD, str(tmp_path / "azurite")]) as parent:
        node = int(parent.stdout.next())
        assert alive(node)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert wait_gone(node), "node outlived its parent"


def test_cli_help_does_not_start_azurite() -> None:
    with cli([*RUNNER, "--help"]) as runner:
        assert runner.wait() == 0
        out = runner.stdout.rest()
    assert "--port" in out and "--format" in out and "Azurite blob service:" not in out
