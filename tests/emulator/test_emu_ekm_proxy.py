"""The reference EKM proxy: its API (info, metadata, wrap/unwrap), mutual TLS, persistence, and its CLI."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import ssl
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cli_process import cli, wait_gone
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from ekm_helpers import V2, ekm_api, point_at
from mhsm_emulator import run_emulator
from mhsm_emulator.ekm_proxy import PROXY_INFO, SERVER_COMMON_NAME, RunningEkmProxy, run_ekm_proxy
from mhsm_emulator.ekm_proxy.keys import AES_KEY_NAME, RSA_KEY_NAME

CONTEXT = {"request_context": {"request_id": "r1", "correlation_id": "c1", "pool_name": "pool"}}
PROXY_VERSION = "0.1-preview"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEkmProxy]:
    with run_ekm_proxy(tmp_path_factory.mktemp("proxy")) as running:
        yield running


def call(proxy: RunningEkmProxy, path: str, body: Any = None, *, method: str = "POST",
         version: str | None = PROXY_VERSION, **kwargs: Any) -> requests.Response:
    params = {"api-version": version} if version is not None else {}
    return requests.request(method, f"https://{proxy.host}{path}", params=params,
                            json=CONTEXT if body is None else body, verify=str(proxy.ca_file), timeout=30, **kwargs)


def error(response: requests.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"} and body["code"] == code, body
    return str(body["message"])


# ---- API ----


@pytest.mark.parametrize("base", ["/api/v1", "/azureekm/api/v1"])
def test_info(proxy: RunningEkmProxy, base: str) -> None:
    response = call(proxy, f"{base}/info")
    assert response.status_code == 200 and response.json() == PROXY_INFO
    assert response.headers["Content-Type"].startswith("application/json")
    assert proxy.requests[-1]["body"] == CONTEXT and proxy.requests[-1]["client_subject"] is None


def test_metadata(proxy: RunningEkmProxy) -> None:
    aes = call(proxy, f"/api/v1/{AES_KEY_NAME}/metadata").json()
    assert aes == {"key_type": "oct", "key_size": 256, "key_ops": ["wrapKey", "unwrapKey"]}
    rsa = call(proxy, f"/api/v1/{RSA_KEY_NAME}/metadata").json()
    assert rsa["key_type"] == "RSA" and rsa["key_size"] == 2048 and rsa["e"] == "AQAB"
    n = int.from_bytes(base64.urlsafe_b64decode(rsa["n"] + "=" * (-len(rsa["n"]) % 4)), "big")
    assert n.bit_length() == 2048


@pytest.mark.parametrize(
    ("key", "alg", "size"),
    [(AES_KEY_NAME, "A256KW", 32), (AES_KEY_NAME, "A256KW", 16), (AES_KEY_NAME, "A256KWP", 7),
     (AES_KEY_NAME, "A256KWP", 32), (RSA_KEY_NAME, "RSA-OAEP-256", 32), (RSA_KEY_NAME, "RSA-OAEP", 32)],
)
def test_wrap_unwrap_round_trip(proxy: RunningEkmProxy, key: str, alg: str, size: int) -> None:
    dek = os.urandom(size)
    wrapped = call(proxy, f"/api/v1/{key}/wrapkey", {**CONTEXT, "alg": alg, "value": b64url(dek)})
    assert wrapped.status_code == 200, wrapped.text
    value = wrapped.json()["value"]
    assert "=" not in value and base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)) != dek
    unwrapped = call(proxy, f"/api/v1/{key}/unwrapkey", {**CONTEXT, "alg": alg, "value": value})
    assert unwrapped.status_code == 200
    assert base64.urlsafe_b64decode(unwrapped.json()["value"] + "==") == dek


def test_a256kw_is_rfc3394(proxy: RunningEkmProxy) -> None:
    """The wrapped value unwraps with the key file and the standard algorithm (not just with the proxy)."""
    from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

    dek = os.urandom(32)
    value = call(proxy, f"/api/v1/{AES_KEY_NAME}/wrapkey", {**CONTEXT, "alg": "A256KW", "value": b64url(dek)})
    kek = (proxy.data_dir / "key-aes256.bin").read_bytes()
    assert aes_key_unwrap(kek, base64.urlsafe_b64decode(value.json()["value"] + "==")) == dek


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "fragment"),
    [
        ("/api/v1/info", {}, 400, "InvalidRequest", "request_context"),
        ("/api/v1/info", {"request_context": "x"}, 400, "InvalidRequest", "request_context"),
        ("/api/v1/info", {"request_context": {"pool_name": "p"}}, 400, "InvalidRequest", "correlation_id"),
        ("/api/v1/info", {"request_context": {"correlation_id": "c"}}, 400, "InvalidRequest", "pool_name"),
        ("/api/v1/info", {"request_context": {"correlation_id": "c", "pool_name": "p", "request_id": 1}}, 400,
         "InvalidRequest", "request_id"),
        ("/api/v1/info", [1], 400, "InvalidRequest", "JSON object"),
        ("/api/v1/nokey/metadata", None, 404, "KeyNotFound", "nokey"),
        ("/api/v1/bad_name!/metadata", None, 400, "InvalidRequest", "key name"),
        ("/api/v1/" + "k" * 65 + "/metadata", None, 400, "InvalidRequest", "key name"),
        (f"/api/v1/{AES_KEY_NAME}/wrapkey", {**CONTEXT, "alg": "RSA-OAEP", "value": "AAAA"}, 400,
         "UnsupportedAlgorithm", "A256KW"),
        (f"/api/v1/{RSA_KEY_NAME}/wrapkey", {**CONTEXT, "alg": "A256KW", "value": "AAAA"}, 400,
         "UnsupportedAlgorithm", "RSA-OAEP-256"),
        (f"/api/v1/{AES_KEY_NAME}/wrapkey", {**CONTEXT, "value": "AAAA"}, 400, "UnsupportedAlgorithm", "None"),
        (f"/api/v1/{AES_KEY_NAME}/wrapkey", {**CONTEXT, "alg": "A256KW"}, 400, "InvalidRequest", "'value'"),
        (f"/api/v1/{AES_KEY_NAME}/wrapkey", {**CONTEXT, "alg": "A256KW", "value": "a+b/"}, 400, "InvalidRequest",
         "base64url"),
        (f"/api/v1/{AES_KEY_NAME}/wrapkey", {**CONTEXT, "alg": "A256KW", "value": b64url(b"x" * 9)}, 400,
         "InvalidRequest", "cannot be wrapped"),
        (f"/api/v1/{AES_KEY_NAME}/unwrapkey", {**CONTEXT, "alg": "A256KW", "value": b64url(b"x" * 40)}, 400,
         "InvalidRequest", "cannot be unwrapped"),
        (f"/api/v1/{RSA_KEY_NAME}/unwrapkey", {**CONTEXT, "alg": "RSA-OAEP", "value": b64url(b"x" * 256)}, 400,
         "InvalidRequest", "cannot be unwrapped"),
        (f"/api/v1/{RSA_KEY_NAME}/wrapkey", {**CONTEXT, "alg": "RSA-OAEP", "value": b64url(b"x" * 300)}, 400,
         "InvalidRequest", "cannot be wrapped"),
        ("/other/info", None, 404, "InvalidRequest", "/api/v1/info"),
        ("/api/v1/info/more", None, 404, "InvalidRequest", "No EKM Proxy API operation"),
        ("/api/v1", None, 404, "InvalidRequest", "No EKM Proxy API operation"),
    ],
)
def test_error_replies(proxy: RunningEkmProxy, path: str, body: Any, status: int, code: str, fragment: str) -> None:
    assert fragment in error(call(proxy, path, body), status, code)


@pytest.mark.parametrize("version", [None, "", "1.0", "0.1-PREVIEW"])
def test_api_version_is_required(proxy: RunningEkmProxy, version: str | None) -> None:
    error(call(proxy, "/api/v1/info", version=version), 400, "UnsupportedApiVersion")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_only_post(proxy: RunningEkmProxy, method: str) -> None:
    error(call(proxy, "/api/v1/info", method=method), 405, "InvalidRequest")


def test_non_json_and_huge_bodies(proxy: RunningEkmProxy) -> None:
    url = f"https://{proxy.host}/api/v1/info?api-version={PROXY_VERSION}"
    for raw in (b"", b"not json", b"\xff\xfe", b"[" * 100_000):
        response = requests.post(url, data=raw, verify=str(proxy.ca_file), timeout=30)
        error(response, 400 if len(raw) < 65536 else 413, "InvalidRequest")
    error(requests.post(url, data=b"x" * 70_000, verify=str(proxy.ca_file), timeout=30), 413, "InvalidRequest")


def test_tls_files_and_keys_are_kept(tmp_path: Path) -> None:
    with run_ekm_proxy(tmp_path) as first:
        dek = os.urandom(32)
        wrapped = {
            alg: call(first, f"/api/v1/{key}/wrapkey", {**CONTEXT, "alg": alg, "value": b64url(dek)}).json()["value"]
            for key, alg in ((AES_KEY_NAME, "A256KW"), (RSA_KEY_NAME, "RSA-OAEP-256"))
        }
        ca = first.server_ca_certificates
    for name in ("proxy-ca-key.pem", "proxy-server-key.pem", "key-aes256.bin", "key-rsa2048.pem"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
    server = x509.load_pem_x509_certificate((tmp_path / "proxy-server.pem").read_bytes())
    assert server.subject.rfc4514_string() == f"CN={SERVER_COMMON_NAME}"
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(sans.get_values_for_type(x509.DNSName)) == {SERVER_COMMON_NAME, "localhost"}
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    server.verify_directly_issued_by(x509.load_der_x509_certificate(ca[0]))
    with run_ekm_proxy(tmp_path) as second:
        assert second.server_ca_certificates == ca
        for (key, alg) in ((AES_KEY_NAME, "A256KW"), (RSA_KEY_NAME, "RSA-OAEP-256")):
            back = call(second, f"/api/v1/{key}/unwrapkey", {**CONTEXT, "alg": alg, "value": wrapped[alg]})
            assert base64.urlsafe_b64decode(back.json()["value"] + "==") == dek


def test_path_prefix_option() -> None:
    with run_ekm_proxy(path_prefix="/ekm/v2") as proxy:
        assert call(proxy, "/ekm/v2/info").status_code == 200
        assert call(proxy, "/azureekm/ekm/v2/info").status_code == 200
        error(call(proxy, "/api/v1/info"), 404, "InvalidRequest")
        assert proxy.connection_body()["path_prefix"] == "/ekm/v2"
    for bad in ("ekm", "/ekm/", "/a b"):
        with pytest.raises(ValueError, match="path prefix"), run_ekm_proxy(path_prefix=bad):
            pass


# ---- mutual TLS ----


@pytest.fixture(scope="module")
def emulator_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the emulator's EKM client CA and certificate."""
    data_dir = tmp_path_factory.mktemp("emulator")
    with run_emulator(data_dir=data_dir, database=":memory:"):
        pass
    return data_dir


