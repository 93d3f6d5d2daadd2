"""Shared pytest configuration: the recorded-test fixtures (see ``tests/_recording/__init__.py`` for usage).

Fixtures: ``recorded`` (one recorded test: cassette, vault URL, credentials), ``live_target`` (session; None in
playback), ``emulator`` (session; an in-process Managed HSM emulator, started on first use in any mode). The
challenge cache is cleared around every test. Feature folders add their own fixtures in their own conftest.py
(e.g. ``tests/backup/conftest.py`` for Azurite).
"""

from _recording.fixtures import (  # noqa: F401  (pytest discovers fixtures and hooks by name)
    _fresh_challenge_cache,
    emulator,
    live_target,
    pytest_runtest_makereport,
    recorded,
)
