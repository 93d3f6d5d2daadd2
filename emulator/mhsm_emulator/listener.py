"""Listening sites whose answers to unparseable HTTP are JSON like every other answer.

aiohttp answers a request it cannot parse (a request line or header over 8 KiB, bytes that are not HTTP...)
before any middleware runs, with a ``text/plain`` body, and logs the raw bytes it choked on at ERROR level.
These sites give each connection's handler an error renderer instead, so such answers keep the service's error
shape and nothing the client sent (tokens included) reaches the log.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable
from typing import Any

from aiohttp import web

_log = logging.getLogger(__name__)

ErrorRenderer = Callable[[int], web.Response]
"""Builds the answer for an HTTP status (400, 413, 431... or 500) of a request that never reached the app."""


class _JsonErrorRequestHandler(web.RequestHandler):
    """aiohttp's per-connection handler with :func:`handle_error` answering through an :data:`ErrorRenderer`."""

    __slots__ = ("_render",)

    def __init__(self, manager: web.Server, render: ErrorRenderer, **options: Any) -> None:
        super().__init__(manager, **options)
        self._render = render

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
    :param sock: a bound, listening socket.
    :param render: builds the answer for a request aiohttp could not parse.
    :param ssl_context: TLS for the vault; ``None`` for plain HTTP.
    """

    def __init__(
        self,
        runner: web.BaseRunner,
        sock: socket.socket,
        render: ErrorRenderer,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context)
        self._sock = sock
        self._render = render

    @property
    def name(self) -> str:
        """``scheme://host:port`` of the socket."""
        host, port = self._sock.getsockname()[:2]
        return f"{'https' if self._ssl_context else 'http'}://{host}:{port}"

    async def start(self) -> None:
        """Start accepting connections."""
        await super().start()
        server = self._runner.server
        assert server is not None, "runner not set up"
        render = self._render
        loop = asyncio.get_running_loop()
        # The handler options the runner gave its server (access log settings...); aiohttp keeps them there.
        options: dict[str, Any] = dict(getattr(server, "_kwargs", {}))

        def protocol() -> web.RequestHandler:
            return _JsonErrorRequestHandler(server, render, loop=loop, **options)

        self._server = await loop.create_server(
            protocol, sock=self._sock, ssl=self._ssl_context, backlog=self._backlog
        )
