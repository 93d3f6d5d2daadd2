"""Fixtures: an in-process emulator (in-memory state, page size 5) and an admin :class:`Api`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emu_helpers import Api
from mhsm_emulator import RunningEmulator, run_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with run_emulator(database=":memory:", page_size=5) as running:
        yield running


@pytest.fixture
def api(emu: RunningEmulator) -> Api:
    return Api(emu)
