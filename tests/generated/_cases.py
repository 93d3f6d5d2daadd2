"""One table of operation cases, shared by the sync and async tests.

Each case calls one operation with fixed arguments and states the exact request it must send
and a canned success response. ``invoke(client)`` returns what the operation returns: a value,
a pager or a poller (sync), or a coroutine / async pager (async); :func:`run_sync` and
:func:`run_async` drive either to a plain result.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Optional

from azure.keyvault.administration._generated import models as m

from ._transport import VAULT, Canned

SAS = "sv=2024-01-01&sig=REDACTED"
CONTAINER = "https://acct.blob.core.windows.net/backups"
STATUS_URL = VAULT + "/backup/job1/pending"
RESTORE_STATUS_URL = VAULT + "/restore/job2/pending"
DEF_ID = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/def1"
READ_KEY = "Microsoft.KeyVault/managedHsm/keys/read/action"

ROLE_DEFINITION = {
    "id": DEF_ID,
    "name": "def1",
    "type": "Microsoft.Authorization/roleDefinitions",
    "properties": {
        "roleName": "reader",
        "description": "",
        "type": "CustomRole",
        "permissions": [{"actions": [], "notActions": [], "dataActions": [READ_KEY], "notDataActions": []}],
        "assignableScopes": ["/"],
    },
}
ROLE_ASSIGNMENT = {
    "id": "/keys/providers/Microsoft.Authorization/roleAssignments/asg1",
    "name": "asg1",
    "type": "Microsoft.Authorization/roleAssignments",
    "properties": {"scope": "/keys", "roleDefinitionId": DEF_ID, "principalId": "p1"},
}
BACKUP_STATUS = {
    "status": "InProgress",
    "statusDetails": None,
    "error": None,
    "startTime": 1749089881,
    "endTime": None,
    "jobId": "job1",
    "azureStorageBlobContainerUri": None,
}
RESTORE_STATUS = {k: v for k, v in BACKUP_STATUS.items() if k != "azureStorageBlobContainerUri"} | {"jobId": "job2"}
SETTING = {"name": "AllowKeyManagementOperationsThroughARM", "type": "boolean", "value": "true"}
LRO_HEADERS = {"Azure-AsyncOperation": STATUS_URL, "Retry-After": "10"}
RESTORE_LRO_HEADERS = {"Azure-AsyncOperation": RESTORE_STATUS_URL, "Retry-After": "10"}
EKM_CONNECTION = {
    "host": "ekm-proxy.contoso.com",
    "server_ca_certificates": ["MIIDXTCCAkWg", None],
    "path_prefix": "/api/v1",
    "connectivity_mode": "PrivateEndpoint",
}
EKM_CERTIFICATE = {"ca_certificates": ["MIIBAA=="], "subject_common_name": "myhsm.managedhsmclient.azure.net"}
EKM_PROXY_INFO = {"api_version": "0.1-preview", "proxy_vendor": "Contoso", "proxy_name": "Proxy 1",
                  "ekm_vendor": "Contoso HSM", "ekm_product": "HSM 3"}
EKM_PRIVATE_ENDPOINT = {
    "name": "pe-1", "location": "eastus", "provisioningState": "Succeeded",
    "properties": {"privateLinkServiceId": "pls-alias", "privateLinkServiceConnectionName": "conn"},
    "privateLinkServiceConnectionState": {"status": "Approved", "description": "ok", "actionsRequired": "None"},
}
EKM_STATUS_URL = VAULT + "/ekm/privateendpoint/operations/job3?api-version=2026-07-01-preview"
EKM_OPERATION = {"jobId": "job3", "privateEndpointName": "pe-1", "operationType": "Create", "status": "NotStarted",
                 "startTime": 1767225600, "endTime": None}
EKM_LRO_HEADERS = {"Azure-AsyncOperation": EKM_STATUS_URL, "Retry-After": "10"}


def _sas(**kwargs: Any) -> m.SASTokenParameter:
    return m.SASTokenParameter(storage_resource_uri=CONTAINER, **kwargs)


SAS_WIRE = {"storageResourceUri": CONTAINER, "token": SAS, "useManagedIdentity": False}


@dataclass(frozen=True)
class Case:
    """One operation call and the request/response it implies."""

    id: str
    operation: str  # name in _api_versions.OPERATIONS
    invoke: Callable[[Any], Any]
    method: str
    path: str  # after the vault URL, before the query
    response: Canned
    body: Any = None  # expected JSON body (None: no body)
    query: str = ""  # expected query after api-version, e.g. "&$filter=..."
    kind: str = "call"  # call | list | lro


CASES: list[Case] = [
    Case(
        "role_definitions.delete",
        "role_definitions.delete",
        lambda c: c.role_definitions.delete(VAULT, "/", "def1"),
        "DELETE",
        "/providers/Microsoft.Authorization/roleDefinitions/def1",
        Canned(200, ROLE_DEFINITION),
    ),
    Case(
        "role_definitions.create_or_update",
        "role_definitions.create_or_update",
        lambda c: c.role_definitions.create_or_update(
            VAULT,
            m.RoleScope.GLOBAL,
            "def1",
            m.RoleDefinitionCreateParameters(
                properties=m.RoleDefinitionProperties(
                    role_name="reader",
                    permissions=[m.Permission(data_actions=[m.DataAction.READ_HSM_KEY], not_data_actions=[])],
                    assignable_scopes=[m.RoleScope.GLOBAL],
                )
            ),
        ),
        "PUT",
        "/providers/Microsoft.Authorization/roleDefinitions/def1",
        Canned(201, ROLE_DEFINITION),
        body={
            "properties": {
                "roleName": "reader",
                "permissions": [{"dataActions": [READ_KEY], "notDataActions": []}],
                "assignableScopes": ["/"],
            }
        },
    ),
    Case(
        "role_definitions.get",
        "role_definitions.get",
        lambda c: c.role_definitions.get(VAULT, "/keys", "a b/c?d"),
        "GET",
        "/keys/providers/Microsoft.Authorization/roleDefinitions/a%20b%2Fc%3Fd",
        Canned(200, ROLE_DEFINITION),
    ),
    Case(
        "role_definitions.list",
        "role_definitions.list",
        lambda c: c.role_definitions.list(VAULT, "/", filter="atScopeAndBelow()"),
        "GET",
        "/providers/Microsoft.Authorization/roleDefinitions",
        Canned(200, {"value": [ROLE_DEFINITION]}),
        query="&$filter=atScopeAndBelow%28%29",
        kind="list",
    ),
    Case(
        "role_assignments.delete",
        "role_assignments.delete",
        lambda c: c.role_assignments.delete(VAULT, "/keys", "asg1"),
        "DELETE",
        "/keys/providers/Microsoft.Authorization/roleAssignments/asg1",
        Canned(200, ROLE_ASSIGNMENT),
    ),
    Case(
        "role_assignments.create",
        "role_assignments.create",
        lambda c: c.role_assignments.create(
            VAULT,
            "/keys",
            "asg1",
            m.RoleAssignmentCreateParameters(
                properties=m.RoleAssignmentProperties(role_definition_id=DEF_ID, principal_id="p1")
            ),
        ),
        "PUT",
        "/keys/providers/Microsoft.Authorization/roleAssignments/asg1",
        Canned(201, ROLE_ASSIGNMENT),
        body={"properties": {"principalId": "p1", "roleDefinitionId": DEF_ID}},
    ),
    Case(
        "role_assignments.get",
        "role_assignments.get",
        lambda c: c.role_assignments.get(VAULT, "keys", "asg1"),
        "GET",
        "/keys/providers/Microsoft.Authorization/roleAssignments/asg1",
        Canned(200, ROLE_ASSIGNMENT),
    ),
    Case(
        "role_assignments.list_for_scope",
        "role_assignments.list_for_scope",
        lambda c: c.role_assignments.list_for_scope(VAULT, "//"),
        "GET",
        "/providers/Microsoft.Authorization/roleAssignments",
        Canned(200, {"value": [ROLE_ASSIGNMENT]}),
        kind="list",
    ),
    Case(
        "begin_full_backup",
        "begin_full_backup",
        lambda c: c.begin_full_backup(VAULT, _sas(token=SAS), polling=False),
        "POST",
        "/backup",
        Canned(202, BACKUP_STATUS, LRO_HEADERS),
        body=SAS_WIRE,
        kind="lro",
    ),
    Case(
        "full_backup_status",
        "full_backup_status",
        lambda c: c.full_backup_status(VAULT, "job1"),
        "GET",
        "/backup/job1/pending",
        Canned(200, BACKUP_STATUS),
    ),
    Case(
        "begin_pre_full_backup",
        "begin_pre_full_backup",
        lambda c: c.begin_pre_full_backup(
            VAULT,
            m.PreBackupOperationParameters(storage_resource_uri=CONTAINER, use_managed_identity=True),
            polling=False,
        ),
        "POST",
        "/prebackup",
        Canned(202, BACKUP_STATUS, LRO_HEADERS),
        body={"storageResourceUri": CONTAINER, "useManagedIdentity": True},
        kind="lro",
    ),
    Case(
        "begin_full_restore_operation",
        "begin_full_restore_operation",
        lambda c: c.begin_full_restore_operation(
            VAULT,
            m.RestoreOperationParameters(sas_token_parameters=_sas(token=SAS), folder_to_restore="mhsm-x-2025"),
            polling=False,
        ),
        "PUT",
        "/restore",
        Canned(202, RESTORE_STATUS, RESTORE_LRO_HEADERS),
        body={"sasTokenParameters": SAS_WIRE, "folderToRestore": "mhsm-x-2025"},
        kind="lro",
    ),
    Case(
        "restore_status",
        "restore_status",
        lambda c: c.restore_status(VAULT, "job2"),
        "GET",
        "/restore/job2/pending",
        Canned(200, RESTORE_STATUS),
    ),
    Case(
        "begin_pre_full_restore_operation",
        "begin_pre_full_restore_operation",
        lambda c: c.begin_pre_full_restore_operation(
            VAULT,
            m.PreRestoreOperationParameters(sas_token_parameters=_sas(token=SAS), folder_to_restore="mhsm-x-2025"),
            polling=False,
        ),
        "PUT",
        "/prerestore",
        Canned(202, RESTORE_STATUS, RESTORE_LRO_HEADERS),
        body={"folderToRestore": "mhsm-x-2025", "sasTokenParameters": SAS_WIRE},
        kind="lro",
    ),
    Case(
        "begin_selective_key_restore_operation",
        "begin_selective_key_restore_operation",
        lambda c: c.begin_selective_key_restore_operation(
            VAULT,
            "my key/1",
            m.SelectiveKeyRestoreOperationParameters(
                sas_token_parameters=_sas(use_managed_identity=True), folder="mhsm-x-2025"
            ),
            polling=False,
        ),
        "PUT",
        "/keys/my%20key%2F1/restore",
        Canned(202, RESTORE_STATUS, RESTORE_LRO_HEADERS),
        body={
            "sasTokenParameters": {"storageResourceUri": CONTAINER, "useManagedIdentity": True},
            "folder": "mhsm-x-2025",
        },
        kind="lro",
    ),
    Case(
        "selective_key_restore_status",
        "selective_key_restore_status",
        lambda c: c.selective_key_restore_status(VAULT, "job2"),
        "GET",
        "/restore/job2/pending",
        Canned(200, RESTORE_STATUS),
    ),
    Case(
        "get_settings",
        "get_settings",
        lambda c: c.get_settings(VAULT),
        "GET",
        "/settings",
        Canned(200, {"settings": [SETTING]}),
    ),
    Case(
        "get_setting",
        "get_setting",
        lambda c: c.get_setting(VAULT, "AllowKeyManagementOperationsThroughARM"),
        "GET",
        "/settings/AllowKeyManagementOperationsThroughARM",
        Canned(200, SETTING),
    ),
    Case(
        "update_setting",
        "update_setting",
        lambda c: c.update_setting(VAULT, "Allow Some/Thing", m.UpdateSettingRequest(value="true")),
        "PATCH",
        "/settings/Allow%20Some%2FThing",
        Canned(200, SETTING),
        body={"value": "true"},
    ),
    Case(
        "get_ekm_connection",
        "get_ekm_connection",
        lambda c: c.get_ekm_connection(VAULT),
        "GET",
        "/ekm",
        Canned(200, EKM_CONNECTION),
    ),
    Case(
        "create_ekm_connection",
        "create_ekm_connection",
        lambda c: c.create_ekm_connection(
            VAULT,
            m.EkmConnection(
                connectivity_mode=m.EkmConnectivityMode.PRIVATE_ENDPOINT,
                path_prefix="",
                server_ca_certificates=["AQI=", 7, None],
                host="h:8443",
            ),
        ),
        "POST",
        "/ekm/create",
        Canned(200, EKM_CONNECTION),
        # member order is the model's, not the keywords'; None members are left out, "" is kept
        body={"host": "h:8443", "server_ca_certificates": ["AQI=", 7, None], "path_prefix": "",
              "connectivity_mode": "PrivateEndpoint"},
    ),
    Case(
        "update_ekm_connection",
        "update_ekm_connection",
        lambda c: c.update_ekm_connection(VAULT, m.EkmConnection(host="h2", server_subject_common_name="cn")),
        "PATCH",
        "/ekm",
        Canned(200, EKM_CONNECTION),
        body={"host": "h2", "server_subject_common_name": "cn"},
    ),
    Case(
        "delete_ekm_connection",
        "delete_ekm_connection",
        lambda c: c.delete_ekm_connection(VAULT),
        "DELETE",
        "/ekm",
        Canned(200, EKM_CONNECTION),
    ),
    Case(
        "get_ekm_certificate",
        "get_ekm_certificate",
        lambda c: c.get_ekm_certificate(VAULT),
        "GET",
        "/ekm/certificate",
        Canned(200, EKM_CERTIFICATE),
    ),
    Case(
        "check_ekm_connection",
        "check_ekm_connection",
        lambda c: c.check_ekm_connection(VAULT),
        "POST",
        "/ekm/check",
        Canned(200, EKM_PROXY_INFO),
    ),
    Case(
        "begin_create_ekm_private_endpoint",
        "begin_create_ekm_private_endpoint",
        lambda c: c.begin_create_ekm_private_endpoint(
            VAULT,
            "pe 1/x",
            m.EkmPrivateEndpointCreateParameters(request_message="please", private_link_service_id="pls-alias"),
            polling=False,
        ),
        "POST",
        "/ekm/privateendpoint/pe%201%2Fx",
        Canned(202, EKM_OPERATION, EKM_LRO_HEADERS),
        body={"privateLinkServiceId": "pls-alias", "requestMessage": "please"},
        kind="lro",
    ),
    Case(
        "begin_delete_ekm_private_endpoint",
        "begin_delete_ekm_private_endpoint",
        lambda c: c.begin_delete_ekm_private_endpoint(VAULT, "pe-1", polling=False),
        "DELETE",
        "/ekm/privateendpoint/pe-1",
        Canned(202, EKM_OPERATION, EKM_LRO_HEADERS),
        kind="lro",
    ),
    Case(
        "get_ekm_private_endpoint",
        "get_ekm_private_endpoint",
        lambda c: c.get_ekm_private_endpoint(VAULT, "pe-1"),
        "GET",
        "/ekm/privateendpoint/pe-1",
        Canned(200, EKM_PRIVATE_ENDPOINT),
    ),
    Case(
        "list_ekm_private_endpoints",
        "list_ekm_private_endpoints",
        lambda c: c.list_ekm_private_endpoints(VAULT),
        "GET",
        "/ekm/privateendpoint",
        Canned(200, {"value": [EKM_PRIVATE_ENDPOINT], "nextLink": VAULT + "/ekm/privateendpoint?page=2"}),
        kind="list",
    ),
    Case(
        "get_ekm_private_endpoint_operation_status",
        "get_ekm_private_endpoint_operation_status",
        lambda c: c.get_ekm_private_endpoint_operation_status(VAULT, "job/3"),
        "GET",
        "/ekm/privateendpoint/operations/job%2F3",
        Canned(200, EKM_OPERATION),
    ),
]

CASES_BY_ID = {case.id: case for case in CASES}


def supported_version(case: Case) -> str:
    """A version that has the case's operation: 2025-07-01, or the EKM preview for EKM operations."""
    return "2026-07-01-preview" if "ekm" in case.operation else "2025-07-01"


