"""Generated-style REST layer for Managed HSM administration (msrest models, azure-core pipeline).

Private to the package: the public clients wrap it; it never imports the public layer.
"""

from ._client import KeyVaultClient

__all__ = ["KeyVaultClient"]
