"""Backup test fixtures: Azurite (session), a per-test container with a SAS token, and key helpers.

Recorded tests get storage through ``storage``: in live runs a real Azurite container (Azurite traffic is kept out
of cassettes; its URL and the SAS token are rewritten to fixed fakes), in playback the same fakes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from _recording import Recording
from backup_helpers import (
    FAKE_ACCOUNT_URL,
    FAKE_EXPIRED_SAS,
    FAKE_READ_ONLY_SAS,
    FAKE_SAS,
    Storage,
    container_name,
    prepare_emulator,
)
from mhsm_emulator.azurite import Azurite


@pytest.fixture(scope="session")
def backup_emulator(emulator: Any, azurite: Azurite) -> Any:
    """The session emulator, ready for backups into Azurite (for tests that are never recorded)."""
    prepare_emulator(emulator, azurite)
    return emulator


@pytest.fixture
def storage(recorded: Recording, request: pytest.FixtureRequest) -> Storage:
    """Storage for a recorded test: live Azurite (sanitised in cassettes) or the cassette's fakes."""
    container = container_name(recorded.name)
    if not recorded.is_live:
        return Storage(f"{FAKE_ACCOUNT_URL}/{container}", FAKE_SAS, FAKE_READ_ONLY_SAS, FAKE_EXPIRED_SAS)
    if not recorded.is_emulator:
        # A real HSM cannot reach a local Azurite: it needs a real container (BLOB_CONTAINER_URL, BLOB_SAS_TOKEN;
        # optionally BLOB_READ_ONLY_SAS_TOKEN and BLOB_EXPIRED_SAS_TOKEN for the failure tests).
        url = os.environ["BLOB_CONTAINER_URL"].rstrip("/")
        return Storage(
            container_url=recorded.replace(url, f"{FAKE_ACCOUNT_URL}/{container}"),
            sas_token=recorded.replace(os.environ["BLOB_SAS_TOKEN"], FAKE_SAS),
            read_only_sas=recorded.replace(os.environ.get("BLOB_READ_ONLY_SAS_TOKEN", ""), FAKE_READ_ONLY_SAS),
            expired_sas=recorded.replace(os.environ.get("BLOB_EXPIRED_SAS_TOKEN", ""), FAKE_EXPIRED_SAS),
        )
    azurite: Azurite = request.getfixturevalue("azurite")
    if recorded.is_emulator:
        prepare_emulator(request.getfixturevalue("emulator"), azurite)
    recorded.sanitizer.exclude(azurite.account_url)  # the HSM's blob traffic is not the client's
    azurite.create_container(container)
    expired = datetime.now(timezone.utc) - timedelta(hours=1)
    return Storage(
        container_url=f"{recorded.replace(azurite.account_url, FAKE_ACCOUNT_URL)}/{container}",
        sas_token=recorded.replace(azurite.container_sas(container), FAKE_SAS),
        read_only_sas=recorded.replace(azurite.container_sas(container, permission="rl"), FAKE_READ_ONLY_SAS),
        expired_sas=recorded.replace(azurite.container_sas(container, expiry=expired), FAKE_EXPIRED_SAS),
    )


@pytest.fixture
def job_delay(recorded: Recording, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``job_delay(seconds)`` makes the live emulator's jobs wait before working (no-op in playback)."""
    emulator = request.getfixturevalue("emulator") if recorded.is_emulator else None

    def set_delay(seconds: float) -> None:
        if emulator is not None:
            emulator.state.config.backup_job_delay = seconds

    yield set_delay
    set_delay(0.0)


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    """Run the test with the sync client and with its async twin."""
    return str(request.param)
