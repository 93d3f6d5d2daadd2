"""Full backup, full restore, selective key restore and the 7.6 pre-checks, as long-running jobs.

Each start request answers ``202`` with the job (``InProgress``), ``Azure-AsyncOperation`` (the absolute status
URL ``https://<host>/backup|restore/<jobId>/pending``) and ``Retry-After: 10`` like the service; status responses
carry neither header. The work runs in the background against real blob storage (see ``backup_storage``).

One job at a time, like the service: a start request (backup, restore, selective key restore, pre-backup or
pre-restore) while a job is in progress is answered ``409`` with code ``Conflict`` and a message that begins
"Another backup operation is in progress" and names the running job and its status URL (see ``backup_jobs``).
A start request is first authorized and validated, so the conflict is only reported to callers allowed to start
one, for requests that would otherwise be accepted.

Storage URLs: a container URL is ``https://<account>.blob.core.windows.net/<container>``, or, path-style (an IP
address or a one-label host such as ``localhost``, as Azurite uses), ``http://127.0.0.1:10000/<account>/<container>``.
An account URL in its place is refused at once (400). A client splits a path-style backup folder URL
``.../<account>/<container>/<folder>`` at the first path segment (the official package does), so a restore
request of that shape names the account as ``storageResourceUri`` and ``<container>/<folder>`` as the folder;
it is read back as the container and folder it meant.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from .. import actions
from ..backup_jobs import BACKUP, RESTORE, Job, JobError, JobOutcome, JobRunner, create_job, fail_interrupted, get_job
from ..backup_jobs import MIGRATIONS as JOB_MIGRATIONS
from ..backup_storage import BackupStorage, StorageTarget, account_credential, folder_name
from ..errors import ServiceError, bad_parameter, json_response
from ..http import read_json_object
from ..keys_store import check_key_name, export_keys, import_full, import_selective
from ..rbac import require_data_action
from ..scopes import GLOBAL
from ..state import STATE_KEY, get_state
from ..versions import PRE_CHECK_MIN_VERSION, require_api_version

routes = web.RouteTableDef()
MIGRATIONS = list(JOB_MIGRATIONS)

RUNNER_KEY = web.AppKey("mhsm_backup_runner", JobRunner)
INITIAL_RETRY_AFTER = "10"
"""The live service's ``Retry-After`` on the 202 of every backup/restore request."""
JOB_HEADERS = {"Server": "Kestrel", "api-supported-versions": "20180927, 20211111"}
"""Headers the live service puts on every start and status answer of the backup/restore endpoints."""

# ---- request parsing ----


@dataclass(frozen=True)
class _StorageUri:
    """A ``storageResourceUri`` taken apart: ``scheme://host[:port]`` and the path's segments."""

    base: str
    segments: tuple[str, ...]
    path_style: bool
    """The account is the first path segment (Azurite, IP addresses, one-label hosts), not the host's first label."""

    @property
    def url(self) -> str:
        return "/".join((self.base, *self.segments))

    @property
    def names_container(self) -> bool:
        return len(self.segments) >= (2 if self.path_style else 1)


def _path_style(hostname: str) -> bool:
    """Whether a storage endpoint names the account in the path rather than in the host name.

    Azure's hosts are ``<account>.blob.<suffix>``; an IP address or a host name of one label (``localhost``, a
    compose service called ``azurite``) cannot carry the account, so it is the first path segment, as in Azurite.
    """
    try:
        ipaddress.ip_address(hostname)
        return True
    except ValueError:
        return "." not in hostname


def _parse_storage_uri(uri: str, field_name: str) -> _StorageUri:
    """400 unless ``uri`` is an absolute http(s) URL with a host (its query and fragment are dropped)."""
    invalid = bad_parameter(
        f"'{field_name}' must be the URL of a blob container, e.g. https://<account>.blob.core.windows.net/<container>."
    )
    try:
        parts = urlsplit(uri.strip())
        port = parts.port  # ValueError for a port that is not a number in range
    except ValueError:
        raise invalid from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or port == 0:
        raise invalid
    segments = tuple(segment for segment in parts.path.split("/") if segment)
    return _StorageUri(f"{parts.scheme}://{parts.netloc}", segments, _path_style(parts.hostname))


def _not_a_container(uri: _StorageUri, field_name: str, folder: str | None) -> ServiceError:
    """400 for an account URL where a container URL belongs (``folder``: the folder of a restore request)."""
    account = uri.segments[0] if uri.path_style and uri.segments else None
    account_url = uri.url if account or not uri.path_style else f"{uri.base}/<account>"
    what = f"the storage account '{account}'" if account else "a storage account"
    if folder is None:
        return bad_parameter(
            f"'{field_name}' is not a container URL: {uri.url} is the URL of {what}, not of a blob container. "
            f"Add the container: {account_url}/<container>."
        )
    return bad_parameter(
        f"The backup folder URL names no container: {'/'.join((uri.url, folder)) if folder else uri.url} is a "
        f"folder of {what}, not of a blob container. A backup folder URL is {account_url}/<container>/<folder>."
    )


