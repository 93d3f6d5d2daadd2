"""pytest fixtures of the recording machinery; ``tests/conftest.py`` imports them."""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest

from . import mode
from .recording import Recording
from .target import LiveTarget, emulator_target, real_hsm_target

_TESTS_DIR = Path(__file__).resolve().parent.parent
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-\[\]]+")


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    """A Managed HSM emulator running in this process for the whole session (in-memory state, page size 100).

    Started on first use only. Yields ``mhsm_emulator.RunningEmulator`` (``vault_url``, ``ca_file``, ``env()``,
    ``credential()``, ``async_credential()``, ``client_kwargs()``...).
    """
    from mhsm_emulator import run_emulator

    with run_emulator(database=":memory:") as running:
        yield running


@pytest.fixture(scope="session")
def live_target(request: pytest.FixtureRequest) -> Optional[LiveTarget]:
    """The live server of recorded tests, or ``None`` in playback (the default)."""
    if not mode.is_live():
        return None
    url = mode.real_hsm_url()
    if url:
        return real_hsm_target(url)
    return emulator_target(request.getfixturevalue("emulator"))


@pytest.fixture(autouse=True)
def _fresh_challenge_cache() -> Iterator[None]:
    """Every test starts with an empty, process-wide challenge cache, so playback order never matters."""
    from azure.keyvault.administration._internal import HttpChallengeCache

    HttpChallengeCache.clear()
    yield
    HttpChallengeCache.clear()


@pytest.fixture
def recorded(request: pytest.FixtureRequest, live_target: Optional[LiveTarget]) -> Iterator[Recording]:
    """A :class:`Recording` whose cassette is active for the whole test (sync and async tests alike).

    In playback, the test fails if it leaves recorded requests unplayed.
    """
    recording = Recording(cassette_name(request.node), _cassette_dir(), live_target)
    with recording.use_cassette() as cassette:
        yield recording
    report = getattr(request.node, "_recording_call_report", None)
    if not recording.is_live and report is not None and report.passed and cassette.data:
        unplayed = [req.uri for index, (req, _) in enumerate(cassette.data) if not cassette.play_counts[index]]
        assert not unplayed, f"recorded requests were never sent: {unplayed}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember the call-phase report so ``recorded`` checks unplayed requests only after passing tests."""
    report = yield
    if report.when == "call":
        item._recording_call_report = report  # type: ignore[attr-defined]
    return report


def cassette_name(node: pytest.Item) -> str:
    """``<folder>/<module>.<test name with parameters>``, relative to ``tests/``: stable and readable."""
    path = Path(str(node.path)).resolve()
    try:
        relative = path.relative_to(_TESTS_DIR)
    except ValueError:
        relative = Path(path.name)
    parts = [relative.stem]
    if node.cls is not None:  # type: ignore[attr-defined]
        parts.append(node.cls.__name__)  # type: ignore[attr-defined]
    parts.append(node.name)
    stem = _UNSAFE.sub("_", ".".join(parts))
    return str(relative.parent / stem) if str(relative.parent) != "." else stem


def _cassette_dir() -> Path:
    return mode.record_dir() if mode.is_live() else mode.playback_dir()


def emulator_env(emulator: Any) -> dict[str, str]:
    """``os.environ`` plus the emulator's variables, for subprocesses (samples) and README snippets."""
    env = dict(os.environ)
    env.update(emulator.env())
    return env
