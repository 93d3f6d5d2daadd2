"""Connection limits and read timeouts of a listener (vault and identity endpoint alike).

Every accepted connection holds a :class:`Slot` of its listener's :class:`ConnectionGate` until it closes, and
moves through phases, each bounded by a timeout of :class:`ConnectionLimits`:

``handshake``
    TLS handshake (vault only): ``tls_handshake_timeout``.
``head``
    from the accept (or from the first byte after a keep-alive pause) until the request line and headers are
    complete: ``header_timeout``.
``body``
    from the end of the headers until the whole body is received: ``body_timeout`` (a total, so a body dripped a
    byte at a time cannot hold the connection).
``busy``
    the request is being handled and answered: no read timeout (handlers may wait, e.g. the status long-poll).
``idle``
    keep-alive, between an answer and the next request's first byte: ``idle_timeout``.

A connection over its phase's timeout is aborted (closed at once, nothing more is sent). At most
``max_connections`` connections are open per listener: beyond it the oldest one that is not inside a request
(``handshake``, ``head`` or ``idle``) is aborted to make room, and when every connection is inside a request the new
one is closed at once. Nothing here raises into the event loop: a listener keeps serving whatever clients do.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

_log = logging.getLogger(__name__)

PHASES = ("handshake", "head", "body", "busy", "idle")
_EVICTABLE = ("handshake", "head", "idle")
_WARN_EVERY = 30.0
_TIMEOUT_COUNTERS = {
    "handshake": "closed_handshake_timeout",
    "head": "closed_header_timeout",
    "body": "closed_body_timeout",
    "idle": "closed_idle_timeout",
}


@dataclass(frozen=True)
class ConnectionLimits:
    """Timeouts (seconds) and the connection limit of one listener (see the module docstring)."""

    idle_timeout: float
    header_timeout: float
    body_timeout: float
    tls_handshake_timeout: float
    max_connections: int

    def timeout_for(self, phase: str) -> float | None:
        """The timeout of a phase (None for ``busy``)."""
        return {
            "handshake": self.tls_handshake_timeout,
            "head": self.header_timeout,
            "body": self.body_timeout,
            "idle": self.idle_timeout,
        }.get(phase)


@dataclass
class ConnectionStats:
    """What a listener did with its connections (counters since it started)."""

    accepted: int = 0
    """Connections accepted (including those closed at once for the limit)."""
    refused: int = 0
    """Closed at once because every slot was inside a request."""
    evicted: int = 0
    """Aborted to make room for a new connection (oldest not inside a request)."""
    handshake_failed: int = 0
    """TLS handshakes that failed (the client left or did not speak TLS)."""
    closed_handshake_timeout: int = 0
    closed_header_timeout: int = 0
    closed_body_timeout: int = 0
    closed_idle_timeout: int = 0
    open: int = 0
    """Connections open now."""
    inside_request: int = 0
    """Open connections inside a request now (``body`` or ``busy``): these are never closed to make room."""
    peak_open: int = 0
    """Most connections open at once."""

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict."""
        return asdict(self)


class Slot:
    """One accepted connection's place in its gate: its phase, deadline and how to abort it.

    A phase change only moves the deadline. The slot's one timer is re-armed only when the new deadline is earlier
    than the timer; a timer that fires before the current deadline re-arms itself for it (a keep-alive request
    moves through three phases, and cancelling and arming a timer for each was a measurable share of serving it).
    """

    __slots__ = ("_abort", "_check", "_deadline", "_gate", "_handle", "_handle_when", "phase", "released", "since")

    def __init__(self, gate: ConnectionGate) -> None:
        self._gate = gate
        self._handle: asyncio.TimerHandle | None = None
        self._handle_when = 0.0
        self._deadline: float | None = None
        self._check: Callable[[], bool] | None = None
        self._abort: Callable[[], object] | None = None
        self.phase = "handshake"
        self.since = time.monotonic()
        self.released = False

    def set_abort(self, abort: Callable[[], object]) -> None:
        """What aborts the connection (cancels the handshake, or aborts the transport)."""
        self._abort = abort

    def enter(self, phase: str, check: Callable[[], bool] | None = None) -> None:
        """Enter ``phase``; its timeout runs from now.

        :param check: called when the timeout expires; returning True means the phase is over in time (the body
            was fully received) and the connection moves on to ``busy`` instead of being aborted.
        """
        if self.released:
            return
        loop = self._gate.loop
        now = loop.time()
        self.phase = phase
        self.since = time.monotonic()
        self._check = check
        timeout = self._gate.limits.timeout_for(phase)
        if timeout is None:
            self._deadline = None  # a pending timer finds no deadline and lapses
            return
        deadline = self._deadline = now + timeout
        if self._handle is not None:
            if self._handle_when <= deadline:
                return  # fires first, then waits for the rest
            self._handle.cancel()
        self._handle = loop.call_at(deadline, self._fire)
        self._handle_when = deadline

    def _fire(self) -> None:
        self._handle = None
        deadline = self._deadline
        if self.released or deadline is None:
            return
        loop = self._gate.loop
        if loop.time() < deadline:
            self._handle = loop.call_at(deadline, self._fire)
            self._handle_when = deadline
            return
        phase, check = self.phase, self._check
        if check is not None and check():
            self.enter("busy")
            return
        self._deadline = None
        self._gate.count_timeout(phase)
        _log.debug("closing a connection of %s: %s timeout", self._gate.name, phase)
        self.abort()

    def abort(self) -> None:
        """Close the connection at once."""
        abort = self._abort
        if abort is not None:
            try:
                abort()
            except Exception:  # a transport already closing: nothing left to do
                _log.debug("abort failed", exc_info=True)
        self.release()

    def release(self) -> None:
        """Give the slot back (idempotent); called when the connection is lost or never got established."""
        if self.released:
            return
        self.released = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._gate.release(self)


