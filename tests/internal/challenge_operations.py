"""The body-bearing operations of every client, as parameters for the challenge regression tests.

Each :class:`Operation` calls one public method with variant ``i`` (names, values, URLs and tokens all derived
from ``i``, so two calls never send the same body) and records in an :class:`Outcome` any sign that the response
belongs to another request. ``follow_up`` is a body-less request on the same client that checks its own answer
(a read, or a status GET of the job just run): the request a 4.7.1 client replaced with an earlier one.

EKM operations are listed only when this package has ``KeyVaultEkmClient`` (sync and aio): adding a client's
operations is adding :class:`Operation` entries.
"""

import importlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from azure.core.rest import HttpRequest
from challenge_hsm import ChallengingHsm, Outcome

from azure.keyvault.administration import (
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleScope,
    KeyVaultSetting,
)

ACCOUNT = "https://acct.blob.core.windows.net"
DEFINITION_PREFIX = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/"

Step = Callable[[Any, int, ChallengingHsm, Outcome], Awaitable[None]]


async def resolve(value: Any) -> Any:
    """Await ``value`` when it is awaitable, so one body drives a sync or an async client."""
    return await value if hasattr(value, "__await__") else value


def tag(i: int) -> str:
    return f"{i:03d}"


def guid(kind: int, i: int) -> str:
    return str(uuid.UUID(int=(kind << 96) + i))


def container(i: int) -> str:
    return f"{ACCOUNT}/c{tag(i)}"


def folder(i: int) -> str:
    return f"{container(i)}/mhsm-myhsm-{tag(i)}"


def sas(i: int) -> str:
    return f"sv=2024-08-04&sp=rcwdl&sig=s{tag(i)}"


@dataclass(frozen=True)
class Operation:
    """One public operation: ``call`` runs variant ``i`` and checks its result; ``follow_up`` reads back."""

    id: str
    client: str
    call: Step
    follow_up: Step
    client_kwargs: dict[str, Any] = field(default_factory=dict)

    def client_class(self, mode: str) -> type:
        module = "azure.keyvault.administration" + ("" if mode == "sync" else ".aio")
        return getattr(importlib.import_module(module), self.client)  # type: ignore[no-any-return]


# ---- access control ----


async def set_role_definition(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    name = guid(0xD, i)
    definition = await resolve(
        client.set_role_definition(
            KeyVaultRoleScope.GLOBAL,
            name=name,
            role_name=f"role {tag(i)}",
            description=f"description {tag(i)}",
            permissions=[KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])],
        )
    )
    out.check(
        (definition.name, definition.role_name, definition.description)
        == (name, f"role {tag(i)}", f"description {tag(i)}"),
        f"set_role_definition #{i} returned {definition.name} {definition.role_name!r}",
    )


