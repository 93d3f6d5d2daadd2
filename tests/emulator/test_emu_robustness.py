"""State integrity under concurrency and SIGKILL, secrets kept out of logs, client retries through faults."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import ssl
import subprocess
import sys
import threading
import uuid
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.core.pipeline.transport import AioHttpTransport, RequestsTransport
from emu_helpers import API_VERSION, ASSIGNMENTS, Api, new_guid
from mhsm_emulator import RunningEmulator, run_emulator
from reliability_ledger import count_faults, ledger, lost_writes

from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultRoleScope
from azure.keyvault.administration.aio import KeyVaultAccessControlClient as AsyncAccessControlClient

ROLE = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b"
SETTING = "/settings/AllowKeyManagementOperationsThroughARM"
WORKERS, OPS = 8, 50
BOOTSTRAP = "9c1e7a4e-0b5f-5d3c-8a61-5f0d2a7c0001"  # the system identity's Administrator assignment


def _principal_for(name: str) -> str:
    """Each assignment's principal is derived from its name, so a torn row would show."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _body(name: str) -> dict[str, Any]:
    return {"properties": {"roleDefinitionId": ROLE, "principalId": _principal_for(name)}}


def _assignment_rows(store_path: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(store_path)
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return list(conn.execute("SELECT name, scope, role_definition_id, principal_id FROM role_assignments"))
    finally:
        conn.close()


def _assert_exact(rows: list[sqlite3.Row], expected: set[str], *, ignore: Collection[str] = ()) -> None:
    names = [row["name"] for row in rows if row["name"] not in ignore]
    assert len(names) == len(set(names)), "duplicated rows"
    assert set(names) == expected
    for row in rows:
        if row["name"] in expected:
            assert row["principal_id"] == _principal_for(row["name"]) and row["role_definition_id"] == ROLE


def _count_lost(rows: list[sqlite3.Row], expected: set[str], *, ignore: Collection[str] = ()) -> None:
    """Add to the ledger how many acknowledged writes the rows contradict."""
    names = [row["name"] for row in rows if row["name"] not in ignore]
    ledger.add("concurrent_writes_lost", lost_writes(names, expected))


# ---- concurrency ----


def test_threads_create_delete_and_update_concurrently(tmp_path: Path) -> None:
    with run_emulator(tmp_path, page_size=1000) as emu:
        bootstrap = {row["name"] for row in _assignment_rows(str(tmp_path / "state.sqlite3"))}
        local = threading.local()

        def worker(index: int) -> tuple[set[str], list[str]]:
            api = local.api = getattr(local, "api", None) or Api(emu)
            kept: set[str] = set()
            values: list[str] = []
            for op in range(OPS):
                name = new_guid()
                assert api.put(f"{ASSIGNMENTS}/{name}", json=_body(name)).status_code == 201
                if op % 2:
                    assert api.delete(f"{ASSIGNMENTS}/{name}").status_code == 200
                else:
                    kept.add(name)
                if op % 5 == 0:
                    value = "true" if (index + op) % 2 else "false"
                    assert api.patch(SETTING, json={"value": value}).status_code == 200
                    values.append(value)
            return kept, values

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            results = list(pool.map(worker, range(WORKERS)))
        expected = set().union(*(kept for kept, _ in results))
        assert len(expected) == WORKERS * OPS // 2
        rows = _assignment_rows(str(tmp_path / "state.sqlite3"))
        ledger.add("concurrent_writes", WORKERS * OPS + WORKERS * OPS // 2 + sum(len(values) for _, values in results))
        _count_lost(rows, expected, ignore=bootstrap)
        _assert_exact(rows, expected, ignore=bootstrap)
        listed = Api(emu).get(ASSIGNMENTS).json()["value"]
        assert {a["name"] for a in listed} - bootstrap == expected
        assert Api(emu).get(SETTING).json()["value"] in ("true", "false")


def test_same_name_races_create_one_row(tmp_path: Path) -> None:
    with run_emulator(tmp_path) as emu:
        names = [new_guid() for _ in range(10)]
        jobs = [name for name in names for _ in range(WORKERS)]
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            statuses = list(pool.map(lambda n: Api(emu).put(f"{ASSIGNMENTS}/{n}", json=_body(n)).status_code, jobs))
        assert statuses == [201] * len(jobs)  # identical repeats are idempotent
        rows = [r for r in _assignment_rows(str(tmp_path / "state.sqlite3")) if r["name"] in names]
        ledger.add("concurrent_writes", len(jobs))
        _count_lost(rows, set(names))
        assert sorted(r["name"] for r in rows) == sorted(names)


async def test_asyncio_tasks_create_and_delete_concurrently(tmp_path: Path) -> None:
    with run_emulator(tmp_path, page_size=1000) as emu:
        bootstrap = {row["name"] for row in _assignment_rows(str(tmp_path / "state.sqlite3"))}
        headers = {"Authorization": f"Bearer {emu.mint_token()}"}
        params = {"api-version": API_VERSION}
        context = ssl.create_default_context(cafile=emu.ca_file)

        async def task(session: aiohttp.ClientSession) -> set[str]:
            kept: set[str] = set()
            for op in range(OPS):
                name = new_guid()
                url = f"{emu.vault_url}{ASSIGNMENTS}/{name}"
                async with session.put(url, json=_body(name), params=params, headers=headers, ssl=context) as r:
                    assert r.status == 201, await r.text()
                if op % 3 == 0:
                    async with session.delete(url, params=params, headers=headers, ssl=context) as r:
                        assert r.status == 200
                    async with session.delete(url, params=params, headers=headers, ssl=context) as r:
                        assert r.status == 404  # a second delete finds nothing: no ghost rows
                else:
                    kept.add(name)
            return kept

        async with aiohttp.ClientSession() as session:
            results = await asyncio.gather(*(task(session) for _ in range(WORKERS)))
        expected = set().union(*results)
        rows = _assignment_rows(str(tmp_path / "state.sqlite3"))
        ledger.add("concurrent_writes", WORKERS * (OPS + len(range(0, OPS, 3))))  # creates, and the first deletes
        _count_lost(rows, expected, ignore=bootstrap)
        _assert_exact(rows, expected, ignore=bootstrap)


# ---- SIGKILL ----


def _start(data_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mhsm_emulator", "--data-dir", str(data_dir), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, process.stderr.read() if process.stderr else "no output"
    return process, json.loads(line)


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    return stderr


def _session(info: dict[str, Any]) -> requests.Session:
    token = requests.get(
        info["identity_endpoint"], params={"api-version": "2019-08-01", "resource": info["resource"]},
        headers={"X-IDENTITY-HEADER": info["identity_header"]}, timeout=30,
    ).json()["access_token"]
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE (set by other tests' emulators) beats session.verify
    session.headers["Authorization"] = f"Bearer {token}"
    session.params = {"api-version": API_VERSION}  # type: ignore[assignment]
    session.verify = info["ca_file"]
    return session


def test_sigkill_during_a_write_burst_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process, info = _start(data_dir)
    acknowledged: set[str] = set()
    attempted: set[str] = set()
    lock = threading.Lock()
    enough = threading.Event()

    def writer() -> None:
        session = _session(info)
        while True:
            name = new_guid()
            with lock:
                attempted.add(name)
            try:
                response = session.put(f"{info['vault_url']}{ASSIGNMENTS}/{name}", json=_body(name), timeout=10)
            except requests.RequestException:
                return  # the server is gone
            if response.status_code == 201:
                with lock:
                    acknowledged.add(name)
                    if len(acknowledged) >= 150:
                        enough.set()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        assert enough.wait(timeout=30), "the writers made no progress"
    finally:
        os.kill(process.pid, signal.SIGKILL)  # in the middle of the burst: writers are still sending
        process.communicate(timeout=20)
        for thread in threads:
            thread.join(timeout=30)
    assert len(attempted) > len(acknowledged) >= 150

    process, info = _start(data_dir)
    try:
        listed = _session(info).get(f"{info['vault_url']}{ASSIGNMENTS}").json()
        names = {a["name"] for a in listed["value"]}
        while "nextLink" in listed:
            listed = _session(info).get(listed["nextLink"]).json()
            names |= {a["name"] for a in listed["value"]}
    finally:
        _stop(process)
    ledger.add("kill9_cycles")
    ledger.add("kill9_acknowledged_writes", len(acknowledged))
    ledger.add("kill9_writes_missing", len(acknowledged - names))
    assert acknowledged <= names  # every 2xx survived
    assert {n for n in names if n not in attempted} == {BOOTSTRAP}  # nothing invented
    rows = _assignment_rows(str(data_dir / "state.sqlite3"))
    mine = [r for r in rows if r["name"] in attempted]
    assert len(mine) == len({r["name"] for r in mine})  # no duplicates
    for row in mine:  # no torn rows: every column as written
        assert row["principal_id"] == _principal_for(row["name"]) and row["role_definition_id"] == ROLE
        assert row["scope"] == "/"


def test_backup_job_in_progress_at_sigkill_ends_failed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process, info = _start(data_dir, "--backup-job-delay", "60")
    try:
        body = {"storageResourceUri": "https://127.0.0.1:9/devstoreaccount1/container", "token": "se=2099-01-01&sig=x"}
        started = _session(info).post(f"{info['vault_url']}/backup", json=body, timeout=30)
        assert started.status_code == 202 and started.json()["status"] == "InProgress"
        job_id = started.json()["jobId"]
        status = _session(info).get(f"{info['vault_url']}/backup/{job_id}/pending", timeout=30).json()
        assert status["status"] == "InProgress"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=20)
    process, info = _start(data_dir)
    try:
        status = _session(info).get(f"{info['vault_url']}/backup/{job_id}/pending", timeout=30).json()
    finally:
        _stop(process)
    ledger.add("kill9_cycles")
    ledger.add("kill9_acknowledged_writes")  # the 202 that started the job
    ledger.add("kill9_writes_missing", status.get("jobId") != job_id)
    assert status["status"] == "Failed" and status["endTime"] is not None
    assert status["error"]["code"] == "OperationInterrupted"


# ---- secrets in logs ----


def test_debug_log_holds_no_token_identity_secret_or_sas_signature(tmp_path: Path) -> None:
    process, info = _start(tmp_path / "data", "--log-level", "DEBUG", "--storage-connection-string",
                           "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=QUNDT1VOVEtFWVNFQ1JFVA==")
    secrets: list[str] = [info["identity_header"], "SASSIGNATURESECRET", "QUNDT1VOVEtFWVNFQ1JFVA=="]
    try:
        session = _session(info)
        token = str(session.headers["Authorization"]).split(" ", 1)[1]
        secrets.append(token)
        vault = info["vault_url"]
        assert session.get(f"{vault}/settings").status_code == 200
        # A job that reaches (closed) storage with a SAS: the storage client logs its requests at DEBUG.
        sas = {"storageResourceUri": "http://127.0.0.1:9/devstoreaccount1/container",
               "token": "sv=2024-01-01&se=2099-01-01&sp=rwl&sig=SASSIGNATURESECRET"}
        identity = {"storageResourceUri": "http://127.0.0.1:9/devstoreaccount1/c", "useManagedIdentity": True}
        for body in (sas, identity):  # one after the other: the HSM runs one job at a time
            job_id = session.post(f"{vault}/backup", json=body).json()["jobId"]
            for _ in range(100):
                if session.get(f"{vault}/backup/{job_id}/pending").json()["status"] != "InProgress":
                    break
        # Rejected tokens, a wrong identity secret and an unparseable request carrying a token.
        bogus = token[:-10] + "AAAAAAAAAA"
        secrets.append(bogus)
        assert requests.get(f"{vault}/settings", params={"api-version": API_VERSION}, verify=info["ca_file"],
                            headers={"Authorization": f"Bearer {bogus}"}, timeout=30).status_code == 401
        assert requests.get(info["identity_endpoint"], params={"api-version": "2019-08-01", "resource": "x"},
                            headers={"X-IDENTITY-HEADER": "WRONGIDENTITYSECRET"}, timeout=30).status_code == 401
        secrets.append("WRONGIDENTITYSECRET")
        long_url = f"{vault}/settings?" + "a" * 9000 + f"&sig=SASSIGNATURESECRET&t={token}"
        assert requests.get(long_url, verify=info["ca_file"], timeout=30).status_code == 400
    finally:
        stderr = _stop(process)
    ledger.add("log_lines_scanned", len(stderr.splitlines()))
    ledger.add("secrets_in_logs", sum(secret in stderr for secret in secrets) + ("eyJ" in stderr))
    assert "DEBUG" in stderr  # the log level took effect
    for secret in secrets:
        assert secret not in stderr, secret[:12]
    assert "eyJ" not in stderr


# ---- client retries through injected faults ----


class _CountAttempts(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Counts every try the pipeline sends (it sits after the retry policy)."""

    def __init__(self) -> None:
        self.count = 0

    def on_request(self, request: Any) -> None:
        self.count += 1


class _NoSleepTransport(RequestsTransport):
    """Records the retry delays azure-core asks for instead of sleeping them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sleeps: list[float] = []

    def sleep(self, duration: float) -> None:
        self.sleeps.append(duration)


class _AsyncNoSleepTransport(AioHttpTransport):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sleeps: list[float] = []

    async def sleep(self, duration: float) -> None:
        self.sleeps.append(duration)


@pytest.fixture
def faulty(emu: RunningEmulator) -> Iterator[RunningEmulator]:
    with count_faults(emu.state.faults):
        yield emu
    emu.set_faults()


Client = tuple[KeyVaultAccessControlClient, _CountAttempts, _NoSleepTransport]


def _client(emu: RunningEmulator, **kwargs: Any) -> Client:
    counter = _CountAttempts()
    transport = _NoSleepTransport(connection_verify=emu.ca_file)
    client = KeyVaultAccessControlClient(
        emu.vault_url, emu.credential(), transport=transport, per_retry_policies=[counter],
        retry_backoff_factor=0.01, **kwargs,
    )
    return client, counter, transport


def test_client_retries_through_throttling_and_honours_retry_after(faulty: RunningEmulator) -> None:
    client, counter, transport = _client(faulty)
    with client:
        list(client.list_role_definitions(KeyVaultRoleScope.GLOBAL))  # authenticate before faults start
        counter.count, transport.sleeps[:] = 0, []
        faulty.set_faults(error_rate=0.6, retry_after=7, seed=3)
        definitions = list(client.list_role_definitions(KeyVaultRoleScope.GLOBAL))
    assert any(d.role_name == "Managed HSM Administrator" for d in definitions)
    assert counter.count > 1  # some tries were answered 429/503 and retried
    assert transport.sleeps and set(transport.sleeps) == {7.0}  # the injected Retry-After, not a backoff


def test_client_gives_up_after_its_retries_with_the_injected_status(faulty: RunningEmulator) -> None:
    client, counter, _ = _client(faulty, retry_total=2)
    with client:
        list(client.list_role_definitions(KeyVaultRoleScope.GLOBAL))
        counter.count = 0
        faulty.set_faults(error_rate=1.0, error_statuses=(503,), retry_after=0)
        with pytest.raises(HttpResponseError) as info:
            client.get_role_definition(KeyVaultRoleScope.GLOBAL, "a290e904-7015-4bba-90c8-60543313cdb4")
    assert info.value.status_code == 503
    assert counter.count == 3


def test_dropped_connections_raise_after_retries_not_hang(faulty: RunningEmulator) -> None:
    client, counter, _ = _client(faulty, retry_total=2, connection_timeout=5, read_timeout=5)
    with client:
        list(client.list_role_definitions(KeyVaultRoleScope.GLOBAL))
        counter.count = 0
        faulty.set_faults(drop_rate=1.0)
        with pytest.raises((ServiceRequestError, ServiceResponseError)):
            list(client.list_role_assignments(KeyVaultRoleScope.GLOBAL))
    assert counter.count == 3
    faulty.set_faults()
    assert Api(faulty).get("/settings").status_code == 200


async def test_async_client_retries_and_surfaces_drops(faulty: RunningEmulator) -> None:
    counter = _CountAttempts()
    transport = _AsyncNoSleepTransport(connection_verify=faulty.ca_file)
    credential = faulty.async_credential()
    async with AsyncAccessControlClient(
        faulty.vault_url, credential, transport=transport, per_retry_policies=[counter], retry_total=2,
        retry_backoff_factor=0.01, connection_timeout=5, read_timeout=5,
    ) as client:
        await client.get_role_definition(KeyVaultRoleScope.GLOBAL, "a290e904-7015-4bba-90c8-60543313cdb4")
        faulty.set_faults(error_rate=0.5, error_statuses=(429,), retry_after=2, seed=11)
        names = [d.name async for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL)]
        assert "a290e904-7015-4bba-90c8-60543313cdb4" in names
        assert transport.sleeps and set(transport.sleeps) == {2.0}
        counter.count = 0
        faulty.set_faults(drop_rate=1.0)
        with pytest.raises((ServiceRequestError, ServiceResponseError)):
            await client.get_role_definition(KeyVaultRoleScope.GLOBAL, "a290e904-7015-4bba-90c8-60543313cdb4")
        assert counter.count == 3
    await credential.close()


def test_redaction_filter_rewrites_messages_and_tracebacks() -> None:
    import logging

    from mhsm_emulator.redact import RedactingFilter, redact

    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer REDACTED"
    assert redact("https://a/c?sv=1&sig=x%2By&sp=r") == "https://a/c?sv=1&sig=REDACTED&sp=r"
    assert redact("AccountName=acct1;AccountKey=k==;", ["acct1"]) == "AccountName=REDACTED;AccountKey=REDACTED;"
    try:
        raise ValueError("token eyJhbGciOi.eyJvaWQi.c2ln leaked")
    except ValueError:
        import sys as _sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "secret %s", ("s3cr3t",), _sys.exc_info())
    assert RedactingFilter(["s3cr3t"]).filter(record)
    assert record.getMessage() == "secret REDACTED"
    assert record.exc_text is not None and "eyJ" not in record.exc_text and "REDACTED" in record.exc_text
