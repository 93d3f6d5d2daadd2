"""A scripted in-process Managed HSM that challenges again at chosen points and checks every re-sent request.

Like the service, it answers any request without ``Authorization`` with the Key Vault challenge. On top of that a
test chooses *challenge points*: authorised requests that get a fresh ``401`` + challenge as if their token had
just been revoked. Whatever follows a challenge on the same ``x-ms-client-request-id`` is the client's answer to it
and must be the challenged request itself: same method, URL and headers (but ``Authorization``) and, after a
fresh challenge, the same body; after a body-less probe, the real body. Deviations are collected in ``problems``
(the transport must not raise: a sync poller runs in a thread), and a challenge that is never answered by its own
request is reported by :meth:`ChallengingHsm.unanswered`.

Answers echo what the request asked for (names from the path, values from the body), so a caller can tell whether
the response it got belongs to its own request. Start requests of long-running operations create jobs; a start
request whose ``x-ms-client-request-id`` already started a job is refused with 409, as the service refuses a
second backup (what an official 4.7.1 client got when it re-POSTed ``/backup`` in answer to a challenged poll).
"""

import asyncio
import json
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl_async import RestAsyncHttpClientTransportResponse
from kv_internal_fakes import CHALLENGE, VAULT, AsyncMockTransport, MockTransport, Reply, _AsyncRawResponse

RBAC = re.compile(
    r"(?P<scope>.*)/providers/Microsoft\.Authorization/(?P<kind>roleDefinitions|roleAssignments)/(?P<name>[^/]+)"
)
JOB_STATUS = re.compile(r"/(?P<kind>backup|restore)/(?P<job>[^/]+)/pending")
EKM_STATUS = re.compile(r"/ekm/privateendpoint/operations/(?P<job>[^/]+)")
EKM_ENDPOINT = re.compile(r"/ekm/privateendpoint/(?P<name>[^/]+)")
START_ROUTES = {
    ("POST", "/backup"): ("backup", "backup"),
    ("POST", "/prebackup"): ("prebackup", "backup"),
    ("PUT", "/restore"): ("restore", "restore"),
    ("PUT", "/prerestore"): ("prerestore", "restore"),
}
SELECTIVE = re.compile(r"/keys/(?P<key>[^/]+)/restore")
#: Status polls answered ``InProgress`` before a job succeeds.
POLLS_BEFORE_DONE = 2


@dataclass
class Arrival:
    """One request as the HSM received it."""

    method: str
    url: str
    headers: dict[str, str]
    body: Optional[bytes]

    @classmethod
    def of(cls, request: HttpRequest) -> "Arrival":
        content = request.content
        body = content.encode() if isinstance(content, str) else content if isinstance(content, bytes) else None
        return cls(request.method, request.url, dict(request.headers), body or None)

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def authorised(self) -> bool:
        return self.header("Authorization") is not None

    @property
    def request_id(self) -> str:
        return self.header("x-ms-client-request-id") or ""

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.url).path)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def headers_but(self, *names: str) -> dict[str, str]:
        drop = {name.lower() for name in names}
        return {k.lower(): v for k, v in self.headers.items() if k.lower() not in drop}

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({len(self.body or b'')} bytes, id {self.request_id[:8]})"


#: Decides whether an authorised request (not itself the answer to a challenge) gets a fresh challenge; it receives
#: the 1-based ordinal of such requests and the request.
ChallengePoints = Callable[[int, Arrival], bool]


def never(ordinal: int, arrival: Arrival) -> bool:
    return False


def every(ordinal: int, arrival: Arrival) -> bool:
    return True


def alternate(ordinal: int, arrival: Arrival) -> bool:
    return ordinal % 2 == 0


def reads(ordinal: int, arrival: Arrival) -> bool:
    """Status polls and other GETs: the upstream report's challenged backup poll and challenged get_setting."""
    return arrival.method == "GET"


def seeded(seed: int, probability: float = 0.5) -> ChallengePoints:
    rng = random.Random(seed)
    return lambda ordinal, arrival: rng.random() < probability


PLANS: dict[str, ChallengePoints] = {"probe-only": never, "every": every, "alternate": alternate, "reads": reads}


@dataclass
class Job:
    """A long-running operation the HSM started."""

    kind: str
    status_kind: str
    body: Any
    request_id: str
    key_name: Optional[str] = None
    polls: int = 0


def _json(status: int, payload: Any, headers: Optional[dict[str, str]] = None) -> Reply:
    reply = Reply.json(status, payload)
    reply.headers.update(headers or {})
    return reply


def _error(status: int, code: str, message: str) -> Reply:
    return _json(status, {"error": {"code": code, "message": message}})


