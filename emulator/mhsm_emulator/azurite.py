"""Run Azurite's blob service (the Azure Storage emulator) as a child process on a free 127.0.0.1 port.

Backups written by the emulator are real blobs in Azurite. Tests, samples and ``make demo`` use::

    with Azurite() as azurite:
        container_url = azurite.create_container("backups")
        sas = azurite.container_sas("backups")

Azurite is the npm package ``azurite`` (``npm install azurite@3.35.0``); :func:`find_azurite` looks for its
``azurite-blob`` executable where users install it. It always runs with ``--disableTelemetry`` (no outbound
traffic) and ``--skipApiVersionCheck`` (azure-storage-blob sends API versions newer than Azurite knows).

Azurite counts as started only when the child started here says it listens on the port chosen here and that port
accepts connections (a port already served by another Azurite is an error, not a success). The child never
outlives its parent: on Linux it gets SIGKILL when the parent dies (``PR_SET_PDEATHSIG``), and everywhere a
preloaded watcher stops Node when the pipe the parent holds on its stdin reaches end-of-file.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Optional

from ._signals import install_stop_handlers
from .shell_env import assignment_lines, detach_stdout, export_lines

ACCOUNT_NAME = "devstoreaccount1"
# Azurite's well-known development account key (public, documented by Microsoft; not a secret).
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
BLOB_API_VERSION = "2025-11-05"
"""The newest storage API version Azurite 3.35 knows; clients made here pin it."""
AZURITE_VERSION = "3.35.0"
"""The Azurite release this package is tested with."""
INSTALL_HINT = (
    f"install it in your project with `npm install azurite@{AZURITE_VERSION}` (or for your user with "
    f"`npm install -g azurite@{AZURITE_VERSION}`), or set AZURITE_BLOB to its azurite-blob executable"
)

_REPO_ROOT = Path(__file__).resolve().parents[2]
_WATCHER = Path(__file__).with_name("_azurite_watch.js")
_PR_SET_PDEATHSIG = 1


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_azurite() -> str:
    """Locate the ``azurite-blob`` executable, where users install it.

    In order: ``$AZURITE_BLOB``; ``node_modules/.bin/azurite-blob`` in the current folder or one of its parents
    (what ``npm install azurite`` gives a project); ``azurite-blob`` on ``PATH`` (``npm install -g``); this
    repository's ``node_modules`` (``npm ci`` in a clone).

    :raises FileNotFoundError: ``AZURITE_BLOB`` names no executable, or Azurite is not installed; the message says
        how to install it.
    """
    configured = os.environ.get("AZURITE_BLOB")
    if configured:
        if _executable(Path(configured)):
            return configured
        raise FileNotFoundError(f"AZURITE_BLOB={configured} is not an executable file: {INSTALL_HINT}")
    cwd = Path.cwd()
    for folder in (cwd, *cwd.parents):
        candidate = folder / "node_modules" / ".bin" / "azurite-blob"
        if _executable(candidate):
            return str(candidate)
    on_path = shutil.which("azurite-blob")
    if on_path:
        return on_path
    repository = _REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"
    if _executable(repository):
        return str(repository)
    raise FileNotFoundError(
        f"azurite-blob not found (in $AZURITE_BLOB, node_modules/.bin of {cwd} or its parents, or PATH): "
        + INSTALL_HINT
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def connection_string_for(account_url: str) -> str:
    """The storage connection string of the Azurite development account at ``account_url``."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};BlobEndpoint={account_url};"
    )


