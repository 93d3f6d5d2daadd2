"""A bearer token never goes to a host the challenge was not verified for, redirects included.

azure-core's redirect policy sits above the challenge policy and drops ``Authorization`` from a redirected request;
the challenge policy then treats the new host like any other: with no verified challenge cached for it, it sends a
body-less probe without a token. These tests check that chain in both pipelines (sync and async clients) for every
redirect status, with and without a body, for a foreign host that answers, that challenges for the vault's
resource (refused: the host is not a subdomain of it), or that challenges for a parent domain of its own (the
credential is asked for that resource, as by the official package, but azure-core's sensitive-header cleanup keeps
any token off a request redirected to another domain). The last tests
run the clients' default transports (``requests`` and ``aiohttp``) against two loopback HTTPS servers, also with
two ``WWW-Authenticate`` headers in one response.
"""

import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError
from azure.core.rest import HttpRequest
from kv_internal_fakes import CHALLENGE, SCOPE, TENANT, VAULT, Reply, TokenFactory, make_credential
from mhsm_emulator.certs import ensure_tls_files

from azure.keyvault.administration import KeyVaultSetting, KeyVaultSettingsClient
from azure.keyvault.administration import aio as admin_aio

FOREIGN = "https://evil.example.net"
AUTHORITY = f"https://login.microsoftonline.com/{TENANT}"
SETTING = {"name": "s", "value": "true", "type": "boolean"}
REDIRECTS = [301, 302, 303, 307, 308]


@dataclass
class World:
    """The vault (challenges, then redirects every authorised request) and a foreign host, over one transport."""

    redirect_status: int
    foreign_answer: str  # "ok", "vault-resource" or "own-parent"
    target: str = FOREIGN
    seen: list[tuple[str, str, Optional[str], Optional[bytes]]] = field(default_factory=list)

    def answer(self, request: HttpRequest) -> Reply:
        authorization = request.headers.get("Authorization")
        content = request.content
        body = content.encode() if isinstance(content, str) else content if isinstance(content, bytes) else None
        self.seen.append((urlsplit(request.url).netloc, request.method, authorization, body or None))
        if request.url.startswith(VAULT):
            if authorization is None:
                return Reply.challenge()
            return Reply(self.redirect_status, {"Location": self.target + urlsplit(request.url).path})
        if authorization is None and self.foreign_answer != "ok":
            resource = "https://managedhsm.azure.net" if self.foreign_answer == "vault-resource" else "https://example.net"
            return Reply.challenge(f'Bearer authorization="{AUTHORITY}", resource="{resource}"')
        return Reply.json(200, SETTING)

    def sent_to(self, host: str) -> list[tuple[str, Optional[str], Optional[bytes]]]:
        return [(method, auth, body) for netloc, method, auth, body in self.seen if netloc == host]


def tokens_for(credential: TokenFactory, scope: str) -> set[str]:
    """The bearer values the fake credential handed out for ``scope`` (it numbers them token-1, token-2, ...)."""
    return {f"Bearer token-{n}" for n, (_, scopes, _) in enumerate(credential.calls, 1) if scopes[0] == scope}


def settings_client(mode: str, credential: Any, transport: Any, **kwargs: Any) -> Any:
    client_class: Any = KeyVaultSettingsClient if mode == "sync" else admin_aio.KeyVaultSettingsClient
    return client_class(VAULT, credential, transport=transport, **kwargs)


async def call(mode: str, client: Any, method: str) -> Any:
    result = client.get_setting("s") if method == "GET" else client.update_setting(KeyVaultSetting("s", True))
    return await result if mode == "async" else result


def transport(mode: str, world: World) -> Any:
    from kv_internal_fakes import AsyncMockTransport, MockTransport

    return MockTransport(world.answer) if mode == "sync" else AsyncMockTransport(world.answer)


def followed(status: int, method: str) -> bool:
    """azure-core follows 301/302 only for GET and HEAD; 303, 307 and 308 for every method."""
    return status not in (301, 302) or method == "GET"


@pytest.mark.parametrize("method", ["GET", "PATCH"])
@pytest.mark.parametrize("status", REDIRECTS)
async def test_a_redirect_to_a_foreign_host_carries_no_token(mode: str, status: int, method: str) -> None:
    world = World(status, "ok")
    credential = make_credential(mode)
    client = settings_client(mode, credential, transport(mode, world))
    if not followed(status, method):
        with pytest.raises(HttpResponseError) as error:
            await call(mode, client, method)
        assert error.value.status_code == status and world.sent_to("evil.example.net") == []
        return
    setting = await call(mode, client, method)

    assert setting.name == "s"  # the foreign host's answer, to a body-less request without a token
    vault_tokens = tokens_for(credential, SCOPE)
    assert vault_tokens and any(auth in vault_tokens for _, auth, _ in world.sent_to("myhsm.managedhsm.azure.net"))
    foreign = world.sent_to("evil.example.net")
    assert [m for m, _, _ in foreign] == ["GET" if status == 303 else method]
    assert [(auth, body) for _, auth, body in foreign] == [(None, None)]


@pytest.mark.parametrize("method", ["GET", "PATCH"])
@pytest.mark.parametrize("status", [303, 307, 308])
async def test_a_foreign_host_challenging_for_the_vault_resource_gets_nothing(
    mode: str, status: int, method: str
) -> None:
    world = World(status, "vault-resource")
    credential = make_credential(mode)
    client = settings_client(mode, credential, transport(mode, world))
    with pytest.raises(ValueError, match=r"'managedhsm\.azure\.net' does not match the requested domain"):
        await call(mode, client, method)
    assert [auth for _, auth, _ in world.sent_to("evil.example.net")] == [None]
    assert [scopes[0] for _, scopes, _ in credential.calls] == [SCOPE]


