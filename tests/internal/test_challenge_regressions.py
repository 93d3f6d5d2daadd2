"""Issue 8 item 12: every challenged request is re-sent as itself (the official 4.7.1 / 4.8.0b1 replay defect).

4.7.1 and 4.8.0b1 kept the original of a probed request on the policy instance, so a later request on the same
client that was answered with a fresh 401 + challenge was replaced by the earlier request: a backup status poll
re-POSTed ``/backup`` (409), a challenged ``get_setting`` re-sent the previous PATCH. Here every body-bearing
operation of every client runs on a scripted HSM (:mod:`challenge_hsm`) that challenges at chosen points and checks
each answer to a challenge on the wire, while the operations check that each result belongs to its own request:
sync and async, starting with an empty challenge cache (the first request probes) or a warm one, then across
concurrent requests on one client. Each check also runs once against a re-creation of the defect and must fail.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from challenge_hsm import PLANS, ChallengingHsm, InterleavingAsyncTransport, Outcome, seeded, transport_for
from challenge_mutants import install_replaying_policies
from challenge_operations import (
    OPERATIONS,
    Operation,
    Step,
    begin_backup,
    read_setting,
    resolve,
    update_setting,
)
from kv_internal_fakes import CHALLENGE, VAULT, make_credential
from reliability_ledger import ledger

from azure.keyvault.administration._internal import HttpChallenge, HttpChallengeCache

OPERATION_IDS = [operation.id for operation in OPERATIONS]
BY_ID = {operation.id: operation for operation in OPERATIONS}
#: Concurrent tasks per client, and seeds (each seed: another interleaving and other challenge points).
CONCURRENT_TASKS = 20
CONCURRENT_SEEDS = range(6)


def warm_the_cache() -> None:
    """As if another client of the process had already answered the host's challenge."""
    HttpChallengeCache.set_challenge_for_url(VAULT, HttpChallenge(VAULT, CHALLENGE))


def build_client(mode: str, operation: Operation, transport: Any) -> Any:
    credential = make_credential(mode)
    return operation.client_class(mode)(VAULT, credential, transport=transport, **operation.client_kwargs)


