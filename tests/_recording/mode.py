"""Which mode a recorded test runs in, and where its cassettes live (all decided from environment variables)."""

import os
from pathlib import Path

LIVE_ENV = "AZURE_TEST_RUN_LIVE"
"""``true`` (or ``yes``/``1``) runs recorded tests live and re-records their cassettes."""

HSM_URL_ENV = "AZURE_MANAGEDHSM_URL"
"""In live mode, a real Managed HSM to test against (with ``DefaultAzureCredential``) instead of the emulator."""

RECORDINGS_DIR_ENV = "AZURE_TEST_RECORDINGS_DIR"
"""In live mode, the folder new cassettes are written to (default: the committed ``tests/recordings``)."""

COMMITTED_RECORDINGS = Path(__file__).resolve().parent.parent / "recordings"

FAKE_VAULT_URL = "https://fakehsm.managedhsm.azure.net"
"""The vault every cassette talks to: live URLs are rewritten to it, playback clients use it."""

FAKE_RESOURCE = "https://managedhsm.azure.net"
"""The challenge resource written to cassettes; a suffix of the fake vault's host, so verification passes."""


def is_live() -> bool:
    """True when recorded tests must run against a server and re-record."""
    return os.environ.get(LIVE_ENV, "").strip().lower() in ("true", "yes", "1")


def real_hsm_url() -> str:
    """The real HSM to run live tests against, or ``""`` for the emulator."""
    return os.environ.get(HSM_URL_ENV, "").strip()


def playback_dir() -> Path:
    """Cassettes are always played back from the committed folder."""
    return COMMITTED_RECORDINGS


def record_dir() -> Path:
    """Where live runs write cassettes: ``$AZURE_TEST_RECORDINGS_DIR`` when set, else the committed folder."""
    configured = os.environ.get(RECORDINGS_DIR_ENV, "").strip()
    return Path(configured) if configured else COMMITTED_RECORDINGS
