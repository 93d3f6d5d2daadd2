"""Backup and restore jobs: their rows in SQLite, their status bodies, and the background runner.

A job is created ``InProgress`` by the request that starts it and finished (``Succeeded``/``Failed``) by an
asyncio task. Jobs survive a restart of the emulator as rows; a job whose task was stopped by a shutdown (or
lost in a crash) is marked ``Failed`` with :data:`INTERRUPTED` when the emulator stops or starts again, so no job
stays ``InProgress`` forever.

One job at a time, like the service: while any job is ``InProgress`` (full backup, full restore, selective key
restore, and the pre-backup/pre-restore checks too), starting another is refused with ``409`` and the service's
code ``Conflict`` (:func:`job_in_progress`; its message begins with the service's "Another backup operation is
in progress" and names the running job and its status URL). :func:`create_job` checks and records in one
``BEGIN IMMEDIATE`` transaction, so of two concurrent start requests exactly one is accepted, also across
processes sharing the database. Jobs marked :data:`INTERRUPTED` are ``Failed``, so they never block a new one.
The pre-checks take part because they are jobs of the same kind on the service (same endpoints, job ids and
status URLs) and refusing them is the safe side: a test that passes here is then never refused by the service.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

from .errors import ServiceError
from .store import Migration, Store

_log = logging.getLogger(__name__)

MIGRATIONS = [
    Migration(
        "backup-0001-jobs",
        """
        CREATE TABLE backup_jobs (
            job_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            operation TEXT NOT NULL,
            status TEXT NOT NULL,
            status_details TEXT,
            error TEXT,
            start_time INTEGER NOT NULL,
            end_time INTEGER,
            container_uri TEXT
        );
        """,
    ),
]

BACKUP = "backup"
"""Job kind polled at ``/backup/<jobId>/pending`` (backup and pre-backup)."""
RESTORE = "restore"
"""Job kind polled at ``/restore/<jobId>/pending`` (restore, selective key restore and pre-restore)."""

IN_PROGRESS = "InProgress"
SUCCEEDED = "Succeeded"
FAILED = "Failed"

INTERRUPTED = {
    "code": "OperationInterrupted",
    "message": "The operation was interrupted because the HSM restarted. Start the operation again.",
    "innererror": None,
}


class JobError(Exception):
    """Ends a job ``Failed`` with the service's error object ``{code, message, innererror}``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def error(self) -> dict[str, Any]:
        """The status body's ``error`` object."""
        return {"code": self.code, "message": self.message, "innererror": None}


@dataclass
class Job:
    """One backup or restore job."""

    job_id: str
    kind: str
    operation: str
    status: str
    start_time: int
    status_details: Optional[str] = None
    error: Optional[dict[str, Any]] = None
    end_time: Optional[int] = None
    container_uri: Optional[str] = None

    def body(self, *, started: bool = False) -> dict[str, Any]:
        """The status object, keys in the service's order (restore jobs have no container URI).

        The live service answers a backup's 202 in declaration order (``status`` first, the container URI
        last) but every other status object (backup status polls, restore 202s and polls) with the keys in
        alphabetical order.

        :param started: True for the body of the 202 that started the job.
        """
        body: dict[str, Any] = {
            "status": self.status,
            "statusDetails": self.status_details,
            "error": self.error,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "jobId": self.job_id,
        }
        if self.kind == BACKUP:
            body["azureStorageBlobContainerUri"] = self.container_uri
            if started:
                return body
        return dict(sorted(body.items()))


def _row_to_job(row: Any) -> Job:
    return Job(
        job_id=row["job_id"],
        kind=row["kind"],
        operation=row["operation"],
        status=row["status"],
        start_time=row["start_time"],
        status_details=row["status_details"],
        error=json.loads(row["error"]) if row["error"] else None,
        end_time=row["end_time"],
        container_uri=row["container_uri"],
    )


OPERATIONS = {
    "backup": "full backup",
    "prebackup": "pre-backup check",
    "restore": "full restore",
    "selective": "selective key restore",
    "prerestore": "pre-restore check",
}
"""What each job operation is called in messages."""


def status_path(job: Job) -> str:
    """The path of a job's status URL: ``/backup|restore/<jobId>/pending``."""
    return f"/{job.kind}/{job.job_id}/pending"


