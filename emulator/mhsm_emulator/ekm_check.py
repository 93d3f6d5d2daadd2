"""``POST /ekm/check``: call the EKM proxy's info operation over mutual TLS, as the HSM does.

One request: ``POST https://{host}{path_prefix}/info?api-version=0.1-preview`` with ``{"request_context": {...}}``
(no ``/azureekm`` segment is inserted: the path prefix is used as configured, which is what the Cosmian guide's
``--path-prefix /azureekm/<prefix>`` setting implies). The emulator presents the HSM's EKM client certificate and
verifies the proxy's server certificate against the connection's ``server_ca_certificates`` only (each one a
trust anchor; the system store is not used), and its name against ``server_subject_common_name`` (the CN or a
DNS/IP subject alternative name, case-insensitive) when set, else against the host name.

Kept to what the check needs, so the HSM is no open relay: TLS 1.2+ only, one fixed request without any
credential of the caller, no redirects followed, answers bounded (:data:`MAX_RESPONSE_BYTES`), one deadline
for connect + handshake + exchange, at most :data:`MAX_CONCURRENT_CHECKS` checks at once. A success returns only
the five info strings; failures quote at most the proxy's (shortened) error code and message.

Every failure is ``502`` with the service's error JSON; the code says what failed:

============================================  ====================================================================
code                                          when
============================================  ====================================================================
``EkmProxyUnreachable``                       the host does not resolve, the port refuses or the network is down
``EkmProxyCertificateValidationFailed``       the server certificate is not issued by a ``server_ca_certificates``
                                              certificate, is expired, or names neither the host nor
                                              ``server_subject_common_name``
``EkmProxyHandshakeFailed``                   TLS failed otherwise, e.g. the proxy refused the HSM's client
                                              certificate or speaks no TLS
``EkmProxyTimeout``                           no complete answer within the timeout
``EkmProxyError``                             the proxy answered with a status other than 200 (its ``code`` and
                                              ``message`` are quoted, and given as ``innererror``)
``EkmProxyInvalidResponse``                   a 200 that is not a JSON object with the five string members, an
                                              answer over the size limit, or a connection closed mid-answer
============================================  ====================================================================

502 because the HSM is the gateway to the proxy here, and because azure-core retries a POST on 500, 503 and 504
only: a failed check reaches the caller at once instead of after three retries.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from .ekm_certs import CertificateFiles, certificate_names
from .errors import ServiceError

PROXY_API_VERSION = "0.1-preview"
MAX_RESPONSE_BYTES = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024
MAX_CONCURRENT_CHECKS = 4
MAX_QUOTED = 200
INFO_FIELDS = ("api_version", "proxy_vendor", "proxy_name", "ekm_vendor", "ekm_product")
CHECK_STATUS = 502
USER_AGENT = "mhsm-emulator (EKM connectivity check)"


@dataclass(frozen=True)
class ProxyTarget:
    """Where and how to reach the proxy.

    :param host: the connection's ``host`` as configured (for messages and the ``Host`` header).
    :param address: the name or address to connect to.
    :param port: the TCP port.
    :param server_name: the name sent as SNI and, without ``subject_name``, required in the server certificate
        (the connection's host name; for a private endpoint its name, whatever address it leads to).
    :param path_prefix: the connection's path prefix (``""`` for none).
    :param ca_certificates: DER certificates trusted for the proxy's server certificate.
    :param subject_name: the name the server certificate must carry instead of ``address`` (or ``None``).
    """

    host: str
    address: str
    port: int
    server_name: str
    path_prefix: str
    ca_certificates: Sequence[bytes]
    subject_name: str | None

    @property
    def url(self) -> str:
        """The info URL, for messages."""
        return f"https://{self.host}{self.path_prefix}/info?api-version={PROXY_API_VERSION}"


class _Failure(Exception):
    def __init__(self, code: str, message: str, innererror: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.innererror = innererror


def _quote(value: Any) -> str:
    """A proxy-supplied string made safe to echo: printable, at most :data:`MAX_QUOTED` characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "..."


def _ssl_context(target: ProxyTarget, client: CertificateFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # an intermediate given as CA is a trust anchor too
    context.check_hostname = target.subject_name is None
    context.load_verify_locations(cadata=b"".join(target.ca_certificates))
    context.load_cert_chain(str(client.cert_file), str(client.key_file))
    return context


class EkmChecker:
    """Runs connectivity checks for one emulator.

    :param client: the HSM's EKM client certificate files.
    :param timeout: returns the deadline of one check in seconds (read per check).
    """

    def __init__(self, client: CertificateFiles, timeout: Any) -> None:
        self._client = client
        self._timeout = timeout
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_CHECKS)

    async def check(self, target: ProxyTarget, request_context: dict[str, str]) -> dict[str, str]:
        """The proxy's info (the five strings, in the service's order).

        :raises ServiceError: 502 with one of the codes of the module documentation.
        """
        timeout = float(self._timeout())
        try:
            return await asyncio.wait_for(self._guarded(target, request_context), timeout)
        except asyncio.TimeoutError:
            raise ServiceError(
                CHECK_STATUS,
                "EkmProxyTimeout",
                f"The EKM proxy at '{target.host}' did not answer {target.url} within {timeout:g} seconds.",
            ) from None
        except _Failure as failure:
            raise ServiceError(CHECK_STATUS, failure.code, failure.message, innererror=failure.innererror) from None

    async def _guarded(self, target: ProxyTarget, request_context: dict[str, str]) -> dict[str, str]:
        async with self._slots:
            writer: asyncio.StreamWriter | None = None
            try:
                reader, writer = await self._connect(target)
                return await _exchange(reader, writer, target, request_context)
            finally:
                if writer is not None:
                    writer.transport.abort()  # no close_notify wait: a silent proxy must not hold the check

    async def _connect(self, target: ProxyTarget) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        sock = await _tcp_connect(target)
        try:
            context = _ssl_context(target, self._client)
        except (ssl.SSLError, ValueError) as exc:
            sock.close()
            raise _Failure(
                "EkmProxyCertificateValidationFailed",
                f"The connection's server_ca_certificates cannot be used to verify the proxy: {_quote(exc)}.",
            ) from None
        try:
            reader, writer = await asyncio.open_connection(
                sock=sock, ssl=context, server_hostname=target.server_name, limit=MAX_HEADER_BYTES
            )
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise _Failure(
                "EkmProxyCertificateValidationFailed",
                f"The EKM proxy at '{target.host}' presented a server certificate that does not validate against "
                f"the connection's server_ca_certificates: {_quote(exc.verify_message or exc.reason)}.",
            ) from None
        except (ssl.SSLError, OSError, EOFError) as exc:
            sock.close()
            raise _Failure(
                "EkmProxyHandshakeFailed",
                f"The TLS handshake with the EKM proxy at '{target.host}' failed: {_describe(exc)}.",
            ) from None
        if target.subject_name:
            _check_subject_name(writer, target)
        return reader, writer


async def _tcp_connect(target: ProxyTarget) -> socket.socket:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(target.address, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _Failure(
            "EkmProxyUnreachable", f"The EKM proxy host '{target.address}' could not be resolved: {_describe(exc)}."
        ) from None
    last: BaseException | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, address)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
        except BaseException:
            sock.close()
            raise
    raise _Failure(
        "EkmProxyUnreachable",
        f"The EKM proxy at '{target.host}' could not be reached (port {target.port}): {_describe(last)}.",
    )


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, ssl.SSLError):
        return _quote(exc.reason or exc.strerror or type(exc).__name__)
    if isinstance(exc, OSError) and exc.strerror:
        return _quote(exc.strerror)
    return _quote(str(exc) or type(exc).__name__) if exc is not None else "no address"