async def run_step(step: Step, client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    try:
        await step(client, i, hsm, out)
    except Exception as error:  # the caller's view: any exception is a finding, collected with the others
        out.problems.append(f"{step.__name__} #{i} raised {type(error).__name__}: {str(error)[:300]}")


async def run_sequence(mode: str, operation: Operation, plan: str, start: str) -> tuple[ChallengingHsm, Outcome]:
    """On one client: the operation, a body-less follow-up, the operation with another body, another follow-up."""
    if start == "warm":
        warm_the_cache()
    hsm = ChallengingHsm(PLANS[plan])
    client = build_client(mode, operation, transport_for(mode, hsm))
    out = Outcome()
    for i in (1, 2):
        await run_step(operation.call, client, i, hsm, out)
        await run_step(operation.follow_up, client, i, hsm, out)
    await resolve(client.close())
    out.problems += hsm.all_problems()
    return hsm, out


@pytest.mark.parametrize("start", ["cold", "warm"])
@pytest.mark.parametrize("plan", list(PLANS))
@pytest.mark.parametrize("operation_id", OPERATION_IDS)
async def test_every_challenged_request_is_resent_as_itself(
    mode: str, operation_id: str, plan: str, start: str
) -> None:
    hsm, out = await run_sequence(mode, BY_ID[operation_id], plan, start)
    ledger.add("challenge_resends_checked", hsm.resends_checked)
    ledger.add("challenge_resend_problems", len(out.problems))

    assert out.problems == []
    # The scenario did what it is named for: a probe on a cold cache, fresh challenges where the plan has them,
    # and every challenge answered (checked) by a re-send.
    assert hsm.probes == (1 if start == "cold" else 0)
    assert (hsm.fresh_challenges > 0) == (plan != "probe-only")
    assert hsm.resends_checked == hsm.probes + hsm.fresh_challenges


@pytest.mark.parametrize("operation_id", ["update_setting", "begin_backup", "set_role_definition"])
async def test_the_resend_checks_catch_the_official_replay_defect(
    mode: str, operation_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_replaying_policies(monkeypatch)
    _, out = await run_sequence(mode, BY_ID[operation_id], "reads", "cold")
    assert any("was challenged" in problem for problem in out.problems), out.problems


async def test_challenged_get_setting_after_update_is_the_get(mode: str) -> None:
    """EKM.md 5.1's reproduction: update_setting on an empty cache, then a challenged get_setting."""
    hsm = ChallengingHsm(lambda ordinal, arrival: arrival.method == "GET")
    client = build_client(mode, BY_ID["update_setting"], transport_for(mode, hsm))
    out = Outcome()
    await update_setting(client, 1, hsm, out)
    await read_setting(client, 1, hsm, out)
    ledger.add("challenge_resends_checked", hsm.resends_checked)
    ledger.add("challenge_resend_problems", len(out.problems + hsm.all_problems()))

    assert out.problems + hsm.all_problems() == []
    sent = [(a.method, a.path, a.authorised, a.body is not None) for a in hsm.arrivals]
    assert sent == [
        ("PATCH", "/settings/Setting001", False, False),  # the body-less probe
        ("PATCH", "/settings/Setting001", True, True),
        ("GET", "/settings/Read001", True, False),  # challenged...
        ("GET", "/settings/Read001", True, False),  # ...and re-sent as itself, not as the PATCH
    ]


async def test_challenged_backup_poll_is_the_poll(mode: str) -> None:
    """The upstream report: begin_backup on an empty cache, then a challenged status poll is not a new POST."""
    hsm = ChallengingHsm(lambda ordinal, arrival: arrival.path.endswith("/pending"))
    client = build_client(mode, BY_ID["begin_backup"], transport_for(mode, hsm))
    out = Outcome()
    await begin_backup(client, 1, hsm, out)
    ledger.add("challenge_resends_checked", hsm.resends_checked)
    ledger.add("challenge_resend_problems", len(out.problems + hsm.all_problems()))

    assert out.problems + hsm.all_problems() == []
    sent = [(a.method, a.path, a.authorised) for a in hsm.arrivals]
    poll = ("GET", "/backup/backup001/pending", True)
    assert sent == [("POST", "/backup", False), ("POST", "/backup", True)] + [poll] * 4
    assert hsm.fresh_challenges == 2 and len(hsm.jobs) == 1


async def concurrent_task(steps: list[Step], client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    """Task ``i``: two steps in a row (the second finds the challenge cached), starting after ``i % 5`` yields."""
    for _ in range(i % 5):
        await asyncio.sleep(0)
    for k in range(2):
        await run_step(steps[(i + k) % len(steps)], client, 100 * (k + 1) + i, hsm, out)


def concurrent_mix(client_name: str) -> list[Step]:
    """The steps concurrent tasks cycle through on one client: its writes and its self-checking reads."""
    operations = [operation for operation in OPERATIONS if operation.client == client_name]
    steps: list[Step] = [operation.call for operation in operations]
    for follow_up in dict.fromkeys(operation.follow_up for operation in operations):
        # A read of the EKM connection checks against the HSM's latest state, which concurrent writes change.
        if follow_up.__name__ != "read_ekm_connection":
            steps.append(follow_up)
    return steps


CLIENT_NAMES = list(dict.fromkeys(operation.client for operation in OPERATIONS))


@pytest.mark.parametrize("seed", CONCURRENT_SEEDS)
@pytest.mark.parametrize("client_name", CLIENT_NAMES)
async def test_concurrent_requests_on_one_async_client_get_their_own_answers(client_name: str, seed: int) -> None:
    """20 interleaved tasks (40 requests) with different bodies on one client, on a cold cache, challenged at
    seeded points."""
    operation = next(operation for operation in OPERATIONS if operation.client == client_name)
    hsm = ChallengingHsm(seeded(seed))
    client = build_client("async", operation, InterleavingAsyncTransport(hsm.answer, seed))
    steps = concurrent_mix(client_name)
    out = Outcome()
    await asyncio.gather(*(concurrent_task(steps, client, i, hsm, out) for i in range(CONCURRENT_TASKS)))
    await client.close()
    ledger.add("challenge_resends_checked", hsm.resends_checked)
    ledger.add("concurrent_client_requests", len(hsm.arrivals))
    ledger.add("challenge_resend_problems", len(out.problems + hsm.all_problems()))

    assert out.problems + hsm.all_problems() == []
    assert hsm.probes >= 1 and hsm.fresh_challenges >= 1
    assert hsm.resends_checked == hsm.probes + hsm.fresh_challenges
    assert len({arrival.request_id for arrival in hsm.arrivals}) >= CONCURRENT_TASKS


@pytest.mark.parametrize("client_name", CLIENT_NAMES)
async def test_concurrent_async_check_catches_the_official_replay_defect(
    client_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_replaying_policies(monkeypatch)
    operation = next(operation for operation in OPERATIONS if operation.client == client_name)
    hsm = ChallengingHsm(seeded(0))
    client = build_client("async", operation, InterleavingAsyncTransport(hsm.answer, 0))
    steps = concurrent_mix(client_name)
    out = Outcome()
    await asyncio.gather(*(concurrent_task(steps, client, i, hsm, out) for i in range(CONCURRENT_TASKS)))
    await client.close()
    assert out.problems + hsm.all_problems() != []


@pytest.mark.parametrize("client_name", CLIENT_NAMES)
def test_concurrent_requests_on_one_sync_client_from_threads(client_name: str) -> None:
    """The sync twin: 20 calls from 8 threads on one client (its token is shared, its per-request state is not)."""
    operation = next(operation for operation in OPERATIONS if operation.client == client_name)
    hsm = ChallengingHsm(seeded(7))
    client = build_client("sync", operation, transport_for("sync", hsm))
    steps = concurrent_mix(client_name)
    out = Outcome()

    def work(i: int) -> None:
        asyncio.run(concurrent_task(steps, client, i, hsm, out))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(CONCURRENT_TASKS)))
    client.close()
    ledger.add("challenge_resends_checked", hsm.resends_checked)
    ledger.add("concurrent_client_requests", len(hsm.arrivals))
    ledger.add("challenge_resend_problems", len(out.problems + hsm.all_problems()))

    assert out.problems + hsm.all_problems() == []
    assert hsm.probes >= 1 and hsm.fresh_challenges >= 1