def job_in_progress(running: Job, status_url: str) -> ServiceError:
    """The ``409 Conflict`` for a start request while ``running`` is in progress.

    The message starts like the service's and adds what the caller needs to wait for (or resume) the running job.
    """
    what = OPERATIONS.get(running.operation, running.operation)
    started = datetime.fromtimestamp(running.start_time, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ServiceError(
        409,
        "Conflict",
        f"Another backup operation is in progress: the {what} job {running.job_id} started at {started}. "
        "The HSM runs one backup, restore or pre-check at a time; wait until that job has ended (its status: "
        f"GET {status_url}), then start this operation again.",
    )


RESTORES = frozenset({"restore", "selective"})
"""Operations that change keys: while one runs, key writes are refused (:func:`restore_in_progress`)."""


def restore_in_progress() -> ServiceError:
    """The service's ``409 Conflict`` for a key write while a full or selective key restore runs (live, 7.3)."""
    return ServiceError(
        409, "Conflict", "User triggered Restore operation is in progress. Retry after the restore operation"
    )


def running_job(store: Store) -> Optional[Job]:
    """The job in progress, if any (the oldest, should an old database hold several)."""
    row = store.query_one(
        "SELECT * FROM backup_jobs WHERE status = ? ORDER BY start_time, rowid LIMIT 1", (IN_PROGRESS,)
    )
    return None if row is None else _row_to_job(row)


def create_job(
    store: Store,
    kind: str,
    operation: str,
    now: Optional[float] = None,
    *,
    status_url: Callable[[Job], str] = status_path,
) -> Job:
    """Record a new ``InProgress`` job with a fresh 32-hex-digit id, unless a job is in progress.

    The check and the insert are one transaction, so concurrent starts cannot both succeed.

    :param status_url: Builds the running job's status URL for the conflict message.
    :raises ServiceError: 409 ``Conflict`` (:func:`job_in_progress`) while another job is in progress.
    """
    job = Job(uuid.uuid4().hex, kind, operation, IN_PROGRESS, int(time.time() if now is None else now))
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT * FROM backup_jobs WHERE status = ? ORDER BY start_time, rowid LIMIT 1", (IN_PROGRESS,)
        ).fetchone()
        if row is not None:
            running = _row_to_job(row)
            raise job_in_progress(running, status_url(running))
        conn.execute(
            "INSERT INTO backup_jobs (job_id, kind, operation, status, start_time) VALUES (?, ?, ?, ?, ?)",
            (job.job_id, kind, operation, job.status, job.start_time),
        )
    return job


def get_job(store: Store, kind: str, job_id: str) -> Job:
    """A job of the given kind.

    :raises ServiceError: 404 when there is no such job (or it is of the other kind).
    """
    row = store.query_one("SELECT * FROM backup_jobs WHERE job_id = ? AND kind = ?", (job_id, kind))
    if row is None:
        raise ServiceError(404, "JobNotFound", f"The job '{job_id}' was not found.")
    return _row_to_job(row)


def finish_job(
    store: Store,
    job_id: str,
    status: str,
    *,
    details: Optional[str] = None,
    error: Optional[dict[str, Any]] = None,
    container_uri: Optional[str] = None,
) -> None:
    """Move a job to its final status (only if it is still in progress)."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE backup_jobs SET status = ?, status_details = ?, error = ?, end_time = ?, container_uri = ? "
            "WHERE job_id = ? AND status = ?",
            (
                status,
                details,
                json.dumps(error) if error is not None else None,
                int(time.time()),
                container_uri,
                job_id,
                IN_PROGRESS,
            ),
        )


def fail_interrupted(store: Store, job_ids: Optional[list[str]] = None) -> int:
    """Mark jobs still ``InProgress`` (all, or those named) as ``Failed`` with :data:`INTERRUPTED`.

    :returns: How many jobs were marked.
    """
    params: list[Any] = [FAILED, json.dumps(INTERRUPTED), int(time.time()), IN_PROGRESS]
    sql = "UPDATE backup_jobs SET status = ?, error = ?, end_time = ? WHERE status = ?"
    if job_ids is not None:
        if not job_ids:
            return 0
        sql += f" AND job_id IN ({', '.join('?' for _ in job_ids)})"
        params.extend(job_ids)
    with store.transaction() as conn:
        return int(conn.execute(sql, params).rowcount)


Work = Callable[[], Awaitable["JobOutcome"]]


@dataclass
class JobOutcome:
    """What a successful job reports."""

    details: Optional[str] = None
    container_uri: Optional[str] = None


class JobRunner:
    """Runs job work as asyncio tasks and records the outcome.

    :param store: The emulator's store.
    :param delay: Returns the seconds each job waits before working (read when the job starts, so a running
        emulator can be reconfigured); makes ``InProgress`` observable in demos and tests.
    """

    def __init__(self, store: Store, delay: Callable[[], float] = lambda: 0.0) -> None:
        self._store = store
        self._delay = delay
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, job: Job, work: Work) -> None:
        """Run ``work`` for ``job`` in the background."""
        task = asyncio.get_running_loop().create_task(self._run(job, work), name=f"mhsm-job-{job.job_id}")
        self._tasks[job.job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job.job_id, None))

    async def _run(self, job: Job, work: Work) -> None:
        try:
            delay = self._delay()
            if delay > 0:
                await asyncio.sleep(delay)
            outcome = await work()
        except JobError as exc:
            finish_job(self._store, job.job_id, FAILED, error=exc.error())
        except asyncio.CancelledError:
            fail_interrupted(self._store, [job.job_id])
            raise
        except Exception:
            _log.exception("job %s (%s) failed unexpectedly", job.job_id, job.operation)
            error = {"code": "InternalError", "message": "The operation failed unexpectedly.", "innererror": None}
            finish_job(self._store, job.job_id, FAILED, error=error)
        else:
            finish_job(self._store, job.job_id, SUCCEEDED, details=outcome.details, container_uri=outcome.container_uri)

    async def settle(self, job_id: str, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for a running job to finish (returns at once for other jobs)."""
        task = self._tasks.get(job_id)
        if task is not None and timeout > 0:
            await asyncio.wait({task}, timeout=timeout)

    @property
    def running(self) -> int:
        """How many jobs are running now."""
        return len(self._tasks)

    async def stop(self) -> None:
        """Cancel running jobs (they end ``Failed`` with :data:`INTERRUPTED`) and wait for them."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
