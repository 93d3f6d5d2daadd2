"""Request builders: one table entry and one pure function per REST operation.

Builders return a relative :class:`~azure.core.rest.HttpRequest` (path + query); the operation
joins it to the vault URL with ``PipelineClient.format_url``, which also collapses the leading
slashes of the raw ``scope`` (``"/"`` and ``""`` both give ``/providers/...``). Shared by the
sync and async operations; no I/O here.
"""

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from azure.core.rest import HttpRequest
from azure.core.utils import case_insensitive_dict

from ._api_versions import check_available, unavailable_reason
from ._codecs import Codecs

# msrest's serializer, for the general path only (made, and msrest imported, on first use).
_CODECS = Codecs()

# Path parameters inserted as they are (spec x-ms-skip-url-encoding); all others are quoted.
_RAW_PATH_PARAMS = frozenset({"scope"})

_PLACEHOLDER = re.compile(r"\{([^}]+)\}")

_ROLE_DEFINITIONS = "/{scope}/providers/Microsoft.Authorization/roleDefinitions"
_ROLE_ASSIGNMENTS = "/{scope}/providers/Microsoft.Authorization/roleAssignments"


@dataclass(frozen=True)
class OperationSpec:
    """The fixed facts of one REST operation.

    :ivar name: The operation's name in :mod:`._api_versions` (and in version-gate errors).
    :ivar method: The HTTP method.
    :ivar path: The path template; ``{name}`` placeholders are the spec's parameter names.
    :ivar status: The one success status code.
    :ivar response_type: The model the success body deserializes to (None: no body).
    :ivar body_type: The model the request body serializes from (None: no body).
    :ivar lro: Whether the success response carries ``Azure-AsyncOperation``/``Retry-After``.
    :ivar lro_style: How a long-running operation is polled: ``"job"`` (Key Vault backup/restore jobs: the
        ``Azure-AsyncOperation`` status body is the result, never a final GET) or ``"resource"`` (EKM private
        endpoints: azure-core's operation-resource rules, i.e. ``Azure-AsyncOperation`` is required and a POST's
        ``Location`` or a final body's ``resourceLocation`` is fetched after success).
    """

    name: str
    method: str
    path: str
    status: int
    response_type: Optional[str] = None
    body_type: Optional[str] = None
    lro: bool = False
    lro_style: str = "job"


def _spec(
    name: str, method: str, path: str, status: int, response: str, body: Optional[str] = None, lro_style: str = "job"
) -> OperationSpec:
    return OperationSpec(name, method, path, status, response, body, lro=status == 202, lro_style=lro_style)


_DEF = _ROLE_DEFINITIONS + "/{roleDefinitionName}"
_ASG = _ROLE_ASSIGNMENTS + "/{roleAssignmentName}"

