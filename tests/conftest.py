"""Shared pytest configuration: the recorded-test fixtures (see ``tests/_recording/__init__.py`` for usage).

Fixtures: ``recorded`` (one recorded test: cassette, vault URL, credentials), ``live_target`` (session; None in
playback), ``emulator`` (session; an in-process Managed HSM emulator, started on first use in any mode). The
challenge cache is cleared around every test. Feature folders add their own fixtures in their own conftest.py
(e.g. ``tests/backup/conftest.py`` for backup storage). ``azurite`` (session) is Azure Storage's emulator.
"""

from collections.abc import Iterator

import pytest
from _recording.fixtures import (  # noqa: F401  (pytest discovers fixtures and hooks by name)
    _fresh_challenge_cache,
    emulator,
    live_target,
    pytest_runtest_makereport,
    recorded,
)
from mhsm_emulator.azurite import Azurite


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """Azurite's blob service on a free 127.0.0.1 port for the session (started on first use, stopped at the end)."""
    with Azurite() as running:
        yield running