def _client_ca_variants(emulator_files: Path) -> dict[str, Any]:
    pem = (emulator_files / "ekm-client-ca.pem").read_bytes()
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    return {"pem-file": emulator_files / "ekm-client-ca.pem", "pem-bytes": pem, "der-bytes": der, "der-list": [der],
            "base64-list": [base64.b64encode(der).decode()]}


@pytest.mark.parametrize("form", ["pem-file", "pem-bytes", "der-bytes", "der-list", "base64-list"])
def test_client_certificate_required(emulator_files: Path, form: str) -> None:
    with run_ekm_proxy(client_ca=_client_ca_variants(emulator_files)[form]) as proxy:
        assert proxy.client_ca_required and proxy.info()["client_ca_required"] is True
        cert = (str(emulator_files / "ekm-client.pem"), str(emulator_files / "ekm-client-key.pem"))
        response = call(proxy, "/api/v1/info", cert=cert)
        assert response.status_code == 200
        assert proxy.requests[-1]["client_subject"] == "mhsm-emulator.managedhsmclient.azure.net"
        with pytest.raises(requests.exceptions.RequestException):
            call(proxy, "/api/v1/info")  # no client certificate
        with run_ekm_proxy() as stranger:  # a client certificate from another CA
            foreign = (str(stranger.data_dir / "proxy-server.pem"), str(stranger.data_dir / "proxy-server-key.pem"))
            with pytest.raises(requests.exceptions.RequestException):
                call(proxy, "/api/v1/info", cert=foreign)


