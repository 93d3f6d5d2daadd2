"""The pytest plugin (``mhsm_emulator.pytest_plugin``, registered by the ``pytest11`` entry point): its fixtures
here (this venv has the emulator installed, so the plugin is active in this very session), its behaviour in
separate pytest runs (``pytester``: options, environment, reports, stop after failures, Ctrl+C and SIGKILL), and a
user's project outside the repository with its own virtual environment (``pip install <repo> <repo>/emulator
azure-identity pytest``, not editable).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from cli_process import alive, cli, kill_group, wait_gone
from mhsm_emulator import SYSTEM_PRINCIPAL_ID
from mhsm_emulator.managed_hsm import ManagedHsm, ManagedHsmError
from mhsm_emulator.pytest_plugin import CREDENTIAL_VARIABLES, BlobContainer

from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultRoleScope, KeyVaultSettingsClient
from azure.keyvault.administration.aio import KeyVaultSettingsClient as AsyncSettingsClient

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]
REPO_AZURITE = REPO / "node_modules" / ".bin" / "azurite-blob"
CRYPTO_USER = "Managed HSM Crypto User"


def _strip_credentials(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_", "BLOB_", "IMDS_"))}


def _kill(pid: int | None) -> None:
    """Never leak what an inner run started, whatever the test found."""
    if pid is not None and alive(pid):
        kill_group(pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---- the fixtures, in this session ----


def test_managed_hsm_is_a_running_emulator(managed_hsm: ManagedHsm) -> None:
    assert managed_hsm.vault_url.startswith("https://127.0.0.1:") and Path(managed_hsm.ca_file).is_file()
    assert managed_hsm.principal_id == SYSTEM_PRINCIPAL_ID
    assert set(managed_hsm.env) == {"AZURE_MANAGEDHSM_URL", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "IDENTITY_ENDPOINT",
                                    "IDENTITY_HEADER"}
    assert managed_hsm.pid is not None and alive(managed_hsm.pid) and managed_hsm.pid != os.getpid()
    assert requests.get(str(managed_hsm.ready_url), timeout=30).json()["vault_url"] == managed_hsm.vault_url
    with KeyVaultSettingsClient(managed_hsm.vault_url, managed_hsm.credential, **managed_hsm.client_kwargs()) as c:
        assert any(setting.name == "AllowKeyManagementOperationsThroughARM" for setting in c.list_settings())


async def test_its_async_credential_works_in_any_event_loop(managed_hsm: ManagedHsm) -> None:
    async with AsyncSettingsClient(managed_hsm.vault_url, managed_hsm.async_credential,
                                   **managed_hsm.client_kwargs()) as client:
        names = [setting.name async for setting in client.list_settings()]
    assert "AllowKeyManagementOperationsThroughARM" in names


def test_a_new_identity_has_no_role_until_one_is_assigned(managed_hsm: ManagedHsm) -> None:
    identity = managed_hsm.new_identity()
    assert identity.principal_id != managed_hsm.principal_id
    assert managed_hsm.new_identity("alice").principal_id == managed_hsm.new_identity("alice").principal_id
    assert managed_hsm.new_identity().principal_id != identity.principal_id
    with KeyVaultSettingsClient(managed_hsm.vault_url, identity.credential, **managed_hsm.client_kwargs()) as client:
        with pytest.raises(HttpResponseError) as refused:
            list(client.list_settings())
        assert refused.value.status_code == 403
        managed_hsm.assign_role(identity.principal_id, "Managed HSM Administrator")
        assert list(client.list_settings())


def test_assign_role_is_idempotent_at_its_scope(managed_hsm: ManagedHsm) -> None:
    principal = managed_hsm.new_identity().principal_id
    first = managed_hsm.assign_role(principal, CRYPTO_USER, scope="/keys")
    again = managed_hsm.assign_role(principal, CRYPTO_USER.upper(), scope=KeyVaultRoleScope.KEYS)
    by_id = managed_hsm.assign_role(principal, first["properties"]["roleDefinitionId"], scope="keys/")
    assert first["name"] == again["name"] == by_id["name"]
    with KeyVaultAccessControlClient(managed_hsm.vault_url, managed_hsm.credential,
                                     **managed_hsm.client_kwargs()) as client:
        mine = [a for a in client.list_role_assignments(KeyVaultRoleScope.KEYS)
                if a.properties is not None and a.properties.principal_id == principal]
    assert len(mine) == 1 and mine[0].properties is not None and mine[0].properties.scope == "/keys"
    elsewhere = managed_hsm.assign_role(principal, CRYPTO_USER, scope="/")  # another scope: another assignment
    assert elsewhere["name"] != first["name"]
    assert [a["name"] for a in managed_hsm.role_assignments(principal, "/keys")] == [first["name"]]


def test_assign_role_explains_what_it_cannot_do(managed_hsm: ManagedHsm) -> None:
    with pytest.raises(ValueError, match=r"no role definition 'Managed HSM Janitor'.*Managed HSM Crypto User"):
        managed_hsm.assign_role(managed_hsm.new_identity().principal_id, "Managed HSM Janitor")
    with pytest.raises(ManagedHsmError) as refused:
        managed_hsm.assign_role(managed_hsm.new_identity().principal_id, CRYPTO_USER, scope="/secrets")
    assert refused.value.status == 400 and "secrets" in str(refused.value)


def test_the_plugin_module_imports_nothing_heavy() -> None:
    # pytest loads it in every run of an environment with the emulator installed.
    probe = "import sys, mhsm_emulator.pytest_plugin; print(sorted({'aiohttp', 'cryptography', 'azure.core'} & " \
            "set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


# ---- separate pytest runs (pytester) ----


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A scratch test folder whose runs start from an environment without Azure variables."""
    for name in list(os.environ):
        if name.startswith(("AZURE_", "IDENTITY_", "MSI_", "BLOB_", "IMDS_")):
            monkeypatch.delenv(name)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    return pytester