def _check_subject_name(writer: asyncio.StreamWriter, target: ProxyTarget) -> None:
    ssl_object = writer.get_extra_info("ssl_object")
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    names: list[str] = []
    if der:
        try:
            names = list(dict.fromkeys(certificate_names(x509.load_der_x509_certificate(der))))
        except ValueError:
            names = []
    expected = (target.subject_name or "").lower()
    if expected not in (name.lower() for name in names):
        raise _Failure(
            "EkmProxyCertificateValidationFailed",
            f"The EKM proxy at '{target.host}' presented a server certificate for "
            f"{', '.join(repr(_quote(n)) for n in names) or 'no name'}, not for the server_subject_common_name "
            f"'{target.subject_name}'.",
        )


def _request(target: ProxyTarget, request_context: dict[str, str]) -> bytes:
    body = json.dumps({"request_context": request_context}).encode("utf-8")
    host = target.host if target.port != 443 else target.host.removesuffix(":443")
    head = (
        f"POST {target.path_prefix}/info?api-version={PROXY_API_VERSION} HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        f"User-Agent: {USER_AGENT}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: ProxyTarget, request_context: dict[str, str]
) -> dict[str, str]:
    try:
        writer.write(_request(target, request_context))
        await writer.drain()
        status, body = await _read_response(reader, target)
    except ssl.SSLError as exc:
        # With TLS 1.3 a proxy refusing the client certificate says so (an alert) only after our handshake ended.
        raise _Failure(
            "EkmProxyHandshakeFailed",
            f"The EKM proxy at '{target.host}' ended the TLS session: {_describe(exc)} (does it trust the HSM's EKM "
            "client certificate? See GET /ekm/certificate).",
        ) from None
    except asyncio.LimitOverrunError:
        raise _invalid(target, "a line of its answer exceeds the size limit") from None
    except (ConnectionError, asyncio.IncompleteReadError, EOFError) as exc:
        raise _Failure(
            "EkmProxyInvalidResponse",
            f"The EKM proxy at '{target.host}' closed the connection before a complete answer: {_describe(exc)}.",
        ) from None
    if status != 200:
        raise _proxy_error(status, body, target)
    return _info(body, target)


