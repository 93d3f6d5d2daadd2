"""Wire-parity scenarios: run every public client method through a capturing fake transport, print a JSON trace.

Runs with whichever ``azure.keyvault.administration`` the interpreter imports (ours in ``.venv``, the official
4.7.2 in ``.venv-official``); ``tests/official/test_wire_parity.py`` runs it once with each and compares the
traces scenario by scenario. Usage: ``python parity_scenarios.py OUTPUT.json [SCENARIO_PREFIX ...]``.

Everything is in-process: a scripted fake Managed HSM answers from an azure-core transport subclass (401
challenge for requests without ``Authorization``, then canned JSON modelled on the REST examples), and a fake
credential records the token calls. Each scenario runs twice, with the sync clients and (through a small
adapter that drives coroutines on one event loop) with the async clients. Only volatile values are masked:
``x-ms-client-request-id``, the Python/platform part of the User-Agent, uuid4 names (numbered placeholders in
order of appearance) and object addresses in default reprs.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import re
import sys
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from enum import Enum
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

from azure.core.async_paging import AsyncItemPaged
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.pipeline.transport import AsyncHttpResponse, AsyncHttpTransport, HttpResponse, HttpTransport
from azure.core.polling import AsyncLROPoller
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl import RestHttpClientTransportResponse
from azure.core.rest._http_response_impl_async import RestAsyncHttpClientTransportResponse
from azure.core.utils import CaseInsensitiveDict

import azure.keyvault.administration as admin
import azure.keyvault.administration.aio as admin_aio
from azure.keyvault.administration import (
    ApiVersion,
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleScope,
    KeyVaultSetting,
    KeyVaultSettingType,
)
from azure.keyvault.administration._internal import HttpChallengeCache

VAULT = "https://myhsm.managedhsm.azure.net"
HOST = "myhsm.managedhsm.azure.net"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CHALLENGE = f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", resource="https://managedhsm.azure.net"'
JSON_CT = "application/json; charset=utf-8"
# Fixed ids of the scenarios are deliberately not uuid4s, so they are never masked.
DEF_ID = "00000000-0000-0000-0000-0000000000d1"
ASSIGN_ID = "00000000-0000-0000-0000-0000000000a1"
PRINCIPAL = "00000000-0000-0000-0000-0000000000b1"
FULL_DEF_ID = f"Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{DEF_ID}"
SAS = "sv=2020-08-04&sig=REDACTED"
BLOB = "https://acct.blob.core.windows.net/backup"
FOLDER = "https://acct.blob.core.windows.net/backup/mhsm-myhsm-2020090117323313"
START, END = 1749089881, 1749089890
VERSIONS: list[Optional[str]] = [None, "7.2", "7.3", "7.4", "7.5", "7.6"]
REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 409: "Conflict", 500: "Internal Server Error"}
RETRY_FAST = {"retry_backoff_factor": 0}  # keeps default retry counts but never sleeps


# ---------------------------------------------------------------------------------------------------------------
# Fake service


Answer = tuple[int, dict[str, str], bytes]


def _json(status: int, body: Any, headers: Optional[dict[str, str]] = None) -> Answer:
    return status, {"Content-Type": JSON_CT, **(headers or {})}, json.dumps(body).encode()


def error(status: int, code: str, message: str, inner: Any = None) -> tuple[int, dict[str, str], bytes]:
    body: dict[str, Any] = {"code": code, "message": message}
    if inner is not None:
        body["innererror"] = inner
    return _json(status, {"error": body})


def role_definition(name: str, scope: str = "/", props: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    properties = props if props is not None else {
        "roleName": "My custom role", "type": "CustomRole", "description": "Role description",
        "assignableScopes": ["/"],
        "permissions": [{"actions": [], "notActions": [],
                         "dataActions": ["Microsoft.KeyVault/managedHsm/keys/sign/action"], "notDataActions": []}],
    }
    return {"id": f"Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{name}",
            "name": name, "type": "Microsoft.Authorization/roleDefinitions", "properties": properties}


def role_assignment(name: str, scope: str = "/keys", principal: str = PRINCIPAL) -> dict[str, Any]:
    return {"id": f"{scope.rstrip('/')}/providers/Microsoft.Authorization/roleAssignments/{name}", "name": name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"scope": scope, "roleDefinitionId": FULL_DEF_ID, "principalId": principal}}


class FakeService:
    """Answers requests by route; scenarios queue overrides (first matching override wins, used once)."""

    def __init__(self) -> None:
        self.overrides: list[tuple[str, str, tuple[int, dict[str, str], bytes]]] = []
        self.jobs: dict[str, list[str]] = {}
        self.job_counter = 0
        self.plan: list[str] = ["InProgress", "Succeeded"]
        self.failure: Optional[dict[str, Any]] = {"code": "BackupFailed", "message": "it broke"}
        self.status_headers: dict[str, str] = {}
        self.status_host = HOST
        self.auth_probe = True

    def override(self, method: str, path_regex: str, response: tuple[int, dict[str, str], bytes]) -> None:
        self.overrides.append((method, path_regex, response))

    def answer(self, method: str, url: str, headers: CaseInsensitiveDict, body: bytes) -> Answer:
        parts = urlsplit(url)
        if self.auth_probe and "Authorization" not in headers:
            return 401, {"WWW-Authenticate": CHALLENGE, "Content-Type": JSON_CT}, b""
        for index, (m, regex, response) in enumerate(self.overrides):
            if m == method and re.fullmatch(regex, parts.path):
                del self.overrides[index]
                return response
        return self.route(method, parts.path, parse_qs(parts.query), body)

    def start_job(self, kind: str, status_kind: str) -> tuple[int, dict[str, str], bytes]:
        self.job_counter += 1
        job = f"job{self.job_counter:02d}{kind}"
        status_url = f"https://{self.status_host}/{status_kind}/{job}/pending"
        self.jobs[job] = list(self.plan)
        return _json(202, self.status_body(job, "InProgress", status_kind),
                     {"Azure-AsyncOperation": status_url, "Retry-After": "10"})

    def status_body(self, job: str, status: str, status_kind: str) -> dict[str, Any]:
        body: dict[str, Any] = {"status": status, "statusDetails": None, "error": None, "startTime": START,
                                "endTime": None, "jobId": job}
        if status != "InProgress":
            body["endTime"] = END
        if status in ("Failed", "Canceled"):
            body["error"] = self.failure
            body["statusDetails"] = "something failed"
        if status_kind == "backup":
            body["azureStorageBlobContainerUri"] = (
                f"{BLOB}/mhsm-myhsm-2025060502180134" if status == "Succeeded" and "pre" not in job else None)
        if status == "NoStatus":
            del body["status"]
        return body

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        rbac = re.fullmatch(r"(?P<scope>.*)/providers/Microsoft\.Authorization/"
                            r"(?P<kind>roleDefinitions|roleAssignments)(?:/(?P<name>[^/]+))?", path)
        if rbac:
            scope = rbac["scope"] or "/"
            name = rbac["name"]
            maker = role_definition if rbac["kind"] == "roleDefinitions" else role_assignment
            if name is None:
                if "$skiptoken" in query:
                    return _json(200, {"value": [maker("00000000-0000-0000-0000-0000000000c2", scope)]})
                next_link = f"{VAULT}{path}?$skiptoken=page2&api-version=0.0-stale"
                return _json(200, {"value": [maker("00000000-0000-0000-0000-0000000000c1", scope)],
                                   "nextLink": next_link})
            if method == "PUT":
                sent = json.loads(body or b"{}")
                if rbac["kind"] == "roleDefinitions":
                    props = dict(sent.get("properties") or {})
                    props.setdefault("type", "CustomRole")
                    return _json(201, role_definition(name, scope, props))
                properties = sent.get("properties") or {}
                return _json(201, role_assignment(name, scope, properties.get("principalId", PRINCIPAL)))
            return _json(200, maker(name, scope))
        if path == "/settings" and method == "GET":
            return _json(200, {"settings": [
                {"name": "AllowKeyManagementOperationsThroughARM", "type": "boolean", "value": "false"},
                {"name": "SomeString", "type": "String", "value": "Hello"},
                {"name": "Untyped", "value": "x"}]})
        setting = re.fullmatch(r"/settings/(?P<name>.+)", path)
        if setting:
            value = json.loads(body)["value"] if method == "PATCH" else "false"
            return _json(200, {"name": setting["name"], "type": "boolean", "value": value})
        if method == "POST" and path == "/backup":
            return self.start_job("backup", "backup")
        if method == "POST" and path == "/prebackup":
            return self.start_job("prebackup", "backup")
        if method == "PUT" and path == "/restore":
            return self.start_job("restore", "restore")
        if method == "PUT" and path == "/prerestore":
            return self.start_job("prerestore", "restore")
        if method == "PUT" and re.fullmatch(r"/keys/[^/]+/restore", path):
            return self.start_job("selective", "restore")
        status = re.fullmatch(r"/(?P<kind>backup|restore)/(?P<job>[^/]+)/pending", path)
        if status and method == "GET":
            plan = self.jobs.setdefault(status["job"], list(self.plan))
            current = plan.pop(0) if len(plan) > 1 else plan[0]
            return _json(200, self.status_body(status["job"], current, status["kind"]), self.status_headers)
        if path.startswith("/custom") or path == "/x":
            return _json(200, {"path": path, "query": sorted(query)})
        return error(404, "NotFound", f"no route for {method} {path}")


# ---------------------------------------------------------------------------------------------------------------
# Capturing transports


class _Response(HttpResponse):
    def __init__(self, request: Any, status: int, headers: dict[str, str], body: bytes) -> None:
        super().__init__(request, None)
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers)
        self.reason = REASONS.get(status, "Unknown")
        self.content_type = self.headers.get("Content-Type")
        self._body = body

    def body(self) -> bytes:
        return self._body


class _AsyncResponse(AsyncHttpResponse):
    def __init__(self, request: Any, status: int, headers: dict[str, str], body: bytes) -> None:
        super().__init__(request, None)
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers)
        self.reason = REASONS.get(status, "Unknown")
        self.content_type = self.headers.get("Content-Type")
        self._body = body

    def body(self) -> bytes:
        return self._body

    async def load_body(self) -> None:
        return None


# The keyword arguments azure-core's requests/aiohttp transports understand; anything else makes them raise.
TRANSPORT_KWARGS = {"stream", "connection_timeout", "read_timeout", "connection_verify", "connection_cert",
                    "proxies", "connection_data_block_size", "decompress"}


class Recorder:
    def __init__(self, service: FakeService) -> None:
        self.service = service
        self.requests: list[dict[str, Any]] = []

    def handle(self, request: Any, kwargs: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        body = getattr(request, "content", None) if isinstance(request, HttpRequest) else request.data
        if isinstance(body, str):
            body = body.encode()
        headers = CaseInsensitiveDict(request.headers)
        self.requests.append({
            "method": request.method,
            "url": request.url,
            "headers": {k: (v if k.lower() != "x-ms-client-request-id" else "<request-id>")
                        for k, v in sorted(request.headers.items(), key=lambda kv: kv[0].lower())},
            "body": None if body is None else body.decode("utf-8", "replace"),
            "transport_kwargs": sorted(kwargs),
        })
        unknown = sorted(set(kwargs) - TRANSPORT_KWARGS)
        if unknown:
            raise TypeError(f"request() got an unexpected keyword argument '{unknown[0]}'")
        return self.service.answer(request.method, request.url, headers, body or b"")


class _Raw:
    """What ``RestHttpClientTransportResponse`` wraps (an ``http.client`` response look-alike)."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.reason = REASONS.get(status, "Unknown")
        self._headers = headers
        self._body = body

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self._headers.items())

    def read(self) -> bytes:
        return self._body


