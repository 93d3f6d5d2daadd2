"""Command-line processes for tests that never leak: own process group, SIGINT ignored as inherited, killed in finally.

``cli(args)`` starts a program the way a non-interactive shell starts a background job (``cmd &``): with SIGINT
ignored. Tests therefore check that the CLIs install their own handlers instead of relying on the inherited
disposition. The program runs in a new session (its own process group, so Node children started by it are in it
too), and on leaving the ``with`` block the whole group is killed with SIGKILL, whatever the test did.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# Set SIGINT's disposition, then exec the program: an exec keeps an ignored signal ignored (exactly what a background
# job of a non-interactive shell inherits) and resets a handled one to the default. The disposition is always set,
# never inherited from however `make test` was started. (A preexec_fn would do the same but is unsafe while other
# threads run, and the test process runs in-process emulators on threads.)
_SET_SIGINT_AND_EXEC = (
    "import os, signal, sys; signal.signal(signal.SIGINT, getattr(signal, sys.argv[1])); "
    "os.execvp(sys.argv[2], sys.argv[2:])"
)


class Lines:
    """The lines a pipe gives, read on a thread so a test can wait for one with a timeout."""

    def __init__(self, stream: object) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._seen: list[str] = []
        thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        thread.start()

    def _pump(self, stream: object) -> None:
        try:
            for line in stream:  # type: ignore[attr-defined]
                self._queue.put(line)
        except ValueError:  # closed while reading
            pass
        finally:
            self._queue.put(None)

    def next(self, timeout: float = 60.0) -> str:
        """The next line ("" at end of file); fails the test after ``timeout`` seconds without one."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output line within {timeout} s; so far: {self._seen!r}") from None
        if line is None:
            self._queue.put(None)
            return ""
        self._seen.append(line)
        return line

    def rest(self, timeout: float = 30.0) -> str:
        """Everything until end of file."""
        parts = []
        while line := self.next(timeout):
            parts.append(line)
        return "".join(parts)


class Cli:
    """A started program: the process, and its stdout/stderr as :class:`Lines`."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.stdout = Lines(process.stdout)
        self.stderr = Lines(process.stderr)

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 30.0) -> int:
        return self.process.wait(timeout=timeout)


def kill_group(pgid: int) -> None:
    """SIGKILL every process of a process group (nothing if it is gone)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def cli(
    args: Sequence[str],
    *,
    ignore_sigint: bool = True,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
) -> Iterator[Cli]:
    """Start ``args`` in a new session (SIGINT ignored, or its default when told); kill its process group on exit."""
    disposition = "SIG_IGN" if ignore_sigint else "SIG_DFL"
    command = [sys.executable, "-c", _SET_SIGINT_AND_EXEC, disposition, *args]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        start_new_session=True, env=env, cwd=cwd,
    )
    try:
        yield Cli(process)
    finally:
        kill_group(process.pid)
        try:
            process.wait(timeout=30)
        finally:
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


def emulator_args(*extra: str) -> list[str]:
    """``python -m mhsm_emulator`` with ``extra`` arguments."""
    return [sys.executable, "-m", "mhsm_emulator", *extra]


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(part) for part in path.read_text().split()]
    except OSError:
        return []


def wait_gone(pid: int, timeout: float = 30.0) -> bool:
    """Wait until ``pid`` no longer runs; False if it still does after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
