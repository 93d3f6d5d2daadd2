"""EKM state in SQLite: the HSM's one EKM connection, its private endpoints (at most two) and their jobs.

Private-endpoint jobs move ``NotStarted`` -> ``Running`` -> ``Succeeded`` (or ``Failed``); the endpoint's
``provisioningState`` moves ``Updating`` -> ``Succeeded`` (or ``Failed``) for a create and ``Deleting`` -> gone
for a delete. Every change is one transaction that also checks the rules (the limit of two endpoints, an
endpoint in use by the connection, an endpoint already busy), so concurrent requests cannot break them.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Any

from .ekm_models import PRIVATE_ENDPOINT, EkmConnection, apply_update
from .errors import ServiceError, bad_parameter
from .store import Migration, Store

MIGRATIONS = [
    Migration(
        "ekm-0001-connection-private-endpoints",
        """
        CREATE TABLE ekm_connection (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            host TEXT NOT NULL,
            server_ca_certificates TEXT NOT NULL,
            path_prefix TEXT,
            server_subject_common_name TEXT,
            connectivity_mode TEXT NOT NULL
        );
        CREATE TABLE ekm_private_endpoints (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            private_link_service_id TEXT NOT NULL,
            connection_name TEXT NOT NULL,
            request_message TEXT,
            provisioning_state TEXT NOT NULL,
            connection_status TEXT NOT NULL,
            connection_description TEXT NOT NULL
        );
        CREATE TABLE ekm_private_endpoint_jobs (
            job_id TEXT PRIMARY KEY,
            private_endpoint_name TEXT NOT NULL,
            operation_type TEXT NOT NULL,
            status TEXT NOT NULL,
            status_details TEXT,
            error TEXT,
            start_time INTEGER NOT NULL,
            end_time INTEGER
        );
        """,
    ),
]

MAX_PRIVATE_ENDPOINTS = 2
LOCATION = "local"
"""The ``location`` of the emulator's private endpoints (its ``x-ms-keyvault-region``)."""

# provisioningState
UPDATING, DELETING, SUCCEEDED, FAILED = "Updating", "Deleting", "Succeeded", "Failed"
# privateLinkServiceConnectionState.status
PENDING, APPROVED = "Pending", "Approved"
# job status / operationType
NOT_STARTED, RUNNING = "NotStarted", "Running"
CREATE, DELETE = "Create", "Delete"
UNFINISHED = (NOT_STARTED, RUNNING)

APPROVED_DESCRIPTION = "Auto-approved: the emulator stands in for the private link service's owner."


# ---- connection ----


def _row_to_connection(row: sqlite3.Row) -> EkmConnection:
    return EkmConnection(
        host=row["host"],
        server_ca_certificates=tuple(base64.b64decode(item) for item in json.loads(row["server_ca_certificates"])),
        path_prefix=row["path_prefix"],
        server_subject_common_name=row["server_subject_common_name"],
        connectivity_mode=row["connectivity_mode"],
    )


def no_connection() -> ServiceError:
    """404 for operations that need a connection when there is none."""
    return ServiceError(404, "NotFound", "The HSM has no EKM connection. Create one first (POST /ekm/create).")


def _load(conn: sqlite3.Connection) -> EkmConnection | None:
    row = conn.execute("SELECT * FROM ekm_connection WHERE id = 1").fetchone()
    return None if row is None else _row_to_connection(row)


def get_connection(store: Store) -> EkmConnection:
    """The connection; 404 ``NotFound`` when none exists."""
    row = store.query_one("SELECT * FROM ekm_connection WHERE id = 1")
    if row is None:
        raise no_connection()
    return _row_to_connection(row)