class _RestResponse(RestHttpClientTransportResponse):
    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._internal_response.read()

    def iter_raw(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._internal_response.read()


class _AsyncRestResponse(RestAsyncHttpClientTransportResponse):
    async def iter_bytes(self, **kwargs: Any) -> AsyncIterator[bytes]:  # type: ignore[override]
        yield self._internal_response.read()

    async def iter_raw(self, **kwargs: Any) -> AsyncIterator[bytes]:  # type: ignore[override]
        yield self._internal_response.read()


class CapturingTransport(HttpTransport):
    """Like azure-core's transports: rest requests get rest responses (with ``json()``), legacy ones legacy."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def send(self, request: Any, **kwargs: Any) -> Any:
        status, headers, body = self.recorder.handle(request, kwargs)
        if isinstance(request, HttpRequest):
            response = _RestResponse(request=request, internal_response=_Raw(status, headers, body))
            if not kwargs.get("stream"):
                response.read()
            return response
        return _Response(request, status, headers, body)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __exit__(self, *args: Any) -> None:
        pass


class AsyncCapturingTransport(AsyncHttpTransport):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def send(self, request: Any, **kwargs: Any) -> Any:
        status, headers, body = self.recorder.handle(request, kwargs)
        if isinstance(request, HttpRequest):
            response = _AsyncRestResponse(request=request, internal_response=_Raw(status, headers, body))
            if not kwargs.get("stream"):
                await response.read()
            return response
        return _AsyncResponse(request, status, headers, body)

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aexit__(self, *args: Any) -> None:
        pass


# ---------------------------------------------------------------------------------------------------------------
# Fake credentials


class _CredentialBase:
    def __init__(self, calls: list[dict[str, Any]], name: str) -> None:
        self.calls = calls
        self.name = name
        self.count = 0

    def _token(self, method: str, scopes: tuple[str, ...], kwargs: dict[str, Any]) -> str:
        self.count += 1
        self.calls.append({"credential": self.name, "method": method, "scopes": list(scopes),
                           "kwargs": {k: kwargs[k] for k in sorted(kwargs)}})
        return f"{self.name}-token-{self.count}"


class TokenCredential(_CredentialBase):
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token("get_token", scopes, kwargs), int(time.time()) + 3600)


class TokenInfoCredential(TokenCredential):
    def get_token_info(self, *scopes: str, options: Optional[dict[str, Any]] = None) -> AccessTokenInfo:
        token = self._token("get_token_info", scopes, {"options": options})
        return AccessTokenInfo(token, int(time.time()) + 3600)


class AsyncTokenCredential(_CredentialBase):
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token("get_token", scopes, kwargs), int(time.time()) + 3600)

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> AsyncTokenCredential:
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


class AsyncTokenInfoCredential(AsyncTokenCredential):
    async def get_token_info(self, *scopes: str, options: Optional[dict[str, Any]] = None) -> AccessTokenInfo:
        token = self._token("get_token_info", scopes, {"options": options})
        return AccessTokenInfo(token, int(time.time()) + 3600)


# ---------------------------------------------------------------------------------------------------------------
# Async adapter: drives the async clients with the same scenario code as the sync ones


class AsyncAdapter:
    """Wraps an async client/poller: coroutines are run to completion, async pagers become iterables."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._wrap(attribute(*args, **kwargs))

        return call

    def _wrap(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            value = self._loop.run_until_complete(value)
        if isinstance(value, AsyncItemPaged):
            return AsyncPagedAdapter(value, self._loop)
        if isinstance(value, AsyncLROPoller):
            return AsyncAdapter(value, self._loop)
        return value

    def __enter__(self) -> AsyncAdapter:
        self._loop.run_until_complete(self._target.__aenter__())
        return self

    def __exit__(self, *args: Any) -> None:
        self._loop.run_until_complete(self._target.__aexit__(*args))


class AsyncPagedAdapter:
    def __init__(self, pager: AsyncItemPaged, loop: asyncio.AbstractEventLoop) -> None:
        self._target = pager
        self._loop = loop

    def __iter__(self) -> Iterator[Any]:
        iterator = self._target.__aiter__()
        while True:
            try:
                yield self._loop.run_until_complete(iterator.__anext__())
            except StopAsyncIteration:
                return


# ---------------------------------------------------------------------------------------------------------------
# Describing outcomes


def describe(value: Any) -> Any:
    if isinstance(value, (AsyncAdapter, AsyncPagedAdapter)):
        value = value._target
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Enum):
        return {"enum": type(value).__name__, "value": value.value, "str": str(value)}
    if isinstance(value, str):
        return value if type(value) is str else {"str_subclass": type(value).__name__, "value": str(value)}
    if isinstance(value, (list, tuple)):
        return [describe(item) for item in value]
    if isinstance(value, dict):
        return {str(k): describe(v) for k, v in value.items()}
    if isinstance(value, BaseException):
        return describe_error(value)
    kind = type(value)
    if kind.__module__.startswith("azure.keyvault.administration"):
        attrs = {name: describe(getattr(value, name)) for name in dir(value)
                 if not name.startswith("_") and not callable(getattr(value, name))}
        return {"model": kind.__name__, "repr": repr(value), "attrs": attrs}
    if hasattr(value, "continuation_token") and hasattr(value, "status"):
        return {"poller": f"{kind.__module__}.{kind.__qualname__}", "status": value.status(),
                "done": value.done(), "token": value.continuation_token()}
    return {"object": f"{kind.__module__}.{kind.__qualname__}"}


def describe_error(err: BaseException) -> dict[str, Any]:
    kind = type(err)
    out: dict[str, Any] = {"error": f"{kind.__module__}.{kind.__qualname__}", "str": str(err),
                           "bases": [c.__name__ for c in kind.__mro__ if c.__module__ == "azure.core.exceptions"]}
    if hasattr(err, "status_code"):
        out["status_code"] = err.status_code
        inner = getattr(err, "error", None)
        out["error_code"] = getattr(inner, "code", None)
        out["error_message"] = getattr(inner, "message", None)
        out["message"] = getattr(err, "message", None)
        out["reason"] = getattr(err, "reason", None)
    return out


def describe_response(response: Any) -> dict[str, Any]:
    kind = type(response)
    return {"response": f"{kind.__module__.split('.')[0]}..{kind.__name__}", "status_code": response.status_code,
            "text": response.text(), "content_type": response.headers.get("Content-Type")}


# ---------------------------------------------------------------------------------------------------------------
# Scenario context


class Context:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.service = FakeService()
        self.recorder = Recorder(self.service)
        self.calls: list[dict[str, Any]] = []
        self.steps: list[dict[str, Any]] = []
        self.loop = asyncio.new_event_loop() if mode == "async" else None
        self._seen = 0
        self._credentials = 0

    def credential(self, token_info: bool = False) -> Any:
        self._credentials += 1
        name = f"cred{self._credentials}"
        if self.mode == "sync":
            return (TokenInfoCredential if token_info else TokenCredential)(self.calls, name)
        return (AsyncTokenInfoCredential if token_info else AsyncTokenCredential)(self.calls, name)

    def client(self, kind: str, *, url: str = VAULT, credential: Any = "default", api_version: Any = None,
               **kwargs: Any) -> Any:
        if credential == "default":
            credential = self.credential()
        if api_version is not None or kwargs.pop("explicit_none_version", False):
            kwargs["api_version"] = api_version
        module = admin if self.mode == "sync" else admin_aio
        transport = (CapturingTransport if self.mode == "sync" else AsyncCapturingTransport)(self.recorder)
        cls = getattr(module, {"rbac": "KeyVaultAccessControlClient", "backup": "KeyVaultBackupClient",
                               "settings": "KeyVaultSettingsClient"}[kind])
        client = cls(url, credential, transport=transport, **kwargs)
        return client if self.loop is None else AsyncAdapter(client, self.loop)

    def step(self, name: str, action: Callable[[], Any]) -> Any:
        try:
            result = action()
            outcome: Any = {"result": describe(result)}
        except Exception as err:
            result = None
            outcome = {"raised": describe_error(err)}
        self._record(name, outcome)
        return result

    def lro(self, name: str, begin: Callable[[], Any], finish: str = "result") -> Any:
        """Start (or resume) an operation and finish it in one step (sync pollers poll on a thread)."""
        outcome: dict[str, Any] = {}
        poller = None
        try:
            poller = begin()
            outcome["poller_type"] = describe(poller)["poller"].rsplit(".", 1)[-1]
            outcome["token_at_start"] = poller.continuation_token()
            outcome[finish] = describe(getattr(poller, finish)())
        except Exception as err:
            outcome["raised" if poller is None else f"{finish}_raised"] = describe_error(err)
        if poller is not None:
            outcome["status"] = poller.status()
            outcome["done"] = poller.done()
            outcome["token"] = poller.continuation_token()
        self._record(name, outcome)
        return poller

    def _record(self, name: str, outcome: Any) -> None:
        requests = self.recorder.requests[self._seen:]
        self._seen = len(self.recorder.requests)
        calls = list(self.calls)
        self.calls.clear()
        self.steps.append({"step": name, "requests": requests, "token_calls": calls, **outcome})


SCENARIOS: list[tuple[str, Callable[[Context], None]]] = []


def scenario(name: str) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    def register(function: Callable[[Context], None]) -> Callable[[Context], None]:
        SCENARIOS.append((name, function))
        return function
    return register


def token_for(path: str, host: str = HOST) -> str:
    return base64.b64encode(f"https://{host}{path}".encode()).decode()


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: access control


def _rbac_crud(ctx: Context, api_version: Any) -> None:
    client = ctx.client("rbac", api_version=api_version)
    ctx.step("api_version_attr", lambda: client.api_version)
    ctx.step("list_role_definitions", lambda: list(client.list_role_definitions(KeyVaultRoleScope.GLOBAL)))
    permissions = [KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])]
    ctx.step("set_role_definition", lambda: client.set_role_definition(
        "/", name=DEF_ID, role_name="r", description="d", permissions=permissions, assignable_scopes=["/"]))
    ctx.step("get_role_definition", lambda: client.get_role_definition("/", DEF_ID))
    ctx.step("delete_role_definition", lambda: client.delete_role_definition("/", DEF_ID))
    ctx.step("create_role_assignment", lambda: client.create_role_assignment(
        KeyVaultRoleScope.KEYS, FULL_DEF_ID, PRINCIPAL, name=ASSIGN_ID))
    ctx.step("get_role_assignment", lambda: client.get_role_assignment("/keys", ASSIGN_ID))
    ctx.step("list_role_assignments", lambda: list(client.list_role_assignments("/keys")))
    ctx.step("delete_role_assignment", lambda: client.delete_role_assignment("/keys", ASSIGN_ID))