def test_managed_hsm_env_sets_clears_and_restores(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {
        "AZURE_CLIENT_ID": "11111111-1111-1111-1111-111111111111", "AZURE_CLIENT_SECRET": "s3cret",
        "AZURE_TENANT_ID": "22222222-2222-2222-2222-222222222222", "AZURE_FEDERATED_TOKEN_FILE": "/nonexistent/token",
        "MSI_ENDPOINT": "http://127.0.0.1:9/msi", "IMDS_ENDPOINT": "http://127.0.0.1:9",
        "IDENTITY_SERVER_THUMBPRINT": "ab", "AZURE_TOKEN_CREDENTIALS": "dev",
        "AZURE_MANAGEDHSM_URL": "https://elsewhere.managedhsm.azure.net",
        # A proxy nobody listens on: only a bypass for 127.0.0.1 lets the clients through.
        "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
    }
    for name, value in before.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    untouched = {name: os.environ.get(name) for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "IDENTITY_ENDPOINT",
                                                         "IDENTITY_HEADER", "NO_PROXY", "no_proxy")}
    inner.makepyfile(test_env=f"""
        import os
        import aiohttp  # imported long before the fixture sets SSL_CERT_FILE, as in most test processes
        from azure.identity import DefaultAzureCredential
        from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential
        from azure.keyvault.administration import KeyVaultSettingsClient
        from azure.keyvault.administration.aio import KeyVaultSettingsClient as AsyncSettingsClient

        BEFORE = {before!r}

        def test_unchanged_code_reaches_the_emulator(managed_hsm, managed_hsm_env):
            assert managed_hsm_env == managed_hsm.env
            assert {{k: os.environ[k] for k in managed_hsm_env}} == managed_hsm.env
            for name in {CREDENTIAL_VARIABLES!r}:
                assert name not in os.environ, name
            assert "127.0.0.1" in os.environ["NO_PROXY"].split(",")
            client = KeyVaultSettingsClient(os.environ["AZURE_MANAGEDHSM_URL"], DefaultAzureCredential())
            assert client.get_setting("AllowKeyManagementOperationsThroughARM").name

        async def test_unchanged_async_code_too(managed_hsm_env):
            async with AsyncDefaultAzureCredential() as credential:
                async with AsyncSettingsClient(os.environ["AZURE_MANAGEDHSM_URL"], credential) as client:
                    assert [setting.name async for setting in client.list_settings()]

        def test_everything_is_restored_afterwards():
            for name, value in BEFORE.items():
                assert os.environ.get(name) == value, name
            for name, value in {untouched!r}.items():
                assert os.environ.get(name) == value, name
    """)
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_a_failed_test_shows_what_the_emulator_saw(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_report="""
        from azure.keyvault.administration import KeyVaultSettingsClient

        def test_passes(managed_hsm):
            assert managed_hsm.vault_url

        def test_forbidden(managed_hsm):
            nobody = managed_hsm.new_identity()
            client = KeyVaultSettingsClient(managed_hsm.vault_url, nobody.credential, **managed_hsm.client_kwargs())
            client.get_setting("AllowKeyManagementOperationsThroughARM")
    """)
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.re_match_lines([
        r".*Captured mhsm-emulator log call.*",
        r".*vault GET /settings/AllowKeyManagementOperationsThroughARM\?api-version=\S+ 403 .* "
        r"missing=Microsoft.KeyVault/managedHsm/settings/read/action scope=/$",
    ])
    assert result.stdout.str().count("Captured mhsm-emulator log") == 1  # only the failed test's


