"""EKM wire-parity scenarios: every ``KeyVaultEkmClient`` method through a capturing fake transport, as a JSON trace.

The EKM twin of ``parity_scenarios.py`` (whose transports, credentials, async adapter and outcome descriptions it
reuses): it runs with whichever ``azure.keyvault.administration`` the interpreter imports (ours in ``.venv``, the
official 4.8.0b3 in ``.venv-official-48``), and ``tests/official/test_ekm_wire_parity.py`` compares the two traces
scenario by scenario. Usage: ``python ekm_parity_scenarios.py OUTPUT.json [SCENARIO_PREFIX ...]``.

The fake Managed HSM keeps one EKM connection and a set of private endpoints, runs private-endpoint jobs through a
scripted list of statuses and answers everything else with canned JSON modelled on EKM.md section 6.4. Transport
``sleep`` calls are recorded instead of slept, so the delays a poller asks for (``Retry-After``,
``polling_interval``) are part of the trace and no scenario waits. Continuation tokens (base64 JSON) are decoded
and their volatile request id masked.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import parity_scenarios as base
from azure.core.polling import NoPolling
from azure.core.polling.base_polling import LROBasePolling, OperationResourcePolling
from azure.core.rest import HttpRequest

import azure.keyvault.administration as admin
import azure.keyvault.administration.aio as admin_aio

VAULT = base.VAULT
HOST = base.HOST
JSON_CT = base.JSON_CT
START, END = 1767225600, 1767225660
PLS = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/privateLinkServices/ekm-pls"
CERT1 = base64.b64encode(b"0\x82\x03]fake-der-root-\xff\xfe\xfd").decode()
CERT2 = base64.b64encode(b"0\x82\x02\x01fake-der-intermediate").decode()
CLIENT_CA = base64.b64encode(b"0\x82\x04\x00client-ca").decode()
PROXY_INFO = {"api_version": "0.1-preview", "proxy_vendor": "Contoso Technologies", "proxy_name": "Contoso EKM Proxy "
              "v2.5.1", "ekm_vendor": "Contoso HSM Solutions", "ekm_product": "Contoso Enterprise HSM v3.2.0"}
PREVIEWS = ["2026-01-01-preview", "2026-03-01-preview", "2026-05-01-preview", "2026-07-01-preview"]
REQUEST_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

Answer = tuple[int, dict[str, str], bytes]
_json = base._json
error = base.error


def connection_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"host": "ekm-proxy.contoso.com", "path_prefix": "/api/v1",
                            "server_ca_certificates": [CERT1, CERT2]}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not _DROP}


def private_endpoint_json(name: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "location": "eastus", "provisioningState": "Succeeded",
        "properties": {"privateLinkServiceId": PLS, "privateLinkServiceConnectionName": f"{name}-conn-0001"},
        "privateLinkServiceConnectionState": {"status": "Approved", "description": "Approved by owner",
                                              "actionsRequired": "None"},
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not _DROP}


_DROP = object()


class EkmService(base.FakeService):
    """The fake HSM's EKM routes on top of the shared fake (whose challenge, overrides and other routes apply)."""

    def __init__(self) -> None:
        super().__init__()
        self.connection: Optional[dict[str, Any]] = None
        self.echo = True
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.pe_jobs: dict[str, dict[str, Any]] = {}
        self.pe_plan: list[str] = ["Running", "Succeeded"]
        self.pe_failure: Optional[dict[str, Any]] = {"code": "PrivateEndpointCreationFailed", "message": "denied"}
        self.pe_initial_headers: dict[str, str] = {"Retry-After": "10"}
        self.pe_status_headers: dict[str, str] = {}
        self.pe_status_url: Callable[[str, str], str] = (
            lambda job, version: f"{VAULT}/ekm/privateendpoint/operations/{job}?api-version={version}")
        self.location = False
        self.final_extra: dict[str, Any] = {}
        self.last_job = ""

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        version = (query.get("api-version") or [""])[0]
        if path == "/ekm":
            return self._connection(method, body)
        if path == "/ekm/create" and method == "POST":
            if self.connection is not None:
                return error(409, "Conflict", "An EKM connection already exists")
            sent = json.loads(body or b"{}")
            self.connection = sent
            return _json(200, sent if self.echo else connection_json())
        if path == "/ekm/certificate" and method == "GET":
            return _json(200, {"ca_certificates": [CLIENT_CA],
                               "subject_common_name": "myhsm.managedhsmclient.azure.net"})
        if path == "/ekm/check" and method == "POST":
            return _json(200, PROXY_INFO)
        if path == "/ekm/privateendpoint" and method == "GET":
            return _json(200, {"value": [self.endpoints[name] for name in sorted(self.endpoints)]})
        job = re.fullmatch(r"/ekm/privateendpoint/operations/(?P<job>.+)", path)
        if job and method == "GET":
            return self._job_status(job["job"])
        endpoint = re.fullmatch(r"/ekm/privateendpoint/(?P<name>.*)", path)
        if endpoint:
            return self._endpoint(method, endpoint["name"], body, version)
        return super().route(method, path, query, body)

    def _connection(self, method: str, body: bytes) -> Answer:
        if self.connection is None:
            return error(404, "NotFound", "no ekm connection")
        if method == "GET":
            return _json(200, self.connection)
        if method == "PATCH":
            self.connection = json.loads(body or b"{}")
            return _json(200, self.connection if self.echo else connection_json(host="ekm-proxy-updated.contoso.com"))
        if method == "DELETE":
            deleted, self.connection = self.connection, None
            return _json(200, deleted)
        return error(405, "MethodNotAllowed", method)

    def _endpoint(self, method: str, name: str, body: bytes, version: str) -> Answer:
        if method == "GET":
            if name not in self.endpoints:
                return error(404, "NotFound", f"private endpoint {name} not found")
            return _json(200, self.endpoints[name])
        if method not in ("POST", "DELETE"):
            return error(405, "MethodNotAllowed", method)
        self.job_counter += 1
        job = f"pejob{self.job_counter:02d}"
        self.last_job = job
        kind = "Create" if method == "POST" else "Delete"
        self.pe_jobs[job] = {"name": name, "type": kind, "plan": list(self.pe_plan),
                             "sent": json.loads(body) if body else None}
        headers = {"Azure-AsyncOperation": self.pe_status_url(job, version), **self.pe_initial_headers}
        if self.location:
            headers["Location"] = f"{VAULT}/ekm/privateendpoint/{name}"
        return _json(202, {"jobId": job, "privateEndpointName": name, "operationType": kind, "status": "NotStarted"},
                     headers)

    def _job_status(self, job: str) -> Answer:
        if job not in self.pe_jobs:
            return error(404, "NotFound", f"no job {job}")
        state = self.pe_jobs[job]
        plan = state["plan"]
        current = plan.pop(0) if len(plan) > 1 else plan[0]
        body: dict[str, Any] = {"jobId": job, "privateEndpointName": state["name"], "operationType": state["type"],
                                "status": current, "statusDetails": f"{state['type']} is {current}",
                                "startTime": START, "endTime": None, "error": None}
        if current.lower() in ("succeeded", "failed", "canceled"):
            body["endTime"] = END + 0.25
        if current.lower() in ("failed", "canceled"):
            body["error"] = self.pe_failure
        if current.lower() == "succeeded":
            if state["type"] == "Create":
                sent = state["sent"] or {}
                self.endpoints[state["name"]] = private_endpoint_json(
                    state["name"], properties={"privateLinkServiceId": sent.get("privateLinkServiceId"),
                                               "privateLinkServiceConnectionName": f"{state['name']}-conn"})
            else:
                self.endpoints.pop(state["name"], None)
            body.update(self.final_extra)
        if current == "NoStatus":
            del body["status"]
        return _json(200, body, self.pe_status_headers)