ROLE_DEFINITIONS_DELETE = _spec("role_definitions.delete", "DELETE", _DEF, 200, "RoleDefinition")
ROLE_DEFINITIONS_CREATE_OR_UPDATE = _spec(
    "role_definitions.create_or_update", "PUT", _DEF, 201, "RoleDefinition", "RoleDefinitionCreateParameters"
)
ROLE_DEFINITIONS_GET = _spec("role_definitions.get", "GET", _DEF, 200, "RoleDefinition")
ROLE_DEFINITIONS_LIST = _spec("role_definitions.list", "GET", _ROLE_DEFINITIONS, 200, "RoleDefinitionListResult")
ROLE_ASSIGNMENTS_DELETE = _spec("role_assignments.delete", "DELETE", _ASG, 200, "RoleAssignment")
ROLE_ASSIGNMENTS_CREATE = _spec(
    "role_assignments.create", "PUT", _ASG, 201, "RoleAssignment", "RoleAssignmentCreateParameters"
)
ROLE_ASSIGNMENTS_GET = _spec("role_assignments.get", "GET", _ASG, 200, "RoleAssignment")
ROLE_ASSIGNMENTS_LIST_FOR_SCOPE = _spec(
    "role_assignments.list_for_scope", "GET", _ROLE_ASSIGNMENTS, 200, "RoleAssignmentListResult"
)
FULL_BACKUP = _spec("begin_full_backup", "POST", "/backup", 202, "FullBackupOperation", "SASTokenParameter")
FULL_BACKUP_STATUS = _spec("full_backup_status", "GET", "/backup/{jobId}/pending", 200, "FullBackupOperation")
PRE_FULL_BACKUP = _spec(
    "begin_pre_full_backup", "POST", "/prebackup", 202, "FullBackupOperation", "PreBackupOperationParameters"
)
FULL_RESTORE_OPERATION = _spec(
    "begin_full_restore_operation", "PUT", "/restore", 202, "RestoreOperation", "RestoreOperationParameters"
)
RESTORE_STATUS = _spec("restore_status", "GET", "/restore/{jobId}/pending", 200, "RestoreOperation")
PRE_FULL_RESTORE_OPERATION = _spec(
    "begin_pre_full_restore_operation", "PUT", "/prerestore", 202, "RestoreOperation", "PreRestoreOperationParameters"
)
SELECTIVE_KEY_RESTORE_OPERATION = _spec(
    "begin_selective_key_restore_operation",
    "PUT",
    "/keys/{keyName}/restore",
    202,
    "SelectiveKeyRestoreOperation",
    "SelectiveKeyRestoreOperationParameters",
)
SELECTIVE_KEY_RESTORE_STATUS = _spec(
    "selective_key_restore_status", "GET", "/restore/{jobId}/pending", 200, "SelectiveKeyRestoreOperation"
)
GET_SETTINGS = _spec("get_settings", "GET", "/settings", 200, "SettingsListResult")
GET_SETTING = _spec("get_setting", "GET", "/settings/{setting-name}", 200, "Setting")
UPDATE_SETTING = _spec("update_setting", "PATCH", "/settings/{setting-name}", 200, "Setting", "UpdateSettingRequest")

_EKM_PE = "/ekm/privateendpoint"
GET_EKM_CONNECTION = _spec("get_ekm_connection", "GET", "/ekm", 200, "EkmConnection")
CREATE_EKM_CONNECTION = _spec("create_ekm_connection", "POST", "/ekm/create", 200, "EkmConnection", "EkmConnection")
UPDATE_EKM_CONNECTION = _spec("update_ekm_connection", "PATCH", "/ekm", 200, "EkmConnection", "EkmConnection")
DELETE_EKM_CONNECTION = _spec("delete_ekm_connection", "DELETE", "/ekm", 200, "EkmConnection")
GET_EKM_CERTIFICATE = _spec("get_ekm_certificate", "GET", "/ekm/certificate", 200, "EkmProxyClientCertificateInfo")
CHECK_EKM_CONNECTION = _spec("check_ekm_connection", "POST", "/ekm/check", 200, "EkmProxyInfo")
CREATE_EKM_PRIVATE_ENDPOINT = _spec(
    "begin_create_ekm_private_endpoint",
    "POST",
    _EKM_PE + "/{peName}",
    202,
    "EkmPrivateEndpointOperation",
    "EkmPrivateEndpointCreateParameters",
    lro_style="resource",
)
DELETE_EKM_PRIVATE_ENDPOINT = _spec(
    "begin_delete_ekm_private_endpoint",
    "DELETE",
    _EKM_PE + "/{peName}",
    202,
    "EkmPrivateEndpointOperation",
    lro_style="resource",
)
GET_EKM_PRIVATE_ENDPOINT = _spec("get_ekm_private_endpoint", "GET", _EKM_PE + "/{peName}", 200, "EkmPrivateEndpoint")
LIST_EKM_PRIVATE_ENDPOINTS = _spec("list_ekm_private_endpoints", "GET", _EKM_PE, 200, "EkmPrivateEndpointListResult")
GET_EKM_PRIVATE_ENDPOINT_OPERATION_STATUS = _spec(
    "get_ekm_private_endpoint_operation_status",
    "GET",
    _EKM_PE + "/operations/{operationId}",
    200,
    "EkmPrivateEndpointOperation",
)

