"""Local Azure Key Vault Managed HSM emulator (administration data plane).

In-process use::

    from mhsm_emulator import run_emulator

    with run_emulator() as emulator:
        client = KeyVaultAccessControlClient(emulator.vault_url, emulator.credential(), **emulator.client_kwargs())

Command line: ``mhsm-emulator [--data-dir DIR] [--port N] [--with-azurite]`` (or ``python -m mhsm_emulator``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import EmulatorConfig, FaultConfig
    from .credentials import AsyncEmulatorCredential, EmulatorCredential
    from .datadir_lock import DataDirInUseError
    from .identities import SYSTEM_PRINCIPAL_ID, Principal
    from .inprocess import RunningEmulator, run_emulator
    from .server import EmulatorServer
    from .startup import StartupError

__version__ = "0.1.0"

# Imported on first use: pytest loads this package's plugin in every run of an environment where it is installed,
# and `import mhsm_emulator.azurite` should not pull in the server (aiohttp, cryptography).
_LAZY = {
    "EmulatorConfig": ".config",
    "FaultConfig": ".config",
    "AsyncEmulatorCredential": ".credentials",
    "EmulatorCredential": ".credentials",
    "DataDirInUseError": ".datadir_lock",
    "SYSTEM_PRINCIPAL_ID": ".identities",
    "Principal": ".identities",
    "RunningEmulator": ".inprocess",
    "run_emulator": ".inprocess",
    "EmulatorServer": ".server",
    "StartupError": ".startup",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

__all__ = [
    "SYSTEM_PRINCIPAL_ID",
    "AsyncEmulatorCredential",
    "DataDirInUseError",
    "EmulatorConfig",
    "EmulatorCredential",
    "EmulatorServer",
    "FaultConfig",
    "Principal",
    "RunningEmulator",
    "StartupError",
    "run_emulator",
]