def test_bad_client_ca_is_refused(tmp_path: Path) -> None:
    from mhsm_emulator.startup import StartupError

    (tmp_path / "junk.pem").write_text("not a certificate")
    for client_ca in (tmp_path / "junk.pem", tmp_path / "missing.pem", b"garbage"):
        with pytest.raises((StartupError, ValueError)), run_ekm_proxy(client_ca=client_ca):  # type: ignore[arg-type]
            pass


def test_end_to_end_with_the_emulator(tmp_path: Path) -> None:
    """The HSM's certificate, given to the proxy as get_ekm_certificate() returns it, lets the check through."""
    with run_emulator(database=":memory:") as emu:
        api = ekm_api(emu)
        chain = [base64.b64decode(c) for c in api.get("/ekm/certificate", api_version=V2).json()["ca_certificates"]]
        with run_ekm_proxy(tmp_path, client_ca=chain) as proxy:
            point_at(api, proxy)
            response = api.request("POST", "/ekm/check", api_version=V2)
            assert response.status_code == 200 and response.json() == proxy.proxy_info


# ---- CLI ----

PROXY_ARGS = [sys.executable, "-m", "mhsm_emulator.ekm_proxy"]


def _record(started: Any) -> dict[str, Any]:
    line = started.stdout.next(timeout=60)
    assert line, started.stderr.rest()
    record: dict[str, Any] = json.loads(line)
    return record