#: Every operation, keyed by its name.
SPECS: dict[str, OperationSpec] = {
    spec.name: spec
    for spec in (
        ROLE_DEFINITIONS_DELETE,
        ROLE_DEFINITIONS_CREATE_OR_UPDATE,
        ROLE_DEFINITIONS_GET,
        ROLE_DEFINITIONS_LIST,
        ROLE_ASSIGNMENTS_DELETE,
        ROLE_ASSIGNMENTS_CREATE,
        ROLE_ASSIGNMENTS_GET,
        ROLE_ASSIGNMENTS_LIST_FOR_SCOPE,
        FULL_BACKUP,
        FULL_BACKUP_STATUS,
        PRE_FULL_BACKUP,
        FULL_RESTORE_OPERATION,
        RESTORE_STATUS,
        PRE_FULL_RESTORE_OPERATION,
        SELECTIVE_KEY_RESTORE_OPERATION,
        SELECTIVE_KEY_RESTORE_STATUS,
        GET_SETTINGS,
        GET_SETTING,
        UPDATE_SETTING,
        GET_EKM_CONNECTION,
        CREATE_EKM_CONNECTION,
        UPDATE_EKM_CONNECTION,
        DELETE_EKM_CONNECTION,
        GET_EKM_CERTIFICATE,
        CHECK_EKM_CONNECTION,
        CREATE_EKM_PRIVATE_ENDPOINT,
        DELETE_EKM_PRIVATE_ENDPOINT,
        GET_EKM_PRIVATE_ENDPOINT,
        LIST_EKM_PRIVATE_ENDPOINTS,
        GET_EKM_PRIVATE_ENDPOINT_OPERATION_STATUS,
    )
}


def build_request(
    spec: OperationSpec,
    *,
    api_version: Optional[str],
    path: Optional[Mapping[str, Any]] = None,
    query: Optional[Mapping[str, Any]] = None,
    json: Any = None,
    headers: Optional[Mapping[str, str]] = None,
    params: Optional[Mapping[str, Any]] = None,
) -> HttpRequest:
    """Build the relative request of ``spec``.

    :param spec: The operation.
    :keyword api_version: The api-version query value (``None`` raises ``ValueError``).
    :keyword path: Path parameter values by spec name; ``scope`` raw, the rest percent-quoted.
    :keyword query: Optional query parameters by wire name; ``None`` values are left out.
    :keyword json: The already serialized body, or None for no body (and no Content-Type).
    :keyword headers: Caller headers; they win over the defaults.
    :keyword params: Caller query parameters, sent before ``api-version``.
    :raises ValueError: ``api_version`` lacks the operation (see :mod:`._api_versions`), or a path
     parameter or the api-version is None.
    """
    check_available(spec.name, api_version)
    formatted = {
        name: _CODECS.serializer.url(name, value, "str", skip_quote=name in _RAW_PATH_PARAMS)
        for name, value in (path or {}).items()
    }
    # One pass, so a raw scope containing "{...}" is never substituted again.
    url = _PLACEHOLDER.sub(lambda match: formatted[match.group(1)], spec.path)

    _params = case_insensitive_dict(params or {})
    _params["api-version"] = _CODECS.serializer.query("api_version", api_version, "str")
    for key, value in (query or {}).items():
        if value is not None:
            _params[key] = _CODECS.serializer.query(key, value, "str")

    _headers = case_insensitive_dict(headers or {})
    accept = _headers.pop("Accept", "application/json")
    if json is not None:
        _headers["Content-Type"] = _headers.pop("Content-Type", "application/json")
    _headers["Accept"] = accept
    return HttpRequest(spec.method, url, params=_params, headers=_headers, json=json)


# -- The precomputed path of the common case ------------------------------------------------------

# Raw (unquoted) path values made only of these characters pass every step of build_request, HttpRequest and
# PipelineClient.format_url unchanged: no braces (str.format), "?" or "#" (query and fragment splitting), "[" or "]"
# (urllib's IPv6 check), whitespace, backslashes or non-ASCII (urllib's cleaning).
_PLAIN_RAW_VALUE = re.compile(r"[A-Za-z0-9\-._~/:@!$&'()*+,;=%]*\Z")

