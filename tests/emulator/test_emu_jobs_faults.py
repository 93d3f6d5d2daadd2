"""Fault injection of lost answers: a request is handled (its changes committed), then answered 500/503 or dropped.

Also ``match`` (faults only for some requests) and ``max_faults`` (a budget), used to lose the answer of exactly one
start request in the backup conflict tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from emu_helpers import Api, assert_error
from mhsm_emulator import FaultConfig, RunningEmulator
from mhsm_emulator.faults import DROP, ERROR, LOST_ANSWER, FaultInjector
from reliability_ledger import count_faults

SETTING = "/settings/AllowKeyManagementOperationsThroughARM"


@pytest.fixture(autouse=True)
def _faults_off(emu: RunningEmulator) -> Iterator[None]:
    with count_faults(emu.state.faults):
        yield
    emu.set_faults()
    Api(emu).patch(SETTING, json={"value": "false"})


def _value(emu: RunningEmulator) -> str:
    return str(Api(emu).get(SETTING).json()["value"])


@pytest.mark.parametrize(("lost", "code"), [("503", "ServiceUnavailable"), ("500", "InternalError")])
def test_a_lost_answer_hides_a_committed_change(emu: RunningEmulator, lost: str, code: str) -> None:
    emu.set_faults(lost_answer_rate=1.0, lost_answer=lost, match="^PATCH /settings/")
    answer = Api(emu).patch(SETTING, json={"value": "true"})
    assert_error(answer, int(lost), code)
    assert "Retry-After" not in answer.headers  # like a gateway's answer: azure-core's own retry rules apply
    assert _value(emu) == "true"  # GETs do not match: answered normally, and the change is there
    assert emu.state.faults.injected == {ERROR: 0, DROP: 0, LOST_ANSWER: 1}


def test_a_dropped_answer_hides_a_committed_change(emu: RunningEmulator) -> None:
    emu.set_faults(lost_answer_rate=1.0, lost_answer="drop", match="^PATCH ")
    with pytest.raises(requests.exceptions.ConnectionError):
        Api(emu).patch(SETTING, json={"value": "true"})
    emu.set_faults()
    assert _value(emu) == "true"


def test_only_successful_answers_are_lost(emu: RunningEmulator) -> None:
    emu.set_faults(lost_answer_rate=1.0, match="^PATCH ")
    assert_error(Api(emu).patch(SETTING, json={"value": "maybe"}), 400, "BadParameter")  # a refusal stays itself
    assert_error(Api(emu).patch(SETTING, auth=False, json={"value": "true"}), 401)  # so does the challenge
    assert emu.state.faults.injected[LOST_ANSWER] == 0
    assert _value(emu) == "false"


def test_max_faults_is_a_budget(emu: RunningEmulator) -> None:
    emu.set_faults(lost_answer_rate=1.0, match="^PATCH ", max_faults=2)
    api = Api(emu)
    statuses = [api.patch(SETTING, json={"value": value}).status_code for value in ("true", "false", "true")]
    assert statuses == [503, 503, 200]
    emu.set_faults(error_rate=1.0, error_statuses=(429,), max_faults=1)
    assert [api.get("/settings").status_code for _ in range(3)] == [429, 200, 200]
    assert emu.state.faults.injected == {ERROR: 1, DROP: 0, LOST_ANSWER: 0}


def test_match_limits_every_kind_of_fault(emu: RunningEmulator) -> None:
    emu.set_faults(error_rate=1.0, drop_rate=0.0, match=r"^GET /settings/")
    api = Api(emu)
    assert api.get("/settings").status_code == 200
    assert api.get(SETTING).status_code in (429, 503)


def test_seeded_sequences_are_unchanged_when_lost_answers_are_off() -> None:
    # Lost answers draw a third number only when switched on: a seed gives the same faults as before.
    old = FaultInjector(FaultConfig(error_rate=0.3, drop_rate=0.2, seed=11))
    new = FaultInjector(FaultConfig(error_rate=0.3, drop_rate=0.2, seed=11, max_faults=None, match=None))
    assert [old.decide() for _ in range(40)] == [new.decide() for _ in range(40)]
    mixed = FaultInjector(FaultConfig(error_rate=0.2, lost_answer_rate=0.5, seed=3))
    again = FaultInjector(FaultConfig(error_rate=0.2, lost_answer_rate=0.5, seed=3))
    decisions = [mixed.decide("PUT", "/restore") for _ in range(40)]
    assert decisions == [again.decide("PUT", "/restore") for _ in range(40)]
    assert any(d.lost_answer for d in decisions) and any(d.status for d in decisions)


@pytest.mark.parametrize(
    "bad",
    [{"lost_answer_rate": 1.5}, {"lost_answer": "404"}, {"max_faults": -1}, {"match": "("}],
)
def test_invalid_lost_answer_config(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FaultConfig(**bad)  # type: ignore[arg-type]