def run_sync(case: Case, client: Any) -> Any:
    """Call the case's operation on a sync client and return a plain result."""
    result = case.invoke(client)
    if case.kind == "list":
        return list(result)
    if case.kind == "lro":
        return result.result()
    return result


async def run_async(case: Case, client: Any) -> Any:
    """Call the case's operation on an async client and return a plain result."""
    result = case.invoke(client)
    if case.kind == "list":
        return [item async for item in result]
    if inspect.isawaitable(result):
        result = await result
    if case.kind == "lro":
        return await result.result()
    return result


def check_result(case: Case, result: Any) -> None:
    """Assert the deserialized result matches the case's canned body (key fields)."""
    body = case.response.body
    if case.kind == "list":
        assert [item.name for item in result] == [item["name"] for item in body["value"]]
    elif case.operation.startswith("role_definitions"):
        assert isinstance(result, m.RoleDefinition)
        assert result.id == DEF_ID
        assert result.properties.permissions[0].data_actions == [m.DataAction.READ_HSM_KEY]
    elif case.operation.startswith("role_assignments"):
        assert isinstance(result, m.RoleAssignment)
        assert result.properties.scope is m.RoleScope.KEYS
        assert result.properties.principal_id == "p1"
    elif case.operation == "get_settings":
        assert [s.name for s in result.settings] == [SETTING["name"]]
    elif "setting" in case.operation:
        assert isinstance(result, m.Setting)
        assert result.type is m.SettingTypeEnum.BOOLEAN
    elif case.operation == "check_ekm_connection":
        assert isinstance(result, m.EkmProxyInfo)
        assert vars(result) == {"additional_properties": {}, **EKM_PROXY_INFO}
    elif case.operation.endswith("ekm_connection"):
        assert isinstance(result, m.EkmConnection)
        # certificate strings stay the service's values (the public layer decodes them)
        assert (result.host, result.server_ca_certificates) == ("ekm-proxy.contoso.com", ["MIIDXTCCAkWg", None])
        assert result.connectivity_mode is m.EkmConnectivityMode.PRIVATE_ENDPOINT
    elif case.operation == "get_ekm_certificate":
        assert result.ca_certificates == ["MIIBAA=="]
        assert result.subject_common_name == EKM_CERTIFICATE["subject_common_name"]
    elif case.operation == "get_ekm_private_endpoint":
        assert result.provisioning_state is m.EkmPrivateEndpointProvisioningState.SUCCEEDED
        assert result.properties.private_link_service_id == "pls-alias"
        assert result.private_link_service_connection_state.status is m.EkmPrivateEndpointConnectionStatus.APPROVED
        assert result.private_link_service_connection_state.actions_required == "None"
    elif "ekm_private_endpoint" in case.operation:  # the 202 body (polling=False) or a status
        assert isinstance(result, m.EkmPrivateEndpointOperation)
        assert (result.job_id, result.private_endpoint_name) == ("job3", "pe-1")
        assert result.operation_type is m.EkmPrivateEndpointOperationType.CREATE
        assert result.status is m.OperationState.NOT_STARTED
        assert result.start_time.timestamp() == EKM_OPERATION["startTime"] and result.end_time is None
    else:
        assert result.job_id == body["jobId"]
        assert result.status is m.OperationStatus.IN_PROGRESS
        assert result.start_time.timestamp() == body["startTime"]
        assert result.end_time is None


def expected_url(case: Case, api_version: str) -> str:
    return f"{VAULT}{case.path}?api-version={api_version}{case.query}"


def content_type(request: Any) -> Optional[str]:
    return request.headers.get("Content-Type")