def _check_private_endpoint_target(conn: sqlite3.Connection, connection: EkmConnection) -> None:
    """A ``PrivateEndpoint`` connection's host must name one of the HSM's provisioned, approved endpoints."""
    if connection.connectivity_mode != PRIVATE_ENDPOINT:
        return
    row = conn.execute("SELECT * FROM ekm_private_endpoints WHERE name = ?", (connection.hostname,)).fetchone()
    if row is None:
        raise bad_parameter(
            f"'host' must name one of the HSM's EKM private endpoints when 'connectivity_mode' is PrivateEndpoint; "
            f"there is no private endpoint '{connection.hostname}'."
        )
    if row["provisioning_state"] != SUCCEEDED or row["connection_status"] != APPROVED:
        raise bad_parameter(
            f"The private endpoint '{row['name']}' is not ready (provisioningState {row['provisioning_state']}, "
            f"connection {row['connection_status']}); wait until it is Succeeded and Approved."
        )


def _write(conn: sqlite3.Connection, connection: EkmConnection) -> None:
    certificates = json.dumps([base64.b64encode(der).decode("ascii") for der in connection.server_ca_certificates])
    conn.execute(
        "INSERT INTO ekm_connection (id, host, server_ca_certificates, path_prefix, server_subject_common_name, "
        "connectivity_mode) VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET host = excluded.host, "
        "server_ca_certificates = excluded.server_ca_certificates, path_prefix = excluded.path_prefix, "
        "server_subject_common_name = excluded.server_subject_common_name, "
        "connectivity_mode = excluded.connectivity_mode",
        (
            connection.host,
            certificates,
            connection.path_prefix,
            connection.server_subject_common_name,
            connection.connectivity_mode,
        ),
    )


def create_connection(store: Store, connection: EkmConnection) -> EkmConnection:
    """Store the connection; 409 ``Conflict`` when one exists already."""
    with store.transaction() as conn:
        if _load(conn) is not None:
            raise ServiceError(
                409,
                "Conflict",
                "The HSM already has an EKM connection. Update it (PATCH /ekm) or delete it (DELETE /ekm) first.",
            )
        _check_private_endpoint_target(conn, connection)
        _write(conn, connection)
    return connection


def update_connection(store: Store, changes: dict[str, Any]) -> EkmConnection:
    """Apply an update's members to the stored connection; 404 ``NotFound`` when none exists."""
    with store.transaction() as conn:
        current = _load(conn)
        if current is None:
            raise no_connection()
        updated = apply_update(current, changes)
        _check_private_endpoint_target(conn, updated)
        _write(conn, updated)
    return updated


def delete_connection(store: Store) -> EkmConnection:
    """Remove the connection and return it; 404 ``NotFound`` when none exists."""
    with store.transaction() as conn:
        current = _load(conn)
        if current is None:
            raise no_connection()
        conn.execute("DELETE FROM ekm_connection WHERE id = 1")
    return current


# ---- private endpoints ----


@dataclass(frozen=True)
class PrivateEndpoint:
    """One EKM private endpoint row."""

    name: str
    private_link_service_id: str
    connection_name: str
    request_message: str | None
    provisioning_state: str
    connection_status: str
    connection_description: str

    def body(self) -> dict[str, Any]:
        """The ``EkmPrivateEndpoint`` JSON (camelCase)."""
        return {
            "name": self.name,
            "location": LOCATION,
            "provisioningState": self.provisioning_state,
            "properties": {
                "privateLinkServiceId": self.private_link_service_id,
                "privateLinkServiceConnectionName": self.connection_name,
            },
            "privateLinkServiceConnectionState": {
                "status": self.connection_status,
                "description": self.connection_description,
                "actionsRequired": "None",
            },
        }


def _row_to_endpoint(row: sqlite3.Row) -> PrivateEndpoint:
    return PrivateEndpoint(
        name=row["name"],
        private_link_service_id=row["private_link_service_id"],
        connection_name=row["connection_name"],
        request_message=row["request_message"],
        provisioning_state=row["provisioning_state"],
        connection_status=row["connection_status"],
        connection_description=row["connection_description"],
    )


def endpoint_not_found(name: str) -> ServiceError:
    """404 for an unknown private endpoint."""
    return ServiceError(404, "NotFound", f"The HSM has no EKM private endpoint named '{name}'.")