def test_options_from_the_command_line_the_ini_file_and_a_fixture(inner: pytest.Pytester) -> None:
    inner.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nmhsm_page_size = 2\n")
    probe = """
        import json, ssl, urllib.request

        def get(managed_hsm, path):
            token = managed_hsm.credential.get_token(managed_hsm.resource + "/.default").token
            request = urllib.request.Request(managed_hsm.vault_url + path, headers={"Authorization": "Bearer " + token})
            context = ssl.create_default_context(cafile=managed_hsm.ca_file)
            try:
                with urllib.request.urlopen(request, context=context) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        def test_probe(managed_hsm):
            status, page = get(managed_hsm, "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4")
            print("PAGE", len(page["value"]), bool(page.get("nextLink")))
            print("SETTINGS", get(managed_hsm, "/settings?api-version=7.6")[0])
    """
    inner.makepyfile(test_probe=probe)
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*PAGE 2 True", "SETTINGS 200*"])

    faults = "--mhsm-args=--error-rate 1 --error-statuses 503 --retry-after 0 --fault-match '^GET /settings$'"
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "-s", "--mhsm-page-size", "3", faults)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*PAGE 3 True", "SETTINGS 503*"])

    inner.makeconftest("""
        import pytest

        @pytest.fixture(scope="session")
        def mhsm_emulator_options(mhsm_emulator_options):
            return mhsm_emulator_options.replace(page_size=4)
    """)
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*PAGE 4 True", "SETTINGS 200*"])


def test_bad_options_are_clear_errors_and_leave_nothing_running(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_it="""
        import os, pathlib

        def test_uses_it(managed_hsm):
            pass
    """)
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "--mhsm-port", "eighty")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mhsm-port (ini mhsm_port) must be a number from 0 to 65535, not 'eighty'*"])

    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "--mhsm-args=--page-size 0")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mhsm-emulator did not start (exit status 2): mhsm-emulator: error: argument "
                                 "--page-size: must be at least 1*"])
    # Its data folder is under the inner run's base folder: no emulator with such a folder is left.
    assert [pid for pid in _emulator_processes() if str(inner.path) in _cmdline(pid)] == []


def test_the_data_folder_is_removed_unless_kept(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_it="""
        import pathlib

        def test_record(managed_hsm):
            pathlib.Path("data_dir.txt").write_text(managed_hsm.data_dir)
            assert (pathlib.Path(managed_hsm.data_dir) / "state.sqlite3").is_file()
    """)
    inner.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert not Path((inner.path / "data_dir.txt").read_text()).exists()
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "--mhsm-keep-data-dir")
    result.assert_outcomes(passed=1)
    kept = Path((inner.path / "data_dir.txt").read_text())
    assert (kept / "state.sqlite3").is_file()
    result.stdout.fnmatch_lines([f"mhsm-emulator: data folder kept: {kept}"])
    own = inner.path / "my-hsm"
    inner.runpytest_subprocess("-p", "no:cacheprovider", f"--mhsm-data-dir={own}").assert_outcomes(passed=1)
    assert Path((inner.path / "data_dir.txt").read_text()) == own and (own / "state.sqlite3").is_file()


def _emulator_processes() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"mhsm_emulator" in (entry / "cmdline").read_bytes() and alive(int(entry.name)):
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


_HOLD = """
    import os, pathlib, time
    import pytest

    @pytest.fixture(scope="session", params=[{with_blob}])
    def storage(request):
        return request.getfixturevalue("blob_container") if request.param else None

    def test_hold(managed_hsm, storage):
        pathlib.Path("pids.tmp").write_text(f"{{managed_hsm.pid}} {{storage.account_url if storage else ''}}")
        os.replace("pids.tmp", "pids.txt")
        deadline = time.monotonic() + 60
        while not pathlib.Path("go.txt").exists() and time.monotonic() < deadline:  # the outer test has read the pids
            time.sleep(0.05)
        if {mode!r} == "fail":
            assert False, "a failing test"
        time.sleep(120)
"""


