"""Deferred imports: what importing the package, constructing a client and the first request each load.

Run in fresh interpreters, since an import cannot be undone. The names stay importable the usual ways.
"""

from __future__ import annotations

import json
import subprocess
import sys

import azure.keyvault.administration as package
import azure.keyvault.administration.aio as aio_package

HEAVY = ("msrest", "oauthlib", "requests", "aiohttp", "azure.keyvault.administration._generated.models")


def _loaded_after(code: str) -> dict[str, bool]:
    script = code + f"\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_clients_loads_neither_msrest_nor_an_http_library() -> None:
    loaded = _loaded_after(
        "from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultBackupClient, "
        "KeyVaultSettingsClient, KeyVaultEkmClient\n"
        "from azure.keyvault.administration.aio import KeyVaultAccessControlClient as A"
    )
    assert not any(loaded.values()), loaded


def test_a_client_loads_its_http_library_and_the_first_model_loads_msrest() -> None:
    constructed = _loaded_after(
        "from azure.keyvault.administration import KeyVaultAccessControlClient\n"
        "KeyVaultAccessControlClient('https://h.managedhsm.azure.net', object())"
    )
    assert constructed["requests"] and not constructed["msrest"] and not constructed["aiohttp"]
    built = _loaded_after(
        "from azure.keyvault.administration import _access_control_common as c\n"
        "c.role_assignment_parameters('d', 'p')"
    )
    assert built["msrest"] and built["azure.keyvault.administration._generated.models"]


def test_every_public_name_is_still_importable_and_listed() -> None:
    for module in (package, aio_package):
        for name in module.__all__:
            assert getattr(module, name) is not None
            assert name in dir(module)
    namespace: dict[str, object] = {}
    exec("from azure.keyvault.administration import *", namespace)
    assert set(package.__all__) <= set(namespace)
    assert package.KeyVaultBackupClient.__module__ == "azure.keyvault.administration._backup_client"
    try:
        package.NoSuchName  # noqa: B018
    except AttributeError as error:
        assert "NoSuchName" in str(error)
    else:
        raise AssertionError("unknown names must raise AttributeError")


def test_each_package_loads_only_the_client_named_and_its_own_twin() -> None:
    script = (
        "import sys\n"
        "from azure.keyvault.administration import KeyVaultSettingsClient\n"
        "from azure.keyvault.administration.aio import KeyVaultBackupClient\n"
        "print(sorted(m for m in sys.modules\n"
        "    if m.startswith('azure.keyvault') and m.endswith('_client') and '_generated' not in m))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip().splitlines()[-1] == str(
        ["azure.keyvault.administration._settings_client", "azure.keyvault.administration.aio._backup_client"]
    )
    assert aio_package.KeyVaultEkmClient.__module__ == "azure.keyvault.administration.aio._ekm_client"
    assert aio_package.KeyVaultEkmClient is not package.KeyVaultEkmClient
    try:
        aio_package.NoSuchName  # noqa: B018
    except AttributeError as error:
        assert "'azure.keyvault.administration.aio'" in str(error) and "NoSuchName" in str(error)
    else:
        raise AssertionError("unknown names must raise AttributeError")
