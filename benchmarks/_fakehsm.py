"""A minimal fake Managed HSM over HTTPS on 127.0.0.1, for the benchmarks only.

A raw ``asyncio`` protocol (no web framework) so the server adds as little noise as possible. It runs in its own
process and answers both packages byte for byte the same way:

* any request without ``Authorization`` gets the service's 401 bearer challenge (resource ``https://0.0.1:<port>``,
  which ``127.0.0.1:<port>`` is a subdomain of, so challenge-resource verification passes unchanged);
* ``GET /providers/Microsoft.Authorization/roleDefinitions/<name>``: one canned role definition;
* ``GET /providers/Microsoft.Authorization/roleDefinitions``: 1,000 definitions in 10 pages linked by ``nextLink``;
  under ``/keys`` the same listing has 10,000 definitions in 100 pages (the memory figure);
* ``PUT /<scope>/providers/Microsoft.Authorization/roleAssignments/<name>``: 201 and the assignment;
* ``POST /backup``: 202 + ``Azure-AsyncOperation``; each job's status URL answers ``InProgress`` twice, then
  ``Succeeded`` (three polls);
* ``GET /__stats`` (no authentication): request and TLS connection counters, so a worker can check how many
  requests (and new connections) an operation made.

    python benchmarks/_fakehsm.py --cert-dir DIR [--port 0]

prints one JSON line (``vault_url``, ``ca_file``, ``port``) once it listens, then serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import resource
import signal
import ssl
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
API_VERSION = "2025-07-01"
ROLE_DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions"
LIST_PAGES = {"/": (1000, 10), "/keys": (10000, 100)}  # scope -> (items, pages)
BACKUP_POLLS_IN_PROGRESS = 2

#: The role definition every GET answers (a built-in role, as the service lists it).
CRYPTO_USER = {
    "id": "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b",
    "name": "21dbd100-6940-42c2-9190-5d6cb909625b",
    "type": "Microsoft.Authorization/roleDefinitions",
    "properties": {
        "roleName": "Managed HSM Crypto User",
        "description": "",
        "type": "AKVBuiltInRole",
        "permissions": [
            {
                "actions": [],
                "notActions": [],
                "dataActions": [
                    "Microsoft.KeyVault/managedHsm/keys/read/action",
                    "Microsoft.KeyVault/managedHsm/keys/write/action",
                    "Microsoft.KeyVault/managedHsm/keys/backup/action",
                    "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
                    "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
                    "Microsoft.KeyVault/managedHsm/keys/wrap/action",
                    "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
                    "Microsoft.KeyVault/managedHsm/keys/sign/action",
                    "Microsoft.KeyVault/managedHsm/keys/verify/action",
                    "Microsoft.KeyVault/managedHsm/rng/action",
                ],
                "notDataActions": ["Microsoft.KeyVault/managedHsm/keys/delete"],
            }
        ],
        "assignableScopes": ["/"],
    },
}

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
_SLASHES = re.compile(r"/{2,}")


def _definition(index: int, scope: str) -> dict[str, Any]:
    """A unique custom role definition (distinct strings, like a real listing)."""
    name = str(uuid.UUID(int=(0x5EED << 96) + index + (1 << 40 if scope == "/keys" else 0)))
    return {
        "id": f"Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{name}",
        "name": name,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": f"benchmark role {index}",
            "description": f"custom role number {index} of the benchmark listing",
            "type": "CustomRole",
            "permissions": [
                {
                    "actions": [],
                    "notActions": [],
                    "dataActions": [
                        "Microsoft.KeyVault/managedHsm/keys/read/action",
                        "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
                        "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
                    ],
                    "notDataActions": [],
                }
            ],
            "assignableScopes": ["/"],
        },
    }


class FakeHsm:
    """Routing and canned answers; all state is in memory."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.vault_url = f"https://127.0.0.1:{port}"
        self.stats: Counter[str] = Counter()
        self._request_ids = itertools.count(1)
        self._pages: dict[tuple[str, int], bytes] = {}
        self._jobs: dict[str, int] = {}
        self._definition_body = json.dumps(CRYPTO_USER).encode()
        self._challenge_headers = [
            (
                "WWW-Authenticate",
                f'Bearer authorization="https://login.microsoftonline.com/{TENANT_ID}", '
                f'resource="https://0.0.1:{port}"',
            )
        ]
        self._challenge_body = json.dumps(
            {"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}}
        ).encode()

    # ---- HTTP framing ----

    def response(self, status: int, body: bytes, extra: list[tuple[str, str]] | None = None) -> bytes:
        request_id = f"00000000-0000-4000-8000-{next(self._request_ids):012d}"
        lines = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}",
            "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(body)}",
            f"x-ms-request-id: {request_id}",
            "x-ms-keyvault-region: local",
            "x-ms-keyvault-service-version: 1.9.1234.5",
            "x-ms-keyvault-network-info: conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=Ipv4;",
            "x-ms-server-latency: 0",
            "Strict-Transport-Security: max-age=31536000; includeSubDomains",
            "X-Content-Type-Options: nosniff",
            "Cache-Control: no-cache",
        ]
        lines.extend(f"{name}: {value}" for name, value in extra or ())
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def _error(self, status: int, code: str, message: str) -> bytes:
        return self.response(status, json.dumps({"error": {"code": code, "message": message}}).encode())

    # ---- routes ----

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        path, _, query = target.partition("?")
        path = _SLASHES.sub("/", path)
        if path == "/__stats":
            return self.response(200, json.dumps(self.stats).encode())
        if not headers.get("authorization", "").startswith("Bearer "):
            self.stats["challenge"] += 1
            return self.response(401, self._challenge_body, self._challenge_headers)
        if method == "GET" and path.startswith(ROLE_DEFINITIONS + "/"):
            self.stats["get_role_definition"] += 1
            return self.response(200, self._definition_body)
        if method == "GET" and path.endswith(ROLE_DEFINITIONS):
            scope = path[: -len(ROLE_DEFINITIONS)] or "/"
            if scope in LIST_PAGES:
                self.stats["list_page"] += 1
                token = parse_qs(query).get("$skiptoken", ["0"])[0]
                return self.response(200, self._page(scope, int(token) if token.isdigit() else 0))
        if method == "PUT" and "/providers/Microsoft.Authorization/roleAssignments/" in path:
            self.stats["create_role_assignment"] += 1
            return self._assignment(path, body)
        if method == "POST" and path == "/backup":
            self.stats["begin_backup"] += 1
            return self._start_backup()
        if method == "GET" and path.startswith("/backup/") and path.endswith("/pending"):
            self.stats["backup_status"] += 1
            return self._backup_status(path.split("/")[2])
        self.stats["not_found"] += 1
        return self._error(404, "NotFound", f"No route for {method} {path}")

    def _page(self, scope: str, index: int) -> bytes:
        key = (scope, index)
        cached = self._pages.get(key)
        if cached is None:
            items, pages = LIST_PAGES[scope]
            per_page = items // pages
            index = min(index, pages - 1)
            start = index * per_page
            page: dict[str, Any] = {"value": [_definition(i, scope) for i in range(start, start + per_page)]}
            prefix = "" if scope == "/" else scope
            page["nextLink"] = (
                f"{self.vault_url}{prefix}{ROLE_DEFINITIONS}?api-version={API_VERSION}&$skiptoken={index + 1}"
                if index + 1 < pages
                else None
            )
            cached = self._pages[key] = json.dumps(page).encode()
        return cached

    def _assignment(self, path: str, body: bytes) -> bytes:
        try:
            properties = json.loads(body)["properties"]
        except (ValueError, KeyError, TypeError):
            return self._error(400, "BadParameter", "The request body must hold properties.")
        scope, _, name = path.partition("/providers/Microsoft.Authorization/roleAssignments/")
        answer = {
            "id": f"{scope or '/'}providers/Microsoft.Authorization/roleAssignments/{name}".replace("//", "/"),
            "name": name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "scope": scope or "/",
                "roleDefinitionId": properties.get("roleDefinitionId"),
                "principalId": properties.get("principalId"),
            },
        }
        return self.response(201, json.dumps(answer).encode())

    def _job(self, job_id: str, status: str) -> dict[str, Any]:
        done = status == "Succeeded"
        return {
            "status": status,
            "statusDetails": None,
            "error": None,
            "jobId": job_id,
            "startTime": 1700000000,
            "endTime": 1700000003 if done else None,
            "azureStorageBlobContainerUri": (
                f"https://account.blob.core.windows.net/backups/mhsm-fake-{job_id}" if done else None
            ),
        }

    def _start_backup(self) -> bytes:
        job_id = uuid.uuid4().hex
        self._jobs[job_id] = 0
        status_url = f"{self.vault_url}/backup/{job_id}/pending"
        body = json.dumps(self._job(job_id, "InProgress")).encode()
        return self.response(202, body, [("Azure-AsyncOperation", status_url)])

    def _backup_status(self, job_id: str) -> bytes:
        polls = self._jobs.get(job_id)
        if polls is None:
            return self._error(404, "NotFound", "No such job.")
        polls += 1
        if polls > BACKUP_POLLS_IN_PROGRESS:
            del self._jobs[job_id]
            return self.response(200, json.dumps(self._job(job_id, "Succeeded")).encode())
        self._jobs[job_id] = polls
        return self.response(200, json.dumps(self._job(job_id, "InProgress")).encode())


class HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive and Content-Length bodies (what both clients send)."""

    def __init__(self, hsm: FakeHsm) -> None:
        self.hsm = hsm
        self.buffer = bytearray()
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.hsm.stats["tls_connections"] += 1  # a client that reuses its connections makes few

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            try:
                method, target, _ = lines[0].split(" ", 2)
            except ValueError:
                self.transport.close()
                return
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self.transport.write(self.hsm._error(400, "BadRequest", "chunked bodies are not supported"))
                self.transport.close()
                return
            length = int(headers.get("content-length") or 0)
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = bytes(self.buffer[end + 4 : total])
            del self.buffer[:total]
            self.transport.write(self.hsm.handle(method, target, headers, body))
            if headers.get("connection", "").lower() == "close":
                self.transport.close()
                return


async def serve(cert_dir: Path, port: int) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_dir / "server.pem", cert_dir / "server.key")
    loop = asyncio.get_running_loop()
    holder: dict[str, FakeHsm] = {}
    server = await loop.create_server(
        lambda: HttpProtocol(holder["hsm"]), "127.0.0.1", port, ssl=context, backlog=1024
    )
    bound = server.sockets[0].getsockname()[1]
    holder["hsm"] = FakeHsm(bound)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"vault_url": f"https://127.0.0.1:{bound}", "port": bound,
                      "ca_file": str(cert_dir / "ca.pem")}), flush=True)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cert-dir", required=True, type=Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a fresh TLS connection per call piles up sockets
    try:
        asyncio.run(serve(args.cert_dir, args.port))
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
