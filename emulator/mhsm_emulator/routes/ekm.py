"""External Key Manager (EKM): the HSM's connection to an EKM proxy, its client certificate, the connectivity
check, and the proxy's private endpoints.

Connection operations need api-version 2026-01-01-preview or later, private-endpoint operations
2026-07-01-preview. RBAC by the EKM data actions at ``/``: ``ekm/read`` (get, certificate, check, private endpoint
get/list/operation status), ``ekm/write`` (create, update, private endpoint create and delete), ``ekm/delete``
(delete the connection). The built-in "Managed HSM Administrator" holds none of them; "Managed HSM EKM
Administrator" holds all three.

Private-endpoint create and delete are jobs: ``202`` with the operation (``NotStarted``), ``Azure-AsyncOperation``
(absolute URL of ``GET /ekm/privateendpoint/operations/{jobId}`` with the request's api-version), ``Retry-After``,
and for a create a ``Location`` that is the operation's status URL too (the final GET a client makes after success
then reads the finished operation). See :mod:`mhsm_emulator.ekm_jobs`.
"""

from __future__ import annotations

import ipaddress
import re

from aiohttp import web

from .. import actions
from ..ekm_certs import CertificateFiles, der_base64, ensure_ekm_client_files, load_certificates
from ..ekm_check import CHECK_STATUS, EkmChecker, ProxyTarget
from ..ekm_jobs import PrivateEndpointJobRunner
from ..ekm_models import (
    PRIVATE_ENDPOINT,
    EkmConnection,
    parse_connection,
    parse_connection_update,
    parse_private_endpoint_request,
    private_endpoint_name,
)
from ..ekm_store import (
    APPROVED,
    SUCCEEDED,
    create_connection,
    delete_connection,
    get_connection,
    get_job,
    get_private_endpoint,
    list_private_endpoints,
    start_create,
    start_delete,
    unfinished_jobs,
    update_connection,
)
from ..ekm_store import (
    MIGRATIONS as EKM_MIGRATIONS,
)
from ..errors import ServiceError, json_response
from ..http import read_json_object
from ..rbac import require_data_action
from ..scopes import GLOBAL
from ..state import REQUEST_ID_KEY, STATE_KEY, get_state
from ..versions import EKM_MIN_VERSION, EKM_PRIVATE_ENDPOINT_MIN_VERSION, require_api_version

routes = web.RouteTableDef()
MIGRATIONS = list(EKM_MIGRATIONS)

CLIENT_FILES_KEY = web.AppKey("mhsm_ekm_client_files", CertificateFiles)
CHECKER_KEY = web.AppKey("mhsm_ekm_checker", EkmChecker)
RUNNER_KEY = web.AppKey("mhsm_ekm_runner", PrivateEndpointJobRunner)
RETRY_AFTER = "10"
"""``Retry-After`` on the 202 of a private-endpoint job (status answers carry none)."""

_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def _version(request: web.Request, minimum: str) -> str:
    version = require_api_version(request, minimum)
    assert version is not None  # not optional: a missing version was refused
    return version


def _pool_name(request: web.Request) -> str:
    """The HSM's name: the host's first DNS label (``mhsm-emulator`` for an IP address)."""
    host = request.url.host or ""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return "mhsm-emulator"
    except ValueError:
        return host.split(".")[0] or "mhsm-emulator"


# ---- connection ----


@routes.get("/ekm")
async def get_ekm_connection(request: web.Request) -> web.Response:
    """The EKM connection; 404 ``NotFound`` when there is none."""
    version = _version(request, EKM_MIN_VERSION)
    require_data_action(request, actions.EKM_READ, GLOBAL)
    return json_response(get_connection(get_state(request).store).body(version))


@routes.post("/ekm/create")
async def create_ekm_connection(request: web.Request) -> web.Response:
    """Create the connection (200 with it); 409 ``Conflict`` when one exists."""
    version = _version(request, EKM_MIN_VERSION)
    require_data_action(request, actions.EKM_WRITE, GLOBAL)
    connection = parse_connection(await read_json_object(request), version)
    return json_response(create_connection(get_state(request).store, connection).body(version))