async def read_role_definition(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    definition = await resolve(client.get_role_definition(KeyVaultRoleScope.GLOBAL, guid(0xD, i)))
    out.check(definition.name == guid(0xD, i), f"get_role_definition #{i} returned {definition.name}")


async def create_role_assignment(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    name, principal, definition_id = guid(0xA, i), guid(0xB, i), DEFINITION_PREFIX + guid(0xD, i)
    assignment = await resolve(
        client.create_role_assignment(KeyVaultRoleScope.KEYS, definition_id, principal, name=name)
    )
    properties = assignment.properties
    out.check(
        (assignment.name, properties.principal_id, properties.role_definition_id, properties.scope)
        == (name, principal, definition_id, "/keys"),
        f"create_role_assignment #{i} returned {assignment.name} for {properties.principal_id}",
    )


async def read_role_assignment(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    assignment = await resolve(client.get_role_assignment(KeyVaultRoleScope.KEYS, guid(0xA, i)))
    out.check(assignment.name == guid(0xA, i), f"get_role_assignment #{i} returned {assignment.name}")


# ---- settings ----


def setting_name(i: int) -> str:
    return f"Setting{tag(i)}"


async def update_setting(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    value = i % 2 == 0
    updated = await resolve(client.update_setting(KeyVaultSetting(name=setting_name(i), value=value)))
    out.check(
        (updated.name, updated.getboolean()) == (setting_name(i), value),
        f"update_setting #{i} returned {updated.name}={updated.value}",
    )


async def read_setting(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    # A name that was never written: a replayed PATCH of another setting would answer with that setting.
    name = f"Read{tag(i)}"
    setting = await resolve(client.get_setting(name))
    out.check((setting.name, setting.value) == (name, "false"), f"get_setting #{i} returned {setting.name}")


# ---- backup and restore ----


async def run_lro(begin: Any) -> tuple[Any, Any]:
    poller = await resolve(begin)
    result = await resolve(poller.result())
    return poller, result


def job_of(poller: Any, hsm: ChallengingHsm, out: Outcome, i: int, kind: str) -> Any:
    """The HSM's job for the poller; records a problem when it is another kind, or missing."""
    job_id = poller.polling_method().job_id
    job = hsm.jobs.get(job_id)
    out.check(job is not None and job.kind == kind, f"#{i}: poller followed job {job_id}, not a {kind} job")
    out.check(poller.status() == "Succeeded", f"#{i}: {kind} ended {poller.status()}")
    return job


async def begin_backup(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    poller, result = await run_lro(client.begin_backup(container(i), sas_token=sas(i), _polling_interval=0))
    job = job_of(poller, hsm, out, i, "backup")
    out.check(job is None or job.body["token"] == sas(i), f"begin_backup #{i} followed another request's job")
    out.check(
        str(result.folder_url).startswith(container(i) + "/mhsm-myhsm-"),
        f"begin_backup #{i} returned {result.folder_url}",
    )


async def begin_restore(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    poller, result = await run_lro(client.begin_restore(folder(i), sas_token=sas(i), _polling_interval=0))
    job = job_of(poller, hsm, out, i, "restore")
    out.check(result is None, f"begin_restore #{i} returned {result!r}")
    out.check(
        job is None
        or (job.body["folderToRestore"], job.body["sasTokenParameters"]["token"]) == (f"mhsm-myhsm-{tag(i)}", sas(i)),
        f"begin_restore #{i} followed another request's job",
    )


async def begin_selective_restore(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    key = f"key-{tag(i)}"
    poller, _ = await run_lro(client.begin_restore(folder(i), sas_token=sas(i), key_name=key, _polling_interval=0))
    job = job_of(poller, hsm, out, i, "selective")
    out.check(
        job is None or (job.key_name, job.body["folder"]) == (key, f"mhsm-myhsm-{tag(i)}"),
        f"selective restore #{i} followed another request's job",
    )


async def begin_pre_backup(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    poller, _ = await run_lro(client.begin_pre_backup(container(i), sas_token=sas(i), _polling_interval=0))
    job = job_of(poller, hsm, out, i, "prebackup")
    out.check(job is None or job.body["token"] == sas(i), f"begin_pre_backup #{i} followed another request's job")


async def begin_pre_restore(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    poller, _ = await run_lro(client.begin_pre_restore(folder(i), sas_token=sas(i), _polling_interval=0))
    job = job_of(poller, hsm, out, i, "prerestore")
    out.check(
        job is None or job.body["folderToRestore"] == f"mhsm-myhsm-{tag(i)}",
        f"begin_pre_restore #{i} followed another request's job",
    )


async def read_last_job(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    """A status GET of the newest job through ``send_request``: a body-less request of the backup client."""
    if not hsm.jobs:  # (concurrent tasks may read before any job started) a missing job: its own 404
        response = await resolve(client.send_request(HttpRequest("GET", f"/backup/none{tag(i)}/pending")))
        error = response.json().get("error", {})
        out.check(
            (response.status_code, error.get("message")) == (404, f"no job none{tag(i)}"),
            f"status GET #{i} of a missing job got {response.status_code} {error}",
        )
        return
    job_id = max(hsm.jobs)
    status_path = f"/{hsm.jobs[job_id].status_kind}/{job_id}/pending"
    response = await resolve(client.send_request(HttpRequest("GET", status_path)))
    body = response.json() if response.status_code == 200 else {}
    out.check(body.get("jobId") == job_id, f"status GET #{i} of {job_id} got {response.status_code} {body}")


# ---- EKM (4.8.0b3 additions) ----


def ekm_host(i: int) -> str:
    return f"ekm{tag(i)}.contoso.com"


def _ekm_connection(i: int) -> Any:
    from azure.keyvault.administration import KeyVaultEkmConnection

    return KeyVaultEkmConnection(ekm_host(i), [bytes([1, i % 256])], path_prefix=f"/api/{tag(i)}")


async def create_ekm_connection(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    connection = await resolve(client.create_ekm_connection(_ekm_connection(i)))
    out.check(connection.host == ekm_host(i), f"create_ekm_connection #{i} returned {connection.host}")


async def update_ekm_connection(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    connection = await resolve(client.update_ekm_connection(_ekm_connection(i)))
    out.check(connection.host == ekm_host(i), f"update_ekm_connection #{i} returned {connection.host}")


async def read_ekm_connection(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    connection = await resolve(client.get_ekm_connection())
    expected = (hsm.ekm_connection or {}).get("host", "none")
    out.check(connection.host == expected, f"get_ekm_connection #{i} returned {connection.host}, not {expected}")


async def begin_create_ekm_private_endpoint(client: Any, i: int, hsm: ChallengingHsm, out: Outcome) -> None:
    name = f"pe{tag(i)}"
    begin = client.begin_create_ekm_private_endpoint(name, f"pls-{tag(i)}", request_message=f"message {tag(i)}")
    _, operation = await run_lro(begin)
    out.check(
        (operation.private_endpoint_name, operation.status_details, operation.status)
        == (name, f"message {tag(i)}", "Succeeded"),
        f"begin_create_ekm_private_endpoint #{i} returned {operation.private_endpoint_name} {operation.status}",
    )


ACCESS = "KeyVaultAccessControlClient"
SETTINGS = "KeyVaultSettingsClient"
BACKUP = "KeyVaultBackupClient"
EKM = "KeyVaultEkmClient"
EKM_KWARGS = {"api_version": "2026-07-01-preview", "polling_interval": 0}

CORE_OPERATIONS = [
    Operation("set_role_definition", ACCESS, set_role_definition, read_role_definition),
    Operation("create_role_assignment", ACCESS, create_role_assignment, read_role_assignment),
    Operation("update_setting", SETTINGS, update_setting, read_setting),
    Operation("begin_backup", BACKUP, begin_backup, read_last_job),
    Operation("begin_restore", BACKUP, begin_restore, read_last_job),
    Operation("begin_restore(key_name)", BACKUP, begin_selective_restore, read_last_job),
    Operation("begin_pre_backup", BACKUP, begin_pre_backup, read_last_job),
    Operation("begin_pre_restore", BACKUP, begin_pre_restore, read_last_job),
]
EKM_OPERATIONS = [
    Operation("create_ekm_connection", EKM, create_ekm_connection, read_ekm_connection, EKM_KWARGS),
    Operation("update_ekm_connection", EKM, update_ekm_connection, read_ekm_connection, EKM_KWARGS),
    Operation(
        "begin_create_ekm_private_endpoint", EKM, begin_create_ekm_private_endpoint, read_ekm_connection, EKM_KWARGS
    ),
]


def ekm_client_available() -> bool:
    """Whether this package has the EKM client (sync and aio) yet (it is being added alongside these tests)."""
    try:
        sync_module = importlib.import_module("azure.keyvault.administration")
        aio_module = importlib.import_module("azure.keyvault.administration.aio")
    except ImportError:
        return False
    return all(hasattr(module, EKM) for module in (sync_module, aio_module)) and hasattr(
        sync_module, "KeyVaultEkmConnection"
    )


OPERATIONS = CORE_OPERATIONS + (EKM_OPERATIONS if ekm_client_available() else [])
