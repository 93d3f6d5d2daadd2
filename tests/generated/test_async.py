"""The aio twin, driven by the same case tables as the sync tests."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from azure.core.async_paging import AsyncItemPaged
from azure.core.exceptions import DecodeError, HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.core.pipeline import PipelineResponse
from azure.core.polling import AsyncLROPoller
from azure.core.rest import HttpRequest

from azure.keyvault.administration._generated import KeyVaultClient
from azure.keyvault.administration._generated import models as m
from azure.keyvault.administration._generated._api_versions import API_VERSIONS, is_available
from azure.keyvault.administration._generated._operations import RoleAssignmentsOperations, RoleDefinitionsOperations
from azure.keyvault.administration._generated.aio import KeyVaultClient as AsyncKeyVaultClient
from azure.keyvault.administration._generated.aio import _operations as aio_ops

from ._cases import (
    BACKUP_STATUS,
    CASES,
    CASES_BY_ID,
    LRO_HEADERS,
    ROLE_DEFINITION,
    STATUS_URL,
    Case,
    _sas,
    check_result,
    run_async,
)
from ._transport import VAULT, Canned, make_async_client
from .test_errors import ERROR, STATUS_TO_TYPE
from .test_paging import DEFS_PATH, three_pages
from .test_requests import assert_request

MATRIX = [pytest.param(case, version, id=f"{case.id}-{version}") for case in CASES for version in API_VERSIONS]


@pytest.mark.parametrize(("case", "api_version"), MATRIX)
async def test_request_per_operation_and_version(case: Case, api_version: str) -> None:
    client, transport = make_async_client(api_version, [case.response])
    if not is_available(case.operation, api_version):
        with pytest.raises(ValueError, match="is not available in API version"):
            await run_async(case, client)
        assert transport.requests == []
        return
    result = await run_async(case, client)
    assert len(transport.requests) == 1
    assert_request(case, transport.last, api_version)
    check_result(case, result)


REPRESENTATIVE = [
    "role_definitions.list",
    "role_assignments.list_for_scope",
    "role_assignments.create",
    "role_definitions.get",
    "begin_full_backup",
    "restore_status",
    "update_setting",
]


@pytest.mark.parametrize(("status", "error_type"), STATUS_TO_TYPE)
@pytest.mark.parametrize("case_id", REPRESENTATIVE)
async def test_status_maps_to_exception(case_id: str, status: int, error_type: type) -> None:
    client, _ = make_async_client("2025-07-01", [Canned(status, ERROR)])
    with pytest.raises(error_type) as info:
        await run_async(CASES_BY_ID[case_id], client)
    assert type(info.value) is error_type
    assert str(info.value).startswith("(Forbidden) Caller is not authorized (Activity ID: 1)\nCode: Forbidden\n")


async def test_decode_error_and_missing_api_version() -> None:
    client, _ = make_async_client("7.6", [Canned(401, "OK")])
    with pytest.raises(DecodeError):
        await client.role_definitions.get(VAULT, "/", "x")
    client, transport = make_async_client(None, [Canned(200, {})])
    with pytest.raises(ValueError, match=r"^No value for given attribute$"):
        await client.get_settings(VAULT)
    pager = client.role_assignments.list_for_scope(VAULT, "/")
    with pytest.raises(ValueError, match=r"^No value for given attribute$"):
        [item async for item in pager]
    assert transport.requests == []


async def test_paging_follows_next_links() -> None:
    client, transport = make_async_client("2025-07-01", three_pages(DEFS_PATH, ROLE_DEFINITION))
    pager = client.role_definitions.list(VAULT, "/", cls=lambda items: [i.name for i in items])
    assert isinstance(pager, AsyncItemPaged)
    assert transport.requests == []
    assert [name async for name in pager] == ["a", "b", "c", "d"]
    assert transport.requests[1].url == f"{VAULT}{DEFS_PATH}?api-version=2025-07-01&$skiptoken=abc%3D%3D"
    assert transport.requests[2].url == f"{VAULT}{DEFS_PATH}?$skiptoken=def&api-version=2025-07-01"


async def test_paging_error_on_later_page() -> None:
    pages = [*three_pages(DEFS_PATH, ROLE_DEFINITION)[:1], Canned(404, {"error": {"code": "NotFound", "message": "x"}})]
    client, _ = make_async_client("7.6", pages)
    seen = []
    with pytest.raises(ResourceNotFoundError):
        async for definition in client.role_definitions.list(VAULT, "/"):
            seen.append(definition.name)
    assert seen == ["a"]


async def test_default_polling() -> None:
    done = {**BACKUP_STATUS, "status": "Succeeded", "azureStorageBlobContainerUri": "https://a/b/f"}

    def respond(request: HttpRequest) -> Canned:
        if request.method == "POST":
            return Canned(202, BACKUP_STATUS, LRO_HEADERS)
        return Canned(200, done)

    client, transport = make_async_client("7.6", respond)
    poller = await client.begin_full_backup(VAULT, _sas(token="t"), polling_interval=0)
    assert isinstance(poller, AsyncLROPoller)
    result = await poller.result()
    assert result.status is m.OperationStatus.SUCCEEDED
    assert result.azure_storage_blob_container_uri == "https://a/b/f"
    assert [(r.method, r.url) for r in transport.requests] == [
        ("POST", VAULT + "/backup?api-version=7.6"),
        ("GET", STATUS_URL),
    ]
    token = poller.continuation_token()
    transport.requests.clear()
    resumed = await client.begin_full_backup(VAULT, continuation_token=token, polling_interval=0)
    assert (await resumed.result()).azure_storage_blob_container_uri == "https://a/b/f"
    assert [r.method for r in transport.requests] == ["GET"]


async def test_initial_and_gate() -> None:
    client, _ = make_async_client("7.6", [Canned(202, BACKUP_STATUS, LRO_HEADERS)])
    response = await client._selective_key_restore_operation_initial(VAULT, "k", None)
    assert isinstance(response, PipelineResponse) and response.http_response.status_code == 202
    client, _ = make_async_client("7.6", [Canned(409, ERROR)])
    with pytest.raises(ResourceExistsError):
        await client._full_backup_initial(VAULT, None)
    client, transport = make_async_client("7.5", [Canned(202, BACKUP_STATUS)])
    with pytest.raises(ValueError, match=r"Pass service API version 7.6-preview.2 or newer"):
        await client.begin_pre_full_restore_operation(VAULT, None)
    assert transport.requests == []


async def test_unexpected_status_on_initial() -> None:
    client, _ = make_async_client("7.6", [Canned(200, BACKUP_STATUS)])
    with pytest.raises(HttpResponseError, match="invalid status 'OK'"):
        await client.begin_full_backup(VAULT, None)


async def test_send_request_close_and_context() -> None:
    client, transport = make_async_client("7.6", [Canned(500, {"e": 1})])
    async with client as entered:
        assert entered is client
        response = await client.send_request(HttpRequest("GET", "https://x.host/p"))
        assert response.status_code == 500
    assert transport.closed == 1
    await client.close()
    assert transport.closed == 2


def _public_members(cls: type) -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(cls).items()
        if callable(value) and (not name.startswith("_") or name.endswith("_initial"))
    }


@pytest.mark.parametrize(
    ("sync_cls", "async_cls"),
    [
        (RoleDefinitionsOperations, aio_ops.RoleDefinitionsOperations),
        (RoleAssignmentsOperations, aio_ops.RoleAssignmentsOperations),
        (KeyVaultClient, AsyncKeyVaultClient),
    ],
)
def test_async_twin_has_the_same_methods_and_signatures(sync_cls: type, async_cls: type) -> None:
    from azure.keyvault.administration._generated._operations import KeyVaultClientOperationsMixin

    def members(cls: type) -> dict[str, Any]:
        found = _public_members(cls)
        if cls is KeyVaultClient:
            found.update(_public_members(KeyVaultClientOperationsMixin))
        elif cls is AsyncKeyVaultClient:
            found.update(_public_members(aio_ops.KeyVaultClientOperationsMixin))
        return found

    sync_members, async_members = members(sync_cls), members(async_cls)
    assert set(sync_members) == set(async_members)
    for name, function in sync_members.items():
        twin = async_members[name]
        sync_sig, async_sig = inspect.signature(function), inspect.signature(twin)
        assert list(sync_sig.parameters) == list(async_sig.parameters), name
        for p_name, param in sync_sig.parameters.items():
            assert param.default == async_sig.parameters[p_name].default, (name, p_name)
        plain = name in ("list", "list_for_scope", "list_ekm_private_endpoints", "send_request")
        assert inspect.iscoroutinefunction(twin) is (not plain and name not in ("__init__",)), name