def get_private_endpoint(store: Store, name: str) -> PrivateEndpoint:
    """One private endpoint (names compare case-insensitively); 404 ``NotFound``."""
    row = store.query_one("SELECT * FROM ekm_private_endpoints WHERE name = ?", (name,))
    if row is None:
        raise endpoint_not_found(name)
    return _row_to_endpoint(row)


def list_private_endpoints(store: Store) -> list[PrivateEndpoint]:
    """All private endpoints, oldest first."""
    return [_row_to_endpoint(row) for row in store.query("SELECT * FROM ekm_private_endpoints ORDER BY seq")]


# ---- jobs ----


@dataclass(frozen=True)
class Job:
    """One private-endpoint operation."""

    job_id: str
    private_endpoint_name: str
    operation_type: str
    status: str
    start_time: int
    status_details: str | None = None
    error: dict[str, Any] | None = None
    end_time: int | None = None

    def body(self) -> dict[str, Any]:
        """The ``EkmPrivateEndpointOperation`` JSON (camelCase; times in unix seconds)."""
        return {
            "jobId": self.job_id,
            "privateEndpointName": self.private_endpoint_name,
            "operationType": self.operation_type,
            "status": self.status,
            "statusDetails": self.status_details,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "error": self.error,
        }


def _row_to_job(row: sqlite3.Row) -> Job:
    return Job(
        job_id=row["job_id"],
        private_endpoint_name=row["private_endpoint_name"],
        operation_type=row["operation_type"],
        status=row["status"],
        start_time=row["start_time"],
        status_details=row["status_details"],
        error=json.loads(row["error"]) if row["error"] else None,
        end_time=row["end_time"],
    )


def get_job(store: Store, job_id: str) -> Job:
    """One job; 404 ``NotFound``."""
    row = store.query_one("SELECT * FROM ekm_private_endpoint_jobs WHERE job_id = ?", (job_id,))
    if row is None:
        raise ServiceError(404, "NotFound", f"The EKM private endpoint operation '{job_id}' was not found.")
    return _row_to_job(row)


def unfinished_jobs(store: Store) -> list[Job]:
    """Jobs not yet ``Succeeded``/``Failed`` (e.g. left by a stopped emulator), oldest first."""
    rows = store.query(
        "SELECT * FROM ekm_private_endpoint_jobs WHERE status IN (?, ?) ORDER BY start_time, rowid", UNFINISHED
    )
    return [_row_to_job(row) for row in rows]


def _insert_job(conn: sqlite3.Connection, name: str, operation: str) -> Job:
    job = Job(uuid.uuid4().hex, name, operation, NOT_STARTED, int(time.time()))
    conn.execute(
        "INSERT INTO ekm_private_endpoint_jobs (job_id, private_endpoint_name, operation_type, status, start_time) "
        "VALUES (?, ?, ?, ?, ?)",
        (job.job_id, job.private_endpoint_name, job.operation_type, job.status, job.start_time),
    )
    return job


def start_create(store: Store, name: str, service_id: str, message: str | None) -> Job:
    """Record a new endpoint (``Updating``, connection ``Pending``) and its ``Create`` job.

    :raises ServiceError: 409 ``Conflict`` when the name is taken; 409 ``EkmPrivateEndpointLimitExceeded`` when
        the HSM has :data:`MAX_PRIVATE_ENDPOINTS` already (endpoints being created or deleted count).
    """
    with store.transaction() as conn:
        existing = conn.execute("SELECT name FROM ekm_private_endpoints WHERE name = ?", (name,)).fetchone()
        if existing is not None:
            raise ServiceError(409, "Conflict", f"The EKM private endpoint '{existing['name']}' already exists.")
        names = [row["name"] for row in conn.execute("SELECT name FROM ekm_private_endpoints ORDER BY seq")]
        if len(names) >= MAX_PRIVATE_ENDPOINTS:
            raise ServiceError(
                409,
                "EkmPrivateEndpointLimitExceeded",
                f"A Managed HSM has at most {MAX_PRIVATE_ENDPOINTS} EKM private endpoints and this one has "
                f"{len(names)} ({', '.join(repr(n) for n in names)}). Delete one before creating another.",
            )
        connection_name = f"{name}-{uuid.uuid4().hex[:12]}"
        conn.execute(
            "INSERT INTO ekm_private_endpoints (name, private_link_service_id, connection_name, request_message, "
            "provisioning_state, connection_status, connection_description) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, service_id, connection_name, message, UPDATING, PENDING, message or ""),
        )
        return _insert_job(conn, name, CREATE)