def _info(record: dict[str, Any], **kwargs: Any) -> requests.Response:
    ca = base64.b64decode(record["server_ca_certificates"][0])
    context = ssl.create_default_context(cadata=ca)
    context.check_hostname = True
    host, port = record["host"].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=record["server_subject_common_name"]) as sock:
        assert sock.getpeercert() is not None  # the CN/SAN is usable as server_subject_common_name
    return requests.post(f"https://{record['host']}{record['path_prefix']}/info",
                         params={"api-version": PROXY_VERSION}, json=CONTEXT, verify=record["ca_file"], timeout=30,
                         **kwargs)


def test_cli_prints_one_json_line_and_stops_on_sigint_with_sigint_ignored(tmp_path: Path) -> None:
    with cli([*PROXY_ARGS, "--data-dir", str(tmp_path / "p")]) as started:  # SIGINT ignored, as `cmd &` gets it
        record = _record(started)
        assert set(record) >= {"host", "path_prefix", "server_ca_certificates", "server_subject_common_name",
                               "proxy_info", "ca_file", "client_ca_required", "keys", "pid"}
        assert record["host"].startswith("127.0.0.1:") and record["path_prefix"] == "/api/v1"
        assert record["server_subject_common_name"] == SERVER_COMMON_NAME
        assert record["proxy_info"] == PROXY_INFO and record["client_ca_required"] is False
        assert record["pid"] == started.pid
        x509.load_der_x509_certificate(base64.b64decode(record["server_ca_certificates"][0], validate=True))
        assert _info(record).json() == PROXY_INFO
        started.signal(signal.SIGINT)
        assert started.wait(timeout=30) == 0
        assert started.stdout.rest() == ""
    assert wait_gone(record["pid"])


def test_cli_stops_on_sigterm(tmp_path: Path) -> None:
    with cli([*PROXY_ARGS, "--data-dir", str(tmp_path)]) as started:
        record = _record(started)
        started.signal(signal.SIGTERM)
        assert started.wait(timeout=30) == 0
    assert wait_gone(record["pid"])
    with socket.socket() as probe:  # the port is free again
        probe.bind(("127.0.0.1", int(record["host"].split(":")[1])))


@pytest.mark.parametrize("form", ["pem", "der"])
def test_cli_client_ca_file(tmp_path: Path, emulator_files: Path, form: str) -> None:
    ca_file = emulator_files / "ekm-client-ca.pem"
    if form == "der":
        ca_file = tmp_path / "ca.der"
        pem = (emulator_files / "ekm-client-ca.pem").read_bytes()
        ca_file.write_bytes(x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER))
    with cli([*PROXY_ARGS, "--data-dir", str(tmp_path / "p"), "--client-ca-file", str(ca_file)]) as started:
        record = _record(started)
        assert record["client_ca_required"] is True
        cert = (str(emulator_files / "ekm-client.pem"), str(emulator_files / "ekm-client-key.pem"))
        assert _info(record, cert=cert).status_code == 200
        with pytest.raises(requests.exceptions.RequestException):
            _info(record)
        started.signal(signal.SIGTERM)
        assert started.wait(timeout=30) == 0


def test_cli_port_option_and_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with cli([*PROXY_ARGS, "--data-dir", str(tmp_path), "--port", str(port)]) as started:
            assert started.wait(timeout=60) == 2
            lines = started.stderr.rest().strip().splitlines()
            assert len(lines) == 1 and "already in use" in lines[0] and "--port" in lines[0], lines
            assert started.stdout.rest() == ""


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--client-ca-file", "/nonexistent/ca.pem"], "cannot read the client CA file"),
        (["--client-ca-file", "__junk__"], "holds no PEM or DER certificate"),
        (["--port", "70000"], "not a TCP port"),
    ],
)
def test_cli_startup_failures_are_one_line_exit_2(tmp_path: Path, args: list[str], fragment: str) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("junk")
    args = [str(junk) if arg == "__junk__" else arg for arg in args]
    with cli([*PROXY_ARGS, "--data-dir", str(tmp_path / "p"), *args]) as started:
        assert started.wait(timeout=60) == 2
        lines = started.stderr.rest().strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in lines[0], lines


def test_cli_data_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with cli([*PROXY_ARGS, "--data-dir", str(tmp_path / "file")]) as started:
        assert started.wait(timeout=60) == 2
        assert "is a file" in started.stderr.rest()


def test_cli_usage_errors(tmp_path: Path) -> None:
    for args in ([], ["--data-dir", str(tmp_path), "--path-prefix", "no-slash"]):
        with cli([*PROXY_ARGS, *args]) as started:
            assert started.wait(timeout=60) == 2
            assert "error" in started.stderr.rest()