def _closed_silently(target: ProxyTarget) -> _Failure:
    # TLS 1.3 ends our side of the handshake before the proxy has checked our certificate; a proxy that refuses it
    # may just close the connection (no alert reaches us). Nothing at all came back: most likely that.
    return _Failure(
        "EkmProxyHandshakeFailed",
        f"The EKM proxy at '{target.host}' closed the TLS session without answering, which is how a proxy refuses "
        "a client certificate it does not trust: does it trust the HSM's EKM client certificate (GET "
        "/ekm/certificate)?",
    )


async def _read_response(reader: asyncio.StreamReader, target: ProxyTarget) -> tuple[int, bytes]:
    try:
        pending = await reader.read(1)
    except ConnectionError:
        raise _closed_silently(target) from None
    if not pending:
        raise _closed_silently(target)
    while True:
        try:
            head = pending + await reader.readuntil(b"\r\n\r\n")
        except (asyncio.LimitOverrunError, ValueError):
            raise _invalid(target, f"its headers exceed {MAX_HEADER_BYTES} bytes") from None
        pending = b""
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not (parts[1].isdigit() and len(parts[1]) == 3):
            raise _invalid(target, "it is not HTTP/1.x")
        status = int(parts[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if 100 <= status < 200:
            continue  # interim answer (100 Continue): the real one follows
        return status, await _read_body(reader, headers, target)


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str], target: ProxyTarget) -> bytes:
    too_large = f"its body exceeds {MAX_RESPONSE_BYTES} bytes"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _invalid(target, "its chunked body is malformed") from None
            if size < 0 or len(body) + size > MAX_RESPONSE_BYTES:
                raise _invalid(target, too_large)
            if size == 0:
                return body
            body += await reader.readexactly(size)
            await reader.readexactly(2)
    if "content-length" in headers:
        text = headers["content-length"]
        if not text.isdigit():
            raise _invalid(target, "its Content-Length is not a number")
        if int(text) > MAX_RESPONSE_BYTES:
            raise _invalid(target, too_large)
        return await reader.readexactly(int(text))
    body = await reader.read(MAX_RESPONSE_BYTES + 1)
    while body and len(body) <= MAX_RESPONSE_BYTES:
        more = await reader.read(MAX_RESPONSE_BYTES + 1 - len(body))
        if not more:
            break
        body += more
    if len(body) > MAX_RESPONSE_BYTES:
        raise _invalid(target, too_large)
    return body


def _invalid(target: ProxyTarget, why: str) -> _Failure:
    return _Failure("EkmProxyInvalidResponse", f"The answer of the EKM proxy at '{target.host}' is unusable: {why}.")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


def _proxy_error(status: int, body: bytes, target: ProxyTarget) -> _Failure:
    error = _json(body)
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if isinstance(code, str) and isinstance(message, str):
        return _Failure(
            "EkmProxyError",
            f"The EKM proxy at '{target.host}' answered {target.url} with HTTP {status}: ({_quote(code)}) "
            f"{_quote(message)}",
            innererror={"code": _quote(code), "message": _quote(message)},
        )
    detail = " (redirects are not followed)" if 300 <= status < 400 else ""
    return _Failure(
        "EkmProxyError",
        f"The EKM proxy at '{target.host}' answered {target.url} with HTTP {status}{detail}, without an EKM error "
        "object ({\"code\", \"message\"}); is the path prefix right?",
    )


def _info(body: bytes, target: ProxyTarget) -> dict[str, str]:
    info = _json(body)
    if not isinstance(info, dict):
        raise _invalid(target, "its body is not a JSON object")
    missing = [name for name in INFO_FIELDS if not isinstance(info.get(name), str)]
    if missing:
        raise _invalid(target, f"the proxy info lacks the string member(s) {', '.join(missing)}")
    return {name: _quote(info[name]) for name in INFO_FIELDS}
