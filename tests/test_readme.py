"""The README's Python snippets run as written, in order, against the emulator.

Every block fenced exactly as ```python in the sections "Getting started", "Examples" and "Troubleshooting" is
joined into one script (later blocks continue earlier ones, as the README says) and run in a fresh interpreter
whose environment points at the emulator (``AZURE_MANAGEDHSM_URL``, its CA, its managed identity endpoint), so
``DefaultAzureCredential`` and the clients work unchanged. Blocks fenced ```python notest are shown only.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from mhsm_emulator.azurite import Azurite
from mhsm_emulator.ekm_proxy import run_ekm_proxy

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("Getting started", "Examples", "Troubleshooting")
_FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def readme_snippets(text: str) -> list[str]:
    """The runnable snippets of the chosen ``##`` sections, in document order."""
    snippets: list[str] = []
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title = section.splitlines()[0].strip()
        if title in SECTIONS:
            snippets.extend(match.group(1) for match in _FENCE.finditer(section))
    return snippets


def test_snippets_are_found() -> None:
    snippets = readme_snippets((REPO / "README.md").read_text())
    joined = "\n".join(snippets)
    assert len(snippets) >= 10
    for call in (
        "list_role_definitions",
        "set_role_definition",
        "get_role_definition",
        "delete_role_definition",
        "create_role_assignment",
        "get_role_assignment",
        "list_role_assignments",
        "delete_role_assignment",
        "list_settings",
        "get_setting",
        "update_setting",
        "begin_backup",
        "begin_pre_backup",
        "begin_pre_restore",
        "begin_restore",
        "continuation_token",
        "get_ekm_certificate",
        "create_ekm_connection",
        "check_ekm_connection",
        "update_ekm_connection",
        "begin_create_ekm_private_endpoint",
        "get_ekm_private_endpoint",
        "list_ekm_private_endpoints",
        "get_ekm_private_endpoint_operation_status",
        "begin_delete_ekm_private_endpoint",
        "delete_ekm_connection",
    ):
        assert call in joined, call
    assert "run_emulator" not in joined  # the ```python notest block is excluded


# Any private link service alias: the emulator maps it to the reference proxy for the private-endpoint example.
PRIVATE_LINK_SERVICE = "ekm-proxy.0c5e1a7e-4d3b-4f8e-9a61-2b7f3c9d8e10.eastus.azure.privatelinkservice"


def test_readme_snippets_run_against_the_emulator(emulator: Any, azurite: Azurite, tmp_path: Path) -> None:
    script = tmp_path / "readme_snippets.py"
    script.write_text("\n\n".join(readme_snippets((REPO / "README.md").read_text())))
    env = dict(os.environ)
    env.update(emulator.env())
    env["BLOB_CONTAINER_URL"] = azurite.create_container("readme")
    env["BLOB_SAS_TOKEN"] = azurite.container_sas("readme")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    targets = emulator.state.config.ekm_private_link_targets
    with run_ekm_proxy(client_ca=Path(emulator.data_dir) / "ekm-client-ca.pem") as proxy:
        targets[PRIVATE_LINK_SERVICE] = proxy.host
        env.update(
            EKM_ADMIN_PRINCIPAL_ID=emulator.principal_id,
            EKM_PROXY_HOST=proxy.host,
            EKM_PROXY_CA_FILE=str(proxy.ca_file),
            EKM_PROXY_PATH_PREFIX=proxy.path_prefix,
            EKM_PROXY_SUBJECT_COMMON_NAME=proxy.server_subject_common_name,
            EKM_PRIVATE_LINK_SERVICE_ID=PRIVATE_LINK_SERVICE,
        )
        try:
            completed = subprocess.run(
                [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
            )
        finally:
            targets.pop(PRIVATE_LINK_SERVICE, None)
    assert completed.returncode == 0, completed.stderr[-3000:]
    output = completed.stdout
    assert "Managed HSM Administrator" in output
    assert "404 RoleDefinitionNotFound" in output
    assert "AllowKeyManagementOperationsThroughARM" in output
    assert "backup: Succeeded " + env["BLOB_CONTAINER_URL"] + "/mhsm-" in output
    assert "restore: Succeeded" in output
    assert "restore failed: FolderNotFound" in output
    assert "EKM proxy: mhsm-emulator reference EKM proxy" in output
    assert "EKM proxy through the private endpoint: mhsm-emulator reference EKM proxy" in output
    assert "EKM proxy (async): mhsm-emulator reference EKM proxy" in output
    assert "private endpoints: ['ekm-proxy-pe']" in output
    assert "deleted the EKM connection to ekm-proxy-pe" in output
    assert "private endpoints: []" in output
