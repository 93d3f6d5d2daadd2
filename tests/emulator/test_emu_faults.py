"""Fault injection: latency, 429/503 with Retry-After, dropped connections; deterministic with a seed."""

from __future__ import annotations

import pytest
import requests
from emu_helpers import Api
from mhsm_emulator import FaultConfig, RunningEmulator
from mhsm_emulator.faults import FaultInjector
from reliability_ledger import count_faults


@pytest.fixture(autouse=True)
def _faults_off(emu: RunningEmulator) -> object:
    with count_faults(emu.state.faults):
        yield
    emu.set_faults()


def _statuses(emu: RunningEmulator, count: int) -> list[int]:
    api = Api(emu)
    return [api.get("/settings").status_code for _ in range(count)]


def test_off_by_default(emu: RunningEmulator) -> None:
    assert not emu.faults.active
    assert _statuses(emu, 10) == [200] * 10


def test_injected_errors_carry_retry_after(emu: RunningEmulator) -> None:
    emu.set_faults(error_rate=1.0, error_statuses=(429,), retry_after=3)
    response = Api(emu).get("/settings")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["error"]["code"] == "Throttled"
    emu.set_faults(error_rate=1.0, error_statuses=(503,))
    response = Api(emu).get("/settings")
    assert response.status_code == 503 and "Retry-After" in response.headers


def test_seeded_faults_are_deterministic(emu: RunningEmulator) -> None:
    emu.set_faults(error_rate=0.5, seed=42)
    first = _statuses(emu, 30)
    emu.set_faults(error_rate=0.5, seed=42)
    second = _statuses(emu, 30)
    assert first == second
    assert {200, 429, 503} >= set(first) and 200 in first and len(set(first)) > 1


def test_decisions_follow_the_seed() -> None:
    a = FaultInjector(FaultConfig(error_rate=0.3, drop_rate=0.2, seed=7))
    b = FaultInjector(FaultConfig(error_rate=0.3, drop_rate=0.2, seed=7))
    assert [a.decide() for _ in range(50)] == [b.decide() for _ in range(50)]


def test_dropped_connection(emu: RunningEmulator) -> None:
    emu.set_faults(drop_rate=1.0)
    with pytest.raises(requests.exceptions.ConnectionError):
        Api(emu).get("/settings")
    emu.set_faults()
    assert Api(emu).get("/settings").status_code == 200


def test_latency_is_applied(emu: RunningEmulator) -> None:
    emu.set_faults(latency=0.05)
    assert emu.state.faults.decide().delay == 0.05
    assert Api(emu).get("/settings").status_code == 200


def test_invalid_fault_config() -> None:
    with pytest.raises(ValueError):
        FaultConfig(error_rate=1.5)
    with pytest.raises(ValueError):
        FaultConfig(error_statuses=(500,))