def _listener_pid(account_url: str) -> int | None:
    """The process listening on an Azurite account URL's port (Linux /proc)."""
    port = int(account_url.split(":")[2].split("/")[0])
    wanted = f":{port:04X}"
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(wanted) and fields[3] == "0A":
            inodes.add(f"socket:[{fields[9]}]")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                for fd in (entry / "fd").iterdir():
                    if os.readlink(fd) in inodes:
                        return int(entry.name)
            except OSError:
                continue
    return None


@pytest.mark.parametrize("mode", ["fail", "sigint", "sigkill"])
def test_everything_it_started_stops_after_a_failure_ctrl_c_or_sigkill(inner: pytest.Pytester, mode: str) -> None:
    with_blob = REPO_AZURITE.exists()
    inner.makepyfile(test_hold=_HOLD.format(with_blob=with_blob, mode=mode))
    emulator_pid = azurite_pid = None
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    try:
        with cli(command, ignore_sigint=False, cwd=inner.path) as run:
            deadline = time.monotonic() + 120
            while not (inner.path / "pids.txt").exists():
                assert run.process.poll() is None, run.stdout.rest()
                assert time.monotonic() < deadline, "the inner test never started"
                time.sleep(0.1)
            pid_text, _, account_url = (inner.path / "pids.txt").read_text().partition(" ")
            emulator_pid = int(pid_text)
            azurite_pid = _listener_pid(account_url) if account_url else None
            (inner.path / "go.txt").write_text("")
            assert with_blob == (azurite_pid is not None)
            if mode == "sigint":
                run.signal(signal.SIGINT)  # what Ctrl+C in a terminal sends
                assert run.wait(timeout=60) == pytest.ExitCode.INTERRUPTED
            elif mode == "sigkill":
                run.signal(signal.SIGKILL)  # no teardown at all: the emulator must notice by itself
                run.wait(timeout=60)
            else:
                assert run.wait(timeout=120) == pytest.ExitCode.TESTS_FAILED
            # Checked before leaving the block, whose clean-up kills pytest's process group (Azurite is in it).
            assert wait_gone(emulator_pid, timeout=30), f"the emulator outlived pytest ({mode})"
            if azurite_pid is not None:
                assert wait_gone(azurite_pid, timeout=30), f"Azurite outlived pytest ({mode})"
    finally:
        _kill(emulator_pid)
        _kill(azurite_pid)


def test_blob_container_is_skipped_with_the_reason(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    inner.makepyfile(test_blob="""
        def test_needs_storage(blob_container):
            pass

        def test_does_not(managed_hsm):
            pass
    """)
    monkeypatch.setenv("AZURITE_BLOB", str(inner.path / "no-such-azurite"))
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*Azurite (the Azure Storage emulator) is not installed*npm install "
                                 "azurite@3.35.0*"])
    if REPO_AZURITE.exists():
        monkeypatch.setenv("AZURITE_BLOB", str(REPO_AZURITE))
        monkeypatch.setenv("PATH", str(inner.path / "empty-bin"))  # no node
        result = inner.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
        result.assert_outcomes(passed=1, skipped=1)
        result.stdout.fnmatch_lines(["*Node.js is not installed (node is not on PATH)*install Node.js 18 or later*"])


@pytest.mark.skipif(not REPO_AZURITE.exists(), reason="needs the repository's Azurite (npm ci)")
def test_blob_container_is_ready_for_a_backup(managed_hsm: ManagedHsm, blob_container: BlobContainer) -> None:
    from azure.keyvault.administration import KeyVaultBackupClient

    assert blob_container.url == f"{blob_container.account_url}/{blob_container.name}"
    assert "sig=" in blob_container.sas_token and not blob_container.sas_token.startswith("?")
    assert set(blob_container.env) == {"BLOB_CONTAINER_URL", "BLOB_SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING"}
    with KeyVaultBackupClient(managed_hsm.vault_url, managed_hsm.credential, **managed_hsm.client_kwargs()) as client:
        result = client.begin_backup(blob_container.url, sas_token=blob_container.sas_token,
                                     polling_interval=0.2).result()
    assert result.folder_url.startswith(blob_container.url + "/mhsm-")


# ---- a user's own project, outside the repository ----


