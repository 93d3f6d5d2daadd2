"""The Azurite runner used by tests, samples and the demo: where Azurite is found, readiness of its own child, free
port, SAS helpers, clean stop."""

from __future__ import annotations

import os
import socket
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import ContainerClient
from mhsm_emulator import azurite as azurite_module
from mhsm_emulator.azurite import BLOB_API_VERSION, Azurite, connection_string_for, find_azurite


def test_start_use_and_stop(tmp_path: Path) -> None:
    location = tmp_path / "azurite-data"
    with Azurite(location=str(location)) as azurite:
        assert azurite.running and azurite.host == "127.0.0.1"
        assert azurite.account_url == f"http://127.0.0.1:{azurite.port}/devstoreaccount1"
        assert f"BlobEndpoint={azurite.account_url};" in azurite.connection_string
        url = azurite.create_container("runner")
        assert azurite.create_container("runner") == url  # already there: fine
        sas = azurite.container_sas("runner")
        assert "sig=" in sas and "sp=rcwdl" in sas
        writable = ContainerClient.from_container_url(url, credential=sas, api_version=BLOB_API_VERSION)
        writable.upload_blob("folder/blob.txt", b"hello")
        assert [blob.name for blob in writable.list_blobs()] == ["folder/blob.txt"]

        read_only = ContainerClient.from_container_url(
            url, credential=azurite.container_sas("runner", permission="rl"), api_version=BLOB_API_VERSION
        )
        with pytest.raises(HttpResponseError) as info:
            read_only.upload_blob("other.txt", b"no")
        assert info.value.status_code == 403
        expired = azurite.container_sas("runner", expiry=datetime.now(timezone.utc) - timedelta(minutes=5))
        with pytest.raises(HttpResponseError):
            list(ContainerClient.from_container_url(url, credential=expired, api_version=BLOB_API_VERSION).list_blobs())
        pid = azurite._process.pid if azurite._process else -1
    assert not azurite.running
    with pytest.raises(OSError):
        os.kill(pid, 0)  # the process is gone
    assert location.exists()  # a given location is kept


def test_temporary_location_is_removed() -> None:
    azurite = Azurite().start()
    folder = azurite._temp_dir
    assert folder is not None and os.path.isdir(folder)
    azurite.stop()
    azurite.stop()  # stopping twice is harmless
    assert not os.path.exists(folder)


def test_failed_start_reports_and_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURITE_BLOB", "/bin/false")
    azurite = Azurite(startup_timeout=5)
    with pytest.raises(RuntimeError, match="Azurite did not start"):
        azurite.start()
    assert not azurite.running and azurite._temp_dir is None


def test_connection_string_format() -> None:
    text = connection_string_for("http://127.0.0.1:1234/devstoreaccount1")
    assert text.startswith("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=")
    assert text.endswith("BlobEndpoint=http://127.0.0.1:1234/devstoreaccount1;")


# ---- where Azurite is found ---------------------------------------------------------------------------------------


def _fake_executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_azurite_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with no Azurite anywhere: no AZURITE_BLOB, none on PATH, no repository copy."""
    project = tmp_path / "project" / "src"
    project.mkdir(parents=True)
    monkeypatch.chdir(project)
    monkeypatch.delenv("AZURITE_BLOB", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setattr(azurite_module, "_REPO_ROOT", tmp_path / "not-a-repository")
    return project


def test_missing_azurite_says_how_to_install_it(no_azurite_installed: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        find_azurite()
    message = str(info.value)
    assert "npm install azurite@3.35.0" in message and "AZURITE_BLOB" in message
    assert str(no_azurite_installed) in message  # where it looked


def test_azurite_in_the_project_node_modules_of_a_parent_folder(no_azurite_installed: Path) -> None:
    found = _fake_executable(no_azurite_installed.parent / "node_modules" / ".bin" / "azurite-blob")
    assert find_azurite() == str(found)
    closer = _fake_executable(no_azurite_installed / "node_modules" / ".bin" / "azurite-blob")
    assert find_azurite() == str(closer)  # the nearest folder wins


def test_azurite_on_path_then_the_repository(
    no_azurite_installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = _fake_executable(tmp_path / "repo" / "node_modules" / ".bin" / "azurite-blob")
    monkeypatch.setattr(azurite_module, "_REPO_ROOT", tmp_path / "repo")
    assert find_azurite() == str(repository)
    on_path = _fake_executable(tmp_path / "global-bin" / "azurite-blob")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert find_azurite() == str(on_path)  # PATH comes before the repository
    in_project = _fake_executable(no_azurite_installed / "node_modules" / ".bin" / "azurite-blob")
    assert find_azurite() == str(in_project)  # the project comes before PATH


def test_azurite_blob_variable_comes_first_and_must_exist(
    no_azurite_installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_executable(no_azurite_installed / "node_modules" / ".bin" / "azurite-blob")
    chosen = _fake_executable(tmp_path / "custom" / "azurite-blob")
    monkeypatch.setenv("AZURITE_BLOB", str(chosen))
    assert find_azurite() == str(chosen)
    monkeypatch.setenv("AZURITE_BLOB", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match=r"AZURITE_BLOB=.*missing is not an executable file.*npm install"):
        find_azurite()


# ---- readiness is our own child on our port ------------------------------------------------------------------------


def test_a_port_already_served_is_refused_before_starting(azurite: Azurite) -> None:
    other = Azurite(port=azurite.port)
    with pytest.raises(RuntimeError, match=f"port {azurite.port} .* already in use"):
        other.start()
    assert not other.running and azurite.running


def test_a_child_that_does_not_listen_is_not_ready_even_if_the_port_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else listens on the chosen port after the pre-check; our child (alive, silent) never listens."""
    sleeper = tmp_path / "azurite-blob"
    sleeper.write_text("#!/bin/sh\nexec sleep 60\n")
    sleeper.chmod(0o755)
    monkeypatch.setenv("AZURITE_BLOB", str(sleeper))
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", 0))
        foreign.listen()
        port = foreign.getsockname()[1]
        real_port_open = azurite_module._port_open
        calls: list[int] = []

        def port_open(host: str, port: int) -> bool:
            calls.append(port)
            return len(calls) > 1 and real_port_open(host, port)  # the pre-start check sees a free port

        monkeypatch.setattr(azurite_module, "_port_open", port_open)
        runner = Azurite(port=port, startup_timeout=3)
        with pytest.raises(RuntimeError, match="did not listen in time"):
            runner.start()
    assert not runner.running  # the silent child was stopped


def test_no_death_signal_from_other_threads() -> None:
    """PR_SET_PDEATHSIG fires when the forking thread ends, so it is only used from the main thread."""
    assert azurite_module._parent_death_signal() is not None  # pytest runs tests on the main thread
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(azurite_module._parent_death_signal()))
    thread.start()
    thread.join()
    assert seen == [None]
