"""``POST /ekm/check`` over real mutual TLS: against the reference proxy, and against servers that misbehave."""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from ekm_helpers import PLS_ALIAS, V1, V2, canned, ekm_api, http_answer, point_at, tls_server
from emu_helpers import Api, assert_error
from mhsm_emulator import RunningEmulator, run_emulator
from mhsm_emulator.ekm_certs import CLIENT_COMMON_NAME
from mhsm_emulator.ekm_check import MAX_RESPONSE_BYTES
from mhsm_emulator.ekm_proxy import PROXY_INFO, RunningEkmProxy, run_ekm_proxy


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with run_emulator(database=":memory:", ekm_check_timeout=2.0) as running:
        yield running


@pytest.fixture(scope="module")
def admin(emu: RunningEmulator) -> Api:
    return ekm_api(emu, name="ekm-check-admin")


@pytest.fixture(scope="module")
def client_ca(admin: Api) -> list[bytes]:
    """What GET /ekm/certificate returns, decoded (what a user gives the proxy)."""
    body = admin.get("/ekm/certificate", api_version=V2).json()
    return [base64.b64decode(item) for item in body["ca_certificates"]]


@pytest.fixture(scope="module")
def proxy(client_ca: list[bytes]) -> Iterator[RunningEkmProxy]:
    with run_ekm_proxy(client_ca=client_ca) as running:
        yield running


@pytest.fixture(scope="module")
def other_proxy() -> Iterator[RunningEkmProxy]:
    """A proxy with another CA that requires client certificates of yet another CA (its own)."""
    with run_ekm_proxy() as plain, run_ekm_proxy(client_ca=plain.ca_file) as running:
        yield running


def _check(api: Api, version: str = V2) -> Any:
    return api.request("POST", "/ekm/check", api_version=version)


def _failed(api: Api, code: str) -> dict[str, Any]:
    error: dict[str, Any] = assert_error(_check(api), 502, code)["error"]
    return error


# ---- success ----


@pytest.mark.parametrize("version", [V1, V2])
def test_check_returns_the_proxy_info_over_mutual_tls(admin: Api, proxy: RunningEkmProxy, version: str) -> None:
    point_at(admin, proxy, version=version)
    seen = len(proxy.requests)
    response = _check(admin, version)
    assert response.status_code == 200, response.text
    assert response.json() == PROXY_INFO
    assert list(response.json()) == ["api_version", "proxy_vendor", "proxy_name", "ekm_vendor", "ekm_product"]
    request = proxy.requests[seen]
    assert request["operation"] == "info"
    assert request["path"] == "/api/v1/info" and request["query"] == {"api-version": "0.1-preview"}
    assert request["client_subject"] == CLIENT_COMMON_NAME  # the HSM presented its client certificate
    context = request["body"]["request_context"]
    assert set(context) == {"request_id", "correlation_id", "pool_name"}
    assert all(isinstance(value, str) and value for value in context.values())
    assert context["request_id"] == response.headers["x-ms-request-id"]
    assert "authorization" not in request["headers"]  # the caller's token never goes to the proxy
    assert request["headers"]["host"] == proxy.host


def test_correlation_id_is_the_client_request_id(admin: Api, proxy: RunningEkmProxy) -> None:
    point_at(admin, proxy)
    response = admin.request("POST", "/ekm/check", api_version=V2,
                             headers={"x-ms-client-request-id": "c0ffee00-1234-5678-9abc-def012345678"})
    assert response.status_code == 200
    assert proxy.requests[-1]["body"]["request_context"]["correlation_id"] == "c0ffee00-1234-5678-9abc-def012345678"
    admin.request("POST", "/ekm/check", api_version=V2, headers={"x-ms-client-request-id": "bad value\x7f" * 10})
    assert proxy.requests[-1]["body"]["request_context"]["correlation_id"] != "bad value"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_without_subject_name_the_host_is_verified(admin: Api, proxy: RunningEkmProxy, host: str) -> None:
    point_at(admin, proxy, host=f"{host}:{proxy.port}", server_subject_common_name=None)
    assert _check(admin).json() == PROXY_INFO