class ChallengingHsm:
    """The fake HSM; :meth:`answer` is the responder of a mock transport (thread-safe)."""

    def __init__(self, challenge_at: ChallengePoints = never, vault: str = VAULT, challenge: str = CHALLENGE) -> None:
        self.challenge_at = challenge_at
        self.vault = vault
        self.challenge_header = challenge
        self.arrivals: list[Arrival] = []
        self.problems: list[str] = []
        self.probes = 0
        self.fresh_challenges = 0
        self.resends_checked = 0
        self.jobs: dict[str, Job] = {}
        self.settings: dict[str, Any] = {}
        self.definitions: dict[str, Any] = {}
        self.assignments: dict[str, Any] = {}
        self.ekm_connection: Optional[dict[str, Any]] = None
        self._awaiting: dict[str, Arrival] = {}
        self._ordinal = 0
        self._lock = threading.Lock()

    # ---- the challenge protocol ----

    def answer(self, request: HttpRequest) -> Reply:
        arrival = Arrival.of(request)
        with self._lock:
            self.arrivals.append(arrival)
            awaited = self._awaiting.pop(arrival.request_id, None)
            if not arrival.authorised:
                if awaited is not None:
                    self.problems.append(f"{arrival}: answered a challenge without a token")
                if arrival.body:
                    self.problems.append(f"{arrival}: an unauthenticated probe carried the body")
                self.probes += 1
                self._awaiting[arrival.request_id] = arrival
                return Reply.challenge(self.challenge_header)
            if awaited is not None:
                self._check_resend(awaited, arrival)
                return self.route(arrival)
            self._ordinal += 1
            if self.challenge_at(self._ordinal, arrival):
                self.fresh_challenges += 1
                self._awaiting[arrival.request_id] = arrival
                return Reply.challenge(self.challenge_header)
            return self.route(arrival)

    def _check_resend(self, challenged: Arrival, resent: Arrival) -> None:
        self.resends_checked += 1
        if (resent.method, resent.url) != (challenged.method, challenged.url):
            self.problems.append(f"{challenged} was challenged, but {resent} was sent in answer")
            return
        if challenged.authorised:
            # A fresh challenge: everything but the token must come back unchanged, the body included.
            if resent.body != challenged.body:
                self.problems.append(f"{challenged} was re-sent with another body: {resent.body!r}")
            if resent.headers_but("authorization") != challenged.headers_but("authorization"):
                self.problems.append(f"{challenged} was re-sent with other headers")
        else:
            # The answer to a body-less probe carries the real body; the other headers are the probe's.
            ignored = ("authorization", "content-length")
            if resent.headers_but(*ignored) != challenged.headers_but(*ignored):
                self.problems.append(f"{challenged}: the request after the probe has other headers")
        if resent.body is not None and resent.header("Content-Length") not in (None, str(len(resent.body))):
            self.problems.append(f"{resent}: Content-Length does not match the body")

    def unanswered(self) -> list[str]:
        """Challenges that were never answered by their own request."""
        with self._lock:
            return [f"{arrival} was challenged and never re-sent" for arrival in self._awaiting.values()]

    def all_problems(self) -> list[str]:
        return self.problems + self.unanswered()

    # ---- the service ----

    def route(self, arrival: Arrival) -> Reply:
        method, path = arrival.method, arrival.path
        start = START_ROUTES.get((method, path))
        selective = SELECTIVE.fullmatch(path) if method == "PUT" else None
        if start or selective:
            kind, status_kind = start or ("selective", "restore")
            return self._start_job(arrival, kind, status_kind, selective["key"] if selective else None)
        status = JOB_STATUS.fullmatch(path)
        if status and method == "GET":
            return self._job_status(status["job"], status["kind"])
        rbac = RBAC.fullmatch(path)
        if rbac:
            return self._rbac(arrival, rbac["scope"] or "/", rbac["kind"], rbac["name"])
        setting = re.fullmatch(r"/settings/(?P<name>.+)", path)
        if setting:
            name = setting["name"]
            if method == "PATCH":
                self.settings[name] = (arrival.json() or {}).get("value")
            return _json(200, {"name": name, "type": "boolean", "value": self.settings.get(name, "false")})
        if path.startswith("/ekm"):
            return self._ekm(arrival)
        return _error(404, "NotFound", f"no route for {method} {path}")

    def _start_job(self, arrival: Arrival, kind: str, status_kind: str, key_name: Optional[str]) -> Reply:
        if any(job.request_id == arrival.request_id for job in self.jobs.values()):
            self.problems.append(f"{arrival}: a start request was sent again after it had started a job")
            return _error(409, "Conflict", "Another backup or restore operation is in progress")
        job_id = f"{kind}{len(self.jobs) + 1:03d}"
        self.jobs[job_id] = Job(kind, status_kind, arrival.json(), arrival.request_id, key_name)
        status_url = f"{self.vault}/{status_kind}/{job_id}/pending"
        return _json(202, self._job_body(job_id, "InProgress"), {"Azure-AsyncOperation": status_url})

    def _job_status(self, job_id: str, status_kind: str) -> Reply:
        job = self.jobs.get(job_id)
        if job is None or job.status_kind != status_kind:
            return _error(404, "JobNotFound", f"no job {job_id}")
        job.polls += 1
        return _json(200, self._job_body(job_id, "Succeeded" if job.polls >= POLLS_BEFORE_DONE else "InProgress"))

    def _job_body(self, job_id: str, status: str) -> dict[str, Any]:
        job = self.jobs[job_id]
        body: dict[str, Any] = {"status": status, "statusDetails": None, "error": None, "jobId": job_id,
                                "startTime": 1749089881, "endTime": None if status == "InProgress" else 1749089890}
        if job.status_kind == "backup":
            container = (job.body or {}).get("storageResourceUri", "")
            done = status == "Succeeded" and job.kind == "backup"
            body["azureStorageBlobContainerUri"] = f"{container}/mhsm-myhsm-{job_id}" if done else None
        return body

    def _rbac(self, arrival: Arrival, scope: str, kind: str, name: str) -> Reply:
        store = self.definitions if kind == "roleDefinitions" else self.assignments
        if arrival.method == "PUT":
            properties = dict((arrival.json() or {}).get("properties") or {})
            if kind == "roleDefinitions":
                properties.setdefault("type", "CustomRole")
            else:
                properties["scope"] = scope
            store[name] = {
                "id": f"{scope.rstrip('/')}/providers/Microsoft.Authorization/{kind}/{name}",
                "name": name,
                "type": f"Microsoft.Authorization/{kind}",
                "properties": properties,
            }
            return _json(201, store[name])
        if arrival.method == "GET":
            # Unknown names are answered too (as a bare object of that name), so reads can run before writes.
            return _json(200, store.get(name) or {"id": f"{scope}/{name}", "name": name, "properties": {}})
        return _error(405, "MethodNotAllowed", arrival.method)

    def _ekm(self, arrival: Arrival) -> Reply:
        method, path = arrival.method, arrival.path
        if (method, path) in (("POST", "/ekm/create"), ("PATCH", "/ekm")):
            self.ekm_connection = arrival.json()
            return _json(200, self.ekm_connection)
        if (method, path) == ("GET", "/ekm"):
            return _json(200, self.ekm_connection or {"host": "none", "server_ca_certificates": []})
        status = EKM_STATUS.fullmatch(path)
        if status and method == "GET":
            job = self.jobs.get(status["job"])
            if job is None:
                return _error(404, "JobNotFound", status["job"])
            job.polls += 1
            state = "Succeeded" if job.polls >= POLLS_BEFORE_DONE else "Running"
            return _json(200, self._ekm_body(status["job"], state))
        endpoint = EKM_ENDPOINT.fullmatch(path)
        if endpoint and method == "POST":
            if any(job.request_id == arrival.request_id for job in self.jobs.values()):
                self.problems.append(f"{arrival}: a start request was sent again after it had started a job")
                return _error(409, "Conflict", "An operation on this private endpoint is in progress")
            job_id = f"ekmpe{len(self.jobs) + 1:03d}"
            self.jobs[job_id] = Job("ekm-pe", "ekm", arrival.json(), arrival.request_id, endpoint["name"])
            query = parse_qs(urlsplit(arrival.url).query)
            status_url = f"{self.vault}/ekm/privateendpoint/operations/{job_id}?api-version={query['api-version'][0]}"
            return _json(202, self._ekm_body(job_id, "NotStarted"), {"Azure-AsyncOperation": status_url})
        return _error(404, "NotFound", f"no route for {method} {path}")

    def _ekm_body(self, job_id: str, status: str) -> dict[str, Any]:
        job = self.jobs[job_id]
        return {"jobId": job_id, "privateEndpointName": job.key_name, "operationType": "Create", "status": status,
                "statusDetails": (job.body or {}).get("requestMessage"), "startTime": 1767225600,
                "endTime": None if status != "Succeeded" else 1767225660, "error": None}


