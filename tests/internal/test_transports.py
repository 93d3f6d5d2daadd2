"""The clients' default transports: requests' environment scan remembered exactly, one SSL context per CA file.

* ``EnvironmentCachingSession.merge_environment_settings`` must answer what ``requests.Session`` answers, for
  every environment, and see any change of the environment or of the session at the next request.
* ``KeyVaultAioHttpTransport`` must reuse one pooled TLS connection with ``connection_verify=<path>``
  while a per-call ``connection_verify`` still verifies against its own CA (checked against a local HTTPS server).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from aiohttp import web
from azure.core.credentials import AccessToken
from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.transport import AioHttpTransport, RequestsTransport
from azure.core.rest import HttpRequest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from azure.keyvault.administration import KeyVaultAccessControlClient
from azure.keyvault.administration._internal.async_transports import KeyVaultAioHttpTransport
from azure.keyvault.administration._internal.transports import (
    EnvironmentCachingRequestsTransport,
    EnvironmentCachingSession,
)
from azure.keyvault.administration.aio import KeyVaultAccessControlClient as AsyncAccessControlClient

URL = "https://myhsm.managedhsm.azure.net/providers/Microsoft.Authorization/roleDefinitions?api-version=7.6"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                   "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "REQUEST_METHOD")


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def both(url: str = URL, proxies: Any = None, stream: Any = False, verify: Any = True, cert: Any = None) -> Any:
    """(cached answer, requests' answer, cached proxies argument after, requests' proxies argument after)."""
    ours_proxies = None if proxies is None else dict(proxies)
    theirs_proxies = None if proxies is None else dict(proxies)
    ours = SESSION.merge_environment_settings(url, ours_proxies, stream, verify, cert)
    theirs = REFERENCE.merge_environment_settings(url, theirs_proxies, stream, verify, cert)
    return ours, theirs, ours_proxies, theirs_proxies


SESSION = EnvironmentCachingSession()
REFERENCE = requests.Session()


def assert_same(**kwargs: Any) -> dict[str, Any]:
    ours, theirs, ours_proxies, theirs_proxies = both(**kwargs)
    assert ours == theirs
    assert type(ours["proxies"]) is type(theirs["proxies"])
    assert ours_proxies == theirs_proxies
    return dict(ours)


def test_the_scan_is_cached_and_answers_like_requests(clean_environment: pytest.MonkeyPatch) -> None:
    SESSION._environment_cache.clear()
    first = assert_same(proxies={})
    assert len(SESSION._environment_cache) == 1
    second = assert_same(proxies={})
    assert first == second and len(SESSION._environment_cache) == 1  # the second answer came from the cache


def test_every_environment_change_is_seen_by_the_next_request(clean_environment: pytest.MonkeyPatch) -> None:
    monkeypatch = clean_environment
    assert_same(proxies={})
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert assert_same(proxies={})["proxies"] == {"https": "http://proxy.example:3128"}
    monkeypatch.setenv("NO_PROXY", "managedhsm.azure.net")
    assert assert_same(proxies={})["proxies"] == {}
    monkeypatch.setenv("no_proxy", "other.example")
    monkeypatch.delenv("NO_PROXY")
    assert assert_same(proxies={})["proxies"]["https"] == "http://proxy.example:3128"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/tmp/bundle.pem")
    assert assert_same(proxies={})["verify"] == "/tmp/bundle.pem"
    monkeypatch.setenv("CURL_CA_BUNDLE", "/tmp/curl.pem")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    assert assert_same(proxies={})["verify"] == "/tmp/curl.pem"
    assert assert_same(proxies={}, verify="/explicit.pem")["verify"] == "/explicit.pem"
    monkeypatch.setenv("REQUEST_METHOD", "GET")  # CGI: HTTP_PROXY is ignored
    monkeypatch.setenv("HTTP_PROXY", "http://cgi.example")
    assert_same(url="http://myhsm.managedhsm.azure.net/x", proxies={})


def test_hosts_ports_and_arguments_are_part_of_the_key(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    clean_environment.setenv("NO_PROXY", "a.example:8443,10.0.0.0/8")
    for url in ("https://a.example/x", "https://a.example:8443/x", "https://b.example/x", "https://10.1.2.3/x",
                "https://[::1]:99/x", "https://a.example:bad/x", "no scheme at all"):
        for stream, verify, cert in ((False, True, None), (True, False, ("c", "k")), (None, None, "c.pem")):
            try:
                assert_same(url=url, proxies={}, stream=stream, verify=verify, cert=cert)
            except ValueError:
                with pytest.raises(ValueError):
                    REFERENCE.merge_environment_settings(url, {}, stream, verify, cert)


def test_caller_proxies_and_session_settings(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert_same(proxies={"https": "http://mine:1", "no_proxy": "managedhsm.azure.net"})
    SESSION.proxies = {"https": "http://session:2"}
    REFERENCE.proxies = {"https": "http://session:2"}
    try:
        assert_same(proxies={})
        SESSION.proxies["http"] = "http://changed:3"
        REFERENCE.proxies["http"] = "http://changed:3"
        assert assert_same(proxies={})["proxies"]["http"] == "http://changed:3"
        SESSION.trust_env = REFERENCE.trust_env = False
        assert assert_same(proxies={})["proxies"] == {"https": "http://session:2", "http": "http://changed:3"}
    finally:
        SESSION.proxies, REFERENCE.proxies = {}, {}
        SESSION.trust_env = REFERENCE.trust_env = True


def test_answers_are_fresh_objects(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    first = SESSION.merge_environment_settings(URL, {}, False, True, None)
    first["proxies"]["https"] = "http://tampered"
    first["verify"] = "tampered"
    second = SESSION.merge_environment_settings(URL, {}, False, True, None)
    assert second["proxies"] == {"https": "http://proxy.example:3128"} and second["verify"] is True


class _Credential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("token", 2**31)


def test_clients_use_the_caching_transports_unless_given_one() -> None:
    client = KeyVaultAccessControlClient("https://myhsm.managedhsm.azure.net", _Credential())
    transport = client._client._client._pipeline._transport
    assert type(transport) is EnvironmentCachingRequestsTransport and isinstance(transport, RequestsTransport)
    with client:
        assert type(transport.session) is EnvironmentCachingSession
    mine = RequestsTransport()
    with_mine = KeyVaultAccessControlClient("https://h", _Credential(), transport=mine)
    assert with_mine._client._client._pipeline._transport is mine
    given = requests.Session()
    with KeyVaultAccessControlClient("https://h", _Credential(), session=given) as other:
        assert other._client._client._pipeline._transport.session is given
    async_client = AsyncAccessControlClient("https://h", _Credential())  # type: ignore[arg-type]
    assert type(async_client._client._client._pipeline._transport) is KeyVaultAioHttpTransport
    assert isinstance(async_client._client._client._pipeline._transport, AioHttpTransport)


# ---- TLS: one context per CA file, and per-call overrides ------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca(folder: Path, name: str) -> tuple[Any, x509.Certificate, Path]:
    now = datetime.datetime.now(datetime.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name)).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{name}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, path


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An HTTPS server on 127.0.0.1 whose certificate is signed by CA "one"; it records each client port."""
    folder = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert, ca_one = _ca(folder, "one")
    _, _, ca_two = _ca(folder, "two")
    now = datetime.datetime.now(datetime.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    ports: list[int] = []
    authorizations: list[Any] = []

    async def handle(request: web.Request) -> web.Response:
        ports.append(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        authorizations.append(request.headers.get("Authorization"))
        return web.json_response({})

    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    proxy_lines: list[str] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A proxy that refuses everything, recording what it was asked for.
        head = await reader.readuntil(b"\r\n\r\n")
        proxy_lines.append(head.decode("latin-1"))
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    proxy_server = loop.run_until_complete(asyncio.start_server(proxy, "127.0.0.1", 0))
    proxy_port = proxy_server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"https://127.0.0.1:{port}", "ca_one": str(ca_one), "ca_two": str(ca_two), "ports": ports,
               "authorizations": authorizations, "proxy": f"http://127.0.0.1:{proxy_port}",
               "proxy_lines": proxy_lines}
    finally:
        proxy_server.close()
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


class _AsyncCredential:
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("token", 2**31)


async def test_a_ca_file_path_reuses_one_pooled_connection(https_server: dict[str, Any]) -> None:
    ports = https_server["ports"]
    ports.clear()
    client = AsyncAccessControlClient(https_server["url"], _AsyncCredential(), connection_verify=https_server["ca_one"])
    async with client:
        for _ in range(8):
            response = await client.send_request(HttpRequest("GET", "/x"))
            assert response.status_code == 200
        await asyncio.gather(*(client.send_request(HttpRequest("GET", "/y")) for _ in range(4)))
        transport = client._client._client._pipeline._transport
        assert len(transport._ssl_contexts) == 1
    assert len(ports) == 12
    assert len(set(ports[:8])) == 1  # sequential calls: one TLS connection (azure-core alone opens 8)
    assert len(set(ports)) <= 5


async def test_a_per_call_ca_still_verifies_against_that_ca(https_server: dict[str, Any]) -> None:
    url, ca_one, ca_two = https_server["url"], https_server["ca_one"], https_server["ca_two"]
    options: dict[str, Any] = {"retry_total": 0}  # a failed handshake is not retried
    async with AsyncAccessControlClient(url, _AsyncCredential(), connection_verify=ca_one, **options) as client:
        assert (await client.send_request(HttpRequest("GET", "/a"))).status_code == 200
        with pytest.raises(ServiceRequestError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            await client.send_request(HttpRequest("GET", "/b"), connection_verify=ca_two)
        assert (await client.send_request(HttpRequest("GET", "/c"))).status_code == 200
    async with AsyncAccessControlClient(url, _AsyncCredential(), connection_verify=ca_two, **options) as client:
        with pytest.raises(ServiceRequestError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            await client.send_request(HttpRequest("GET", "/d"))
        assert (await client.send_request(HttpRequest("GET", "/e"), connection_verify=ca_one)).status_code == 200
        with pytest.raises(OSError):  # azure-core's own error for an unreadable CA file, at every call
            await client.send_request(HttpRequest("GET", "/f"), connection_verify=str(Path(ca_one).parent / "none"))


def test_the_transport_builds_each_context_once(https_server: dict[str, Any]) -> None:
    transport = KeyVaultAioHttpTransport()
    one = transport._build_ssl_config(None, https_server["ca_one"])
    assert transport._build_ssl_config(None, https_server["ca_one"]) is one
    two = transport._build_ssl_config(None, https_server["ca_two"])
    assert two is not one and isinstance(two, ssl.SSLContext)
    assert transport._build_ssl_config(None, True) is True and transport._build_ssl_config(None, False) is False
    with pytest.raises(OSError):
        transport._build_ssl_config(None, "/nonexistent/ca.pem")
    assert len(transport._ssl_contexts) == 2


# ---- the environment, read by the transport instead of aiohttp's worker threads -------------------------------

ENV_NAMES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY",
             "all_proxy", "NETRC")


@pytest.fixture
def aio_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc unless a test writes one
    return monkeypatch


def _aiohttp_would(url: str) -> dict[str, Any]:
    """What aiohttp's ClientSession._request finds with trust_env=True (its own functions, as it calls them)."""
    from aiohttp.helpers import get_env_proxy_for_url, strip_auth_from_url
    from yarl import URL

    found: dict[str, Any] = {}
    stripped, auth_from_url = strip_auth_from_url(URL(url))
    if auth_from_url is None and stripped.host is not None:
        auth = aiohttp.ClientSession._get_netrc_auth(None, stripped.host)  # type: ignore[arg-type]
        if auth is not None:
            found["auth"] = auth
    try:
        found["proxy"], found["proxy_auth"] = get_env_proxy_for_url(stripped)
    except LookupError:
        pass
    return found


def _transport_gives(transport: KeyVaultAioHttpTransport, url: str, proxies: Any = None) -> dict[str, Any]:
    config: dict[str, Any] = {}
    transport._environment_options(url, proxies, config)
    return config


def test_environment_lookups_equal_aiohttps_own(aio_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch = aio_environment
    transport = KeyVaultAioHttpTransport()
    urls = ["https://myhsm.managedhsm.azure.net/x", "https://127.0.0.1:8443/x", "http://plain.example/x",
            "https://user:pw@myhsm.managedhsm.azure.net/x", "https://other.example:99/y"]
    netrc = tmp_path / "netrc"
    steps = [
        lambda: None,
        lambda: monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128"),
        lambda: monkeypatch.setenv("HTTP_PROXY", "http://plainproxy.example:8080"),
        lambda: monkeypatch.setenv("NO_PROXY", "managedhsm.azure.net,127.0.0.1"),
        lambda: netrc.write_text("machine myhsm.managedhsm.azure.net login u password p\n"
                                 "machine proxy.example login pu password pp\n"),
        lambda: monkeypatch.setenv("NETRC", str(netrc)),
        lambda: monkeypatch.delenv("NO_PROXY"),
        lambda: netrc.write_text("machine other.example login o password q\n"),
        lambda: monkeypatch.setenv("https_proxy", "https://tls-proxy.example"),  # aiohttp ignores https proxies
        lambda: netrc.write_text("this is not a netrc file \"\n"),
        lambda: monkeypatch.setenv("NETRC", str(tmp_path / "missing")),
    ]
    for step in steps:
        step()
        for url in urls:
            for _ in range(2):  # the second answer comes from what the transport kept
                assert _transport_gives(transport, url) == _aiohttp_would(url), url


def test_azure_core_proxies_and_caller_auth_are_left_alone(aio_environment: pytest.MonkeyPatch) -> None:
    aio_environment.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    transport = KeyVaultAioHttpTransport()
    url = "https://myhsm.managedhsm.azure.net/x"
    assert _transport_gives(transport, url, {"https": "http://mine:1"}) == {}
    config: dict[str, Any] = {"proxy": "http://given:2", "auth": aiohttp.BasicAuth("a", "b")}
    transport._environment_options(url, None, config)
    assert config == {"proxy": "http://given:2", "auth": aiohttp.BasicAuth("a", "b")}


async def _send_both(url: str, ca: str, headers: Any = None) -> list[Any]:
    """The outcome of one request through azure-core's own transport and through ours (status or error type)."""
    from azure.core import AsyncPipelineClient

    outcomes = []
    for transport in (AioHttpTransport(connection_verify=ca, retry_total=0),
                      KeyVaultAioHttpTransport(connection_verify=ca)):
        async with AsyncPipelineClient(url, policies=[], transport=transport) as client:
            try:
                response = await client.send_request(HttpRequest("GET", url + "/z", headers=headers or {}))
                outcomes.append(response.status_code)
            except Exception as error:
                outcomes.append(type(error).__name__)
    return outcomes


async def test_proxies_and_netrc_reach_aiohttp_as_with_its_own_lookups(
    https_server: dict[str, Any], aio_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, ca, lines, seen = https_server["url"], https_server["ca_one"], https_server["proxy_lines"], \
        https_server["authorizations"]
    lines.clear()
    assert await _send_both(url, ca) == [200, 200]
    assert lines == []
    aio_environment.setenv("HTTPS_PROXY", https_server["proxy"])
    both = await _send_both(url, ca)
    assert both[0] == both[1] and both[0] != 200  # refused by the proxy, both ways
    assert len(lines) == 2 and lines[0].split("\r\n")[0] == lines[1].split("\r\n")[0]
    assert lines[0].startswith("CONNECT 127.0.0.1:")
    aio_environment.setenv("NO_PROXY", "127.0.0.1")
    assert await _send_both(url, ca) == [200, 200]
    assert len(lines) == 2
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login user password secret\n")
    seen.clear()
    assert await _send_both(url, ca) == [200, 200]
    assert seen[-2:] == ["Basic dXNlcjpzZWNyZXQ="] * 2
    # aiohttp refuses a netrc login together with an Authorization header: so do both
    assert await _send_both(url, ca, {"Authorization": "Bearer t"}) == ["ValueError", "ValueError"]
    netrc.unlink()
    assert await _send_both(url, ca, {"Authorization": "Bearer t"}) == [200, 200]


async def test_a_change_of_the_environment_reaches_the_next_request(
    https_server: dict[str, Any], aio_environment: pytest.MonkeyPatch
) -> None:
    from azure.core import AsyncPipelineClient

    url, lines = https_server["url"], https_server["proxy_lines"]
    lines.clear()
    transport = KeyVaultAioHttpTransport(connection_verify=https_server["ca_one"])
    async with AsyncPipelineClient(url, policies=[], transport=transport) as client:
        assert (await client.send_request(HttpRequest("GET", url + "/1"))).status_code == 200
        aio_environment.setenv("HTTPS_PROXY", https_server["proxy"])
        with pytest.raises(Exception):  # noqa: B017 - refused by the proxy
            await client.send_request(HttpRequest("GET", url + "/2"))
        assert len(lines) == 1
        aio_environment.delenv("HTTPS_PROXY")
        assert (await client.send_request(HttpRequest("GET", url + "/3"))).status_code == 200
        assert transport.session is not None and transport.session.trust_env is False


async def test_a_callers_session_and_use_env_settings_are_left_to_aiohttp(https_server: dict[str, Any]) -> None:
    given = aiohttp.ClientSession(trust_env=True)
    transport = KeyVaultAioHttpTransport(session=given, session_owner=False)
    await transport.open()
    assert transport.session is given and transport._own_session is None
    await given.close()
    plain = KeyVaultAioHttpTransport(use_env_settings=False)
    await plain.open()
    assert plain.session is not None and plain.session.trust_env is False and plain._own_session is None
    await plain.close()


def test_no_deprecation_warning_reaches_the_caller(https_server: dict[str, Any], tmp_path: Path) -> None:
    # aiohttp warns about the ``auth`` parameter the transport passes with a netrc login; it must not surface
    # (aiohttp's own netrc lookup does not warn), even under -W error::DeprecationWarning.
    import os
    import subprocess
    import sys

    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login user password secret\n")
    script = (
        "import asyncio, sys\n"
        "from azure.core import AsyncPipelineClient\n"
        "from azure.core.rest import HttpRequest\n"
        "from azure.keyvault.administration._internal.async_transports import KeyVaultAioHttpTransport\n"
        "async def main():\n"
        "    transport = KeyVaultAioHttpTransport(connection_verify=sys.argv[2])\n"
        "    async with AsyncPipelineClient(sys.argv[1], policies=[], transport=transport) as client:\n"
        "        response = await client.send_request(HttpRequest('GET', sys.argv[1] + '/w'))\n"
        "        assert response.status_code == 200, response.status_code\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "NETRC": str(netrc)}
    for name in ENV_NAMES[:-1]:
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", script, https_server["url"], https_server["ca_one"]],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert https_server["authorizations"][-1] == "Basic dXNlcjpzZWNyZXQ="