@pytest.mark.parametrize("method", ["GET", "PATCH"])
@pytest.mark.parametrize("status", [303, 307, 308])
async def test_after_a_cross_host_redirect_no_token_reaches_the_foreign_host_even_for_its_own_resource(
    mode: str, status: int, method: str
) -> None:
    """The foreign host's challenge for a parent domain of its own passes verification, so the credential is asked
    for that resource (as the official package does), but azure-core's sensitive-header cleanup removes every
    ``Authorization`` from a request that was redirected to another domain: the foreign host gets no token at all,
    and the caller a 401."""
    world = World(status, "own-parent")
    credential = make_credential(mode)
    client = settings_client(mode, credential, transport(mode, world))
    with pytest.raises(ClientAuthenticationError):
        await call(mode, client, method)

    foreign = world.sent_to("evil.example.net")
    assert len(foreign) == 2 and [auth for _, auth, _ in foreign] == [None, None]
    assert [scopes[0] for _, scopes, _ in credential.calls] == [SCOPE, "https://example.net/.default"]


async def test_a_redirect_to_plain_http_is_refused_before_sending(mode: str) -> None:
    world = World(307, "ok", target="http://evil.example.net")
    client = settings_client(mode, make_credential(mode), transport(mode, world), retry_total=0)
    with pytest.raises(ServiceRequestError, match="non-TLS"):
        await call(mode, client, "GET")
    assert world.sent_to("evil.example.net") == []


# ---------------------------------------------------------------- real transports over loopback HTTPS


class _Host(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext, respond: Any) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.respond = respond
        self.requests: list[tuple[str, dict[str, str], bytes]] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Host

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.command, dict(self.headers.items()), body))
        status, headers, payload = self.server.respond(self)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PATCH = do_PUT = do_POST = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Loopback:
    vault: _Host
    foreign: _Host
    ca_file: str
    #: What the vault answers an authorised request with: this redirect status, to the foreign host.
    redirect_status: int = 307

    @property
    def vault_url(self) -> str:
        return f"https://127.0.0.1:{self.vault.server_address[1]}"

    @property
    def foreign_url(self) -> str:
        return f"https://localhost:{self.foreign.server_address[1]}"


JSON = ("Content-Type", "application/json")


@pytest.fixture
def loopback(tmp_path: Path) -> Iterator[Loopback]:
    """Two HTTPS servers on 127.0.0.1 (the foreign one reached as ``localhost``), stopped however the test ends."""
    files = ensure_tls_files(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(files.cert_file, files.key_file)
    hosts: list[_Host] = []
    threads: list[threading.Thread] = []
    try:

        def vault(handler: _Handler) -> tuple[int, list[tuple[str, str]], bytes]:
            if "Authorization" not in handler.headers:
                return 401, [("WWW-Authenticate", CHALLENGE), JSON], b""
            return world.redirect_status, [("Location", world.foreign_url + handler.path)], b""

        def foreign(handler: _Handler) -> tuple[int, list[tuple[str, str]], bytes]:
            return 200, [JSON], json.dumps(SETTING).encode()

        hosts = [_Host(tls, vault), _Host(tls, foreign)]
        for host in hosts:
            threads.append(threading.Thread(target=host.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True))
            threads[-1].start()
        world = Loopback(hosts[0], hosts[1], str(files.ca_file))
        yield world
    finally:
        for host in hosts:
            host.shutdown()
            host.server_close()
        for thread in threads:
            thread.join(timeout=10)


def real_client(mode: str, loopback: Loopback, credential: Any) -> Any:
    client_class: Any = KeyVaultSettingsClient if mode == "sync" else admin_aio.KeyVaultSettingsClient
    # The vault is an IP address, which cannot pass resource verification: the check is not what is tested here.
    return client_class(
        loopback.vault_url, credential, verify_challenge_resource=False, connection_verify=loopback.ca_file
    )


@pytest.mark.parametrize("status", [303, 307])
@pytest.mark.parametrize("method", ["GET", "PATCH"])
async def test_default_transports_drop_the_token_on_a_cross_host_redirect(
    mode: str, method: str, status: int, loopback: Loopback
) -> None:
    loopback.redirect_status = status
    credential = make_credential(mode)
    client = real_client(mode, loopback, credential)
    try:
        setting = await call(mode, client, method)
    finally:
        await client.close() if mode == "async" else client.close()

    assert setting.name == "s"
    vault_auth = [headers.get("Authorization") for _, headers, _ in loopback.vault.requests]
    assert vault_auth[0] is None and vault_auth[1] == "Bearer token-1"
    assert [(m, "Authorization" in h, body) for m, h, body in loopback.foreign.requests] == [
        ("GET" if status == 303 else method, False, b"")
    ]


async def test_default_transports_with_two_www_authenticate_headers(mode: str, loopback: Loopback) -> None:
    """Two headers reach the policy joined (requests) or as the first one (aiohttp): either way a clean outcome."""

    def two_headers(handler: _Handler) -> tuple[int, list[tuple[str, str]], bytes]:
        if "Authorization" not in handler.headers:
            headers = [("WWW-Authenticate", 'Basic realm="x"'), ("WWW-Authenticate", "Bearer"), JSON]
            return 401, headers, b""
        return 200, [JSON], json.dumps(SETTING).encode()

    loopback.vault.respond = two_headers
    credential = make_credential(mode)
    client = real_client(mode, loopback, credential)
    try:
        with pytest.raises(ClientAuthenticationError) as error:
            await call(mode, client, "GET")
    finally:
        await client.close() if mode == "async" else client.close()
    assert error.value.status_code == 401
    assert credential.calls == [] and len(loopback.vault.requests) == 1