class InterleavingAsyncTransport(AsyncMockTransport):
    """An async mock transport that yields to the event loop a seeded number of times before and after answering,
    so that concurrent requests of one client interleave at every step."""

    def __init__(self, responder: Callable[[HttpRequest], Reply], seed: int) -> None:
        super().__init__(responder)
        self._rng = random.Random(seed)

    async def send(self, request: HttpRequest, **kwargs: Any) -> RestAsyncHttpClientTransportResponse:
        for _ in range(self._rng.randrange(4)):
            await asyncio.sleep(0)
        reply = self._next_reply(request, kwargs)
        for _ in range(self._rng.randrange(4)):
            await asyncio.sleep(0)
        response = RestAsyncHttpClientTransportResponse(request=request, internal_response=_AsyncRawResponse(reply))  # type: ignore[no-untyped-call]
        await response.read()  # type: ignore[no-untyped-call]
        return response


def transport_for(mode: str, hsm: ChallengingHsm, seed: Optional[int] = None) -> Any:
    """A mock transport answering from ``hsm`` (async ones interleave when ``seed`` is given)."""
    if mode == "sync":
        return MockTransport(hsm.answer)
    if seed is not None:
        return InterleavingAsyncTransport(hsm.answer, seed)
    return AsyncMockTransport(hsm.answer)


@dataclass
class Outcome:
    """What a scenario observed: the HSM's problems plus the callers' own (wrong results, errors)."""

    problems: list[str] = field(default_factory=list)

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.problems.append(message)
