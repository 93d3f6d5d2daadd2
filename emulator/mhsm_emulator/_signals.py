"""SIGINT and SIGTERM handling shared by the command-line programs (emulator, Azurite runner, EKM proxy).

A process inherits its signal dispositions: a non-interactive shell starts background jobs (``cmd &``) with
SIGINT ignored, and Python then installs no ``KeyboardInterrupt`` handler, so a program relying on the default
ignores Ctrl+C and ``kill -INT``. Every CLI therefore installs handlers for both signals itself, first thing in
``main()``, and both stop it the same way however it was started:

- synchronous code: :func:`install_stop_handlers`; the first signal raises :class:`StopRequested` (a
  ``KeyboardInterrupt``) in the main thread, later ones are swallowed so the clean-up it started can finish;
- inside an event loop: ``async with stop_signals() as stop: ... await stop.wait()``; the signals set the event
  instead of raising, and on leaving the block the synchronous handlers are back (still swallowing repeats once a
  signal came), so a signal during the final clean-up cannot kill the process half-way.

Both must be called from the main thread (Python delivers signals there only).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)
"""The signals that stop a CLI cleanly (exit status 0)."""

_received: list[int] = []


class StopRequested(KeyboardInterrupt):
    """Raised by the first SIGINT or SIGTERM; ``except KeyboardInterrupt`` code treats both alike.

    :ivar signum: the signal number that was received.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _swallow(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)


def _raise_once(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, _swallow)
    raise StopRequested(signum)


def install_stop_handlers() -> None:
    """Make the first SIGINT/SIGTERM raise :class:`StopRequested` in the main thread, whatever was inherited.

    Once a signal was received, later ones are swallowed (recorded only), so clean-up code runs to its end.
    """
    handler = _swallow if _received else _raise_once
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, handler)


def stop_signal_received() -> int | None:
    """The first stop signal received so far (its number), or None."""
    return _received[0] if _received else None


@asynccontextmanager
async def stop_signals() -> AsyncIterator[asyncio.Event]:
    """In the running loop: SIGINT/SIGTERM set the yielded event (no exception is raised).

    On exit the loop's handlers are removed and :func:`install_stop_handlers`'s are installed again.
    """
    loop = asyncio.get_running_loop()
    event = asyncio.Event()

    def on_signal(signum: int) -> None:
        _received.append(signum)
        event.set()

    if _received:
        event.set()  # a signal came before the loop took over: stop at once
    for stop_signal in STOP_SIGNALS:
        loop.add_signal_handler(stop_signal, on_signal, stop_signal)
    try:
        yield event
    finally:
        for stop_signal in STOP_SIGNALS:
            loop.remove_signal_handler(stop_signal)
        install_stop_handlers()
