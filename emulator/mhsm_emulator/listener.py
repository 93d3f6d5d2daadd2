"""Listening sites whose answers to unparseable HTTP are JSON like every other answer.

aiohttp answers a request it cannot parse (a request line or header over 8 KiB, bytes that are not HTTP...)
before any middleware runs, with a ``text/plain`` body, and logs the raw bytes it choked on at ERROR level.
These sites give each connection's handler an error renderer instead, so such answers keep the service's error
shape and nothing the client sent (tokens included) reaches the log.

They also accept connections through a :class:`~mhsm_emulator.connections.ConnectionGate` (connection limit,
TLS handshake timeout), and each connection's handler moves its slot through the phases whose read timeouts
bound idle, header and body reads (see :mod:`mhsm_emulator.connections`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .connections import ConnectionGate, ConnectionLimits, ConnectionStats, Slot

_log = logging.getLogger(__name__)

ErrorRenderer = Callable[[int], web.Response]
"""Builds the answer for an HTTP status (400, 413, 431... or 500) of a request that never reached the app."""


class _JsonErrorRequestHandler(web.RequestHandler):
    """aiohttp's per-connection handler with :func:`handle_error` answering through an :data:`ErrorRenderer`.

    It also reports its connection's phase to its :class:`Slot`: ``head`` from the connection (or the first byte
    after a keep-alive pause), ``body`` once a request's headers are parsed, ``idle`` once the answer is sent.
    """

    __slots__ = ("_payload", "_render", "_slot")

    def __init__(self, manager: web.Server, render: ErrorRenderer, slot: Slot, **options: Any) -> None:
        super().__init__(manager, **options)
        self._render = render
        self._slot = slot
        self._payload: Any = None  # the body stream of the last request parsed

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start the header timeout; the slot aborts this transport when a timeout expires."""
        self._slot.set_abort(transport.abort)  # type: ignore[attr-defined]
        self._slot.enter("head")
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        """Give the connection's slot back."""
        self._slot.release()
        payload, self._payload = self._payload, None
        answered = self._current_request is None
        super().connection_lost(exc)
        if payload is not None and answered and not payload.is_eof():
            payload.feed_eof()  # ends aiohttp's lingering read of a body that can no longer arrive

    def data_received(self, data: bytes) -> None:
        """Feed the parser; a parsed request head moves the connection to its ``body`` phase."""
        slot = self._slot
        if data and slot.phase == "idle":
            slot.enter("head")
        # aiohttp queues each parsed request (head + streaming payload) in _messages as the head completes.
        queued = len(self._messages)
        super().data_received(data)
        if len(self._messages) > queued:
            self._payload = self._messages[-1][1]
            slot.enter("body", self._payload.is_eof)

    async def finish_response(
        self, request: web.BaseRequest, resp: web.StreamResponse, start_time: float | None
    ) -> tuple[web.StreamResponse, bool]:
        """Send the answer, then wait for the next request (``idle``), or time a pipelined one's body."""
        result = await super().finish_response(request, resp, start_time)
        if self._messages:
            self._slot.enter("body", self._messages[0][1].is_eof)
        else:
            self._slot.enter("idle")
        return result

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """Answer a request that never reached the app; log only the exception type (its text holds raw bytes)."""
        _log.debug("unparseable request from %s (%s)", request.remote, type(exc).__name__)
        if request.writer.output_size > 0:
            raise ConnectionError("response already started; cannot send the error")
        response = self._render(status)
        response.force_close()
        return response


class JsonErrorSockSite(web.BaseSite):
    """Like :class:`aiohttp.web.SockSite` (serve on an already bound socket), with JSON protocol errors.

    :param runner: the app's runner (set up).
    :param sock: a bound, listening socket (closed when the site stops).
    :param render: builds the answer for a request aiohttp could not parse.
    :param limits: timeouts and connection limit.
    :param ssl_context: TLS for the vault; ``None`` for plain HTTP.
    """

    def __init__(
        self,
        runner: web.BaseRunner,
        sock: socket.socket,
        render: ErrorRenderer,
        *,
        limits: ConnectionLimits,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context)
        self._sock = sock
        self._render = render
        self._limits = limits
        self._gate: ConnectionGate | None = None
        host, port = sock.getsockname()[:2]
        self._name = f"{'https' if ssl_context else 'http'}://{host}:{port}"

    @property
    def name(self) -> str:
        """``scheme://host:port`` of the socket."""
        return self._name

    @property
    def stats(self) -> ConnectionStats:
        """What the site did with its connections."""
        return self._gate.stats if self._gate is not None else ConnectionStats()

    async def start(self) -> None:
        """Start accepting connections."""
        await super().start()
        server = self._runner.server
        assert server is not None, "runner not set up"
        render = self._render
        loop = asyncio.get_running_loop()
        # The handler options the runner gave its server (access log settings...); aiohttp keeps them there.
        options: dict[str, Any] = dict(getattr(server, "_kwargs", {}))
        # aiohttp's own keep-alive close is only a backstop behind the slot's header and idle timeouts.
        options["keepalive_timeout"] = max(self._limits.idle_timeout, self._limits.header_timeout) + 1.0

        def protocol(slot: Slot) -> web.RequestHandler:
            return _JsonErrorRequestHandler(server, render, slot, loop=loop, **options)

        self._gate = ConnectionGate(self._sock, protocol, self._limits, ssl_context=self._ssl_context, name=self.name)
        self._server = self._gate