_USER_TESTS = '''
import asyncio
import os

from azure.identity import DefaultAzureCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential
from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultRoleScope
from azure.keyvault.administration.aio import KeyVaultSettingsClient


def list_role_names() -> set[str]:
    """The application code: it only knows AZURE_MANAGEDHSM_URL and DefaultAzureCredential."""
    client = KeyVaultAccessControlClient(os.environ["AZURE_MANAGEDHSM_URL"], DefaultAzureCredential())
    return {definition.role_name for definition in client.list_role_definitions(KeyVaultRoleScope.GLOBAL)}


async def setting_names() -> list[str]:
    async with AsyncDefaultAzureCredential() as credential:
        async with KeyVaultSettingsClient(os.environ["AZURE_MANAGEDHSM_URL"], credential) as client:
            return [setting.name async for setting in client.list_settings()]


def test_the_application_lists_roles(managed_hsm_env):
    assert "Managed HSM Administrator" in list_role_names()


def test_the_async_application_reads_settings(managed_hsm_env):
    assert "AllowKeyManagementOperationsThroughARM" in asyncio.run(setting_names())


def test_an_identity_without_roles_is_refused_until_granted(managed_hsm):
    from azure.core.exceptions import HttpResponseError
    from azure.keyvault.administration import KeyVaultSettingsClient as Settings

    reader = managed_hsm.new_identity()
    client = Settings(managed_hsm.vault_url, reader.credential, **managed_hsm.client_kwargs())
    try:
        client.get_setting("AllowKeyManagementOperationsThroughARM")
    except HttpResponseError as error:
        assert error.status_code == 403
    else:
        raise AssertionError("a principal without roles read a setting")
    managed_hsm.assign_role(reader.principal_id, "Managed HSM Administrator")
    managed_hsm.assign_role(reader.principal_id, "Managed HSM Administrator")
    assert client.get_setting("AllowKeyManagementOperationsThroughARM").name
    with open("emulator.pid", "w") as handle:
        handle.write(str(managed_hsm.pid))
'''

def _readme_test_file() -> str:
    """The complete example test file of emulator/README.md (with a backup test that needs Azurite)."""
    text = (REPO / "emulator" / "README.md").read_text()
    start = text.index("# tests/test_hsm.py\n")
    return text[start:text.index("```", start)]


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)  # type: ignore[call-overload,no-any-return]


@pytest.fixture(scope="module")
def scratch_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One virtual environment outside the repository, with the package, the emulator, azure-identity and pytest
    installed as a user would (not editable)."""
    venv = tmp_path_factory.mktemp("user-venv") / "venv"
    assert not venv.is_relative_to(REPO)
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                      str(REPO), str(REPO / "emulator"), "azure-identity", "pytest"], cwd=venv.parent)
    assert installed.returncode == 0, installed.stderr[-3000:]
    yield venv


def _user_run(project: Path, venv: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"], cwd=project,
                env=env)


def test_a_users_project_outside_the_repository(scratch_venv: Path, tmp_path: Path) -> None:
    venv = scratch_venv
    version = _run([str(venv / "bin" / "mhsm-emulator"), "--version"], cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("mhsm-emulator ")
    shown = _run([str(venv / "bin" / "mhsm-emulator"), "--help"], cwd=tmp_path)
    assert shown.returncode == 0 and "--with-azurite" in shown.stdout

    project = tmp_path / "my-app"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_app.py").write_text(_USER_TESTS)
    env = _strip_credentials(dict(os.environ))
    env.pop("AZURITE_BLOB", None)
    result = _user_run(project, venv, env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
    emulator_pid = int((project / "emulator.pid").read_text())
    assert wait_gone(emulator_pid, timeout=30)
    assert not any(str(venv) in _cmdline(pid) for pid in _emulator_processes())

    # README's example file, with its backup test: skipped with the reason without Azurite, run with it.
    (project / "tests" / "test_hsm.py").write_text(_readme_test_file())
    result = _user_run(project, venv, env)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "5 passed, 1 skipped" in result.stdout and "npm install azurite@3.35.0" in result.stdout
    if REPO_AZURITE.exists():
        before = _azurite_processes()
        result = _user_run(project, venv, {**env, "AZURITE_BLOB": str(REPO_AZURITE)})
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert "6 passed" in result.stdout
        deadline = time.monotonic() + 30
        while _azurite_processes() - before:
            assert time.monotonic() < deadline, "Azurite outlived the user's pytest run"
            time.sleep(0.1)
    assert wait_gone(int((project / "emulator.pid").read_text()), timeout=30)
    assert not any(str(venv) in _cmdline(pid) for pid in _emulator_processes())


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""



def _azurite_processes() -> set[int]:
    return {int(entry.name) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and "azurite-blob" in _cmdline(int(entry.name)) and alive(int(entry.name))}
