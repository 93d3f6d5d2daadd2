"""Slow and idle clients cannot hold the emulator's connections: TLS handshake, header, body and keep-alive timeouts,
and a connection limit, on the vault and the identity endpoint, while normal clients keep being served.

The emulators here run with timeouts of 2 s; a test only checks that a connection was closed before a generous
bound (:data:`BOUND`), never how fast.
"""

from __future__ import annotations

import select
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from emu_helpers import API_VERSION
from mhsm_emulator import RunningEmulator, run_emulator
from reliability_ledger import ledger

TIMEOUT = 2.0
BOUND = 30.0
"""Seconds within which a connection over its timeout must have been closed (generous: a loaded CI machine)."""
SETTING = "/settings/AllowKeyManagementOperationsThroughARM"
IDLE_PER_KIND = 50

TIMEOUTS = {"idle_timeout": TIMEOUT, "header_timeout": TIMEOUT, "body_timeout": TIMEOUT,
            "tls_handshake_timeout": TIMEOUT}


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with run_emulator(database=":memory:", max_connections=1000, **TIMEOUTS) as running:
        yield running
        closed = [stats[f"closed_{kind}_timeout"] for stats in running.connection_stats().values()
                  for kind in ("handshake", "header", "body", "idle")]
        ledger.add("idle_closed_by_timeout", sum(closed))


def _identity_address(emu: RunningEmulator) -> tuple[str, int]:
    parts = urlsplit(emu.identity_endpoint)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def _tls(emu: RunningEmulator) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=emu.ca_file)
    return context.wrap_socket(socket.create_connection(("127.0.0.1", emu.port), timeout=BOUND),
                               server_hostname="127.0.0.1")


def _closed_by_peer(sock: socket.socket) -> bool:
    """Read what is there; True when the peer closed (end of file or reset)."""
    try:
        data = sock.recv(65536)
    except ssl.SSLWantReadError:
        return False
    except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
        return True
    return data == b""


def _wait_closed(socks: list[socket.socket], bound: float = BOUND) -> int:
    """Wait (at most ``bound`` seconds) until the server closed every socket; how many it closed."""
    selector = selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    closed = 0
    deadline = time.monotonic() + bound
    while closed < len(socks) and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if _closed_by_peer(sock):
                selector.unregister(sock)
                closed += 1
    selector.close()
    return closed


def _token(emu: RunningEmulator) -> str:
    response = requests.get(
        emu.identity_endpoint, params={"api-version": "2019-08-01", "resource": emu.resource},
        headers={"X-IDENTITY-HEADER": emu.identity_header}, timeout=BOUND,
    )
    assert response.status_code == 200
    return str(response.json()["access_token"])


def _normal_request(emu: RunningEmulator) -> int:
    """A well-behaved client: a token from the identity endpoint, then a vault request."""
    response = requests.get(f"{emu.vault_url}/settings", params={"api-version": API_VERSION},
                            headers={"Authorization": f"Bearer {_token(emu)}"}, verify=emu.ca_file, timeout=BOUND)
    return response.status_code


def _close_all(socks: list[socket.socket]) -> None:
    for sock in socks:
        sock.close()


