"""Runs EKM private-endpoint jobs in the background.

A job is ``NotStarted`` when its 202 is sent, ``Running`` once its task starts, and ends after the configured
delay (``EmulatorConfig.ekm_job_delay``). Its outcome depends only on stored state, so a job that a shutdown or a
crash left unfinished is simply run again when the emulator starts on the same database: it completes as it
would have (deterministically), and a poller that outlived the restart still sees it end.

A create fails (job ``Failed``, endpoint ``provisioningState`` ``Failed``) when its ``privateLinkServiceId`` is
neither a private link service resource id nor an alias: no such service could be found.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .ekm_models import is_private_link_service_id
from .ekm_store import CREATE, Job, complete, get_private_endpoint, mark_running
from .errors import ServiceError
from .store import Store

_log = logging.getLogger(__name__)

PRIVATE_LINK_SERVICE_NOT_FOUND = "PrivateLinkServiceNotFound"


class PrivateEndpointJobRunner:
    """Background tasks of the private-endpoint jobs of one emulator.

    :param store: the emulator's store.
    :param delay: returns the seconds a job waits before completing (read when the job starts).
    """

    def __init__(self, store: Store, delay: Callable[[], float] = lambda: 0.0) -> None:
        self._store = store
        self._delay = delay
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, job: Job) -> None:
        """Run ``job`` in the background."""
        if job.job_id in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(self._run(job), name=f"mhsm-ekm-job-{job.job_id}")
        self._tasks[job.job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job.job_id, None))

    async def _run(self, job: Job) -> None:
        try:
            mark_running(self._store, job)
            delay = self._delay()
            if delay > 0:
                await asyncio.sleep(delay)
            complete(self._store, job, failure=self._failure(job))
        except asyncio.CancelledError:
            raise  # left unfinished on purpose: the next start runs it again
        except Exception:
            _log.exception("EKM private endpoint job %s failed unexpectedly", job.job_id)
            complete(
                self._store,
                job,
                failure={"code": "InternalError", "message": "The operation failed unexpectedly.", "innererror": None},
            )

    def _failure(self, job: Job) -> dict[str, object] | None:
        if job.operation_type != CREATE:
            return None
        try:
            endpoint = get_private_endpoint(self._store, job.private_endpoint_name)
        except ServiceError:
            return None
        if is_private_link_service_id(endpoint.private_link_service_id):
            return None
        return {
            "code": PRIVATE_LINK_SERVICE_NOT_FOUND,
            "message": f"No private link service '{endpoint.private_link_service_id}' was found: give the resource "
            "id (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/privateLinkServices/<name>) "
            "or the alias (<prefix>.<guid>.<region>.azure.privatelinkservice) of the service in front of the proxy.",
            "innererror": None,
        }

    async def settle(self, job_id: str, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for a running job to finish (returns at once for other jobs)."""
        task = self._tasks.get(job_id)
        if task is not None and timeout > 0:
            await asyncio.wait({task}, timeout=timeout)

    async def stop(self) -> None:
        """Cancel the running jobs (they stay unfinished in the database) and wait for them."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