def test_subject_name_matches_case_insensitively(admin: Api, proxy: RunningEkmProxy) -> None:
    point_at(admin, proxy, server_subject_common_name=proxy.server_subject_common_name.upper())
    assert _check(admin).status_code == 200


def test_the_azureekm_form_of_the_path_works_too(admin: Api, proxy: RunningEkmProxy) -> None:
    point_at(admin, proxy, path_prefix="/azureekm/api/v1")
    assert _check(admin).status_code == 200
    assert proxy.requests[-1]["path"] == "/azureekm/api/v1/info"


def test_several_ca_certificates_any_one_may_issue(admin: Api, proxy: RunningEkmProxy,
                                                   other_proxy: RunningEkmProxy) -> None:
    cas = [base64.b64encode(c).decode() for c in other_proxy.server_ca_certificates + proxy.server_ca_certificates]
    point_at(admin, proxy, server_ca_certificates=cas)
    assert _check(admin).status_code == 200


# ---- certificate and TLS failures ----


def test_wrong_ca(admin: Api, proxy: RunningEkmProxy, other_proxy: RunningEkmProxy) -> None:
    wrong = [base64.b64encode(c).decode() for c in other_proxy.server_ca_certificates]
    point_at(admin, proxy, server_ca_certificates=wrong)
    seen = len(proxy.requests)
    error = _failed(admin, "EkmProxyCertificateValidationFailed")
    assert "server_ca_certificates" in error["message"] and proxy.host in error["message"]
    assert len(proxy.requests) == seen  # nothing was sent to an unverified server


def test_wrong_subject_name(admin: Api, proxy: RunningEkmProxy) -> None:
    point_at(admin, proxy, server_subject_common_name="ekm.contoso.com")
    seen = len(proxy.requests)
    error = _failed(admin, "EkmProxyCertificateValidationFailed")
    assert "'ekm.contoso.com'" in error["message"] and proxy.server_subject_common_name in error["message"]
    assert len(proxy.requests) == seen


def test_host_name_not_in_the_certificate(admin: Api, proxy: RunningEkmProxy) -> None:
    # 127.0.0.1 is in the certificate, but the name "ekm-proxy.contoso.com" is not (and it does not resolve here)
    point_at(admin, proxy, server_subject_common_name=None, host=f"127.0.0.1:{proxy.port}")
    assert _check(admin).status_code == 200
    point_at(admin, proxy, server_subject_common_name="127.0.0.2")
    _failed(admin, "EkmProxyCertificateValidationFailed")


def test_proxy_refuses_our_client_certificate(admin: Api, other_proxy: RunningEkmProxy) -> None:
    point_at(admin, other_proxy)
    seen = len(other_proxy.requests)
    error = _failed(admin, "EkmProxyHandshakeFailed")
    assert "client certificate" in error["message"]
    assert len(other_proxy.requests) == seen


def test_plain_http_server_is_a_handshake_failure(admin: Api, proxy: RunningEkmProxy) -> None:
    with tls_server(proxy, http_answer(200, json.dumps(PROXY_INFO).encode()), tls=False) as server:
        point_at(admin, proxy, host=server.host)
        _failed(admin, "EkmProxyHandshakeFailed")


def test_unreachable_port(admin: Api, proxy: RunningEkmProxy) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    point_at(admin, proxy, host=f"127.0.0.1:{port}")
    error = _failed(admin, "EkmProxyUnreachable")
    assert f"127.0.0.1:{port}" in error["message"]


@pytest.mark.parametrize("tls", [False, True], ids=["tcp-silent", "tls-then-silent"])
def test_timeout(admin: Api, proxy: RunningEkmProxy, tls: bool) -> None:
    def hang(conn: Any) -> None:
        time.sleep(3)  # longer than the emulator's 2 s check timeout

    options: dict[str, Any] = {"silent": True} if not tls else {}
    with tls_server(proxy, hang, **options) as server:  # accepts, never answers
        point_at(admin, proxy, host=server.host)
        error = _failed(admin, "EkmProxyTimeout")
        assert "2 seconds" in error["message"]