@routes.patch("/ekm")
async def update_ekm_connection(request: web.Request) -> web.Response:
    """Update the members given (a JSON ``null`` clears an optional one); 404 ``NotFound`` without a connection."""
    version = _version(request, EKM_MIN_VERSION)
    require_data_action(request, actions.EKM_WRITE, GLOBAL)
    changes = parse_connection_update(await read_json_object(request), version)
    return json_response(update_connection(get_state(request).store, changes).body(version))


@routes.delete("/ekm")
async def delete_ekm_connection(request: web.Request) -> web.Response:
    """Delete the connection; 200 with the deleted connection, 404 ``NotFound`` without one."""
    version = _version(request, EKM_MIN_VERSION)
    require_data_action(request, actions.EKM_DELETE, GLOBAL)
    return json_response(delete_connection(get_state(request).store).body(version))


@routes.get("/ekm/certificate")
async def get_ekm_certificate(request: web.Request) -> web.Response:
    """The CA chain of the HSM's EKM client certificate and that certificate's CN (what a proxy must trust)."""
    _version(request, EKM_MIN_VERSION)
    require_data_action(request, actions.EKM_READ, GLOBAL)
    files = request.app[CLIENT_FILES_KEY]
    chain = load_certificates(files.ca_file.read_bytes())
    return json_response(
        {"ca_certificates": [der_base64(cert) for cert in chain], "subject_common_name": files.common_name}
    )


def _target(request: web.Request, connection: EkmConnection) -> ProxyTarget:
    """Where the check connects: the host itself, or for a private endpoint the proxy its service leads to."""
    address, port = connection.hostname, connection.port
    if connection.connectivity_mode == PRIVATE_ENDPOINT:
        state = get_state(request)
        try:
            endpoint = get_private_endpoint(state.store, connection.hostname)
        except ServiceError:
            endpoint = None
        if endpoint is None or endpoint.provisioning_state != SUCCEEDED or endpoint.connection_status != APPROVED:
            raise ServiceError(
                CHECK_STATUS,
                "EkmProxyUnreachable",
                f"The EKM connection uses the private endpoint '{connection.hostname}', which is not provisioned "
                "and approved.",
            )
        targets = {key.lower(): value for key, value in state.config.ekm_private_link_targets.items()}
        destination = targets.get(endpoint.private_link_service_id.lower())
        if destination is None:
            raise ServiceError(
                CHECK_STATUS,
                "EkmProxyUnreachable",
                f"The private endpoint '{endpoint.name}' leads to the private link service "
                f"'{endpoint.private_link_service_id}', behind which the emulator knows no EKM proxy (configure "
                "ekm_private_link_targets: service id -> host:port).",
            )
        address, _, port_text = destination.rpartition(":")
        port = int(port_text) if port_text.isdigit() else 443
        address = address or destination
    return ProxyTarget(
        host=connection.host,
        address=address,
        port=port,
        server_name=connection.hostname,
        path_prefix=connection.path_prefix or "",
        ca_certificates=connection.server_ca_certificates,
        subject_name=connection.server_subject_common_name or None,
    )


@routes.post("/ekm/check")
async def check_ekm_connection(request: web.Request) -> web.Response:
    """Call the proxy's info operation over mutual TLS and return its answer (see :mod:`mhsm_emulator.ekm_check`)."""
    _version(request, EKM_MIN_VERSION)
    require_data_action(request, actions.EKM_READ, GLOBAL)
    connection = get_connection(get_state(request).store)
    client_request_id = request.headers.get("x-ms-client-request-id", "")
    context = {
        "request_id": request[REQUEST_ID_KEY],
        "correlation_id": client_request_id
        if _CLIENT_REQUEST_ID.fullmatch(client_request_id)
        else request[REQUEST_ID_KEY],
        "pool_name": _pool_name(request),
    }
    info = await request.app[CHECKER_KEY].check(_target(request, connection), context)
    return json_response(info)


# ---- private endpoints ----


def _operation_url(request: web.Request, job_id: str, version: str) -> str:
    return f"https://{request.host}/ekm/privateendpoint/operations/{job_id}?api-version={version}"


