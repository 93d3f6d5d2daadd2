"""A scripted in-memory Managed HSM for the EKM client tests, sync and async, without sockets.

``EkmHsm`` answers unauthenticated requests with the Key Vault challenge, records every authorized request (method,
URL, headers, body, transport keywords) and answers the EKM routes from a little state (one connection, private
endpoints, private-endpoint jobs run through a scripted list of statuses). ``hsm.script(method, path_regex, reply)``
queues one-off answers. Transport ``sleep`` calls are recorded in ``hsm.sleeps`` instead of sleeping, so the delays a
poller asks for are asserted exactly and no test waits.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

from _recording import AsyncFakeCredential, FakeCredential
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.rest import HttpRequest
from azure.core.utils import case_insensitive_dict
from clients.fake_service import CHALLENGE_HEADER, VAULT_URL, Reply, _AsyncResponse, _Response

VAULT = VAULT_URL
PLS = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/privateLinkServices/ekm-pls"
CERT_DER = b"0\x82\x03]fake-der-root-\xff\xfe\xfd"
CERT = base64.b64encode(CERT_DER).decode()
CLIENT_CA_DER = b"0\x82\x04\x00client-ca"
PROXY_INFO = {"api_version": "0.1-preview", "proxy_vendor": "Contoso Technologies", "proxy_name": "Contoso EKM Proxy",
              "ekm_vendor": "Contoso HSM Solutions", "ekm_product": "Contoso Enterprise HSM v3.2.0"}
START, END = 1767225600, 1767225660


@dataclass
class Sent:
    """An authorized request the client sent."""

    method: str
    url: str
    headers: dict[str, str]
    body: Optional[bytes]
    transport_kwargs: list[str]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query)

    @property
    def text(self) -> Optional[str]:
        return None if self.body is None else self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def connection_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"host": "ekm-proxy.contoso.com", "path_prefix": "/api/v1", "server_ca_certificates": [CERT]}
    body.update(overrides)
    return body


def endpoint_json(name: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "location": "eastus", "provisioningState": "Succeeded",
        "properties": {"privateLinkServiceId": PLS, "privateLinkServiceConnectionName": f"{name}-conn"},
        "privateLinkServiceConnectionState": {"status": "Approved", "description": "ok", "actionsRequired": "None"},
    }
    body.update(overrides)
    return body


def error_json(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


@dataclass
class Job:
    name: str
    kind: str
    plan: list[str]
    sent: Any = None


@dataclass
class EkmHsm:
    """The fake HSM (see the module docstring). Every attribute may be changed by a test."""

    connection: Optional[dict[str, Any]] = None
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    pe_plan: list[str] = field(default_factory=lambda: ["Running", "Succeeded"])
    pe_failure: Optional[dict[str, Any]] = field(default_factory=lambda: {"code": "Denied", "message": "rejected"})
    initial_headers: dict[str, str] = field(default_factory=lambda: {"Retry-After": "10"})
    status_headers: dict[str, str] = field(default_factory=dict)
    status_url: str = VAULT + "/ekm/privateendpoint/operations/{job}?api-version={version}"
    location: bool = False
    final_extra: dict[str, Any] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    probes: list[Sent] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    scripted: list[tuple[str, str, Reply]] = field(default_factory=list)

    def script(self, method: str, path_regex: str, reply: Reply) -> None:
        """Answer the next matching request with ``reply`` (first match wins, used once)."""
        self.scripted.append((method, path_regex, reply))

    def answer(self, request: HttpRequest, kwargs: dict[str, Any]) -> Reply:
        content = request.content
        body = content.encode() if isinstance(content, str) else content if isinstance(content, bytes) else None
        sent = Sent(request.method, request.url, dict(request.headers), body, sorted(kwargs))
        if "Authorization" not in request.headers:
            self.probes.append(sent)
            return Reply(401, None, {"WWW-Authenticate": CHALLENGE_HEADER})
        self.sent.append(sent)
        for index, (method, regex, reply) in enumerate(self.scripted):
            if method == sent.method and re.fullmatch(regex, sent.path):
                del self.scripted[index]
                return reply
        return self.route(sent)

    def route(self, sent: Sent) -> Reply:
        method, path = sent.method, sent.path
        version = (sent.query.get("api-version") or [""])[0]
        if path == "/ekm":
            if self.connection is None:
                return Reply(404, error_json("NotFound", "no ekm connection"))
            if method == "GET":
                return Reply(200, self.connection)
            if method == "PATCH":
                self.connection = sent.json()
                return Reply(200, self.connection)
            deleted, self.connection = self.connection, None
            return Reply(200, deleted)
        if path == "/ekm/create":
            if self.connection is not None:
                return Reply(409, error_json("Conflict", "An EKM connection already exists"))
            self.connection = sent.json()
            return Reply(200, self.connection)
        if path == "/ekm/certificate":
            return Reply(200, {"ca_certificates": [base64.b64encode(CLIENT_CA_DER).decode()],
                               "subject_common_name": "unit.managedhsmclient.azure.net"})
        if path == "/ekm/check":
            return Reply(200, PROXY_INFO)
        if path == "/ekm/privateendpoint":
            return Reply(200, {"value": [self.endpoints[name] for name in sorted(self.endpoints)]})
        match = re.fullmatch(r"/ekm/privateendpoint/operations/(?P<job>.+)", path)
        if match:
            return self.job_status(match["job"])
        match = re.fullmatch(r"/ekm/privateendpoint/(?P<name>.*)", path)
        if match and method == "GET":
            endpoint = self.endpoints.get(match["name"])
            return Reply(200, endpoint) if endpoint else Reply(404, error_json("NotFound", "no such endpoint"))
        if match:
            return self.start_job(match["name"], "Create" if method == "POST" else "Delete", sent.json(), version)
        return Reply(404, error_json("NotFound", f"no route for {method} {path}"))

    def start_job(self, name: str, kind: str, body: Any, version: str) -> Reply:
        job = f"job{len(self.jobs) + 1:02d}"
        self.jobs[job] = Job(name, kind, list(self.pe_plan), body)
        headers = {"Azure-AsyncOperation": self.status_url.format(job=job, version=version), **self.initial_headers}
        if self.location:
            headers["Location"] = f"{VAULT}/ekm/privateendpoint/{name}"
        return Reply(202, {"jobId": job, "privateEndpointName": name, "operationType": kind, "status": "NotStarted"},
                     headers)

    def job_status(self, job_id: str) -> Reply:
        job = self.jobs.get(job_id)
        if job is None:
            return Reply(404, error_json("NotFound", f"no job {job_id}"))
        status = job.plan.pop(0) if len(job.plan) > 1 else job.plan[0]
        body: dict[str, Any] = {"jobId": job_id, "privateEndpointName": job.name, "operationType": job.kind,
                                "status": status, "statusDetails": f"{job.kind} {status}", "startTime": START,
                                "endTime": None, "error": None}
        if status.lower() in ("succeeded", "failed", "canceled"):
            body["endTime"] = END
        if status.lower() in ("failed", "canceled"):
            body["error"] = self.pe_failure
        if status.lower() == "succeeded":
            if job.kind == "Create":
                self.endpoints[job.name] = endpoint_json(job.name)
            else:
                self.endpoints.pop(job.name, None)
            body.update(self.final_extra)
        return Reply(200, body, dict(self.status_headers))


class SyncTransport(HttpTransport):  # type: ignore[misc]
    def __init__(self, hsm: EkmHsm) -> None:
        self.hsm = hsm

    def send(self, request: HttpRequest, **kwargs: Any) -> _Response:  # type: ignore[override]
        return _Response(request, self.hsm.answer(request, kwargs))

    def sleep(self, duration: float) -> None:
        self.hsm.sleeps.append(duration)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> SyncTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass


class AsyncTransport(AsyncHttpTransport):  # type: ignore[misc]
    def __init__(self, hsm: EkmHsm) -> None:
        self.hsm = hsm

    async def send(self, request: HttpRequest, **kwargs: Any) -> _AsyncResponse:  # type: ignore[override]
        return _AsyncResponse(request, self.hsm.answer(request, kwargs))

    async def sleep(self, duration: float) -> None:
        self.hsm.sleeps.append(duration)

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


def make_ekm_client(flavor: str, hsm: EkmHsm, **kwargs: Any) -> Any:
    """A ``KeyVaultEkmClient`` (``flavor`` "sync" or "async") talking to ``hsm``."""
    from azure.keyvault.administration import KeyVaultEkmClient
    from azure.keyvault.administration.aio import KeyVaultEkmClient as AsyncKeyVaultEkmClient

    if flavor == "async":
        return AsyncKeyVaultEkmClient(VAULT, AsyncFakeCredential(), transport=AsyncTransport(hsm), **kwargs)
    return KeyVaultEkmClient(VAULT, FakeCredential(), transport=SyncTransport(hsm), **kwargs)


async def resolve(value: Any) -> Any:
    """Await ``value`` if it is awaitable (one test body drives a sync or an async client)."""
    if hasattr(value, "__await__"):
        return await value
    return value


async def collect(paged: Any) -> list[Any]:
    """Iterate an ``ItemPaged`` or ``AsyncItemPaged`` into a list."""
    if hasattr(paged, "__aiter__"):
        return [item async for item in paged]
    return list(paged)


async def result(poller: Any) -> Any:
    """``poller.result()`` of a sync or async poller."""
    return await resolve(poller.result())


def header(sent: Sent, name: str) -> Optional[str]:
    headers = case_insensitive_dict(sent.headers)
    value: Optional[str] = headers.get(name)
    return value
