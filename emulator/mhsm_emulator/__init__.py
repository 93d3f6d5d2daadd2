"""Local Azure Key Vault Managed HSM emulator (administration data plane).

In-process use::

    from mhsm_emulator import run_emulator

    with run_emulator() as emulator:
        client = KeyVaultAccessControlClient(emulator.vault_url, emulator.credential(), **emulator.client_kwargs())

Command line: ``python -m mhsm_emulator --data-dir DIR [--port N]``.
"""

from __future__ import annotations

from .config import EmulatorConfig, FaultConfig
from .credentials import AsyncEmulatorCredential, EmulatorCredential
from .identities import SYSTEM_PRINCIPAL_ID, Principal
from .inprocess import RunningEmulator, run_emulator
from .server import EmulatorServer

__version__ = "0.1.0"

__all__ = [
    "SYSTEM_PRINCIPAL_ID",
    "AsyncEmulatorCredential",
    "EmulatorConfig",
    "EmulatorCredential",
    "EmulatorServer",
    "FaultConfig",
    "Principal",
    "RunningEmulator",
    "run_emulator",
]
