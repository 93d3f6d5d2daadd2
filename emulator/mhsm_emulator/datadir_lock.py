"""One emulator per data folder: an exclusive ``flock`` on ``<data dir>/emulator.lock`` naming its owner.

Two emulators on one folder would share the SQLite state, the certificates and the identity secret, and the
second one's startup would mark the first one's running jobs as interrupted. The lock is an advisory ``flock``
held for the emulator's life on an open file: the kernel drops it when the process ends, however it ends
(SIGKILL and crashes included), so a dead owner never blocks the next start. ``flock`` locks belong to the open
file, not the process, so a second emulator in the same process is refused too. The file holds the owner
(pid, host, ports, start time) as JSON so the refusal can say who holds the folder; it is left in place when the
lock is released (removing it would let two processes lock different files of the same name).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from typing import IO, Any

from .startup import StartupError

LOCK_FILE = "emulator.lock"


class DataDirInUseError(StartupError):
    """The data folder is locked by another running emulator.

    :ivar owner: what the lock file says about the owner (``pid``, ``host``, ``vault_url``... possibly empty).
    """

    def __init__(self, message: str, owner: dict[str, Any]) -> None:
        super().__init__(message)
        self.owner = owner


class DataDirLock:
    """The exclusive lock of one data folder.

    :param data_dir: the (existing) data folder.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._file: IO[str] | None = None
        self._owner: dict[str, Any] = {}

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._file is not None

    def acquire(self) -> DataDirLock:
        """Take the lock without waiting and record this process as the owner.

        :raises DataDirInUseError: another emulator holds it.
        :raises StartupError: the lock file cannot be created (the folder is not writable).
        """
        if self._file is not None:
            return self
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            handle = open(descriptor, "r+", encoding="utf-8")  # held open for the lock's life
        except OSError as exc:
            raise StartupError(
                f"the data folder {self.path.parent} is not writable ({exc.strerror or exc}): choose another "
                "folder with --data-dir (or data_dir=), or make it writable"
            ) from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = _read_owner(handle)
            handle.close()
            raise DataDirInUseError(_in_use_message(self.path.parent, owner), owner) from None
        self._file = handle
        self.update(pid=os.getpid(), host=socket.gethostname(),
                    started=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        return self

    def update(self, **owner: Any) -> None:
        """Add facts about the owner (``vault_url``, ``identity_endpoint``...) to the lock file."""
        if self._file is None:
            return
        self._owner.update(owner)
        self._file.seek(0)
        self._file.truncate()
        self._file.write(json.dumps(self._owner))
        self._file.flush()

    def release(self) -> None:
        """Release the lock (idempotent); the file stays, emptied."""
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.flush()
        except OSError:
            pass
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _read_owner(handle: IO[str]) -> dict[str, Any]:
    try:
        handle.seek(0)
        owner = json.loads(handle.read() or "{}")
    except (OSError, ValueError):
        return {}
    return owner if isinstance(owner, dict) else {}


def _in_use_message(data_dir: Path, owner: dict[str, Any]) -> str:
    facts = [f"pid {owner['pid']}" if "pid" in owner else None,
             f"on {owner['host']}" if "host" in owner else None,
             f"vault {owner['vault_url']}" if "vault_url" in owner else None,
             f"started {owner['started']}" if "started" in owner else None]
    described = ", ".join(fact for fact in facts if fact)
    who = f"another emulator ({described})" if described else "another emulator"
    return f"the data folder {data_dir} is in use by {who}: stop it, or choose another folder with --data-dir"
