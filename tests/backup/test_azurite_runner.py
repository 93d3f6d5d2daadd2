"""The Azurite runner used by tests, samples and the demo: free port, SAS helpers, clean stop."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import ContainerClient
from mhsm_emulator.azurite import BLOB_API_VERSION, Azurite, connection_string_for


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