# ---- answers ----

OK_INFO = json.dumps(PROXY_INFO).encode()


@pytest.mark.parametrize(
    ("reply", "code", "fragment"),
    [
        (http_answer(200, b"not json"), "EkmProxyInvalidResponse", "not a JSON object"),
        (http_answer(200, b"[1, 2]"), "EkmProxyInvalidResponse", "not a JSON object"),
        (http_answer(200, b'{"api_version": "1"}'), "EkmProxyInvalidResponse", "proxy_vendor, proxy_name"),
        (http_answer(200, json.dumps({**PROXY_INFO, "ekm_product": 5}).encode()), "EkmProxyInvalidResponse",
         "ekm_product"),
        (http_answer(200, b"<html><body>It works!</body></html>", content_type="text/html"),
         "EkmProxyInvalidResponse", "not a JSON object"),
        (http_answer(200, b'{"a": "' + b"x" * (MAX_RESPONSE_BYTES + 10) + b'"}'), "EkmProxyInvalidResponse",
         "exceeds"),
        (canned(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n{}"), "EkmProxyInvalidResponse", "exceeds"),
        (canned(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"8000\r\n" + b"x" * 0x8000 + b"\r\n"
                + b"8000\r\n" + b"x" * 0x8000 + b"\r\n" + b"10\r\n" + b"x" * 16 + b"\r\n0\r\n\r\n"),
         "EkmProxyInvalidResponse", "exceeds"),
        (canned(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"y" * (MAX_RESPONSE_BYTES + 1)),
         "EkmProxyInvalidResponse", "exceeds"),
        (canned(b"HTTP/1.1 200 OK\r\nX-Big: " + b"h" * 20000 + b"\r\n\r\n"), "EkmProxyInvalidResponse", "headers"),
        (canned(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"), "EkmProxyInvalidResponse", "not HTTP"),
        (canned(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"api"), "EkmProxyInvalidResponse",
         "closed the connection"),
        (canned(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n{}"), "EkmProxyInvalidResponse", "Content-Length"),
        (canned(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), "EkmProxyInvalidResponse",
         "chunked"),
        (http_answer(403, b'{"code": "Forbidden", "message": "pool not allowed"}'), "EkmProxyError",
         "HTTP 403: (Forbidden) pool not allowed"),
        (http_answer(404, b"<html>Not Found</html>", content_type="text/html"), "EkmProxyError", "path prefix"),
        (http_answer(500, b""), "EkmProxyError", "HTTP 500"),
        (http_answer(302, b"", extra="Location: https://evil.example/\r\n"), "EkmProxyError", "redirects"),
        (http_answer(204, b""), "EkmProxyError", "HTTP 204"),
    ],
    ids=["non-json", "json-array", "missing-fields", "wrong-type", "html", "huge-body", "huge-length",
         "huge-chunked", "huge-unframed", "huge-headers", "not-http", "truncated", "bad-length", "bad-chunk",
         "proxy-error", "html-404", "empty-500", "redirect", "no-content"],
)
def test_malformed_answers(admin: Api, proxy: RunningEkmProxy, reply: Any, code: str, fragment: str) -> None:
    with tls_server(proxy, reply) as server:
        point_at(admin, proxy, host=server.host)
        error = _failed(admin, code)
        assert fragment in error["message"], error
        assert server.requests and server.requests[0].startswith(b"POST /api/v1/info?api-version=0.1-preview ")


def test_proxy_error_reply_is_quoted_as_innererror(admin: Api, proxy: RunningEkmProxy) -> None:
    long_message = "m" * 1000 + "\x00"
    reply = http_answer(429, json.dumps({"code": "TooManyRequests", "message": long_message}).encode())
    with tls_server(proxy, reply) as server:
        point_at(admin, proxy, host=server.host)
        error = _failed(admin, "EkmProxyError")
    assert error["innererror"]["code"] == "TooManyRequests"
    assert len(error["innererror"]["message"]) < 300 and "\x00" not in error["message"]


def test_chunked_and_unframed_answers_are_read(admin: Api, proxy: RunningEkmProxy) -> None:
    half = len(OK_INFO) // 2
    chunked = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               + f"{half:x}\r\n".encode() + OK_INFO[:half] + b"\r\n"
               + f"{len(OK_INFO) - half:x}\r\n".encode() + OK_INFO[half:] + b"\r\n0\r\n\r\n")
    for raw in (chunked, b"HTTP/1.0 200 OK\r\n\r\n" + OK_INFO):
        with tls_server(proxy, canned(raw)) as server:
            point_at(admin, proxy, host=server.host)
            assert _check(admin).json() == PROXY_INFO


def test_the_reference_proxy_answers_errors_the_check_reports(admin: Api, proxy: RunningEkmProxy) -> None:
    point_at(admin, proxy, path_prefix="/wrong")
    error = _failed(admin, "EkmProxyError")
    assert "(InvalidRequest)" in error["message"] and error["innererror"]["code"] == "InvalidRequest"


# ---- other rules ----


def test_check_without_connection_is_404(emu: RunningEmulator) -> None:
    api = ekm_api(emu)
    api.delete("/ekm", api_version=V2)
    assert_error(_check(api), 404, "NotFound")


def test_check_needs_ekm_read(emu: RunningEmulator, admin: Api, proxy: RunningEkmProxy) -> None:
    point_at(admin, proxy)
    seen = len(proxy.requests)
    for role in (None, "Managed HSM Administrator", "Managed HSM Crypto Officer"):
        assert_error(_check(ekm_api(emu, role)), 403, "Forbidden")
    assert len(proxy.requests) == seen


def test_the_server_survives_many_failing_checks(admin: Api, proxy: RunningEkmProxy) -> None:
    with tls_server(proxy, canned(b"garbage")) as server:
        point_at(admin, proxy, host=server.host)
        for _ in range(10):
            _failed(admin, "EkmProxyInvalidResponse")
    point_at(admin, proxy)
    assert _check(admin).status_code == 200


# ---- private endpoint connectivity ----


def test_check_through_a_private_endpoint() -> None:
    targets = {PLS_ALIAS.upper(): "127.0.0.1:9"}  # service ids compare case-insensitively
    with run_emulator(database=":memory:", ekm_private_link_targets=targets) as emu:
        api = ekm_api(emu)
        job = api.request("POST", "/ekm/privateendpoint/pe-proxy", api_version=V2,
                          json={"privateLinkServiceId": PLS_ALIAS}).json()
        statuses = [api.get(f"/ekm/privateendpoint/operations/{job['jobId']}", api_version=V2).json()["status"]
                    for _ in range(3)]
        assert statuses[-1] == "Succeeded"
        with run_ekm_proxy(client_ca=_ca(api)) as behind:
            targets[PLS_ALIAS.upper()] = behind.host  # the private link service now leads to this proxy
            body = {**behind.connection_body(), "host": "pe-proxy", "connectivity_mode": "PrivateEndpoint"}
            assert api.request("POST", "/ekm/create", api_version=V2, json=body).status_code == 200
            response = _check(api)
            assert response.status_code == 200, response.text
            assert response.json() == PROXY_INFO
            assert behind.requests[-1]["headers"]["host"] == "pe-proxy"
            # without server_subject_common_name the endpoint's name must be in the certificate: it is not
            assert api.patch("/ekm", api_version=V2, json={"server_subject_common_name": None}).ok
            _failed(api, "EkmProxyCertificateValidationFailed")
        targets.clear()
        error = _failed(api, "EkmProxyUnreachable")
        assert PLS_ALIAS in error["message"]


def _ca(api: Api) -> list[bytes]:
    return [base64.b64decode(c) for c in api.get("/ekm/certificate", api_version=V2).json()["ca_certificates"]]