#: spec name -> the path template split into literal text (even indexes) and parameter names (odd indexes).
_TEMPLATES: dict[str, tuple[str, ...]] = {}

#: (operation, api-version) pairs known to be available (the version gate then needs no work).
_AVAILABLE: set[tuple[str, str]] = set()

#: The headers build_request sends with no caller headers, without and with a JSON body (same names and order).
ACCEPT_HEADERS = {"Accept": "application/json"}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def _template(spec: OperationSpec) -> tuple[str, ...]:
    try:
        return _TEMPLATES[spec.name]
    except KeyError:
        parts = tuple(_PLACEHOLDER.split(spec.path))
        _TEMPLATES[spec.name] = parts
        return parts


def plain_relative_url(
    spec: OperationSpec,
    api_version: Any,
    path: Optional[Mapping[str, Any]] = None,
    query: Optional[Mapping[str, Any]] = None,
) -> Optional[str]:
    """The path and query :func:`build_request` and ``HttpRequest`` give ``spec``, built directly; or None.

    Only the plain case is built here: ``str`` values, raw values made of plain URL characters, an available
    api-version. For anything else (and for every error) the caller uses :func:`build_request`, which decides.
    ``tests/generated/test_requests_fast.py`` compares both for random values.

    :rtype: str or None
    """
    if type(api_version) is not str:
        return None
    if (spec.name, api_version) not in _AVAILABLE:
        if unavailable_reason(spec.name, api_version) is not None:
            return None
        _AVAILABLE.add((spec.name, api_version))
    parts = _template(spec)
    values = path or {}
    if len(values) * 2 + 1 != len(parts):
        return None
    pieces = list(parts)
    for index in range(1, len(parts), 2):
        value = values.get(parts[index])
        if type(value) is not str:
            return None
        if parts[index] in _RAW_PATH_PARAMS:
            if not _PLAIN_RAW_VALUE.match(value):
                return None
            pieces[index] = value
        else:
            pieces[index] = urllib.parse.quote(value, safe="")
    pieces.append("?api-version=")
    pieces.append(urllib.parse.quote(api_version, safe=""))
    for key, value in (query or {}).items():
        if value is None:
            continue
        if type(value) is not str or "api-version" == key.lower():
            return None
        pieces.append(f"&{key}={urllib.parse.quote(value, safe='')}")
    return "".join(pieces)


def build_next_link_request(next_link: str, *, api_version: Optional[str]) -> HttpRequest:
    """Build the GET of a list's next page: the link's own query, with our ``api-version``.

    :param str next_link: The ``nextLink`` of the previous page (absolute or relative).
    :keyword api_version: The client's api-version, replacing the link's.
    """
    if api_version is None:
        raise ValueError("No value for given attribute")
    parsed = urllib.parse.urlparse(next_link)
    params = case_insensitive_dict(
        {key: [urllib.parse.quote(v) for v in values] for key, values in urllib.parse.parse_qs(parsed.query).items()}
    )
    params["api-version"] = api_version
    return HttpRequest("GET", urllib.parse.urljoin(next_link, parsed.path), params=params)


# -- One builder per operation (thin names over build_request) ---------------------------------


def build_role_definitions_delete_request(
    scope: str, role_definition_name: str, *, api_version: str, **kwargs: Any
) -> HttpRequest:
    """DELETE a role definition."""
    path = {"scope": scope, "roleDefinitionName": role_definition_name}
    return build_request(ROLE_DEFINITIONS_DELETE, api_version=api_version, path=path, **kwargs)


def build_role_definitions_create_or_update_request(
    scope: str, role_definition_name: str, *, api_version: str, json: Any = None, **kwargs: Any
) -> HttpRequest:
    """PUT a role definition (``json``: serialized RoleDefinitionCreateParameters)."""
    path = {"scope": scope, "roleDefinitionName": role_definition_name}
    return build_request(ROLE_DEFINITIONS_CREATE_OR_UPDATE, api_version=api_version, path=path, json=json, **kwargs)


def build_role_definitions_get_request(
    scope: str, role_definition_name: str, *, api_version: str, **kwargs: Any
) -> HttpRequest:
    """GET a role definition."""
    path = {"scope": scope, "roleDefinitionName": role_definition_name}
    return build_request(ROLE_DEFINITIONS_GET, api_version=api_version, path=path, **kwargs)