def test_idle_connections_of_every_kind_are_closed_while_normal_clients_are_served(emu: RunningEmulator) -> None:
    identity = _identity_address(emu)
    kinds: dict[str, list[socket.socket]] = {kind: [] for kind in (
        "vault TCP only (no TLS handshake)", "vault TLS handshake begun, never finished", "vault TLS, no request",
        "vault TLS, partial headers", "identity TCP only", "identity partial headers")}
    socks: list[socket.socket] = []
    try:
        for _ in range(IDLE_PER_KIND):
            tcp = socket.create_connection(("127.0.0.1", emu.port))
            kinds["vault TCP only (no TLS handshake)"].append(tcp)
            hello = socket.create_connection(("127.0.0.1", emu.port))
            hello.sendall(b"\x16\x03\x01\x02\x00\x01")  # the first bytes of a ClientHello, then nothing
            kinds["vault TLS handshake begun, never finished"].append(hello)
            kinds["vault TLS, no request"].append(_tls(emu))
            partial = _tls(emu)
            partial.sendall(b"GET /settings?api-version=7.5 HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            kinds["vault TLS, partial headers"].append(partial)
            kinds["identity TCP only"].append(socket.create_connection(identity))
            slow = socket.create_connection(identity)
            slow.sendall(b"GET /msi/token?api-version=2019-08-01 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-IDENTITY")
            kinds["identity partial headers"].append(slow)
        socks = [sock for group in kinds.values() for sock in group]
        assert len(socks) == 6 * IDLE_PER_KIND == 300

        served = [_normal_request(emu) for _ in range(3)]  # while the idle ones are open
        assert served == [200, 200, 200]
        closed = {kind: _wait_closed(group) for kind, group in kinds.items()}
        assert closed == {kind: IDLE_PER_KIND for kind in kinds}, closed
        assert _normal_request(emu) == 200  # and after
    finally:
        _close_all(socks)
    stats = emu.connection_stats()
    assert stats["vault"]["closed_handshake_timeout"] == 2 * IDLE_PER_KIND
    assert stats["vault"]["closed_header_timeout"] == 2 * IDLE_PER_KIND
    assert stats["identity"]["closed_header_timeout"] == 2 * IDLE_PER_KIND
    assert stats["vault"]["refused"] == stats["vault"]["evicted"] == 0  # under the limit: nobody else was closed


def test_keep_alive_connection_is_closed_after_the_idle_timeout(emu: RunningEmulator) -> None:
    sock = _tls(emu)
    try:
        sock.sendall(f"GET /settings?api-version={API_VERSION} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Authorization: Bearer {_token(emu)}\r\n\r\n".encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        assert _wait_closed([sock]) == 1
    finally:
        sock.close()
    assert emu.connection_stats()["vault"]["closed_idle_timeout"] >= 1


def _patch_head(emu: RunningEmulator, length: int) -> bytes:
    return (f"PATCH {SETTING}?api-version={API_VERSION} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {_token(emu)}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def test_a_dripped_body_is_cut_off_and_nothing_is_committed(emu: RunningEmulator) -> None:
    before = requests.get(f"{emu.vault_url}{SETTING}", params={"api-version": API_VERSION}, verify=emu.ca_file,
                          headers={"Authorization": f"Bearer {_token(emu)}"}, timeout=BOUND).json()["value"]
    body = b'{"value": "%s"}' % (b"false" if before == "true" else b"true")
    sock = _tls(emu)
    cut_off = False
    try:
        sock.sendall(_patch_head(emu, len(body)) + body[:1])
        sock.settimeout(0.25)
        deadline = time.monotonic() + BOUND
        for byte in body[1:-1] * 100:  # 1 byte every 0.25 s, far longer than the body timeout
            if time.monotonic() > deadline:
                break
            try:
                sock.sendall(bytes([byte]))
                if sock.recv(65536) == b"":
                    cut_off = True
                    break
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                cut_off = True
                break
    finally:
        sock.close()
    assert cut_off
    assert emu.connection_stats()["vault"]["closed_body_timeout"] == 1
    after = requests.get(f"{emu.vault_url}{SETTING}", params={"api-version": API_VERSION}, verify=emu.ca_file,
                         headers={"Authorization": f"Bearer {_token(emu)}"}, timeout=BOUND).json()["value"]
    assert after == before  # the PATCH never reached the handler


def test_a_body_sent_in_pieces_within_the_timeout_is_accepted(emu: RunningEmulator) -> None:
    body = b'{"value": "true"}'
    sock = _tls(emu)
    try:
        sock.sendall(_patch_head(emu, len(body)) + body[:5])
        time.sleep(0.2)  # well inside the body timeout: a slow but honest client
        sock.sendall(body[5:])
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert emu.connection_stats()["vault"]["closed_body_timeout"] == 0


def _wait_for(condition: Any, bound: float = BOUND) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


LONG_TIMEOUTS = {name: 120.0 for name in TIMEOUTS}
"""For the limit tests: only the limit, not a timeout, may close a connection while they run."""


def _still_open(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


def test_beyond_the_limit_the_oldest_idle_connections_make_room() -> None:
    with run_emulator(database=":memory:", max_connections=5, **LONG_TIMEOUTS) as emu:
        identity = _identity_address(emu)
        socks = []
        try:
            for _ in range(20):
                socks.append(socket.create_connection(identity))
            _wait_for(lambda: emu.connection_stats()["identity"]["accepted"] >= 20)
            stats = emu.connection_stats()["identity"]
            assert stats["evicted"] == 15 and stats["peak_open"] == 5 and stats["open"] == 5
            assert _wait_closed(socks[:15]) == 15  # the 15 oldest, closed to make room
            assert all(_still_open(sock) for sock in socks[15:])
            assert requests.get(emu.identity_endpoint, timeout=BOUND).status_code == 400  # served (no secret header)
            assert _normal_request(emu) == 200
            assert emu.connection_stats()["identity"]["peak_open"] == 5
        finally:
            _close_all(socks)


def test_when_every_connection_is_inside_a_request_new_ones_are_closed_cleanly() -> None:
    with run_emulator(database=":memory:", max_connections=2, **LONG_TIMEOUTS) as emu:
        token = _token(emu)
        emu.set_faults(latency=5.0)  # two slow requests fill both vault connections
        statuses: list[int] = []

        def slow_request() -> None:
            statuses.append(requests.get(f"{emu.vault_url}/settings", params={"api-version": API_VERSION},
                                         headers={"Authorization": f"Bearer {token}"}, verify=emu.ca_file,
                                         timeout=BOUND).status_code)

        threads = [threading.Thread(target=slow_request) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            _wait_for(lambda: emu.connection_stats()["vault"]["inside_request"] == 2)
            with pytest.raises((ssl.SSLError, ConnectionError, OSError)):  # closed before the TLS handshake
                _tls(emu).close()
            assert emu.connection_stats()["vault"]["refused"] >= 1
        finally:
            for thread in threads:
                thread.join(timeout=BOUND)
        assert statuses == [200, 200]  # the busy ones were not disturbed
        emu.set_faults()
        assert _normal_request(emu) == 200  # a slot is free again
