"""Async polling for Managed HSM backup and restore operations (see ``polling`` for the protocol)."""

from __future__ import annotations

import asyncio

from azure.core.polling import AsyncPollingMethod

from .polling import BackupPollingState, PollingReturnType


class KeyVaultAsyncBackupClientPollingMethod(
    BackupPollingState[PollingReturnType], AsyncPollingMethod[PollingReturnType]
):
    """Polls a Managed HSM backup or restore job (async twin of ``KeyVaultBackupClientPollingMethod``).

    :param float polling_interval: Seconds between polls when the service gives no ``Retry-After``. Default 5.
    """

    async def run(self) -> None:
        """Poll until the job ends.

        :raises ~azure.core.exceptions.HttpResponseError: The job failed or was canceled, or a status request failed.
        """
        first = True
        while not self.finished():
            if not first:
                await self._sleep(self.delay())
            first = False
            self.update_status(
                await self._client.send_request(
                    self.status_request(), _return_pipeline_response=True, **self._operation_config
                )
            )
        self.raise_if_failed()

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
