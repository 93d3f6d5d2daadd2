"""Startup failures as one clear sentence: what failed and how to fix it.

:class:`StartupError` is what :meth:`EmulatorServer.start` raises for anything the user can fix (a port in use, a
data folder that cannot be used, a database path that cannot be opened, a data folder locked by another
emulator); the CLI prints its message as one line on stderr and exits with status 2. In process,
``run_emulator()`` raises it as it is.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path


class StartupError(RuntimeError):
    """The emulator cannot start; the message says what failed and how to fix it (one line)."""


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data folder if needed and check that it is a writable folder.

    :raises StartupError: it is a file, cannot be created, or is not writable.
    """
    option = "choose another folder with --data-dir (or data_dir=)"
    for parent in (data_dir, *data_dir.parents):
        if parent.exists():
            if parent == data_dir and not parent.is_dir():
                raise StartupError(f"the data folder {data_dir} is a file, not a folder: {option}")
            if not parent.is_dir():
                raise StartupError(f"cannot create the data folder {data_dir}: {parent} is a file; {option}")
            break
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"cannot create the data folder {data_dir}: {_reason(exc)}; {option}") from None
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise StartupError(f"the data folder {data_dir} is not writable: {option}, or make it writable")


def check_database_path(database: str) -> None:
    """Fail early, with a clear message, for a database path that SQLite cannot open.

    :raises StartupError: the path is a folder, or its folder does not exist.
    """
    if database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    fix = "give --database a file path in an existing, writable folder (or ':memory:')"
    if path.is_dir():
        raise StartupError(f"the database path {database} is a folder, not a file: {fix}")
    if not path.parent.is_dir():
        raise StartupError(f"the folder of the database {database} does not exist: {fix}")


def database_error(database: str, exc: Exception) -> StartupError:
    """The :class:`StartupError` for a database that SQLite could not open or migrate."""
    return StartupError(
        f"cannot open the database {database}: {exc}; give --database a writable file path (or ':memory:')"
    )


def bind_socket(host: str, port: int, what: str, option: str) -> socket.socket:
    """A listening, non-blocking TCP socket on ``host:port``.

    :param what: what the port is for, in the message (``"vault"``, ``"identity endpoint"``).
    :param option: the CLI option that chooses the port (``"--port"``).
    :raises StartupError: the port is in use, not allowed, or out of range.
    """
    if not 0 <= port <= 65535:
        raise StartupError(f"{option} {port} is not a TCP port (0-65535; 0 picks a free one)")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"the {what} port {port} ({option}) is already in use on {host}: stop the program using it, "
                f"or choose another port ({option} 0 picks a free one)"
            ) from None
        if exc.errno == errno.EACCES:
            raise StartupError(
                f"not allowed to listen on {host}:{port} ({what}, {option}): choose a port above 1023"
            ) from None
        raise StartupError(f"cannot listen on {host}:{port} ({what}, {option}): {_reason(exc)}") from None
    return sock


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
