"""Local Azure Key Vault Managed HSM emulator (administration data plane).

In-process use::

    from mhsm_emulator import run_emulator

    with run_emulator() as emulator:
        client = KeyVaultAccessControlClient(emulator.vault_url, emulator.credential(), **emulator.client_kwargs())

Command line: ``mhsm-emulator [--data-dir DIR] [--port N] [--with-azurite]`` (or ``python -m mhsm_emulator``).
"""

from __future__ import annotations

from .config import EmulatorConfig, FaultConfig
from .credentials import AsyncEmulatorCredential, EmulatorCredential
from .datadir_lock import DataDirInUseError
from .identities import SYSTEM_PRINCIPAL_ID, Principal
from .inprocess import RunningEmulator, run_emulator
from .server import EmulatorServer
from .startup import StartupError

__version__ = "0.1.0"

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