class ConnectionGate(asyncio.AbstractServer):
    """Accepts connections on a listening socket within :class:`ConnectionLimits` (an ``asyncio`` server).

    :param sock: a bound, listening socket (closed by :meth:`close`).
    :param protocol_factory: makes the protocol of an accepted connection; it receives the connection's
        :class:`Slot` and must move it through the phases and release it when the connection is lost.
    :param ssl_context: TLS context, or None for plain HTTP.
    :param name: the listener's URL, for logs.
    """

    def __init__(
        self,
        sock: socket.socket,
        protocol_factory: Callable[[Slot], asyncio.Protocol],
        limits: ConnectionLimits,
        *,
        ssl_context: ssl.SSLContext | None,
        name: str,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.limits = limits
        self.name = name
        self._stats = ConnectionStats()
        self._sock: socket.socket | None = sock
        self._factory = protocol_factory
        self._ssl = ssl_context
        self._slots: dict[Slot, None] = {}  # insertion order = age
        self._handshakes: set[asyncio.Task[None]] = set()
        self._last_warning = -_WARN_EVERY
        self._accepting = self.loop.create_task(self._accept_loop())

    # --- asyncio.AbstractServer ------------------------------------------------------------------------

    def close(self) -> None:
        """Stop accepting, close the listening socket and abort pending TLS handshakes."""
        self._accepting.cancel()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        for task in list(self._handshakes):
            task.cancel()

    def get_loop(self) -> asyncio.AbstractEventLoop:
        """The loop the gate runs on."""
        return self.loop

    def is_serving(self) -> bool:
        """Whether new connections are accepted."""
        return not self._accepting.done()

    async def start_serving(self) -> None:
        """Nothing to do: the gate accepts from the moment it is made."""

    async def serve_forever(self) -> None:
        """Wait until the gate is closed."""
        await self.wait_closed()

    async def wait_closed(self) -> None:
        """Wait until the accept loop and pending handshakes are over."""
        await asyncio.gather(self._accepting, *self._handshakes, return_exceptions=True)

    # --- accounting --------------------------------------------------------------------------------------

    @property
    def stats(self) -> ConnectionStats:
        """The counters, with ``open`` and ``inside_request`` as of now."""
        slots = list(self._slots)
        self._stats.open = len(slots)
        self._stats.inside_request = sum(1 for slot in slots if slot.phase not in _EVICTABLE)
        return self._stats

    def release(self, slot: Slot) -> None:
        """Forget a slot (called by :meth:`Slot.release`)."""
        self._slots.pop(slot, None)

    def count_timeout(self, phase: str) -> None:
        """Count a connection closed for its phase's timeout."""
        name = _TIMEOUT_COUNTERS[phase]
        setattr(self._stats, name, getattr(self._stats, name) + 1)

    # --- accepting ---------------------------------------------------------------------------------------

    async def _accept_loop(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = await self.loop.sock_accept(self._sock)
            except asyncio.CancelledError:
                raise
            except OSError as exc:  # EMFILE, ECONNABORTED...: keep serving
                self._warn(f"accept failed on {self.name}: {exc}")
                await asyncio.sleep(0.1)
                continue
            self._stats.accepted += 1
            if len(self._slots) >= self.limits.max_connections and not self._make_room():
                self._stats.refused += 1
                self._warn(
                    f"{self.name}: {self.limits.max_connections} connections are inside requests "
                    "(max_connections); closing new ones until one ends"
                )
                conn.close()
                continue
            slot = Slot(self)
            self._slots[slot] = None
            self._stats.peak_open = max(self._stats.peak_open, len(self._slots))
            slot.set_abort(conn.close)  # until its task runs, nothing else holds the socket
            task = self.loop.create_task(self._establish(conn, slot))
            self._handshakes.add(task)
            task.add_done_callback(self._handshakes.discard)

    def _make_room(self) -> bool:
        """Abort the oldest connection not inside a request; False when there is none."""
        oldest = next((slot for slot in self._slots if slot.phase in _EVICTABLE), None)
        if oldest is None:
            return False
        self._stats.evicted += 1
        self._warn(f"{self.name}: {self.limits.max_connections} connections open (max_connections); "
                   "closing the oldest idle ones to make room")
        oldest.abort()
        return True

    async def _establish(self, conn: socket.socket, slot: Slot) -> None:
        if slot.released:  # closed to make room before this task got to run
            conn.close()
            return
        task = asyncio.current_task()
        assert task is not None
        slot.set_abort(task.cancel)
        options: dict[str, Any] = {}
        if self._ssl is not None:
            slot.enter("handshake")  # our timer counts it; asyncio's own is a backstop just behind it
            options["ssl"] = self._ssl
            options["ssl_handshake_timeout"] = self.limits.tls_handshake_timeout + 1.0
            if sys.version_info >= (3, 11):
                options["ssl_shutdown_timeout"] = self.limits.tls_handshake_timeout
        else:
            slot.phase = "head"  # no handshake; the protocol arms the header timeout when it is made
        try:
            await self.loop.connect_accepted_socket(lambda: self._factory(slot), sock=conn, **options)
        except asyncio.CancelledError:  # aborted (timeout, room for another connection) or the gate closed
            conn.close()
            slot.release()
        except (OSError, ssl.SSLError, asyncio.TimeoutError):  # the client left or spoke no TLS
            conn.close()
            if not slot.released:
                self._stats.handshake_failed += 1
            slot.release()
        except Exception:
            _log.exception("unexpected error while accepting a connection on %s", self.name)
            conn.close()
            slot.release()

    def _warn(self, message: str) -> None:
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY:
            self._last_warning = now
            _log.warning(message)