# ---------------------------------------------------------------------------------------------------------------
# Recording: sleeps instead of sleeping, readable continuation tokens, bytes and datetimes in outcomes


class SleepRecorder(base.Recorder):
    def __init__(self, service: EkmService) -> None:
        super().__init__(service)
        self.sleeps: list[float] = []


class CapturingTransport(base.CapturingTransport):
    def sleep(self, duration: float) -> None:
        self.recorder.sleeps.append(duration)


class AsyncCapturingTransport(base.AsyncCapturingTransport):
    async def sleep(self, duration: float) -> None:
        self.recorder.sleeps.append(duration)


_base_describe = base.describe


def describe(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {type(value).__name__: base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat(), "tzinfo": repr(value.tzinfo)}
    return _base_describe(value)


base.describe = describe  # the shared describer recurses through the module global


def _mask_request_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: ("<request-id>" if key.lower() == "x-ms-client-request-id" else _mask_request_ids(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_request_ids(item) for item in value]
    return value


def readable_token(token: Any) -> Any:
    """A continuation token as the JSON it encodes (request id masked, body decoded), or as it is."""
    if not isinstance(token, str):
        return token
    try:
        decoded = json.loads(base64.b64decode(token))
    except ValueError:
        return {"undecodable_token": token}
    response = (decoded.get("data") or {}).get("response") if isinstance(decoded, dict) else None
    if isinstance(response, dict) and isinstance(response.get("content"), str):
        response["content"] = base64.b64decode(response["content"]).decode("utf-8", "replace")
    return {"token_json": _mask_request_ids(decoded)}


def _token_outcome(poller: Any) -> Any:
    try:
        return readable_token(poller.continuation_token())
    except Exception as err:  # e.g. azure-core's NoPolling cannot encode its initial response
        return {"token_raised": base.describe_error(err)}


class Context(base.Context):
    def __init__(self, mode: str) -> None:
        super().__init__(mode)
        self.service: EkmService = EkmService()
        self.recorder = SleepRecorder(self.service)
        self._sleeps_seen = 0

    def client(self, kind: str, *, url: str = VAULT, credential: Any = "default", api_version: Any = None,
               **kwargs: Any) -> Any:
        if credential == "default":
            credential = self.credential()
        if api_version is not None or kwargs.pop("explicit_none_version", False):
            kwargs["api_version"] = api_version
        module = admin if self.mode == "sync" else admin_aio
        transport = (CapturingTransport if self.mode == "sync" else AsyncCapturingTransport)(self.recorder)
        cls = getattr(module, {"ekm": "KeyVaultEkmClient", "rbac": "KeyVaultAccessControlClient",
                               "backup": "KeyVaultBackupClient", "settings": "KeyVaultSettingsClient"}[kind])
        client = cls(url, credential, transport=transport, **kwargs)
        return client if self.loop is None else base.AsyncAdapter(client, self.loop)

    def lro(self, name: str, begin: Callable[[], Any], finish: str = "result") -> Any:
        """As the shared ``lro``, with readable tokens (and a token that cannot be made recorded, not raised)."""
        outcome: dict[str, Any] = {}
        poller = None
        try:
            poller = begin()
            outcome["poller_type"] = type(getattr(poller, "_target", poller)).__name__
            outcome["token_at_start"] = _token_outcome(poller)
            outcome[finish] = describe(getattr(poller, finish)())
        except Exception as err:
            outcome["raised" if poller is None else f"{finish}_raised"] = base.describe_error(err)
        if poller is not None:
            outcome["status"] = poller.status()
            outcome["done"] = poller.done()
            outcome["token"] = _token_outcome(poller)
        self._record(name, outcome)
        return poller

    def token(self, poller: Any) -> Optional[str]:
        """The raw continuation token of a poller returned by :meth:`lro` (None if it failed to start)."""
        return None if poller is None else poller.continuation_token()

    def _record(self, name: str, outcome: Any) -> None:
        sleeps = self.recorder.sleeps[self._sleeps_seen:]
        self._sleeps_seen = len(self.recorder.sleeps)
        super()._record(name, {**outcome, "sleeps": sleeps})


SCENARIOS: list[tuple[str, Callable[[Context], None]]] = []


def scenario(name: str) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    def register(function: Callable[[Context], None]) -> Callable[[Context], None]:
        SCENARIOS.append((name, function))
        return function
    return register


def connection(**kwargs: Any) -> Any:
    arguments: dict[str, Any] = {"host": "ekm-proxy.contoso.com", "server_ca_certificates": [base64.b64decode(CERT1)],
                                 "path_prefix": "/api/v1"}
    arguments.update(kwargs)
    return admin.KeyVaultEkmConnection(**arguments)


FAST = {"polling_interval": 0}


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: construction and defaults


@scenario("ekm_construction")
def _construction(ctx: Context) -> None:
    ctx.step("default_api_version", lambda: ctx.client("ekm").api_version)
    ctx.step("enum_api_version", lambda: ctx.client("ekm", api_version=admin.ApiVersion.V2026_01_01_PREVIEW)
             .api_version)
    ctx.step("string_api_version", lambda: ctx.client("ekm", api_version="2026-03-01-preview").api_version)
    ctx.step("no_credential", lambda: ctx.client("ekm", credential=None))
    ctx.step("empty_url", lambda: ctx.client("ekm", url=""))
    ctx.step("vault_url_normalised", lambda: ctx.client("ekm", url=" https://MyHsm.managedhsm.azure.net// ").vault_url)
    client = ctx.client("ekm", user_agent="app/1", headers={"x-client": "c"})
    ctx.step("default_request", lambda: client.get_ekm_certificate())
    ctx.step("per_call_headers", lambda: client.check_ekm_connection(headers={"x-call": "1"}))
    ctx.step("send_request_relative", lambda: base.describe_response(client.send_request(HttpRequest("GET", "/x"))))

    def context_manager() -> Any:
        with ctx.client("ekm") as managed:
            return managed.get_ekm_certificate()
    ctx.step("context_manager", context_manager)


@scenario("ekm_other_clients_default")
def _other_clients_default(ctx: Context) -> None:
    """Deliberate deviation: our access-control, backup and settings clients keep 2025-07-01 as their default."""
    for kind in ("rbac", "backup", "settings"):
        ctx.step(f"{kind}_api_version", lambda k=kind: ctx.client(k).api_version)
    ctx.step("settings_request", lambda: ctx.client("settings").get_setting("n").name)


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: connection operations


def _connection_flow(ctx: Context, api_version: Optional[str]) -> None:
    client = ctx.client("ekm", api_version=api_version)
    ctx.step("get_none", lambda: client.get_ekm_connection())
    ctx.step("update_none", lambda: client.update_ekm_connection(connection()))
    ctx.step("delete_none", lambda: client.delete_ekm_connection())
    ctx.step("certificate", lambda: client.get_ekm_certificate())
    ctx.step("create", lambda: client.create_ekm_connection(connection(server_subject_common_name="ekm.contoso.com")))
    ctx.step("create_again", lambda: client.create_ekm_connection(connection()))
    ctx.step("get", lambda: client.get_ekm_connection())
    ctx.step("check", lambda: client.check_ekm_connection())
    ctx.step("update", lambda: client.update_ekm_connection(connection(host="ekm-proxy-updated.contoso.com:8443",
                                                                       path_prefix="/api/v2")))
    ctx.step("delete", lambda: client.delete_ekm_connection())
    ctx.step("get_after_delete", lambda: client.get_ekm_connection())


for _version in [None, *PREVIEWS]:
    scenario(f"ekm_connection@{_version or 'default'}")(lambda ctx, v=_version: _connection_flow(ctx, v))


@scenario("ekm_connection_bodies")
def _connection_bodies(ctx: Context) -> None:
    client = ctx.client("ekm")
    ctx.service.echo = False
    variants: dict[str, Any] = {
        "minimal": admin.KeyVaultEkmConnection("h", [b"\xff\xfe"]),
        "positional_keyword": admin.KeyVaultEkmConnection(host="h", server_ca_certificates=[b"\x00"]),
        "all_members": connection(server_subject_common_name="ekm.contoso.com",
                                  connectivity_mode=admin.KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT),
        "mode_public_member": connection(connectivity_mode=admin.KeyVaultEkmConnectivityMode.PUBLIC),
        "mode_string": connection(connectivity_mode="PrivateEndpoint"),
        "mode_other_string": connection(connectivity_mode="somethingElse"),
        "cert_kinds": admin.KeyVaultEkmConnection("h", [b"\xfb\xff", bytearray(b"\x01\x02\x03"), "text-cert", 5,
                                                        None]),
        "cert_tuple": admin.KeyVaultEkmConnection("h", (b"a", b"bc")),  # type: ignore[arg-type]
        "no_certs": admin.KeyVaultEkmConnection("h", []),
        "none_certs": admin.KeyVaultEkmConnection("h", None),  # type: ignore[arg-type]
        "empty_strings": admin.KeyVaultEkmConnection("", [b""], path_prefix="", server_subject_common_name=""),
        "odd_host": admin.KeyVaultEkmConnection("a b/c?d=é", [b"x"], path_prefix="/p q"),
        "unicode": admin.KeyVaultEkmConnection("h", [b"x"], server_subject_common_name="ünï"),
    }
    for label, value in variants.items():
        ctx.service.connection = None
        ctx.step(f"create[{label}]", lambda v=value: client.create_ekm_connection(v))
        ctx.step(f"update[{label}]", lambda v=value: client.update_ekm_connection(v))
    ctx.service.connection = None
    ctx.step("create_keyword", lambda: client.create_ekm_connection(connection=connection()))
    ctx.step("update_keyword", lambda: client.update_ekm_connection(connection=connection()))
    ctx.step("create_headers", lambda: client.create_ekm_connection(connection(), headers={"x-h": "1"}))


@scenario("ekm_connection_bad_input")
def _connection_bad_input(ctx: Context) -> None:
    client = ctx.client("ekm")
    bad: dict[str, Any] = {"dict": {"host": "h", "server_ca_certificates": []}, "none": None, "string": "h",
                           "int": 3}
    for label, value in bad.items():
        ctx.step(f"create[{label}]", lambda v=value: client.create_ekm_connection(v))
        ctx.step(f"update[{label}]", lambda v=value: client.update_ekm_connection(v))
    ctx.step("create_wrong_keyword", lambda: client.create_ekm_connection(ekm_connection=connection()))
    ctx.step("update_missing_argument", lambda: client.update_ekm_connection())
    ctx.step("get_positional_extra", lambda: client.get_ekm_connection("x"))


@scenario("ekm_connection_responses")
def _connection_responses(ctx: Context) -> None:
    client = ctx.client("ekm", retry_total=0)
    service = ctx.service
    padded, unpadded = base64.b64encode(b"\xfb\xff\xfe\x01").decode(), base64.b64encode(b"\xfb\xff").decode()
    url_safe = base64.urlsafe_b64encode(b"\xfb\xff\xfe\x01").decode()
    shapes: dict[str, Any] = {
        "spec_get": {"host": "ekm-proxy.contoso.com", "path_prefix": "/api/v1", "server_ca_certificates": [
            "MIIDXTCCAkWgAwIBAgIJAKJ5cT5dQnCuMA0GCSqGSIb3DQEBCwUAMEUxA", "n8bjNWJ6h8vi7RzYKJGEc"]},
        "spec_delete": {"host": "ekm-proxy.contoso.com:8443", "path_prefix": "/api/v1",
                        "server_ca_certificates": [CERT1, CERT2]},
        "go_mock": {"host": "ekm-proxy.example.com:443", "path_prefix": "/v1",
                    "server_subject_common_name": "ekm-proxy.example.com",
                    "server_ca_certificates": [base64.b64encode(b"azure-ekm-test-ca-bytes").decode()]},
        "private_endpoint": connection_json(host="ekm-proxy-pe", server_subject_common_name="ekm.contoso.com",
                                            connectivity_mode="PrivateEndpoint"),
        "mode_public": connection_json(connectivity_mode="Public"),
        "mode_lowercase": connection_json(connectivity_mode="public"),
        "mode_unknown": connection_json(connectivity_mode="Tunnel"),
        "mode_null": connection_json(connectivity_mode=None),
        "cert_padded": connection_json(server_ca_certificates=[padded]),
        "cert_unpadded": connection_json(server_ca_certificates=[unpadded.rstrip("=")]),
        "cert_url_safe": connection_json(server_ca_certificates=[url_safe]),
        "cert_url_safe_unpadded": connection_json(server_ca_certificates=[url_safe.rstrip("=")]),
        "cert_not_base64": connection_json(server_ca_certificates=["!!!"]),
        "cert_mixed_alphabets": connection_json(server_ca_certificates=["+/-_"]),
        "cert_null_item": connection_json(server_ca_certificates=[None, CERT1]),
        "cert_empty_string": connection_json(server_ca_certificates=[""]),
        "certs_null": connection_json(server_ca_certificates=None),
        "certs_missing": connection_json(server_ca_certificates=_DROP),
        "extra_keys": connection_json(unknown="x", connectivityMode="PrivateEndpoint"),
        "empty_object": {},
    }
    for label, body in shapes.items():
        service.override("GET", "/ekm", _json(200, body))
        ctx.step(f"get[{label}]", lambda: client.get_ekm_connection())
    service.override("GET", "/ekm", (200, {"Content-Type": JSON_CT}, b""))
    ctx.step("get[empty_body]", lambda: client.get_ekm_connection())
    service.override("GET", "/ekm", (200, {"Content-Type": JSON_CT}, b"not json"))
    ctx.step("get[not_json]", lambda: client.get_ekm_connection())
    certificates: dict[str, Any] = {
        "spec": {"ca_certificates": ["MIIDXTCCAkWg", "w8bjNWJ6h8vi"],
                 "subject_common_name": "Azure Key Vault EKM Client"},
        "go_mock": {"subject_common_name": "CN=hsm-client", "ca_certificates": [CLIENT_CA, url_safe]},
        "empty_object": {},
        "null_list": {"ca_certificates": None, "subject_common_name": "x"},
    }
    for label, body in certificates.items():
        service.override("GET", "/ekm/certificate", _json(200, body))
        ctx.step(f"certificate[{label}]", lambda: client.get_ekm_certificate())
    checks: dict[str, Any] = {"spec": {"api_version": "1.0.0", **{k: v for k, v in PROXY_INFO.items()
                                                                  if k != "api_version"}},
                              "empty_object": {}, "partial": {"proxy_name": "p", "extra": 1}}
    for label, body in checks.items():
        service.override("POST", "/ekm/check", _json(200, body))
        ctx.step(f"check[{label}]", lambda: client.check_ekm_connection())
    service.connection = connection_json()
    service.override("DELETE", "/ekm", _json(200, {"host": "ekm-proxy.contoso.com:8443", "path_prefix": "/api/v1",
                                                   "server_ca_certificates": [CERT1]}))
    ctx.step("delete[spec]", lambda: client.delete_ekm_connection())


ERRORS: dict[str, Answer] = {
    "400": error(400, "BadParameter", "host is invalid"),
    "401_no_challenge": error(401, "Unauthorized", "no"),
    "403": error(403, "Forbidden", "Caller is not authorized to perform action on resource",
                 {"code": "ForbiddenByRbac", "message": "needs ekm/read"}),
    "404": error(404, "NotFound", "no ekm connection"),
    "409": error(409, "Conflict", "already exists"),
    "304": (304, {}, b""),
    "500": error(500, "InternalError", "boom"),
    "502": error(502, "BadGateway", "EKM proxy unreachable"),
    "204": (204, {}, b""),
    "201": _json(201, connection_json()),
    "text_plain": (400, {"Content-Type": "text/plain"}, b"Bad things"),
    "json_not_error": _json(400, {"message": "not an error object"}),
}


@scenario("ekm_errors")
def _errors(ctx: Context) -> None:
    client = ctx.client("ekm", retry_total=0)
    service = ctx.service
    service.connection = connection_json()
    operations: dict[str, tuple[str, str, Callable[[], Any]]] = {
        "get_ekm_connection": ("GET", "/ekm", client.get_ekm_connection),
        "create_ekm_connection": ("POST", "/ekm/create", lambda: client.create_ekm_connection(connection())),
        "update_ekm_connection": ("PATCH", "/ekm", lambda: client.update_ekm_connection(connection())),
        "delete_ekm_connection": ("DELETE", "/ekm", client.delete_ekm_connection),
        "get_ekm_certificate": ("GET", "/ekm/certificate", client.get_ekm_certificate),
        "check_ekm_connection": ("POST", "/ekm/check", client.check_ekm_connection),
        "get_ekm_private_endpoint": ("GET", "/ekm/privateendpoint/pe1", lambda: client.get_ekm_private_endpoint("pe1")),
        "list_ekm_private_endpoints": ("GET", "/ekm/privateendpoint",
                                       lambda: list(client.list_ekm_private_endpoints())),
        "get_ekm_private_endpoint_operation_status": (
            "GET", "/ekm/privateendpoint/operations/j1",
            lambda: client.get_ekm_private_endpoint_operation_status("j1")),
    }
    for operation, (method, path, call) in operations.items():
        for label, answer in ERRORS.items():
            # Every step probes afresh: how a 401 without a challenge affects the challenge cache is the
            # authentication policy's business (tests/internal), not this scenario's.
            base.HttpChallengeCache.clear()
            service.override(method, re.escape(path), answer)
            ctx.step(f"{operation}[{label}]", call)
    service.override("GET", "/ekm", (503, {"Content-Type": JSON_CT, "Retry-After": "3"},
                                     json.dumps({"error": {"code": "Busy", "message": "later"}}).encode()))
    retrying = ctx.client("ekm", retry_total=1)
    ctx.step("retry_after_503", lambda: retrying.get_ekm_connection())


@scenario("ekm_auth")
def _auth(ctx: Context) -> None:
    client = ctx.client("ekm")
    ctx.step("create_first_request_probes", lambda: client.create_ekm_connection(connection()))
    ctx.service.override("GET", "/ekm", (401, {"WWW-Authenticate": base.CHALLENGE, "Content-Type": JSON_CT}, b""))
    ctx.step("challenged_get_resends_itself", lambda: client.get_ekm_connection())
    other = ctx.client("ekm", url="https://myhsm.vault.azure.net")
    ctx.step("resource_mismatch", lambda: other.get_ekm_connection())


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: api-version gates


GATE_VERSIONS = ["2025-07-01", "7.6", "7.2", "2027-01-01", "2026-07-01-PREVIEW", "2026-01-01-preview",
                 "2026-03-01-preview", "2026-05-01-preview", "2026-02-01-preview", "", "bogus"]


def _gate_calls(client: Any) -> dict[str, Callable[[], Any]]:
    return {
        "get_ekm_connection": client.get_ekm_connection,
        "create_ekm_connection": lambda: client.create_ekm_connection(connection()),
        "update_ekm_connection": lambda: client.update_ekm_connection(connection()),
        "delete_ekm_connection": client.delete_ekm_connection,
        "get_ekm_certificate": client.get_ekm_certificate,
        "check_ekm_connection": client.check_ekm_connection,
        "get_ekm_private_endpoint": lambda: client.get_ekm_private_endpoint("pe1"),
        "list_ekm_private_endpoints": lambda: list(client.list_ekm_private_endpoints()),
        "get_ekm_private_endpoint_operation_status": lambda: client.get_ekm_private_endpoint_operation_status("j"),
    }


@scenario("ekm_gates")
def _gates(ctx: Context) -> None:
    ctx.service.connection = connection_json()
    ctx.service.endpoints["pe1"] = private_endpoint_json("pe1")
    for version in [*GATE_VERSIONS, None]:
        client = ctx.client("ekm", api_version=version, explicit_none_version=version is None, retry_total=0)
        for name, call in _gate_calls(client).items():
            ctx.step(f"{name}@{version}", call)
            if name == "create_ekm_connection":
                ctx.service.connection = connection_json()
        ctx.lro(f"begin_create_ekm_private_endpoint@{version}",
                lambda c=client: c.begin_create_ekm_private_endpoint("pe2", PLS, **FAST))
        ctx.lro(f"begin_delete_ekm_private_endpoint@{version}",
                lambda c=client: c.begin_delete_ekm_private_endpoint("pe2", **FAST))
    enum_client = ctx.client("ekm", api_version=admin.ApiVersion.V2026_01_01_PREVIEW)
    ctx.step("get_private_endpoint@enum_2026_01", lambda: enum_client.get_ekm_private_endpoint("pe1"))
    ctx.step("get_connection@enum_2026_01", lambda: enum_client.get_ekm_connection())


@scenario("ekm_pre_operation_gate")
def _pre_operation_gate(ctx: Context) -> None:
    ctx.service.plan = ["Succeeded"]  # no waits: backup pollers of the two packages sleep differently
    for version in ["7.5", "7.6", "2025-07-01", *PREVIEWS, "2026-07-01-PREVIEW", "2027-01-01"]:
        client = ctx.client("backup", api_version=version)
        ctx.lro(f"pre_backup@{version}", lambda c=client: c.begin_pre_backup(base.BLOB, sas_token=base.SAS,
                                                                              _polling_interval=0))
        ctx.lro(f"pre_restore@{version}", lambda c=client: c.begin_pre_restore(base.FOLDER, sas_token=base.SAS,
                                                                                _polling_interval=0))


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: private endpoints


@scenario("ekm_private_endpoint_reads")
def _private_endpoint_reads(ctx: Context) -> None:
    client = ctx.client("ekm", retry_total=0)
    service = ctx.service
    ctx.step("list_empty", lambda: list(client.list_ekm_private_endpoints()))
    service.endpoints = {"pe-a": private_endpoint_json("pe-a"),
                         "pe-b": private_endpoint_json("pe-b", provisioningState="Updating",
                                                       privateLinkServiceConnectionState={"status": "Pending"})}
    ctx.step("list_two", lambda: list(client.list_ekm_private_endpoints()))
    ctx.step("list_by_page", lambda: [list(page) for page in client.list_ekm_private_endpoints().by_page()])
    ctx.step("list_headers", lambda: list(client.list_ekm_private_endpoints(headers={"x-h": "1"})))
    service.override("GET", "/ekm/privateendpoint", _json(200, {"value": [private_endpoint_json("p1")],
                                                               "nextLink": f"{VAULT}/ekm/privateendpoint?page=2"}))
    ctx.step("list_next_link_ignored", lambda: list(client.list_ekm_private_endpoints()))
    service.override("GET", "/ekm/privateendpoint", _json(200, {}))
    ctx.step("list_missing_value", lambda: list(client.list_ekm_private_endpoints()))
    service.override("GET", "/ekm/privateendpoint", _json(200, {"value": None}))
    ctx.step("list_null_value", lambda: list(client.list_ekm_private_endpoints()))
    shapes: dict[str, Any] = {
        "full": private_endpoint_json("pe-x"),
        "empty_properties": private_endpoint_json("pe-x", properties={}, privateLinkServiceConnectionState={}),
        "missing_nested": private_endpoint_json("pe-x", properties=_DROP, privateLinkServiceConnectionState=_DROP),
        "null_nested": private_endpoint_json("pe-x", properties=None, privateLinkServiceConnectionState=None),
        "status_lowercase": private_endpoint_json("pe-x", privateLinkServiceConnectionState={"status": "approved"}),
        "status_unknown": private_endpoint_json("pe-x", provisioningState="Creating",
                                                privateLinkServiceConnectionState={"status": "Revoked"}),
        "states": private_endpoint_json("pe-x", provisioningState="Deleting",
                                        privateLinkServiceConnectionState={"status": "Disconnected",
                                                                           "actionsRequired": "Recreate"}),
        "states_failed_rejected": private_endpoint_json(
            "pe-x", provisioningState="Failed", privateLinkServiceConnectionState={"status": "Rejected"}),
        "empty_object": {},
        "extra_keys": {**private_endpoint_json("pe-x"), "id": "/x", "provisioning_state": "Succeeded"},
    }
    for label, body in shapes.items():
        service.override("GET", "/ekm/privateendpoint/pe-x", _json(200, body))
        ctx.step(f"get[{label}]", lambda: client.get_ekm_private_endpoint("pe-x"))
    for label, name in {"quoted": "a b/c", "empty": "", "int": 5, "unicode": "pé"}.items():
        ctx.step(f"get_name[{label}]", lambda n=name: client.get_ekm_private_endpoint(n))
    ctx.step("get_name_none", lambda: client.get_ekm_private_endpoint(None))
    ctx.step("get_name_keyword", lambda: client.get_ekm_private_endpoint(name="pe-a"))
    operations: dict[str, Any] = {
        "not_started": {"jobId": "j1", "privateEndpointName": "pe", "operationType": "Create", "status": "NotStarted"},
        "succeeded_int_times": {"jobId": "j1", "privateEndpointName": "pe", "operationType": "Delete",
                                "status": "Succeeded", "statusDetails": "done", "startTime": START, "endTime": END,
                                "error": None},
        "float_times": {"jobId": "j1", "status": "Running", "startTime": START + 0.5, "endTime": None},
        "failed_with_error": {"jobId": "j1", "status": "Failed", "error": {
            "code": "Denied", "message": "PLS owner rejected", "innererror": {"code": "Inner", "message": "i"}}},
        "error_partial": {"jobId": "j1", "status": "Canceled", "error": {"message": "only a message"}},
        "status_lowercase": {"jobId": "j1", "status": "running", "operationType": "create"},
        "status_unknown": {"jobId": "j1", "status": "InProgress", "operationType": "Update"},
        "empty_object": {},
    }
    for label, body in operations.items():
        service.override("GET", "/ekm/privateendpoint/operations/j1", _json(200, body))
        ctx.step(f"operation_status[{label}]", lambda: client.get_ekm_private_endpoint_operation_status("j1"))
    ctx.step("operation_status_quoted", lambda: client.get_ekm_private_endpoint_operation_status("j/1 x"))
    ctx.step("operation_status_none", lambda: client.get_ekm_private_endpoint_operation_status(None))
    ctx.step("operation_status_keyword", lambda: client.get_ekm_private_endpoint_operation_status(job_id="zz"))


@scenario("ekm_private_endpoint_lro")
def _private_endpoint_lro(ctx: Context) -> None:
    client = ctx.client("ekm", retry_total=0)
    service = ctx.service
    ctx.lro("create", lambda: client.begin_create_ekm_private_endpoint("pe-1", PLS, request_message="Please approve",
                                                                       **FAST))
    ctx.step("get_created", lambda: client.get_ekm_private_endpoint("pe-1"))
    ctx.lro("create_without_message", lambda: client.begin_create_ekm_private_endpoint("pe-2", PLS, **FAST))
    ctx.lro("create_keywords", lambda: client.begin_create_ekm_private_endpoint(
        name="pe-3", private_link_service_id=PLS, request_message="", **FAST))
    ctx.lro("create_none_id", lambda: client.begin_create_ekm_private_endpoint("pe-4", None, **FAST))
    ctx.lro("create_quoted_name", lambda: client.begin_create_ekm_private_endpoint("a b/c", PLS, **FAST))
    ctx.lro("create_none_name", lambda: client.begin_create_ekm_private_endpoint(None, PLS, **FAST))
    ctx.lro("create_positional_message", lambda: client.begin_create_ekm_private_endpoint("pe", PLS, "msg", **FAST))
    ctx.lro("delete", lambda: client.begin_delete_ekm_private_endpoint("pe-1", **FAST))
    ctx.lro("delete_none_name", lambda: client.begin_delete_ekm_private_endpoint(None, **FAST))
    ctx.step("list_after", lambda: list(client.list_ekm_private_endpoints()))
    # Delays: the first poll is immediate; then Retry-After of the latest response, else polling_interval.
    service.pe_plan = ["Running", "Running", "Succeeded"]
    ctx.lro("interval_per_call", lambda: client.begin_create_ekm_private_endpoint("pe-5", PLS, polling_interval=3))
    ctx.lro("interval_default", lambda: client.begin_delete_ekm_private_endpoint("pe-5"))
    configured = ctx.client("ekm", polling_interval=2)
    ctx.lro("interval_client", lambda: configured.begin_create_ekm_private_endpoint("pe-6", PLS))
    ctx.lro("interval_client_overridden", lambda: configured.begin_delete_ekm_private_endpoint(
        "pe-6", polling_interval=0.5))
    service.pe_status_headers = {"Retry-After": "7"}
    ctx.lro("retry_after_on_status", lambda: client.begin_create_ekm_private_endpoint("pe-7", PLS, **FAST))
    service.pe_status_headers = {}
    service.pe_initial_headers = {}
    ctx.lro("no_retry_after", lambda: client.begin_delete_ekm_private_endpoint("pe-7", **FAST))
    service.pe_initial_headers = {"Retry-After": "10"}
    service.pe_plan = ["Running", "Succeeded"]
    ctx.lro("per_call_headers", lambda: client.begin_create_ekm_private_endpoint("pe-8", PLS, headers={"x-t": "1"},
                                                                                 **FAST))
    # Outcomes
    for plan, label in ((["Running", "Failed"], "failed"), (["Canceled"], "canceled"),
                        (["succeeded"], "lowercase_succeeded"), (["FAILED"], "uppercase_failed"),
                        (["InProgress", "Succeeded"], "unknown_then_succeeded"), (["NoStatus"], "no_status")):
        service.pe_plan = plan
        ctx.lro(f"create_{label}", lambda: client.begin_create_ekm_private_endpoint("pe-9", PLS, **FAST))
    service.pe_plan = ["Failed"]
    service.pe_failure = None
    ctx.lro("delete_failed_without_error", lambda: client.begin_delete_ekm_private_endpoint("pe-9", **FAST))
    service.pe_failure = {"code": "X", "message": "m"}
    service.pe_plan = ["Running", "Succeeded"]
    service.override("GET", "/ekm/privateendpoint/operations/.*", ERRORS["404"])
    ctx.lro("status_404", lambda: client.begin_create_ekm_private_endpoint("pe-10", PLS, **FAST))
    service.override("GET", "/ekm/privateendpoint/operations/.*", ERRORS["500"])
    ctx.lro("status_500", lambda: client.begin_delete_ekm_private_endpoint("pe-10", **FAST))
    service.override("GET", "/ekm/privateendpoint/operations/.*", (200, {"Content-Type": JSON_CT}, b""))
    ctx.lro("status_empty_body", lambda: client.begin_create_ekm_private_endpoint("pe-10", PLS, **FAST))
    service.override("POST", "/ekm/privateendpoint/pe-11", _json(200, {"jobId": "j", "status": "Succeeded"}))
    ctx.lro("initial_200", lambda: client.begin_create_ekm_private_endpoint("pe-11", PLS, **FAST))
    service.override("DELETE", "/ekm/privateendpoint/pe-11", ERRORS["409"])
    ctx.lro("initial_409", lambda: client.begin_delete_ekm_private_endpoint("pe-11", **FAST))
    service.override("POST", "/ekm/privateendpoint/pe-11", _json(202, {"jobId": "j", "status": "NotStarted"}))
    ctx.lro("initial_202_without_header", lambda: client.begin_create_ekm_private_endpoint("pe-11", PLS, **FAST))
    operation_location = {"Operation-Location": f"{VAULT}/ekm/privateendpoint/operations/j"}
    service.override("DELETE", "/ekm/privateendpoint/pe-11", _json(202, {"jobId": "j", "status": "NotStarted"},
                                                                   operation_location))
    ctx.lro("initial_202_operation_location_only", lambda: client.begin_delete_ekm_private_endpoint("pe-11", **FAST))
    # Status URLs are used as given
    service.pe_status_url = lambda job, version: f"{VAULT}/ekm/privateendpoint/operations/{job}"
    ctx.lro("status_url_without_api_version", lambda: client.begin_create_ekm_private_endpoint("pe-12", PLS, **FAST))
    service.pe_status_url = lambda job, version: (f"https://other.managedhsm.azure.net/ekm/privateendpoint/operations/"
                                                  f"{job}?api-version={version}")
    ctx.lro("status_url_other_host", lambda: client.begin_delete_ekm_private_endpoint("pe-12", **FAST))
    service.pe_status_url = lambda job, version: f"{VAULT}/ekm/privateendpoint/operations/{job}?api-version={version}"
    # Final GET of Location (create only) and resourceLocation
    service.location = True
    ctx.lro("create_with_location", lambda: client.begin_create_ekm_private_endpoint("pe-13", PLS, **FAST))
    ctx.lro("delete_with_location", lambda: client.begin_delete_ekm_private_endpoint("pe-13", **FAST))
    service.location = False
    service.final_extra = {"resourceLocation": f"{VAULT}/ekm/privateendpoint/pe-14"}
    ctx.lro("create_with_resource_location", lambda: client.begin_create_ekm_private_endpoint("pe-14", PLS, **FAST))
    service.final_extra = {}
    # polling=False and custom polling methods
    ctx.lro("create_no_polling", lambda: client.begin_create_ekm_private_endpoint("pe-15", PLS, polling=False))
    ctx.lro("delete_no_polling", lambda: client.begin_delete_ekm_private_endpoint("pe-15", polling=False))
    ctx.lro("create_polling_instance_no_polling", lambda: client.begin_create_ekm_private_endpoint(
        "pe-16", PLS, polling=NoPolling()))
    service.pe_plan = ["Succeeded"]
    ctx.lro("create_polling_instance_base", lambda: client.begin_create_ekm_private_endpoint(
        "pe-17", PLS, polling=_custom_polling(ctx, [OperationResourcePolling("azure-asyncoperation")])))
    ctx.lro("wait_then_done", lambda: client.begin_delete_ekm_private_endpoint("pe-17", **FAST), finish="wait")


def _custom_polling(ctx: Context, algorithms: list[Any]) -> Any:
    if ctx.mode == "sync":
        return LROBasePolling(0, lro_algorithms=algorithms)
    from azure.core.polling.async_base_polling import AsyncLROBasePolling
    return AsyncLROBasePolling(0, lro_algorithms=algorithms)


@scenario("ekm_private_endpoint_relative_status_url")
def _relative_status_url(ctx: Context) -> None:
    """Deliberate deviation: ours resolves a relative ``Azure-AsyncOperation`` URL against the vault URL."""
    client = ctx.client("ekm", retry_total=0)
    ctx.service.pe_status_url = lambda job, version: f"/ekm/privateendpoint/operations/{job}?api-version={version}"
    ctx.lro("relative_status_url", lambda: client.begin_create_ekm_private_endpoint("pe-r", PLS, **FAST))


@scenario("ekm_private_endpoint_continuation")
def _continuation(ctx: Context) -> None:
    """Deliberate deviation: ours resumes a private-endpoint operation from its continuation token."""
    client = ctx.client("ekm", retry_total=0)
    service = ctx.service
    for label, location, begin in (
            ("create", False, lambda: client.begin_create_ekm_private_endpoint("pe-c", PLS, **FAST)),
            ("create_location", True, lambda: client.begin_create_ekm_private_endpoint("pe-l", PLS, **FAST)),
            ("delete", True, lambda: client.begin_delete_ekm_private_endpoint("pe-c", **FAST))):
        service.location = location
        original = ctx.lro(f"{label}_original", begin)
        token = ctx.token(original)
        service.location = False
        # The job is (again) in progress when the token is used: resuming polls it to the end.
        service.pe_jobs[service.last_job]["plan"] = ["Running", "Succeeded"]
        resume = (client.begin_delete_ekm_private_endpoint if label == "delete"
                  else lambda *args, **kwargs: client.begin_create_ekm_private_endpoint(*args, "ignored", **kwargs))
        ctx.lro(f"{label}_resumed", lambda r=resume, t=token: r("ignored", continuation_token=t, **FAST))
        ctx.lro(f"{label}_resumed_finished", lambda r=resume, t=token: r("ignored", continuation_token=t, **FAST))


@scenario("ekm_private_endpoint_bad_tokens")
def _bad_tokens(ctx: Context) -> None:
    client = ctx.client("ekm", retry_total=0)
    for label, token in {"not_base64": "!!!", "not_json": base64.b64encode(b"{").decode(),
                         "json_without_data": base64.b64encode(b'{"version": 1}').decode(), "empty": ""}.items():
        ctx.lro(f"create[{label}]", lambda t=token: client.begin_create_ekm_private_endpoint(
            "pe", PLS, continuation_token=t, **FAST))


@scenario("ekm_private_endpoint_list_laziness")
def _list_laziness(ctx: Context) -> None:
    """Deliberate deviation: ours sends the list request on iteration, and each iteration sends it again."""
    client = ctx.client("ekm")
    ctx.service.endpoints = {"pe-a": private_endpoint_json("pe-a")}
    pager = ctx.step("call", lambda: client.list_ekm_private_endpoints())
    ctx.step("first_iteration", lambda: list(pager))
    ctx.step("second_iteration", lambda: list(pager))
    old = ctx.client("ekm", api_version="2026-01-01-preview")
    old_pager = ctx.step("gate_call", lambda: old.list_ekm_private_endpoints())
    ctx.step("gate_iteration", lambda: None if old_pager is None else list(old_pager))


# ---------------------------------------------------------------------------------------------------------------
# Scenarios: models, enums, exports


@scenario("ekm_models")
def _models(ctx: Context) -> None:
    ctx.step("connection_positional", lambda: admin.KeyVaultEkmConnection("h", [b"\x01"]))
    ctx.step("connection_all", lambda: connection(server_subject_common_name="cn",
                                                  connectivity_mode=admin.KeyVaultEkmConnectivityMode.PUBLIC))
    ctx.step("connection_identity", lambda: (lambda certs: admin.KeyVaultEkmConnection("h", certs)
                                             .server_ca_certificates is certs)([b"x"]))
    ctx.step("connection_third_positional", lambda: admin.KeyVaultEkmConnection("h", [], "/p"))  # type: ignore[misc]
    ctx.step("connection_missing", lambda: admin.KeyVaultEkmConnection("h"))  # type: ignore[call-arg]
    ctx.step("connection_unknown_keyword", lambda: admin.KeyVaultEkmConnection("h", [], bogus=1))  # type: ignore
    ctx.step("connection_long_host_repr", lambda: repr(admin.KeyVaultEkmConnection("h" * 2000, [])))
    ctx.step("proxy_info", lambda: admin.KeyVaultEkmProxyInfo(**PROXY_INFO, extra=1))
    ctx.step("proxy_info_empty", lambda: admin.KeyVaultEkmProxyInfo())
    ctx.step("certificate_info", lambda: admin.KeyVaultEkmProxyClientCertificateInfo(
        ca_certificates=[b"\x01"], subject_common_name="cn"))
    ctx.step("pe_properties", lambda: admin.KeyVaultEkmPrivateEndpointProperties(
        private_link_service_id=PLS, private_link_service_connection_name="c"))
    ctx.step("pe_state", lambda: admin.KeyVaultEkmPrivateEndpointConnectionState(
        status=admin.KeyVaultEkmPrivateEndpointConnectionStatus.APPROVED, description="d", actions_required="None"))
    ctx.step("pe_state_string", lambda: admin.KeyVaultEkmPrivateEndpointConnectionState(status="Approved"))
    ctx.step("pe", lambda: admin.KeyVaultEkmPrivateEndpoint(name="pe", location="eastus",
                                                            provisioning_state="Succeeded"))
    ctx.step("pe_empty", lambda: admin.KeyVaultEkmPrivateEndpoint())
    ctx.step("operation", lambda: admin.KeyVaultEkmPrivateEndpointOperation(
        job_id="j", private_endpoint_name="pe", status="Running", error_code="c", error_message="m"))
    ctx.step("operation_positional", lambda: admin.KeyVaultEkmPrivateEndpointOperation("j"))  # type: ignore[misc]
    ctx.step("reprs_long", lambda: [repr(admin.KeyVaultEkmPrivateEndpoint(name="n" * 1500)),
                                    repr(admin.KeyVaultEkmProxyInfo(proxy_name="p" * 1500))])
    ctx.step("writable", lambda: _set_attribute(admin.KeyVaultEkmProxyInfo(), "proxy_name", "new"))
    ctx.step("no_equality", lambda: admin.KeyVaultEkmProxyInfo() == admin.KeyVaultEkmProxyInfo())


def _set_attribute(model: Any, name: str, value: Any) -> Any:
    setattr(model, name, value)
    return model


@scenario("ekm_enums_and_exports")
def _enums_and_exports(ctx: Context) -> None:
    enums = ["KeyVaultEkmConnectivityMode", "KeyVaultEkmPrivateEndpointProvisioningState",
             "KeyVaultEkmPrivateEndpointConnectionStatus", "KeyVaultEkmPrivateEndpointOperationType",
             "KeyVaultEkmPrivateEndpointOperationStatus", "ApiVersion"]
    for name in enums:
        enum = getattr(admin, name)
        ctx.step(f"enum[{name}]", lambda e=enum: [list(e), [m.value for m in e], type(e).__name__,
                                                  [b.__name__ for b in e.__mro__[1:]]])
    ctx.step("enum_lookup", lambda: [admin.KeyVaultEkmConnectivityMode["private_endpoint"],
                                     admin.KeyVaultEkmPrivateEndpointOperationStatus("NotStarted"),
                                     admin.KeyVaultEkmConnectivityMode.PUBLIC == "Public",
                                     admin.ApiVersion["v2026_07_01_preview"]])
    ctx.step("version", lambda: (admin.__version__, admin.VERSION))  # type: ignore[attr-defined]
    ctx.step("all", lambda: (admin.__all__, admin_aio.__all__))
    ctx.step("model_modules", lambda: {name: getattr(admin, name).__module__ for name in admin.__all__
                                       if name.startswith("KeyVaultEkm")})
    ctx.step("aio_client_module", lambda: admin_aio.KeyVaultEkmClient.__module__)


# ---------------------------------------------------------------------------------------------------------------
# Running


def run(name: str, function: Callable[[Context], None], mode: str) -> Any:
    base.HttpChallengeCache.clear()
    ctx = Context(mode)
    try:
        function(ctx)
        crashed = None
    except Exception:
        import traceback
        crashed = traceback.format_exc()
    finally:
        if ctx.loop is not None:
            ctx.loop.close()
    return json.loads(base.mask(json.dumps({"steps": ctx.steps, "scenario_crashed": crashed})))


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