def _storage_target(data: Any, *, where: str, folder: str | None = None) -> tuple[StorageTarget, str | None]:
    """Read a SASTokenParameter object, with the service's synchronous checks on the URL and the token.

    :param folder: The folder of a restore request: a path-style folder split after the account (see the module
        docstring) moves its first segment back into the container URL.
    :returns: The target, and the folder within its container (None for backups).
    """
    if not isinstance(data, dict):
        raise bad_parameter(f"'{where}' is required and must be an object.")
    field_name = f"{where}storageResourceUri"
    raw_uri = data.get("storageResourceUri")
    if not isinstance(raw_uri, str) or not raw_uri.strip():
        raise bad_parameter(f"'{field_name}' is required and must be a string.")
    uri = _parse_storage_uri(raw_uri, field_name)
    token = data.get("token")
    use_identity = data.get("useManagedIdentity", False)
    if token is not None and not isinstance(token, str):
        raise bad_parameter("'token' must be a string.")
    if not isinstance(use_identity, bool):
        raise bad_parameter("'useManagedIdentity' must be a boolean.")
    if not use_identity:
        if not token:
            raise bad_parameter("A SAS token is required unless useManagedIdentity is true.")
        if "se=" not in token:
            # The live service (2022+) rejects a malformed SAS at once, with this message.
            raise ServiceError(
                400,
                "BadRequest",
                "The customer provided SAS token is malformed. The SAS token does not contain the expiry field",
            )
    if not uri.names_container:
        head, _, rest = (folder or "").partition("/")
        if not (uri.path_style and uri.segments and head and rest):
            raise _not_a_container(uri, field_name, folder)
        uri, folder = _StorageUri(uri.base, (*uri.segments, head), True), rest
    return StorageTarget(uri.url, token if not use_identity else None, use_identity), folder


