"""The emulator's command line as a child process that never outlives its parent (what the pytest plugin runs).

:class:`EmulatorProcess` starts ``python -m mhsm_emulator`` on a data folder, waits for its startup record (the JSON
line the CLI prints once both listeners accept connections) and stops it: SIGTERM, then SIGKILL of its process
group after a grace period. The child runs in its own session (a Ctrl+C in the terminal reaches the parent, which
stops it in order) and with ``--stop-on-stdin-eof`` on a pipe whose write end only the parent holds: when the
parent ends, even by SIGKILL, the kernel closes the pipe and the emulator stops by itself. Its stderr (a startup
error, the request log at ``log_level="INFO"``) goes to a file, read with :meth:`EmulatorProcess.read_log`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any


class EmulatorProcessError(RuntimeError):
    """The emulator did not start, or stopped by itself; the message says why (the CLI's own one-line error)."""


class EmulatorProcess:
    """``python -m mhsm_emulator`` in a child process.

    :param args: more CLI arguments (``["--page-size", "5", "--error-rate", "0.1"]``).
    :param data_dir: the emulator's data folder (``--data-dir``).
    :param log_file: where its stderr goes (truncated at start).
    :param log_level: its ``--log-level``; ``"INFO"`` adds the request log.
    :param startup_timeout: seconds to wait for the startup record.
    :param env: the child's environment (default: this process's).
    :param python: the interpreter that runs it (default: this one, whose ``mhsm_emulator`` it runs).
    """

    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        data_dir: str | Path,
        log_file: str | Path,
        log_level: str = "INFO",
        startup_timeout: float = 60.0,
        env: Mapping[str, str] | None = None,
        python: str = sys.executable,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.log_file = Path(log_file)
        self.command = [
            python, "-m", "mhsm_emulator", "--data-dir", str(self.data_dir), "--format", "json",
            "--log-level", log_level, "--stop-on-stdin-eof", *args,
        ]
        self.startup_timeout = startup_timeout
        self._env = dict(env) if env is not None else None
        self._process: subprocess.Popen[bytes] | None = None
        self.record: dict[str, Any] = {}
        """The startup record (``vault_url``, ``ca_file``, ``env``...; empty until :meth:`start` returns)."""

    # ---- lifecycle ----

    def start(self) -> dict[str, Any]:
        """Start the emulator and return its startup record.

        :raises EmulatorProcessError: it exited or printed nothing within ``startup_timeout`` seconds; the message
            has its error line (a port in use, an invalid option...). Nothing is left running then.
        """
        if self._process is not None:
            return self.record
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "wb") as log:
            self._process = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=self._env,
                start_new_session=True, close_fds=True,
            )
        try:
            line = self._first_line()
            try:
                record = json.loads(line)
            except ValueError:
                raise EmulatorProcessError(f"mhsm-emulator printed {line[:500]!r} instead of its startup record") \
                    from None
            if not isinstance(record, dict) or "vault_url" not in record:
                raise EmulatorProcessError(f"mhsm-emulator printed an unexpected startup record: {line[:500]!r}")
        except BaseException:
            self.stop()
            raise
        self.record = record
        return record

    def _first_line(self) -> str:
        process = self._process
        assert process is not None and process.stdout is not None
        lines: list[bytes] = []
        reader = threading.Thread(target=_read_line, args=(process.stdout, lines), name="mhsm-emulator-startup",
                                  daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        if lines and lines[0].strip():
            return lines[0].decode("utf-8", "replace")
        if reader.is_alive():
            raise EmulatorProcessError(
                f"mhsm-emulator printed no startup record within {self.startup_timeout:g} s"
                + self._log_tail(" (its log: {})")
            )
        try:
            status = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            status = None
        raise EmulatorProcessError(
            f"mhsm-emulator did not start (exit status {status})" + self._log_tail(": {}", default="")
        )

    def stop(self, timeout: float = 15.0) -> int | None:
        """Stop the emulator (SIGTERM; SIGKILL of its process group after ``timeout`` seconds); idempotent.

        :returns: its exit status (0 for a clean stop), or None if it was not started.
        """
        process, self._process = self._process, None
        if process is None:
            return None
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _kill_group(process.pid)
                    process.wait(timeout=timeout)
        finally:
            if process.poll() is None:  # interrupted while waiting: never leave it running
                _kill_group(process.pid)
                process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        return process.returncode

    @property
    def pid(self) -> int | None:
        """The emulator's process id (None before :meth:`start` and after :meth:`stop`)."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """Whether the emulator process is alive."""
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> EmulatorProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- its log ----

    def log_size(self) -> int:
        """How many bytes the log holds now (an offset for :meth:`read_log`)."""
        try:
            return self.log_file.stat().st_size
        except OSError:
            return 0

    def read_log(self, offset: int = 0) -> str:
        """The log from byte ``offset`` on."""
        try:
            with open(self.log_file, "rb") as log:
                log.seek(offset)
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _log_tail(self, template: str, default: str = "") -> str:
        text = " ".join(self.read_log().split())
        if not text:
            return default
        return template.format(text if len(text) <= 2000 else "..." + text[-2000:])


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_line(stream: IO[bytes], into: list[bytes]) -> None:
    try:
        into.append(stream.readline())
    except (OSError, ValueError):  # closed by stop() meanwhile
        into.append(b"")