@routes.get("/ekm/privateendpoint")
async def list_ekm_private_endpoints(request: web.Request) -> web.Response:
    """``{"value": [EkmPrivateEndpoint...]}`` (at most two, one page)."""
    _version(request, EKM_PRIVATE_ENDPOINT_MIN_VERSION)
    require_data_action(request, actions.EKM_READ, GLOBAL)
    return json_response({"value": [endpoint.body() for endpoint in list_private_endpoints(get_state(request).store)]})


@routes.get("/ekm/privateendpoint/operations/{job_id}")
async def get_ekm_private_endpoint_operation(request: web.Request) -> web.Response:
    """The status of a private-endpoint job (a running job is given a moment to finish, as backup status polls)."""
    _version(request, EKM_PRIVATE_ENDPOINT_MIN_VERSION)
    require_data_action(request, actions.EKM_READ, GLOBAL)
    state = get_state(request)
    job_id = request.match_info["job_id"]
    await request.app[RUNNER_KEY].settle(job_id, state.config.status_hold)
    return json_response(get_job(state.store, job_id).body())


@routes.get("/ekm/privateendpoint/{name}")
async def get_ekm_private_endpoint(request: web.Request) -> web.Response:
    """One private endpoint; 404 ``NotFound``."""
    _version(request, EKM_PRIVATE_ENDPOINT_MIN_VERSION)
    require_data_action(request, actions.EKM_READ, GLOBAL)
    name = private_endpoint_name(request.match_info["name"])
    return json_response(get_private_endpoint(get_state(request).store, name).body())


@routes.post("/ekm/privateendpoint/{name}")
async def create_ekm_private_endpoint(request: web.Request) -> web.Response:
    """Start creating a private endpoint to a private link service (202 + job)."""
    version = _version(request, EKM_PRIVATE_ENDPOINT_MIN_VERSION)
    require_data_action(request, actions.EKM_WRITE, GLOBAL)
    name = private_endpoint_name(request.match_info["name"])
    service_id, message = parse_private_endpoint_request(await read_json_object(request))
    job = start_create(get_state(request).store, name, service_id, message)
    request.app[RUNNER_KEY].start(job)
    headers = {
        "Azure-AsyncOperation": _operation_url(request, job.job_id, version),
        # The status URL again: clients fetch Location once the job succeeded (4.8.0b3 does), and the result
        # they build from that body is an operation; the endpoint's own URL would give one of all-None fields.
        "Location": _operation_url(request, job.job_id, version),
        "Retry-After": RETRY_AFTER,
    }
    return json_response(job.body(), status=202, headers=headers)


@routes.delete("/ekm/privateendpoint/{name}")
async def delete_ekm_private_endpoint(request: web.Request) -> web.Response:
    """Start deleting a private endpoint (202 + job); refused while the EKM connection uses it."""
    version = _version(request, EKM_PRIVATE_ENDPOINT_MIN_VERSION)
    require_data_action(request, actions.EKM_WRITE, GLOBAL)
    name = private_endpoint_name(request.match_info["name"])
    job = start_delete(get_state(request).store, name)
    request.app[RUNNER_KEY].start(job)
    headers = {"Azure-AsyncOperation": _operation_url(request, job.job_id, version), "Retry-After": RETRY_AFTER}
    return json_response(job.body(), status=202, headers=headers)


# ---- lifecycle ----


def setup(app: web.Application) -> None:
    """Make (or reuse) the EKM client certificate; run the job runner; resume jobs a previous run left unfinished."""
    state = app[STATE_KEY]
    files = ensure_ekm_client_files(state.config.data_dir)
    app[CLIENT_FILES_KEY] = files
    app[CHECKER_KEY] = EkmChecker(files, lambda: state.config.ekm_check_timeout)
    app[RUNNER_KEY] = PrivateEndpointJobRunner(state.store, lambda: state.config.ekm_job_delay)

    async def on_startup(app: web.Application) -> None:
        for job in unfinished_jobs(state.store):
            app[RUNNER_KEY].start(job)

    async def on_cleanup(app: web.Application) -> None:
        await app[RUNNER_KEY].stop()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