def _folder(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise bad_parameter(f"'{name}' is required and must be a string.")
    return value.strip("/")


def _hsm_name(request: web.Request) -> str:
    """The HSM's name for folder names: the host's first DNS label (``emulator`` for IP addresses)."""
    host = request.url.host or ""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return "emulator"
    except ValueError:
        return host.split(".")[0] or "emulator"


def _status_url(request: web.Request, kind: str, job_id: str) -> str:
    return f"https://{request.host}/{kind}/{job_id}/pending"


# ---- job plumbing ----


def _start(request: web.Request, kind: str, operation: str, work: Any) -> web.Response:
    """Record the job, start its work, and answer 202 like the service (409 while another job is in progress)."""
    state = get_state(request)
    job = create_job(
        state.store, kind, operation, status_url=lambda running: _status_url(request, running.kind, running.job_id)
    )
    request.app[RUNNER_KEY].start(job, lambda: work(job))
    headers = {
        **JOB_HEADERS,
        "Azure-AsyncOperation": _status_url(request, kind, job.job_id),
        "Retry-After": INITIAL_RETRY_AFTER,
    }
    return json_response(job.body(started=True), status=202, headers=headers)


def _open(request: web.Request, target: StorageTarget) -> BackupStorage:
    config = get_state(request).config
    connection_string = config.storage_connection_string
    if target.use_managed_identity and not connection_string:
        raise ServiceError(
            400,
            "BadParameter",
            "useManagedIdentity is true but the HSM has no managed identity with access to storage "
            "(start the emulator with --storage-connection-string).",
        )
    account = account_credential(connection_string) if connection_string else None
    try:
        return BackupStorage(target, account)
    except ValueError:
        # azure-storage-blob refuses some URLs our checks let through; that is the caller's input, not our fault.
        raise bad_parameter("'storageResourceUri' is not a valid blob container URL.") from None


def _backup_container_uri(target: StorageTarget, folder: str) -> str:
    return f"{target.container_url}/{folder}"


# ---- backup ----


@routes.post("/backup")
async def full_backup(request: web.Request) -> web.Response:
    """``POST /backup`` with a SASTokenParameter: back up every key into a new folder of the container."""
    require_api_version(request)
    require_data_action(request, actions.BACKUP_START, GLOBAL)
    target, _ = _storage_target(await read_json_object(request), where="")
    storage = _open(request, target)
    store = get_state(request).store
    hsm = _hsm_name(request)

    async def work(job: Job) -> JobOutcome:
        folder = folder_name(hsm, datetime.now(timezone.utc))
        async with storage:
            await storage.write_backup(folder, export_keys(store), hsm)
        return JobOutcome(container_uri=_backup_container_uri(target, folder))

    return _start(request, BACKUP, "backup", work)


@routes.post("/prebackup")
async def pre_backup(request: web.Request) -> web.Response:
    """``POST /prebackup`` (7.6+): check that the container can receive a backup, writing nothing lasting."""
    require_api_version(request, PRE_CHECK_MIN_VERSION)
    require_data_action(request, actions.BACKUP_START, GLOBAL)
    target, _ = _storage_target(await read_json_object(request), where="")
    storage = _open(request, target)

    async def work(job: Job) -> JobOutcome:
        async with storage:
            await storage.check_writable(f"mhsm-prebackup-{job.job_id}.json")
        return JobOutcome()

    return _start(request, BACKUP, "prebackup", work)


async def _status(request: web.Request, kind: str) -> web.Response:
    state = get_state(request)
    job_id = request.match_info["job_id"]
    await request.app[RUNNER_KEY].settle(job_id, state.config.status_hold)
    return json_response(get_job(state.store, kind, job_id).body(), headers=JOB_HEADERS)


@routes.get("/backup/{job_id}/pending")
async def backup_status(request: web.Request) -> web.Response:
    """The status of a backup or pre-backup job (polled with or without api-version)."""
    require_api_version(request, optional=True)
    require_data_action(request, actions.BACKUP_STATUS, GLOBAL)
    return await _status(request, BACKUP)


# ---- restore ----


async def _restore_body(request: web.Request, folder_field: str) -> tuple[StorageTarget, str]:
    body = await read_json_object(request)
    folder = _folder(body.get(folder_field), folder_field)
    target, within = _storage_target(body.get("sasTokenParameters"), where="sasTokenParameters.", folder=folder)
    return target, within if within is not None else folder


@routes.put("/restore")
async def full_restore(request: web.Request) -> web.Response:
    """``PUT /restore``: restore every key of a backup folder (each replaces the HSM's key of that name)."""
    require_api_version(request)
    require_data_action(request, actions.RESTORE_START, GLOBAL)
    target, folder = await _restore_body(request, "folderToRestore")
    storage = _open(request, target)
    store = get_state(request).store

    async def work(job: Job) -> JobOutcome:
        async with storage:
            keys = await storage.read_all_keys(folder)
        import_full(store, keys)
        return JobOutcome()

    return _start(request, RESTORE, "restore", work)


@routes.put("/prerestore")
async def pre_restore(request: web.Request) -> web.Response:
    """``PUT /prerestore`` (7.6+): check that the folder holds a complete, readable backup."""
    require_api_version(request, PRE_CHECK_MIN_VERSION)
    require_data_action(request, actions.RESTORE_START, GLOBAL)
    target, folder = await _restore_body(request, "folderToRestore")
    storage = _open(request, target)

    async def work(job: Job) -> JobOutcome:
        async with storage:
            await storage.read_all_keys(folder)
        return JobOutcome()

    return _start(request, RESTORE, "prerestore", work)


@routes.put("/keys/{name}/restore")
async def selective_key_restore(request: web.Request) -> web.Response:
    """``PUT /keys/{name}/restore``: restore one key, all its versions; versions already present are kept."""
    require_api_version(request)
    name = check_key_name(request.match_info["name"])
    require_data_action(request, actions.RESTORE_START, GLOBAL)
    target, folder = await _restore_body(request, "folder")
    storage = _open(request, target)
    store = get_state(request).store

    async def work(job: Job) -> JobOutcome:
        async with storage:
            manifest = await storage.read_manifest(folder)
            stored = next((str(k) for k in manifest["keys"] if str(k).lower() == name.lower()), name)
            versions = await storage.read_key(folder, stored)
        try:
            count = import_selective(store, stored, versions)
        except ServiceError as exc:
            raise JobError(exc.code, exc.message) from None
        return JobOutcome(
            details=f"Number of successful key versions restored: {count.restored}, "
            f"Number of key versions could not overwrite: {count.not_overwritten}"
        )

    return _start(request, RESTORE, "selective", work)


@routes.get("/restore/{job_id}/pending")
async def restore_status(request: web.Request) -> web.Response:
    """The status of a restore, selective key restore or pre-restore job."""
    require_api_version(request, optional=True)
    require_data_action(request, actions.RESTORE_STATUS, GLOBAL)
    return await _status(request, RESTORE)


# ---- lifecycle ----


def setup(app: web.Application) -> None:
    """Create the job runner; fail jobs a previous run left ``InProgress``; stop running jobs on shutdown."""

    state = app[STATE_KEY]
    app[RUNNER_KEY] = JobRunner(state.store, lambda: state.config.backup_job_delay)

    async def on_startup(app: web.Application) -> None:
        fail_interrupted(state.store)

    async def on_cleanup(app: web.Application) -> None:
        await app[RUNNER_KEY].stop()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
