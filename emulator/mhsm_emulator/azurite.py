"""Run Azurite's blob service (the Azure Storage emulator) as a child process on a free 127.0.0.1 port.

Backups written by the emulator are real blobs in Azurite. Tests, samples and ``make demo`` use::

    with Azurite() as azurite:
        container_url = azurite.create_container("backups")
        sas = azurite.container_sas("backups")

Azurite is the npm package pinned in the repository's ``package-lock.json`` (``node_modules/.bin/azurite-blob``);
``AZURITE_BLOB`` may name another executable. It always runs with ``--disableTelemetry`` (no outbound traffic) and
``--skipApiVersionCheck`` (azure-storage-blob sends API versions newer than Azurite knows).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Optional

ACCOUNT_NAME = "devstoreaccount1"
# Azurite's well-known development account key (public, documented by Microsoft; not a secret).
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
BLOB_API_VERSION = "2025-11-05"
"""The newest storage API version Azurite 3.35 knows; clients made here pin it."""

_REPO_ROOT = Path(__file__).resolve().parents[2]


def find_azurite() -> str:
    """Locate the ``azurite-blob`` executable.

    :returns: ``$AZURITE_BLOB``, else the repository's ``node_modules/.bin/azurite-blob``, else one on ``PATH``.
    :raises FileNotFoundError: Azurite is not installed (run ``npm ci`` in the repository).
    """
    candidates = [
        os.environ.get("AZURITE_BLOB"),
        str(_REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"),
        shutil.which("azurite-blob"),
    ]
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return candidate
    raise FileNotFoundError("azurite-blob not found: run `npm ci` in the repository root or set AZURITE_BLOB")


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


class Azurite:
    """Azurite's blob service in a child process; a context manager that starts and stops it.

    :keyword str host: Address to bind. Defaults to ``127.0.0.1``.
    :keyword int port: Port to bind. Defaults to a free one.
    :keyword str location: Folder for Azurite's data. Defaults to a temporary folder removed on exit.
    :keyword float startup_timeout: Seconds to wait for the port to open.
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
        self.port = port or free_port(host)
        self._location = location
        self._temp_dir: Optional[str] = None
        self._startup_timeout = startup_timeout
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._log: Optional[Any] = None

    # ---- lifecycle ----

    def start(self) -> Azurite:
        """Start Azurite and wait until its port accepts connections.

        :raises RuntimeError: Azurite exited or did not open its port in time (its log is in the message).
        """
        if self._process is not None:
            return self
        if self._location is None:
            self._temp_dir = tempfile.mkdtemp(prefix="azurite-")
        location = self._location or self._temp_dir
        assert location is not None
        self._log = tempfile.TemporaryFile()
        args = [
            find_azurite(),
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
        self._process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self._startup_timeout
        while not _port_open(self.host, self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                log = self._read_log()
                self.stop()
                raise RuntimeError(f"Azurite did not start on {self.host}:{self.port}: {log}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop Azurite (by its process id) and remove its temporary data folder."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    @property
    def running(self) -> bool:
        """Whether the Azurite process is alive."""
        return self._process is not None and self._process.poll() is None

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
        return str(self._log.read().decode("utf-8", "replace")[-2000:])

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


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # SIGTERM takes the same way out as Ctrl+C, so the context manager stops the node child too.
    raise KeyboardInterrupt


def main(argv: Optional[list[str]] = None) -> int:
    """Run Azurite in the foreground (``python -m mhsm_emulator.azurite``) and print how to reach it.

    Serves until SIGINT/SIGTERM, then stops the child process and removes its temporary data folder.

    :returns: The exit status (0).
    """
    parser = argparse.ArgumentParser(
        prog="python -m mhsm_emulator.azurite",
        description="Run Azurite's blob service on 127.0.0.1; print its URL, connection string and a container + SAS.",
    )
    parser.add_argument("--port", type=int, default=None, help="blob service port (default: a free port)")
    parser.add_argument("--location", default=None, help="data folder (default: a temporary folder removed on exit)")
    parser.add_argument(
        "--container", default="backups", help="container to create, with a SAS token for it (default: backups)"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    azurite = Azurite(port=args.port, location=args.location)
    try:
        azurite.start()
        print(f"Azurite blob service: {azurite.account_url}", flush=True)
        print(f"AZURE_STORAGE_CONNECTION_STRING={azurite.connection_string}", flush=True)
        # What the backup examples read; the SAS is signed with Azurite's public development key.
        print(f"BLOB_CONTAINER_URL={azurite.create_container(args.container)}", flush=True)
        sas = azurite.container_sas(args.container, expiry=datetime.now(timezone.utc) + timedelta(days=1))
        print(f"BLOB_SAS_TOKEN={sas}", flush=True)
        while azurite.running:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        azurite.stop()  # also when interrupted while starting
    return 0


if __name__ == "__main__":
    sys.exit(main())