def build_role_definitions_list_request(
    scope: str, *, api_version: str, filter: Optional[str] = None, **kwargs: Any
) -> HttpRequest:
    """GET the first page of role definitions (``filter`` becomes ``$filter``)."""
    query = {"$filter": filter}
    return build_request(ROLE_DEFINITIONS_LIST, api_version=api_version, path={"scope": scope}, query=query, **kwargs)


def build_role_assignments_delete_request(
    scope: str, role_assignment_name: str, *, api_version: str, **kwargs: Any
) -> HttpRequest:
    """DELETE a role assignment."""
    path = {"scope": scope, "roleAssignmentName": role_assignment_name}
    return build_request(ROLE_ASSIGNMENTS_DELETE, api_version=api_version, path=path, **kwargs)


def build_role_assignments_create_request(
    scope: str, role_assignment_name: str, *, api_version: str, json: Any = None, **kwargs: Any
) -> HttpRequest:
    """PUT a role assignment (``json``: serialized RoleAssignmentCreateParameters)."""
    path = {"scope": scope, "roleAssignmentName": role_assignment_name}
    return build_request(ROLE_ASSIGNMENTS_CREATE, api_version=api_version, path=path, json=json, **kwargs)


def build_role_assignments_get_request(
    scope: str, role_assignment_name: str, *, api_version: str, **kwargs: Any
) -> HttpRequest:
    """GET a role assignment."""
    path = {"scope": scope, "roleAssignmentName": role_assignment_name}
    return build_request(ROLE_ASSIGNMENTS_GET, api_version=api_version, path=path, **kwargs)


def build_role_assignments_list_for_scope_request(
    scope: str, *, api_version: str, filter: Optional[str] = None, **kwargs: Any
) -> HttpRequest:
    """GET the first page of role assignments (``filter`` becomes ``$filter``)."""
    spec = ROLE_ASSIGNMENTS_LIST_FOR_SCOPE
    return build_request(spec, api_version=api_version, path={"scope": scope}, query={"$filter": filter}, **kwargs)


def build_full_backup_request(*, api_version: str, json: Any = None, **kwargs: Any) -> HttpRequest:
    """POST /backup (``json``: serialized SASTokenParameter)."""
    return build_request(FULL_BACKUP, api_version=api_version, json=json, **kwargs)


