"""Async twin of the generated Managed HSM administration client."""

from ._client import KeyVaultClient

__all__ = ["KeyVaultClient"]