def _settings_all(ctx: Context, api_version: Any) -> None:
    client = ctx.client("settings", api_version=api_version)
    ctx.step("list_settings", lambda: list(client.list_settings()))
    ctx.step("get_setting", lambda: client.get_setting("AllowKeyManagementOperationsThroughARM"))
    ctx.step("update_setting_bool", lambda: client.update_setting(
        KeyVaultSetting("AllowKeyManagementOperationsThroughARM", True)))
    ctx.step("update_setting_str", lambda: client.update_setting(
        KeyVaultSetting(name="AllowKeyManagementOperationsThroughARM", value="FALSE",
                        setting_type=KeyVaultSettingType.BOOLEAN)))


def _backup_all(ctx: Context, api_version: Any) -> None:
    client = ctx.client("backup", api_version=api_version)
    ctx.lro("begin_backup", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    ctx.lro("begin_restore", lambda: client.begin_restore(FOLDER, sas_token=SAS, _polling_interval=0))
    ctx.lro("begin_restore_key", lambda: client.begin_restore(FOLDER, sas_token=SAS, key_name="k1",
                                                              _polling_interval=0), finish="wait")
    ctx.lro("begin_pre_backup", lambda: client.begin_pre_backup(BLOB, sas_token=SAS, _polling_interval=0))
    ctx.lro("begin_pre_restore", lambda: client.begin_pre_restore(FOLDER, sas_token=SAS, _polling_interval=0))


for _version in VERSIONS:
    _label = _version or "default"
    scenario(f"rbac_crud@{_label}")(lambda ctx, v=_version: _rbac_crud(ctx, v))
    scenario(f"backup_all@{_label}")(lambda ctx, v=_version: _backup_all(ctx, v))
    if _version not in ("7.2", "7.3"):  # settings on 7.2/7.3: deliberate deviation, see settings_old_versions
        scenario(f"settings_all@{_label}")(lambda ctx, v=_version: _settings_all(ctx, v))

scenario("rbac_crud@enum_7_5")(lambda ctx: _rbac_crud(ctx, ApiVersion.V7_5))
scenario("rbac_crud@2025-07-01")(lambda ctx: _rbac_crud(ctx, "2025-07-01"))
scenario("rbac_crud@unknown_version")(lambda ctx: _rbac_crud(ctx, "7.6-preview.2"))
scenario("settings_all@enum_2025")(lambda ctx: _settings_all(ctx, ApiVersion.V2025_07_01))
scenario("backup_all@preview")(lambda ctx: _backup_all(ctx, "7.6-preview.2"))
scenario("backup_all@unknown_version")(lambda ctx: _backup_all(ctx, "1.0"))

SCOPES: list[Any] = ["/", "", "//", "keys", "/keys", "/keys/k1", "/keys/", "/keys/a b",
                     KeyVaultRoleScope.GLOBAL, KeyVaultRoleScope.KEYS]


@scenario("rbac_scopes")
def _rbac_scopes(ctx: Context) -> None:
    client = ctx.client("rbac")
    for scope in SCOPES:
        label = repr(scope)
        ctx.step(f"get_role_assignment[{label}]", lambda s=scope: client.get_role_assignment(s, ASSIGN_ID))
        ctx.step(f"list_role_definitions[{label}]", lambda s=scope: list(client.list_role_definitions(s)))
        ctx.step(f"delete_role_definition[{label}]", lambda s=scope: client.delete_role_definition(s, DEF_ID))
        ctx.step(f"create_role_assignment[{label}]", lambda s=scope: client.create_role_assignment(
            s, FULL_DEF_ID, PRINCIPAL, name=ASSIGN_ID))


@scenario("rbac_names")
def _rbac_names(ctx: Context) -> None:
    client = ctx.client("rbac")
    uid = uuid.UUID(DEF_ID)
    ctx.step("get_role_definition_uuid", lambda: client.get_role_definition("/", uid))
    ctx.step("delete_role_definition_uuid", lambda: client.delete_role_definition("/", uid))
    ctx.step("set_role_definition_uuid", lambda: client.set_role_definition("/", name=uid))
    ctx.step("get_role_assignment_uuid", lambda: client.get_role_assignment("/", uuid.UUID(ASSIGN_ID)))
    ctx.step("delete_role_assignment_uuid", lambda: client.delete_role_assignment("/", uuid.UUID(ASSIGN_ID)))
    ctx.step("create_role_assignment_uuid_name", lambda: client.create_role_assignment(
        "/", FULL_DEF_ID, PRINCIPAL, name=uuid.UUID(ASSIGN_ID)))
    ctx.step("create_role_assignment_uuid_definition", lambda: client.create_role_assignment(
        "/", uuid.UUID(DEF_ID), PRINCIPAL, name=ASSIGN_ID))
    ctx.step("get_role_definition_quoted", lambda: client.get_role_definition("/", "a b/c?d"))
    ctx.step("get_role_assignment_quoted", lambda: client.get_role_assignment("/", "a b/c?d"))
    ctx.step("delete_role_assignment_quoted", lambda: client.delete_role_assignment("/", "a b/c?d"))
    ctx.step("set_role_definition_quoted", lambda: client.set_role_definition("/", name="a b/c?d"))
    ctx.step("create_role_assignment_generated_name", lambda: client.create_role_assignment(
        "/", FULL_DEF_ID, PRINCIPAL))
    ctx.step("create_role_assignment_empty_name", lambda: client.create_role_assignment(
        "/", FULL_DEF_ID, PRINCIPAL, name=""))
    ctx.step("set_role_definition_generated_name", lambda: client.set_role_definition("/"))
    ctx.step("create_role_assignment_positional_name", lambda: client.create_role_assignment(
        "/", FULL_DEF_ID, PRINCIPAL, ASSIGN_ID))


@scenario("rbac_set_role_definition_fields")
def _rbac_set_fields(ctx: Context) -> None:
    client = ctx.client("rbac")
    variants: dict[str, dict[str, Any]] = {
        "none": {},
        "role_name": {"role_name": "only name"},
        "description": {"description": "only description"},
        "empty_strings": {"role_name": "", "description": ""},
        "empty_permission": {"permissions": [KeyVaultPermission()]},
        "empty_permissions_list": {"permissions": []},
        "all_permission_fields": {"permissions": [KeyVaultPermission(
            actions=["a"], not_actions=["b"], data_actions=[KeyVaultDataAction.READ_HSM_KEY, "custom/action"],
            not_data_actions=[KeyVaultDataAction.DELETE_HSM_KEY])]},
        "two_permissions": {"permissions": [KeyVaultPermission(actions=[]),
                                            KeyVaultPermission(not_data_actions=[])]},
        "assignable_scopes": {"assignable_scopes": [KeyVaultRoleScope.GLOBAL, "/keys"]},
        "assignable_scopes_empty": {"assignable_scopes": []},
        "everything": {"role_name": "n", "description": "d", "assignable_scopes": [KeyVaultRoleScope.KEYS],
                       "permissions": [KeyVaultPermission(data_actions=[KeyVaultDataAction.BACKUP_HSM_KEYS])]},
    }
    for label, kwargs in variants.items():
        ctx.step(f"set_role_definition[{label}]", lambda k=kwargs: client.set_role_definition(
            KeyVaultRoleScope.GLOBAL, name=DEF_ID, **k))


@scenario("rbac_list_filter_and_laziness")
def _rbac_list(ctx: Context) -> None:
    client = ctx.client("rbac")
    ctx.step("list_assignments_not_iterated", lambda: type(client.list_role_assignments("/")).__name__)
    ctx.step("list_definitions_not_iterated", lambda: type(client.list_role_definitions("/")).__name__)
    ctx.step("list_assignments_filter", lambda: list(client.list_role_assignments(
        "/", filter="principalId eq '00000000-0000-0000-0000-0000000000b1'")))
    ctx.step("list_definitions_filter", lambda: list(client.list_role_definitions("/", filter="atScopeAndBelow()")))
    ctx.service.override("GET", r"/providers/Microsoft.Authorization/roleDefinitions",
                         _json(200, {"value": [], "nextLink": None}))
    ctx.step("list_definitions_empty", lambda: list(client.list_role_definitions("/")))
    ctx.service.override("GET", r"/providers/Microsoft.Authorization/roleAssignments",
                         _json(200, {"value": [role_assignment(ASSIGN_ID, "/")],
                                     "nextLink": f"https://{HOST}:443/providers/Microsoft.Authorization/"
                                                 "roleAssignments?$skiptoken=x&api-version=2.0&b=1"}))
    ctx.step("list_assignments_next_link_443", lambda: list(client.list_role_assignments("/")))
    ctx.step("list_by_page", lambda: [list(page) for page in client.list_role_definitions("/").by_page()]
             if ctx.mode == "sync" else "n/a")


@scenario("rbac_result_shapes")
def _rbac_results(ctx: Context) -> None:
    client = ctx.client("rbac")
    base = r"/providers/Microsoft\.Authorization/"
    ctx.service.override("GET", base + "roleAssignments/.*", _json(200, {"id": "i", "name": "n", "type": "t"}))
    ctx.step("assignment_without_properties", lambda: client.get_role_assignment("/", ASSIGN_ID))
    ctx.service.override("GET", base + "roleAssignments/.*", _json(200, {
        "id": "i", "name": "n", "properties": {"scope": "/foo", "roleDefinitionId": "x"}}))
    ctx.step("assignment_unknown_scope", lambda: client.get_role_assignment("/", ASSIGN_ID))
    ctx.service.override("GET", base + "roleDefinitions/.*", _json(200, {"id": "i", "name": "n"}))
    ctx.step("definition_without_properties", lambda: client.get_role_definition("/", DEF_ID))
    ctx.service.override("GET", base + "roleDefinitions/.*", _json(200, {
        "id": "i", "name": "n", "type": "Other", "properties": {"roleName": "x", "type": "Weird"}}))
    ctx.step("definition_without_permissions", lambda: client.get_role_definition("/", DEF_ID))
    ctx.service.override("GET", base + "roleDefinitions/.*", _json(200, {
        "id": "i", "name": "n", "properties": {"type": "AKVBuiltInRole", "assignableScopes": ["/keys", "/other"],
                                               "permissions": [{}, {"dataActions": ["Microsoft.KeyVault/managedHsm/"
                                                                                    "rng/action", "x/y"]}],
                                               "extra": 1}, "unknownTopLevel": True}))
    ctx.step("definition_mixed", lambda: client.get_role_definition("/", DEF_ID))
    ctx.service.override("GET", base + "roleDefinitions", _json(200, {"value": [{"name": "only"}]}))
    ctx.step("list_minimal", lambda: list(client.list_role_definitions("/")))


ERRORS: dict[str, tuple[int, dict[str, str], bytes]] = {
    "400": error(400, "BadParameter", "Role definition name must be a GUID (Activity ID: 1)"),
    "403": error(403, "Forbidden", "Operation not allowed", {"code": "AccessDenied", "message": "no role"}),
    "404": error(404, "RoleAssignmentNotFound", "Requested role assignment not found (Activity ID: 2)"),
    "409": error(409, "Conflict", "already exists"),
    "500": error(500, "InternalError", "boom"),
    "500_null_inner": error(500, "InternalError", "boom", None),
    "json_not_error": _json(400, {"message": "not an error object"}),
    "empty_json": (400, {"Content-Type": JSON_CT}, b""),
    "text_plain": (400, {"Content-Type": "text/plain"}, b"Bad things"),
    "json_ok_text": (401, {"Content-Type": JSON_CT}, b"OK"),
    "401_no_challenge": error(401, "Unauthorized", "no"),
    "nested_inner": error(400, "Outer", "outer msg", {"code": "Inner", "message": "inner msg",
                                                      "innererror": {"code": "Innermost"}}),
}


@scenario("rbac_errors")
def _rbac_errors(ctx: Context) -> None:
    client = ctx.client("rbac", retry_total=0)
    base = r"/providers/Microsoft\.Authorization/"
    for label, response in ERRORS.items():
        ctx.service.override("GET", base + "roleDefinitions/.*", response)
        ctx.step(f"get_role_definition[{label}]", lambda: client.get_role_definition("/", DEF_ID))
    for method_label, method in (("definition", "roleDefinitions"), ("assignment", "roleAssignments")):
        for code in ("404", "403", "500"):
            ctx.service.override("DELETE", base + method + "/.*", ERRORS[code])
            call = client.delete_role_definition if method_label == "definition" else client.delete_role_assignment
            ctx.step(f"delete_{method_label}[{code}]", lambda c=call: c("/", DEF_ID))
    ctx.service.override("PUT", base + "roleAssignments/.*", ERRORS["409"])
    ctx.step("create_role_assignment[409]", lambda: client.create_role_assignment("/", FULL_DEF_ID, PRINCIPAL,
                                                                                  name=ASSIGN_ID))
    ctx.service.override("PUT", base + "roleDefinitions/.*", _json(200, role_definition(DEF_ID)))
    ctx.step("set_role_definition[200_not_201]", lambda: client.set_role_definition("/", name=DEF_ID))
    ctx.service.override("GET", base + "roleAssignments", ERRORS["403"])
    ctx.step("list_role_assignments[403]", lambda: list(client.list_role_assignments("/")))
    ctx.service.override("GET", base + "roleDefinitions", (200, {"Content-Type": JSON_CT}, b"{not json"))
    ctx.step("list_role_definitions[bad_json]", lambda: list(client.list_role_definitions("/")))


@scenario("rbac_retries")
def _rbac_retries(ctx: Context) -> None:
    client = ctx.client("rbac", **RETRY_FAST)
    base = r"/providers/Microsoft\.Authorization/"
    for _ in range(4):
        ctx.service.override("GET", base + "roleDefinitions/.*", ERRORS["500"])
    ctx.step("get_500_retried", lambda: client.get_role_definition("/", DEF_ID))
    ctx.service.override("GET", base + "roleDefinitions/.*", ERRORS["500"])
    ctx.step("get_500_then_ok", lambda: client.get_role_definition("/", DEF_ID))
    ctx.service.override("DELETE", base + "roleAssignments/.*", error(503, "Busy", "later"))
    ctx.step("delete_503_then_ok", lambda: client.delete_role_assignment("/", ASSIGN_ID))


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: settings


@scenario("settings_edges")
def _settings_edges(ctx: Context) -> None:
    client = ctx.client("settings", retry_total=0)
    ctx.step("get_setting_quoted", lambda: client.get_setting("a b/c?d"))
    ctx.step("update_setting_quoted", lambda: client.update_setting(KeyVaultSetting("a b/c?d", "v")))
    ctx.step("update_setting_int", lambda: client.update_setting(KeyVaultSetting("n", 5)))
    ctx.step("update_setting_none_type", lambda: client.update_setting(KeyVaultSetting("n", "TRUE")))
    ctx.step("update_setting_upper_type", lambda: client.update_setting(KeyVaultSetting("n", "X",
                                                                                        setting_type="STRING")))
    ctx.service.override("GET", r"/settings/.*", ERRORS["404"])
    ctx.step("get_setting_404", lambda: client.get_setting("missing"))
    ctx.service.override("PATCH", r"/settings/.*", ERRORS["400"])
    ctx.step("update_setting_400", lambda: client.update_setting(KeyVaultSetting("n", False)))
    ctx.service.override("GET", r"/settings", ERRORS["403"])
    ctx.step("list_settings_403_call_only", lambda: type(client.list_settings()).__name__)
    ctx.service.overrides.clear()
    ctx.service.override("GET", r"/settings", ERRORS["403"])
    ctx.step("list_settings_403_iterated", lambda: list(client.list_settings()))
    ctx.service.overrides.clear()
    ctx.service.override("GET", r"/settings/.*", _json(200, {"name": "n", "value": "v", "type": "String"}))
    ctx.step("get_setting_string_type", lambda: client.get_setting("n"))
    ctx.service.override("GET", r"/settings/.*", _json(200, {"name": "n", "value": "v"}))
    ctx.step("get_setting_no_type", lambda: client.get_setting("n"))
    ctx.service.override("GET", r"/settings", _json(200, {"settings": []}))
    ctx.step("list_settings_empty", lambda: list(client.list_settings()))
    ctx.service.override("GET", r"/settings", _json(200, {}))
    ctx.step("list_settings_missing_key", lambda: list(client.list_settings()))
    ctx.step("list_settings_not_iterated_requests", lambda: type(client.list_settings()).__name__)


@scenario("settings_list_kwargs")
def _settings_list_kwargs(ctx: Context) -> None:
    """Deliberate deviation: ours passes keyword arguments to the pipeline, the official raises TypeError."""
    client = ctx.client("settings")
    ctx.step("list_settings_headers", lambda: list(client.list_settings(headers={"x-custom": "1"})))


@scenario("settings_old_versions")
def _settings_old_versions(ctx: Context) -> None:
    """Deliberate deviation: ours refuses settings operations on 7.2/7.3 before sending anything."""
    for version in ("7.2", "7.3"):
        client = ctx.client("settings", api_version=version, retry_total=0)
        ctx.step(f"get_setting@{version}", lambda c=client: c.get_setting("AllowKeyManagementOperationsThroughARM"))
        ctx.step(f"list_settings@{version}", lambda c=client: list(c.list_settings()))
        ctx.step(f"update_setting@{version}", lambda c=client: c.update_setting(KeyVaultSetting("n", True)))


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: backup


@scenario("backup_arguments")
def _backup_arguments(ctx: Context) -> None:
    client = ctx.client("backup")
    ctx.lro("backup_sas_positional", lambda: client.begin_backup(BLOB, SAS, _polling_interval=0))
    ctx.lro("backup_sas_positional_extra", lambda: client.begin_backup(BLOB, SAS, "ignored", _polling_interval=0))
    ctx.lro("backup_sas_both", lambda: client.begin_backup(BLOB, SAS, sas_token="kw", _polling_interval=0))
    ctx.lro("backup_managed_identity", lambda: client.begin_backup(BLOB, use_managed_identity=True,
                                                                   _polling_interval=0))
    ctx.lro("backup_managed_identity_and_sas", lambda: client.begin_backup(
        BLOB, sas_token=SAS, use_managed_identity=True, _polling_interval=0))
    ctx.lro("backup_no_credentials", lambda: client.begin_backup(BLOB, _polling_interval=0))
    ctx.lro("backup_url_with_slash", lambda: client.begin_backup(BLOB + "/", sas_token=SAS, _polling_interval=0))
    ctx.lro("restore_sas_positional", lambda: client.begin_restore(FOLDER, SAS, _polling_interval=0))
    ctx.lro("restore_managed_identity", lambda: client.begin_restore(FOLDER, use_managed_identity=True,
                                                                     _polling_interval=0))
    ctx.lro("restore_key_quoted", lambda: client.begin_restore(FOLDER, sas_token=SAS, key_name="a b/c?d",
                                                               _polling_interval=0))
    ctx.lro("restore_key_empty", lambda: client.begin_restore(FOLDER, sas_token=SAS, key_name="",
                                                              _polling_interval=0))
    ctx.lro("pre_backup_sas_positional", lambda: client.begin_pre_backup(BLOB, SAS, _polling_interval=0))
    ctx.lro("pre_restore_sas_positional", lambda: client.begin_pre_restore(FOLDER, SAS, _polling_interval=0))
    ctx.lro("pre_backup_managed_identity", lambda: client.begin_pre_backup(BLOB, use_managed_identity=True,
                                                                           _polling_interval=0))
    ctx.lro("pre_restore_no_credentials", lambda: client.begin_pre_restore(FOLDER, _polling_interval=0))
    ctx.lro("backup_wait", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0), finish="wait")
    ctx.lro("backup_headers_kwarg", lambda: client.begin_backup(BLOB, sas_token=SAS, headers={"x-custom": "1"},
                                                                _polling_interval=0))


