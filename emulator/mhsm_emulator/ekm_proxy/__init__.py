"""A reference EKM proxy (EKM Proxy API 0.1-preview) for the emulator's EKM connections, on 127.0.0.1.

Command line: ``python -m mhsm_emulator.ekm_proxy --data-dir DIR [--port N] [--client-ca-file FILE]``.
In process (tests, samples)::

    from mhsm_emulator.ekm_proxy import run_ekm_proxy

    with run_ekm_proxy(client_ca=certificate_info.ca_certificates) as proxy:
        KeyVaultEkmConnection(proxy.host, proxy.server_ca_certificates, path_prefix=proxy.path_prefix,
                              server_subject_common_name=proxy.server_subject_common_name)
"""

from __future__ import annotations

from .inprocess import RunningEkmProxy, run_ekm_proxy
from .server import DEFAULT_PATH_PREFIX, PROXY_INFO, SERVER_COMMON_NAME, EkmProxyServer

__all__ = [
    "DEFAULT_PATH_PREFIX",
    "PROXY_INFO",
    "SERVER_COMMON_NAME",
    "EkmProxyServer",
    "RunningEkmProxy",
    "run_ekm_proxy",
]