def build_full_backup_status_request(job_id: str, *, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /backup/{jobId}/pending."""
    return build_request(FULL_BACKUP_STATUS, api_version=api_version, path={"jobId": job_id}, **kwargs)


def build_pre_full_backup_request(*, api_version: str, json: Any = None, **kwargs: Any) -> HttpRequest:
    """POST /prebackup (``json``: serialized PreBackupOperationParameters)."""
    return build_request(PRE_FULL_BACKUP, api_version=api_version, json=json, **kwargs)


def build_full_restore_operation_request(*, api_version: str, json: Any = None, **kwargs: Any) -> HttpRequest:
    """PUT /restore (``json``: serialized RestoreOperationParameters)."""
    return build_request(FULL_RESTORE_OPERATION, api_version=api_version, json=json, **kwargs)


def build_restore_status_request(job_id: str, *, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /restore/{jobId}/pending."""
    return build_request(RESTORE_STATUS, api_version=api_version, path={"jobId": job_id}, **kwargs)


def build_pre_full_restore_operation_request(*, api_version: str, json: Any = None, **kwargs: Any) -> HttpRequest:
    """PUT /prerestore (``json``: serialized PreRestoreOperationParameters)."""
    return build_request(PRE_FULL_RESTORE_OPERATION, api_version=api_version, json=json, **kwargs)


def build_selective_key_restore_operation_request(
    key_name: str, *, api_version: str, json: Any = None, **kwargs: Any
) -> HttpRequest:
    """PUT /keys/{keyName}/restore (``json``: serialized SelectiveKeyRestoreOperationParameters)."""
    spec = SELECTIVE_KEY_RESTORE_OPERATION
    return build_request(spec, api_version=api_version, path={"keyName": key_name}, json=json, **kwargs)


def build_selective_key_restore_status_request(job_id: str, *, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /restore/{jobId}/pending (typed as a selective key restore)."""
    return build_request(SELECTIVE_KEY_RESTORE_STATUS, api_version=api_version, path={"jobId": job_id}, **kwargs)


def build_get_settings_request(*, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /settings."""
    return build_request(GET_SETTINGS, api_version=api_version, **kwargs)


def build_get_setting_request(setting_name: str, *, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /settings/{setting-name}."""
    return build_request(GET_SETTING, api_version=api_version, path={"setting-name": setting_name}, **kwargs)


def build_update_setting_request(
    setting_name: str, *, api_version: str, json: Any = None, **kwargs: Any
) -> HttpRequest:
    """PATCH /settings/{setting-name} (``json``: serialized UpdateSettingRequest)."""
    path = {"setting-name": setting_name}
    return build_request(UPDATE_SETTING, api_version=api_version, path=path, json=json, **kwargs)


def build_get_ekm_connection_request(*, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /ekm."""
    return build_request(GET_EKM_CONNECTION, api_version=api_version, **kwargs)


def build_create_ekm_connection_request(*, api_version: str, json: Any = None, **kwargs: Any) -> HttpRequest:
    """POST /ekm/create (``json``: serialized EkmConnection)."""
    return build_request(CREATE_EKM_CONNECTION, api_version=api_version, json=json, **kwargs)


def build_update_ekm_connection_request(*, api_version: str, json: Any = None, **kwargs: Any) -> HttpRequest:
    """PATCH /ekm (``json``: serialized EkmConnection)."""
    return build_request(UPDATE_EKM_CONNECTION, api_version=api_version, json=json, **kwargs)


def build_delete_ekm_connection_request(*, api_version: str, **kwargs: Any) -> HttpRequest:
    """DELETE /ekm."""
    return build_request(DELETE_EKM_CONNECTION, api_version=api_version, **kwargs)


def build_get_ekm_certificate_request(*, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /ekm/certificate."""
    return build_request(GET_EKM_CERTIFICATE, api_version=api_version, **kwargs)


def build_check_ekm_connection_request(*, api_version: str, **kwargs: Any) -> HttpRequest:
    """POST /ekm/check (no body)."""
    return build_request(CHECK_EKM_CONNECTION, api_version=api_version, **kwargs)


def build_create_ekm_private_endpoint_request(
    pe_name: str, *, api_version: str, json: Any = None, **kwargs: Any
) -> HttpRequest:
    """POST /ekm/privateendpoint/{peName} (``json``: serialized EkmPrivateEndpointCreateParameters)."""
    path = {"peName": pe_name}
    return build_request(CREATE_EKM_PRIVATE_ENDPOINT, api_version=api_version, path=path, json=json, **kwargs)


def build_delete_ekm_private_endpoint_request(pe_name: str, *, api_version: str, **kwargs: Any) -> HttpRequest:
    """DELETE /ekm/privateendpoint/{peName}."""
    return build_request(DELETE_EKM_PRIVATE_ENDPOINT, api_version=api_version, path={"peName": pe_name}, **kwargs)


def build_get_ekm_private_endpoint_request(pe_name: str, *, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /ekm/privateendpoint/{peName}."""
    return build_request(GET_EKM_PRIVATE_ENDPOINT, api_version=api_version, path={"peName": pe_name}, **kwargs)


def build_list_ekm_private_endpoints_request(*, api_version: str, **kwargs: Any) -> HttpRequest:
    """GET /ekm/privateendpoint."""
    return build_request(LIST_EKM_PRIVATE_ENDPOINTS, api_version=api_version, **kwargs)


def build_get_ekm_private_endpoint_operation_status_request(
    operation_id: str, *, api_version: str, **kwargs: Any
) -> HttpRequest:
    """GET /ekm/privateendpoint/operations/{operationId}."""
    spec = GET_EKM_PRIVATE_ENDPOINT_OPERATION_STATUS
    return build_request(spec, api_version=api_version, path={"operationId": operation_id}, **kwargs)