def start_delete(store: Store, name: str) -> Job:
    """Mark an endpoint ``Deleting`` and record its ``Delete`` job.

    :raises ServiceError: 404 ``NotFound``; 409 ``EkmPrivateEndpointInUse`` while the EKM connection uses it;
        409 ``Conflict`` while another operation on it is unfinished.
    """
    with store.transaction() as conn:
        row = conn.execute("SELECT * FROM ekm_private_endpoints WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise endpoint_not_found(name)
        endpoint = _row_to_endpoint(row)
        connection = _load(conn)
        if (
            connection is not None
            and connection.connectivity_mode == PRIVATE_ENDPOINT
            and connection.hostname.lower() == endpoint.name.lower()
        ):
            raise ServiceError(
                409,
                "EkmPrivateEndpointInUse",
                f"The EKM connection reaches the proxy through the private endpoint '{endpoint.name}'. Delete the "
                "EKM connection (or move it to another endpoint) before deleting this private endpoint.",
            )
        if endpoint.provisioning_state in (UPDATING, DELETING):
            raise ServiceError(
                409,
                "Conflict",
                f"The EKM private endpoint '{endpoint.name}' is {endpoint.provisioning_state.lower()}; wait until that "
                "operation has ended.",
            )
        conn.execute("UPDATE ekm_private_endpoints SET provisioning_state = ? WHERE seq = ?", (DELETING, row["seq"]))
        return _insert_job(conn, endpoint.name, DELETE)


def mark_running(store: Store, job: Job) -> None:
    """``NotStarted`` -> ``Running``."""
    what = "Creating" if job.operation_type == CREATE else "Deleting"
    with store.transaction() as conn:
        conn.execute(
            "UPDATE ekm_private_endpoint_jobs SET status = ?, status_details = ? WHERE job_id = ? AND status = ?",
            (RUNNING, f"{what} the private endpoint '{job.private_endpoint_name}'.", job.job_id, NOT_STARTED),
        )


def complete(store: Store, job: Job, *, failure: dict[str, Any] | None = None) -> None:
    """Finish a job and apply it to its endpoint: created (``Succeeded``, ``Approved``), failed, or removed."""
    now = int(time.time())
    name = job.private_endpoint_name
    with store.transaction() as conn:
        if failure is not None:
            conn.execute(
                "UPDATE ekm_private_endpoints SET provisioning_state = ? WHERE name = ?", (FAILED, name)
            )
            status, details = FAILED, f"The private endpoint '{name}' could not be provisioned."
        elif job.operation_type == CREATE:
            conn.execute(
                "UPDATE ekm_private_endpoints SET provisioning_state = ?, connection_status = ?, "
                "connection_description = ? WHERE name = ?",
                (SUCCEEDED, APPROVED, APPROVED_DESCRIPTION, name),
            )
            status, details = SUCCEEDED, f"The private endpoint '{name}' was created and approved."
        else:
            conn.execute("DELETE FROM ekm_private_endpoints WHERE name = ?", (name,))
            status, details = SUCCEEDED, f"The private endpoint '{name}' was deleted."
        conn.execute(
            "UPDATE ekm_private_endpoint_jobs SET status = ?, status_details = ?, error = ?, end_time = ? "
            "WHERE job_id = ? AND status IN (?, ?)",
            (status, details, json.dumps(failure) if failure is not None else None, now, job.job_id, *UNFINISHED),
        )