def _parent_death_signal() -> Optional[Callable[[], None]]:
    """A ``preexec_fn`` that makes the child get SIGKILL when this thread dies (Linux), or None elsewhere.

    Linux sends the signal when the *thread* that forked exits, so it is used only from the main thread (whose
    end is the process's end); from other threads the stdin watcher alone ties the child to this process.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def set_death_signal() -> None:  # runs in the child between fork and exec: no imports, no locks
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl: nobody would send the signal
            os._exit(1)

    return set_death_signal


def _node_options() -> str:
    """``NODE_OPTIONS`` with the stdin watcher preloaded (double-quoted, as Node parses that variable)."""
    watcher = str(_WATCHER).replace("\\", "\\\\").replace('"', '\\"')
    existing = os.environ.get("NODE_OPTIONS", "")
    return f'{existing} --require "{watcher}"'.strip()


def _listening_inodes(host: str, port: int) -> set[str]:
    """Socket inodes listening on ``host:port`` (IPv4, from ``/proc/net/tcp``; empty where there is none)."""
    wanted = f"{socket.htonl(int.from_bytes(socket.inet_aton(host), 'big')):08X}:{port:04X}"
    inodes: set[str] = set()
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return inodes
    for line in lines:
        fields = line.split()
        if len(fields) > 9 and fields[1] == wanted and fields[3] == "0A":  # 0A: LISTEN
            inodes.add(fields[9])
    return inodes


def _owns_socket(pid: int, inodes: set[str]) -> bool:
    """Whether process ``pid`` has one of the socket ``inodes`` open (Linux ``/proc``)."""
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(fd.path)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return True
    except OSError:
        pass
    return False


class Azurite:
    """Azurite's blob service in a child process; a context manager that starts and stops it.

    :keyword str host: Address to bind. Defaults to ``127.0.0.1``.
    :keyword int port: Port to bind. Defaults to a free one.
    :keyword str location: Folder for Azurite's data. Defaults to a temporary folder removed on exit.
    :keyword float startup_timeout: Seconds to wait for Azurite to listen.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        location: Optional[str] = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.port = port or free_port(host)
        self._location = location
        self._temp_dir: Optional[str] = None
        self._startup_timeout = startup_timeout
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._log: Optional[Any] = None
        self.executable: Optional[str] = None
        """The ``azurite-blob`` executable used (set by :meth:`start`)."""
        self.returncode: Optional[int] = None
        """The child's exit status once it has exited (None while it runs or before it started)."""

    # ---- lifecycle ----

    def start(self) -> Azurite:
        """Start Azurite and wait until the child started here listens on :attr:`port`.

        :raises FileNotFoundError: Azurite is not installed (the message says how to install it).
        :raises RuntimeError: the port is already in use, or Azurite exited or did not listen in time (its output
            is in the message).
        """
        if self._process is not None:
            return self
        self.executable = find_azurite()
        if _port_open(self.host, self.port):
            raise RuntimeError(
                f"port {self.port} on {self.host} is already in use (another Azurite?): stop what listens there, "
                "or choose another port" + (" (--port)" if self._requested_port else "")
            )
        if self._location is None:
            self._temp_dir = tempfile.mkdtemp(prefix="azurite-")
        location = self._location or self._temp_dir
        assert location is not None
        # Append mode: the child shares this file's offset, and reading it here must not move where Node writes.
        self._log = tempfile.TemporaryFile(mode="a+b")
        args = [
            self.executable,
            "--blobHost",
            self.host,
            "--blobPort",
            str(self.port),
            "--location",
            location,
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--silent",
        ]
        self.returncode = None
        self._process = subprocess.Popen(
            args,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.PIPE,  # its write end stays here: end-of-file tells the child's watcher we are gone
            env={**os.environ, "NODE_OPTIONS": _node_options()},
            preexec_fn=_parent_death_signal(),  # prctl only: safe between fork and exec
        )
        deadline = time.monotonic() + self._startup_timeout
        while not self._listening():
            if self._process.poll() is not None or time.monotonic() > deadline:
                status = self._process.poll()
                log = self._read_log()
                self.stop()
                reason = f"exited with status {status}" if status is not None else "did not listen in time"
                raise RuntimeError(f"Azurite did not start on {self.host}:{self.port} ({reason}): {log}")
            time.sleep(0.05)
        return self

    def _listening(self) -> bool:
        """The child is alive, says it listens on our port (or owns the listening socket), and the port answers."""
        process = self._process
        if process is None or process.poll() is not None or not _port_open(self.host, self.port):
            return False
        if f"listens on http://{self.host}:{self.port}" in self._read_log():
            return True
        inodes = _listening_inodes(self.host, self.port)
        return bool(inodes) and _owns_socket(process.pid, inodes)

    def stop(self) -> None:
        """Stop Azurite (by its process id) and remove its temporary data folder."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
            if process.stdin is not None:
                process.stdin.close()
            self.returncode = process.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    @property
    def running(self) -> bool:
        """Whether the Azurite process is alive."""
        if self._process is None:
            return False
        status = self._process.poll()
        if status is not None:
            self.returncode = status
            return False
        return True

    @property
    def pid(self) -> Optional[int]:
        """The child's process id (None before :meth:`start` and after :meth:`stop`)."""
        return self._process.pid if self._process is not None else None

    def output(self) -> str:
        """The end of Azurite's output so far (its log, at most 2,000 characters)."""
        return self._read_log()

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(
        self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()

    def _read_log(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = str(self._log.read().decode("utf-8", "replace")[-2000:])
        self._log.seek(0, os.SEEK_END)
        return text

    # ---- addresses and credentials ----

    @property
    def account_url(self) -> str:
        """The blob endpoint of the development account, e.g. ``http://127.0.0.1:10000/devstoreaccount1``."""
        return f"http://{self.host}:{self.port}/{ACCOUNT_NAME}"

    @property
    def connection_string(self) -> str:
        """A storage connection string for the development account (account key included)."""
        return connection_string_for(self.account_url)

    def container_url(self, container: str) -> str:
        """The URL of a container (no SAS)."""
        return f"{self.account_url}/{container}"

    def container_sas(self, container: str, *, permission: str = "rcwdl", expiry: Optional[datetime] = None) -> str:
        """A container SAS token (no leading ``?``) signed with the development account key.

        :param str container: The container's name (it need not exist yet).
        :keyword str permission: SAS permissions, default read/create/write/delete/list.
        :keyword expiry: When the token expires; default one hour from now. A past time makes an expired token.
        :paramtype expiry: ~datetime.datetime
        """
        from azure.storage.blob import ContainerSasPermissions, generate_container_sas

        return generate_container_sas(
            ACCOUNT_NAME,
            container,
            account_key=ACCOUNT_KEY,
            permission=ContainerSasPermissions.from_string(permission),
            expiry=expiry or datetime.now(timezone.utc) + timedelta(hours=1),
        )

    def blob_service_client(self) -> Any:
        """An ``azure.storage.blob.BlobServiceClient`` for the development account."""
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient.from_connection_string(self.connection_string, api_version=BLOB_API_VERSION)

    def create_container(self, container: str) -> str:
        """Create a container if it does not exist yet.

        :returns: The container's URL.
        """
        from azure.core.exceptions import ResourceExistsError

        with self.blob_service_client() as service:
            try:
                service.create_container(container)
            except ResourceExistsError:
                pass
        return self.container_url(container)


def environment(azurite: Azurite, container: str, *, sas_days: int = 1) -> dict[str, str]:
    """Create ``container`` and return the variables the backup examples read, for ``azurite``.

    :returns: ``AZURE_STORAGE_CONNECTION_STRING``, ``BLOB_CONTAINER_URL`` and ``BLOB_SAS_TOKEN`` (a container SAS
        valid ``sas_days`` days, signed with Azurite's public development key).
    """
    container_url = azurite.create_container(container)
    sas = azurite.container_sas(container, expiry=datetime.now(timezone.utc) + timedelta(days=sas_days))
    return {
        "AZURE_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "BLOB_CONTAINER_URL": container_url,
        "BLOB_SAS_TOKEN": sas,
    }


def main(argv: Optional[list[str]] = None) -> int:
    """Run Azurite in the foreground (``python -m mhsm_emulator.azurite``) and print how to reach it.

    Serves until SIGINT/SIGTERM, then stops the child process and removes its temporary data folder.

    :returns: The exit status: 0 after a stop signal; 1 when Azurite exits by itself; 2 when it cannot start.
    """
    install_stop_handlers()  # before anything else: inherited dispositions (SIGINT ignored) must not matter
    parser = argparse.ArgumentParser(
        prog="python -m mhsm_emulator.azurite",
        description="Run Azurite's blob service on 127.0.0.1; print its URL, connection string and a container + "
        "SAS, as shell assignments (values quoted).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=None, help="blob service port (default: a free port)")
    parser.add_argument("--location", default=None, help="data folder (default: a temporary folder removed on exit)")
    parser.add_argument("--container", default="backups", help="container to create, with a SAS token for it")
    parser.add_argument(
        "--format",
        choices=("text", "shell"),
        default="text",
        help="text: a heading and NAME=value lines; shell: `export NAME=value` lines plus AZURITE_RUNNER_PID, then "
        "stdout is closed so that `eval \"$(python -m mhsm_emulator.azurite --format shell &)\"` returns while "
        "Azurite keeps running",
    )
    args = parser.parse_args(argv)
    azurite = Azurite(port=args.port, location=args.location)
    try:
        try:
            azurite.start()
            env = environment(azurite, args.container)
        except (FileNotFoundError, RuntimeError) as exc:
            print(f"mhsm_emulator.azurite: error: {exc}", file=sys.stderr, flush=True)
            return 2
        if args.format == "shell":
            sys.stdout.write(export_lines({**env, "AZURITE_RUNNER_PID": str(os.getpid())}))
            detach_stdout()
        else:
            print(f"Azurite blob service: {azurite.account_url}", flush=True)
            sys.stdout.write(assignment_lines(env))
            sys.stdout.flush()
        while azurite.running:
            time.sleep(0.2)
        print(
            f"mhsm_emulator.azurite: error: Azurite (pid {azurite.pid}) exited by itself with status "
            f"{azurite.returncode}; its output: {azurite.output().strip() or '(none)'}",
            file=sys.stderr,
            flush=True,
        )
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        azurite.stop()  # also when interrupted while starting


if __name__ == "__main__":
    sys.exit(main())
