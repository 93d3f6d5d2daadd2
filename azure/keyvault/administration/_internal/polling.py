"""Polling for Managed HSM backup and restore operations.

The service answers a backup or restore request with ``202 Accepted``, an ``Azure-AsyncOperation`` header
naming the job's status URL and a job object whose ``status`` is ``InProgress``. The status URL is polled as
given (no api-version, no extra headers) until ``status`` is ``Succeeded``, ``Failed`` or ``Canceled``. There
is no final GET: the last status body is the result.

:class:`BackupPollingState` holds everything that is not I/O and is shared by the sync method here and the async
method in ``async_polling``.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Generic, NamedTuple, Optional, TypeVar

from azure.core.exceptions import DecodeError, HttpResponseError
from azure.core.pipeline import PipelineResponse
from azure.core.polling import PollingMethod
from azure.core.polling.base_polling import BadResponse
from azure.core.rest import HttpRequest

from .continuation import decode_continuation_token, encode_continuation_token

PollingReturnType = TypeVar("PollingReturnType")

DEFAULT_POLLING_INTERVAL = 5.0
"""Seconds between status polls when a status response carries no ``Retry-After`` (the service never sends one)."""

_TERMINAL = frozenset({"succeeded", "failed", "canceled"})
_FAILED = frozenset({"failed", "canceled"})
_RETRY_AFTER_HEADERS = (("retry-after-ms", 0.001), ("x-ms-retry-after-ms", 0.001), ("retry-after", 1.0))


class ResumeFrom(NamedTuple):
    """Stands in for an initial response when a poller is built by ``from_continuation_token``.

    The status is then unknown until the first poll, which the poller makes at once.
    """

    status_url: str


def parse_retry_after(headers: Mapping[str, str]) -> Optional[float]:
    """Read the delay a response asks for, in seconds.

    :param headers: Response headers (case-insensitive mapping).
    :returns: The delay, or None when the response asks for none (or the value cannot be read).
    :rtype: float or None
    """
    for name, unit in _RETRY_AFTER_HEADERS:
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * unit)
        except ValueError:
            pass
        if unit == 1.0:  # Retry-After may also be an HTTP date
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    return None


def read_json(response: Any) -> Any:
    """Parse a job status body, raising the errors the official package raises.

    :param response: An azure-core HTTP response.
    :returns: The parsed JSON value, None for an empty body.
    :raises ~azure.core.exceptions.DecodeError: The body is not JSON.
    """
    text = response.text()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as err:
        raise DecodeError(message=f"JSON is invalid: {err}", response=response, error=err) from err


def response_json(pipeline_response: Any) -> Any:
    """The JSON body of a pipeline response, parsed once: what azure-core's ``ContentDecodePolicy`` already decoded
    when it decoded JSON (an object or array), else :func:`read_json` of the body.

    :param pipeline_response: An azure-core ``PipelineResponse``.
    :raises ~azure.core.exceptions.DecodeError: The body is not JSON.
    """
    decoded = getattr(pipeline_response, "context", {}).get("deserialized_data")
    if isinstance(decoded, (dict, list)):
        return decoded
    return read_json(pipeline_response.http_response)


def read_job(response: Any) -> dict[str, Any]:
    """Parse a job status body that is known to be valid (a finished job): the JSON object, ``{}`` if none.

    :param response: An azure-core HTTP response.
    :rtype: dict
    :raises ~azure.core.exceptions.DecodeError: The body is not JSON.
    """
    body = read_json(response)
    return body if isinstance(body, dict) else {}


class BackupPollingState(Generic[PollingReturnType]):
    """The I/O-free part of a backup/restore polling method.

    :param float polling_interval: Seconds to wait between polls when a status response has no ``Retry-After``.
    :keyword str status_url: The status URL to poll when the initial response has no ``Azure-AsyncOperation``
        header (a response fetched to resume from a continuation token).
    :keyword bool poll: False makes a method that never polls (``polling=False``): the poller is done at once and
        its result is built from the initial response, but its continuation token still resumes the operation.
    :keyword operation_config: Any other keyword is passed to the pipeline with every status request.
    """

    def __init__(
        self,
        polling_interval: float = DEFAULT_POLLING_INTERVAL,
        *,
        status_url: Optional[str] = None,
        poll: bool = True,
        **operation_config: Any,
    ) -> None:
        self._polling_interval = polling_interval
        self._poll = poll
        self._status_url = status_url or ""
        self._operation_config = operation_config
        self._client: Any = None
        self._deserialization_callback: Callable[[Any], PollingReturnType] = lambda _: None  # type: ignore
        self._pipeline_response: Optional[PipelineResponse[Any, Any]] = None
        self._job: dict[str, Any] = {}
        self._status = "InProgress"
        self._error: Optional[HttpResponseError] = None

    # ---- azure-core PollingMethod protocol (the parts without I/O) ----

    def initialize(self, client: Any, initial_response: Any, deserialization_callback: Any) -> None:
        """Take the operation's first response.

        :param client: The azure-core ``PipelineClient`` that sends status requests.
        :param initial_response: The ``PipelineResponse`` of the request that started the operation (or of the
            status request made to resume it), or a :class:`ResumeFrom`.
        :param deserialization_callback: Turns the final status response into the poller's result.
        :raises ~azure.core.polling.base_polling.BadResponse: There is no status URL to poll.
        :raises ~azure.core.exceptions.HttpResponseError: The response holds no job status.
        """
        self._client = client
        self._deserialization_callback = deserialization_callback
        if isinstance(initial_response, ResumeFrom):
            self._status_url = initial_response.status_url
            return
        url = initial_response.http_response.headers.get("azure-asyncoperation") or self._status_url
        if not url:
            raise BadResponse("Unable to find status link for polling.")
        self._status_url = url
        self.update_status(initial_response)

    def status(self) -> str:
        """The job's status as the service spelled it: ``InProgress``, ``Succeeded``, ``Failed`` or ``Canceled``.

        :rtype: str
        """
        return self._status

    def finished(self) -> bool:
        """Whether the job has ended (successfully or not).

        :rtype: bool
        """
        return not self._poll or self._status.lower() in _TERMINAL

    def resource(self) -> PollingReturnType:
        """The operation's result, built from the last status response.

        :raises ~azure.core.exceptions.HttpResponseError: The job failed or was canceled.
        """
        if self._error is not None:
            raise self._error
        return self._deserialization_callback(self._pipeline_response)

    def get_continuation_token(self) -> str:
        """A token that resumes this operation, in this or another process, with a sync or async client.

        :returns: base64 of the status URL.
        :rtype: str
        """
        return encode_continuation_token(self._status_url)

    @classmethod
    def from_continuation_token(cls, continuation_token: str, **kwargs: Any) -> tuple[Any, Any, Any]:
        """Prepare a poller for an operation started elsewhere (used by ``LROPoller.from_continuation_token``).

        :param str continuation_token: A token from ``continuation_token()``.
        :keyword client: The azure-core ``PipelineClient`` to poll with (required).
        :keyword deserialization_callback: Builds the result from the final status response.
        :returns: ``(client, initial_response, deserialization_callback)`` for the poller.
        :raises ValueError: ``client`` is missing or the token is malformed.
        """
        try:
            client = kwargs["client"]
        except KeyError:
            raise ValueError("Need kwarg 'client' to be recreated from continuation_token") from None
        location = decode_continuation_token(continuation_token)
        callback = kwargs.get("deserialization_callback", lambda _: None)
        return client, ResumeFrom(location.status_url), callback

    # ---- progress details beyond azure-core's protocol ----

    @property
    def status_url(self) -> str:
        """The URL polled for the job's status."""
        return self._status_url

    @property
    def job_id(self) -> Optional[str]:
        """The service's job id, once a status response has been read."""
        return self._job.get("jobId")

    @property
    def status_details(self) -> Optional[str]:
        """The service's ``statusDetails`` text from the latest status response, if any."""
        return self._job.get("statusDetails")

    @property
    def job(self) -> dict[str, Any]:
        """A copy of the latest job status object (``status``, ``statusDetails``, ``error``, ``startTime``, ...)."""
        return dict(self._job)

    # ---- helpers for the I/O twins ----

    def update_status(self, pipeline_response: PipelineResponse[Any, Any]) -> None:
        """Read a status response and move the state forward.

        :raises ~azure.core.exceptions.HttpResponseError: The response is an error, or holds no status.
        """
        response = pipeline_response.http_response
        try:
            if not 200 <= response.status_code < 300:
                raise HttpResponseError(response=response)
            body = response_json(pipeline_response)
            # Like the official package, a body that is not a JSON object fails with AttributeError (no .get).
            job: dict[str, Any] = {} if body is None else body
            status = job.get("status")
            if not isinstance(status, str) or not status:
                raise HttpResponseError(response=response, message="No status found in body")
        except HttpResponseError:
            # A status response that cannot be read ends the operation: status() then reports "Failed", as
            # azure-core's own polling does.
            self._status = "Failed"
            raise
        self._pipeline_response = pipeline_response
        self._job = job
        self._status = status
        if status.lower() in _FAILED:
            # Built like the service's error: code and message from the body's "error" object when present.
            self._error = HttpResponseError(response=response)

    def status_request(self) -> HttpRequest:
        """The request for the job's status: a plain GET of the status URL."""
        return HttpRequest("GET", self._status_url)

    def delay(self) -> float:
        """Seconds to wait before the next poll: the latest response's ``Retry-After``, else the interval."""
        if self._pipeline_response is not None:
            retry_after = parse_retry_after(self._pipeline_response.http_response.headers)
            if retry_after is not None:
                return retry_after
        return self._polling_interval

    def raise_if_failed(self) -> None:
        """Raise the job's error if it failed or was canceled."""
        if self._error is not None:
            raise self._error


class KeyVaultBackupClientPollingMethod(BackupPollingState[PollingReturnType], PollingMethod[PollingReturnType]):
    """Polls a Managed HSM backup or restore job (sync).

    Polls once at once, then every ``Retry-After`` seconds of the latest status response, else every
    ``polling_interval`` seconds, until the job ends. Transient HTTP errors are retried by the client's pipeline.

    :param float polling_interval: Seconds between polls when the service gives no ``Retry-After``. Default 5.
    """

    def run(self) -> None:
        """Poll until the job ends.

        :raises ~azure.core.exceptions.HttpResponseError: The job failed or was canceled, or a status request failed.
        """
        first = True
        while not self.finished():
            if not first:
                self._sleep(self.delay())
            first = False
            self.update_status(
                self._client.send_request(
                    self.status_request(), _return_pipeline_response=True, **self._operation_config
                )
            )
        self.raise_if_failed()

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)