FOLDER_URLS: list[Any] = [
    FOLDER,
    "https://a.storage/a/b/c/",
    "https://acct.blob.core.windows.net/backup",
    "https://acct.blob.core.windows.net/backup/",
    "container/folder",
    "https://acct.blob.core.windows.net/backup/folder?sv=2020&sig=SECRET#frag",
    "https://acct.blob.core.windows.net:8443/backup/f%20x",
    "",
    None,
    42,
]


@scenario("backup_folder_urls")
def _backup_folder_urls(ctx: Context) -> None:
    client = ctx.client("backup")
    for folder in FOLDER_URLS:
        ctx.lro(f"restore[{folder!r}]", lambda f=folder: client.begin_restore(f, sas_token=SAS, _polling_interval=0))
        ctx.lro(f"pre_restore[{folder!r}]", lambda f=folder: client.begin_pre_restore(f, sas_token=SAS,
                                                                                       _polling_interval=0))
        ctx.lro(f"restore_key[{folder!r}]", lambda f=folder: client.begin_restore(f, sas_token=SAS, key_name="k",
                                                                                   _polling_interval=0))


@scenario("backup_outcomes")
def _backup_outcomes(ctx: Context) -> None:
    client = ctx.client("backup", retry_total=0)
    service = ctx.service
    service.plan = ["InProgress", "InProgress", "Failed"]
    ctx.lro("backup_failed", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    service.failure = None
    ctx.lro("restore_failed_no_error", lambda: client.begin_restore(FOLDER, sas_token=SAS, _polling_interval=0))
    service.failure = {"code": "X", "message": "m", "innererror": {"code": "Y", "message": "n"}}
    service.plan = ["Canceled"]
    ctx.lro("pre_backup_canceled", lambda: client.begin_pre_backup(BLOB, sas_token=SAS, _polling_interval=0),
            finish="wait")
    service.plan = ["succeeded"]
    ctx.lro("backup_lowercase_succeeded", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    service.plan = ["NoStatus"]
    ctx.lro("backup_status_without_status", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    service.plan = ["InProgress", "Succeeded"]
    service.override("GET", r"/backup/.*/pending", ERRORS["404"])
    ctx.lro("backup_status_404", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    service.override("GET", r"/backup/.*/pending", (200, {"Content-Type": JSON_CT}, b"not json"))
    ctx.lro("backup_status_not_json", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    service.override("GET", r"/backup/.*/pending", _json(200, ["a list"]))
    ctx.lro("backup_status_json_list", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    service.override("GET", r"/restore/.*/pending", ERRORS["500"])
    ctx.lro("restore_status_500", lambda: client.begin_restore(FOLDER, sas_token=SAS, _polling_interval=0))
    service.override("POST", r"/backup", _json(200, {"status": "InProgress", "jobId": "j"}))
    ctx.lro("backup_initial_200", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    service.override("PUT", r"/restore", ERRORS["409"])
    ctx.lro("restore_initial_409", lambda: client.begin_restore(FOLDER, sas_token=SAS, _polling_interval=0))
    service.override("POST", r"/prebackup", _json(202, {"status": "InProgress", "jobId": "j"}))
    ctx.lro("pre_backup_202_without_header", lambda: client.begin_pre_backup(BLOB, sas_token=SAS,
                                                                             _polling_interval=0))
    service.override("PUT", r"/keys/.*/restore", ERRORS["400"])
    ctx.lro("restore_key_initial_400", lambda: client.begin_restore(FOLDER, sas_token=SAS, key_name="k",
                                                                    _polling_interval=0))
    service.status_headers = {"Retry-After": "0"}
    ctx.lro("backup_status_retry_after", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    service.status_headers = {}
    service.status_host = "other.managedhsm.azure.net"
    ctx.lro("backup_status_other_host", lambda: client.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))


@scenario("backup_continuation")
def _backup_continuation(ctx: Context) -> None:
    client = ctx.client("backup", retry_total=0)
    service = ctx.service
    tokens: dict[str, str] = {}
    for op, begin in (("backup", client.begin_backup), ("restore", client.begin_restore),
                      ("pre_backup", client.begin_pre_backup), ("pre_restore", client.begin_pre_restore)):
        url = BLOB if "backup" in op else FOLDER
        poller = ctx.lro(f"{op}_original", lambda b=begin, u=url: b(u, sas_token=SAS, _polling_interval=0))
        if poller is not None:
            tokens[op] = poller.continuation_token()
    for op, token in tokens.items():
        begin = getattr(client, "begin_" + op)
        ctx.lro(f"{op}_resumed_finished_wait", lambda b=begin, t=token: b(BLOB, continuation_token=t,
                                                                           _polling_interval=0), finish="wait")
    for op, kind in (("backup", "backup"), ("restore", "restore"), ("pre_backup", "backup"),
                     ("pre_restore", "restore")):
        job = f"resume{op.replace('_', '')}"
        service.jobs[job] = ["InProgress", "InProgress", "Succeeded"]
        begin = getattr(client, "begin_" + op)
        token = token_for(f"/{kind}/{job}/pending")
        ctx.lro(f"{op}_resumed_in_progress", lambda b=begin, t=token: b(None, continuation_token=t,
                                                                         _polling_interval=0))
    service.jobs["restorejob"] = ["InProgress", "Succeeded"]
    ctx.lro("restore_token_to_backup", lambda: client.begin_backup(
        BLOB, continuation_token=token_for("/restore/restorejob/pending"), _polling_interval=0))
    service.jobs["otherhost"] = ["InProgress", "Succeeded"]
    ctx.lro("token_other_host", lambda: client.begin_backup(
        BLOB, continuation_token=token_for("/backup/otherhost/pending", "other.managedhsm.azure.net"),
        _polling_interval=0))
    service.override("GET", r"/backup/bogus/pending", ERRORS["404"])
    ctx.lro("token_bogus_job", lambda: client.begin_backup(
        BLOB, continuation_token=token_for("/backup/bogus/pending"), _polling_interval=0))
    malformed = {"not_base64": "!!!", "not_ascii": base64.b64encode(b"\xff\xfe").decode(),
                 "short_path": token_for("/backup"), "empty": "", "none": None}
    for label, token in malformed.items():
        ctx.lro(f"malformed[{label}]", lambda t=token: client.begin_backup(BLOB, sas_token=SAS, continuation_token=t,
                                                                           _polling_interval=0))
        ctx.lro(f"malformed_restore[{label}]", lambda t=token: client.begin_restore(
            FOLDER, sas_token=SAS, continuation_token=t, _polling_interval=0))


@scenario("backup_resumed_finished_result")
def _backup_resumed_finished_result(ctx: Context) -> None:
    """Deliberate deviation: ours returns the result of a finished rehydrated poller, the official raises."""
    client = ctx.client("backup")
    for op, kind in (("backup", "backup"), ("restore", "restore")):
        ctx.service.jobs[f"done{op}"] = ["Succeeded"]
        token = token_for(f"/{kind}/done{op}/pending")
        ctx.lro(f"{op}_resumed_finished_result", lambda o=op, t=token: getattr(client, "begin_" + o)(
            BLOB, continuation_token=t, _polling_interval=0))


@scenario("backup_polling_interval")
def _backup_polling_interval(ctx: Context) -> None:
    """Deliberate deviation: ours honours the public ``polling_interval``; the official forwards it to the transport."""
    client = ctx.client("backup")
    ctx.lro("backup_polling_interval", lambda: client.begin_backup(BLOB, sas_token=SAS, polling_interval=0))


@scenario("backup_polling_keyword")
def _backup_polling_keyword(ctx: Context) -> None:
    """Deviation kept by design: ours accepts ``polling=`` (documented on the client); the official raises TypeError."""
    client = ctx.client("backup")
    ctx.lro("backup_polling_true", lambda: client.begin_backup(BLOB, sas_token=SAS, polling=True,
                                                               _polling_interval=0))


@scenario("backup_version_gate")
def _backup_version_gate(ctx: Context) -> None:
    for version in ("7.2", "7.5", "7.6", "7.6-preview.2", "2025-06-01-preview", "2025-07-01", "2026-01-01-preview",
                    "bogus"):
        client = ctx.client("backup", api_version=version)
        ctx.lro(f"pre_backup@{version}", lambda c=client: c.begin_pre_backup(BLOB, sas_token=SAS,
                                                                              _polling_interval=0))
        ctx.lro(f"pre_restore@{version}", lambda c=client: c.begin_pre_restore(FOLDER, sas_token=SAS,
                                                                                _polling_interval=0))
        token = token_for("/backup/gatejob/pending")
        ctx.service.jobs["gatejob"] = ["Succeeded"]
        ctx.lro(f"pre_backup_token@{version}", lambda c=client, t=token: c.begin_pre_backup(
            BLOB, continuation_token=t, _polling_interval=0), finish="wait")


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: shared client behaviour


@scenario("client_options")
def _client_options(ctx: Context) -> None:
    rbac = ctx.client("rbac", user_agent="app/1", headers={"x-client": "c"})
    ctx.step("user_agent_and_client_headers", lambda: rbac.get_role_definition("/", DEF_ID))
    ctx.step("per_call_headers", lambda: rbac.get_role_definition("/", DEF_ID, headers={"x-call": "1"}))
    ctx.step("per_call_user_agent", lambda: rbac.get_role_definition("/", DEF_ID, user_agent="call/2"))
    ctx.step("per_call_user_agent_overwrite", lambda: rbac.get_role_definition(
        "/", DEF_ID, user_agent="call/3", user_agent_overwrite=True))
    settings = ctx.client("settings", user_agent="app/2")
    ctx.step("settings_user_agent", lambda: settings.get_setting("n"))
    backup = ctx.client("backup", headers={"x-client": "b"})
    ctx.lro("backup_client_headers", lambda: backup.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    trailing = ctx.client("rbac", url=" https://MyHsm.managedhsm.azure.net// ")
    ctx.step("vault_url_normalised", lambda: trailing.vault_url)
    ctx.step("vault_url_case_request", lambda: trailing.get_role_assignment("/", ASSIGN_ID))
    with_path = ctx.client("settings", url="https://myhsm.managedhsm.azure.net/path/")
    ctx.step("vault_url_with_path", lambda: (with_path.vault_url, with_path.get_setting("n").name))
    with_port = ctx.client("settings", url="https://myhsm.managedhsm.azure.net:443")
    ctx.step("vault_url_port_443", lambda: with_port.get_setting("n").name)
    ctx.step("none_api_version", lambda: ctx.client("settings", api_version="", retry_total=0).get_setting("n"))


@scenario("client_construction")
def _client_construction(ctx: Context) -> None:
    for kind in ("rbac", "backup", "settings"):
        ctx.step(f"{kind}_no_credential", lambda k=kind: ctx.client(k, credential=None))
        ctx.step(f"{kind}_empty_url", lambda k=kind: ctx.client(k, url=""))
        ctx.step(f"{kind}_none_url_and_credential", lambda k=kind: ctx.client(k, url=None, credential=None))
        ctx.step(f"{kind}_object_credential", lambda k=kind: ctx.client(k, credential=object()).vault_url)
    http = ctx.client("rbac", url="http://myhsm.managedhsm.azure.net")
    ctx.step("http_url", lambda: http.get_role_definition("/", DEF_ID))
    bare = ctx.client("settings", url="myhsm", retry_total=0)
    ctx.step("bare_url", lambda: bare.vault_url)
    ctx.step("api_version_none_attr", lambda: ctx.client("settings", explicit_none_version=True).api_version)
    explicit_none = ctx.client("settings", explicit_none_version=True, retry_total=0)
    ctx.step("api_version_none_request", lambda: explicit_none.get_setting("n"))


@scenario("keyword_forms")
def _keyword_forms(ctx: Context) -> None:
    rbac = ctx.client("rbac")
    ctx.step("get_definition_keywords", lambda: rbac.get_role_definition(scope="/", name=DEF_ID))
    ctx.step("get_assignment_keywords", lambda: rbac.get_role_assignment(scope="/keys", name=ASSIGN_ID))
    ctx.step("delete_definition_keywords", lambda: rbac.delete_role_definition(scope="/", name=DEF_ID))
    ctx.step("create_assignment_keywords", lambda: rbac.create_role_assignment(
        scope="/", definition_id=FULL_DEF_ID, principal_id=PRINCIPAL, name=ASSIGN_ID))
    ctx.step("list_assignments_headers", lambda: list(rbac.list_role_assignments("/", headers={"x-h": "1"})))
    ctx.step("list_definitions_scope_keyword", lambda: list(rbac.list_role_definitions(scope="/keys")))
    ctx.step("set_definition_positional_name", lambda: rbac.set_role_definition("/", DEF_ID))
    settings = ctx.client("settings")
    ctx.step("get_setting_keyword", lambda: settings.get_setting(name="n"))
    ctx.step("update_setting_keyword", lambda: settings.update_setting(setting=KeyVaultSetting("n", False)))
    ctx.step("update_setting_headers", lambda: settings.update_setting(KeyVaultSetting("n", False),
                                                                       headers={"x-h": "2"}))
    backup = ctx.client("backup")
    ctx.lro("backup_keyword_url", lambda: backup.begin_backup(blob_storage_url=BLOB, sas_token=SAS,
                                                              _polling_interval=0))
    ctx.lro("restore_keyword_url", lambda: backup.begin_restore(folder_url=FOLDER, sas_token=SAS,
                                                                _polling_interval=0))
    none_version = ctx.client("settings", api_version=None)
    none_version_client = ctx.client("rbac", retry_total=0)
    ctx.step("api_version_none_request", lambda: (none_version.get_setting("n").name,
                                                  none_version_client.get_role_definition("/", DEF_ID).name))


@scenario("auth_flows")
def _auth_flows(ctx: Context) -> None:
    first = ctx.client("rbac", credential=ctx.credential(token_info=True))
    ctx.step("token_info_first_request", lambda: first.get_role_definition("/", DEF_ID))
    ctx.step("token_info_second_request", lambda: first.get_role_definition("/", DEF_ID))
    second = ctx.client("settings")
    ctx.step("second_client_cached_challenge", lambda: second.get_setting("n"))
    ctx.step("second_client_again", lambda: second.update_setting(KeyVaultSetting("n", True)))
    backup = ctx.client("backup")
    ctx.lro("third_client_backup", lambda: backup.begin_backup(BLOB, sas_token=SAS, _polling_interval=0))
    ctx.service.override("GET", r"/settings/.*", (401, {"WWW-Authenticate": 'Bearer authorization="https://login.'
                                                  f'microsoftonline.com/{TENANT}", resource="https://managedhsm.'
                                                  'azure.net", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ"',
                                                  "Content-Type": JSON_CT}, b""))
    ctx.step("cae_claims_challenge", lambda: second.get_setting("n"))
    ctx.service.override("GET", r"/settings/.*", error(401, "Unauthorized", "nope"))
    ctx.step("401_without_challenge", lambda: second.get_setting("n"))
    ctx.step("after_401_reprobe", lambda: second.get_setting("n"))


@scenario("auth_challenge_variants")
def _auth_challenge_variants(ctx: Context) -> None:
    client = ctx.client("rbac", url="https://myhsm.vault.azure.net")
    ctx.step("resource_mismatch", lambda: client.get_role_definition("/", DEF_ID))
    unverified = ctx.client("rbac", url="https://myhsm.vault.azure.net", verify_challenge_resource=False)
    ctx.step("resource_mismatch_unverified", lambda: unverified.get_role_definition("/", DEF_ID))
    backslash = ctx.client("rbac", url="https://myhsm.managedhsm.azure.net\\evil.com")
    ctx.step("backslash_authority", lambda: backslash.get_role_definition("/", DEF_ID))


@scenario("auth_adfs_and_scope")
def _auth_adfs(ctx: Context) -> None:
    adfs = ('Bearer authorization="https://login.contoso.com/adfs", '
            'scope="https://managedhsm.azure.net/custom.scope"')
    ctx.service.auth_probe = False
    ctx.service.override("GET", r"/settings/.*", (401, {"WWW-Authenticate": adfs, "Content-Type": JSON_CT}, b""))
    client = ctx.client("settings")
    ctx.step("adfs_scope_challenge", lambda: client.get_setting("n"))
    info = ctx.client("settings", url="https://other.managedhsm.azure.net", credential=ctx.credential(True))
    ctx.service.override("GET", r"/settings/.*", (401, {"WWW-Authenticate": adfs, "Content-Type": JSON_CT}, b""))
    ctx.step("adfs_token_info", lambda: info.get_setting("n"))


@scenario("send_request")
def _send_request(ctx: Context) -> None:
    for kind in ("rbac", "backup", "settings"):
        client = ctx.client(kind, api_version="7.5" if kind == "settings" else None)
        requests: dict[str, HttpRequest] = {
            "relative_slash": HttpRequest("GET", "/custom?a=b"),
            "relative_bare": HttpRequest("GET", "custom"),
            "absolute": HttpRequest("GET", f"{VAULT}/custom/abs?z=1"),
            "explicit_api_version": HttpRequest("GET", "/x?api-version=1.0&b=2"),
            "post_json": HttpRequest("POST", "/custom/post", json={"b": 1, "a": [True, None]}),
            "params": HttpRequest("GET", "/custom/p", params={"q": "a b"}),
            "error_status": HttpRequest("GET", "/nothing-here"),
        }
        for label, request in requests.items():
            ctx.step(f"{kind}.{label}", lambda r=request, c=client: describe_response(c.send_request(r)))
            ctx.step(f"{kind}.{label}.request_unchanged", lambda r=request: r.url)
        ctx.step(f"{kind}.stream", lambda c=client: c.send_request(HttpRequest("GET", "/custom/s"),
                                                                   stream=True).status_code)
        ctx.step(f"{kind}.kwargs_headers", lambda c=client: describe_response(c.send_request(
            HttpRequest("GET", "/custom/h"), headers={"x-extra": "1"})))


@scenario("models")
def _models(ctx: Context) -> None:
    ctx.step("setting_bool", lambda: KeyVaultSetting("n", True))
    ctx.step("setting_none", lambda: KeyVaultSetting("n", None))
    ctx.step("setting_upper_boolean", lambda: KeyVaultSetting("n", "TRUE", "BOOLEAN"))
    ctx.step("setting_other_type", lambda: KeyVaultSetting("n", "V", 3))
    ctx.step("setting_getboolean", lambda: KeyVaultSetting("n", "true", KeyVaultSettingType.BOOLEAN).getboolean())
    ctx.step("setting_getboolean_untyped", lambda: KeyVaultSetting("n", "true").getboolean())
    ctx.step("setting_extra_kwargs", lambda: KeyVaultSetting(name="n", value="v", extra=1))
    ctx.step("permission", lambda: KeyVaultPermission(actions=["a"]))
    ctx.step("assignment_type_ignored", lambda: admin.KeyVaultRoleAssignment(
        name="n", role_assignment_id="i", assignment_type="t", type="ignored"))
    ctx.step("assignment_properties_repr", lambda: repr(admin.KeyVaultRoleAssignmentProperties(
        principal_id="p" * 2000, scope=KeyVaultRoleScope.KEYS)))
    ctx.step("definition", lambda: admin.KeyVaultRoleDefinition(id="i", role_name="r"))
    ctx.step("backup_result", lambda: admin.KeyVaultBackupResult(folder_url="f"))
    ctx.step("enums", lambda: [list(ApiVersion), list(KeyVaultRoleScope), list(KeyVaultSettingType),
                               len(list(KeyVaultDataAction)), KeyVaultRoleScope["global"], ApiVersion.v7_5])
    ctx.step("version", lambda: (admin.__version__, admin.VERSION, sorted(admin.__all__), sorted(admin_aio.__all__)))


# ---------------------------------------------------------------------------------------------------------------
# Running and masking

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
USER_AGENT_PLATFORM = re.compile(r"Python/[0-9][^ ]* \([^)]*\)")
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def mask(text: str) -> str:
    mapping: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        return mapping.setdefault(match.group(0), f"<uuid4-{len(mapping) + 1}>")

    text = UUID4.sub(placeholder, text)
    text = USER_AGENT_PLATFORM.sub("Python/<version> (<platform>)", text)
    return ADDRESS.sub(" at 0x<address>", text)


def run(name: str, function: Callable[[Context], None], mode: str) -> Any:
    HttpChallengeCache.clear()
    ctx = Context(mode)
    try:
        function(ctx)
        crashed = None
    except Exception:
        crashed = traceback.format_exc()
    finally:
        if ctx.loop is not None:
            ctx.loop.close()
    return json.loads(mask(json.dumps({"steps": ctx.steps, "scenario_crashed": crashed})))


def main(argv: list[str]) -> None:
    output, prefixes = argv[1], argv[2:]
    trace: dict[str, Any] = {"package_file": admin.__file__}
    for name, function in SCENARIOS:
        if prefixes and not any(name.startswith(prefix) for prefix in prefixes):
            continue
        for mode in ("sync", "async"):
            trace[f"{mode}:{name}"] = run(name, function, mode)
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(trace, handle, indent=1, sort_keys=False)


if __name__ == "__main__":
    main(sys.argv)
