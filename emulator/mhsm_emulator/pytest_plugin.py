"""pytest fixtures for testing an application against a local Managed HSM (registered on install).

Installing the emulator registers this plugin (entry point ``pytest11``, name ``mhsm_emulator``; ``-p
no:mhsm_emulator`` turns it off). Fixtures:

- ``managed_hsm`` (session): a running emulator, a :class:`~mhsm_emulator.managed_hsm.ManagedHsm`: ``vault_url``,
  ``ca_file``, ``credential``/``async_credential`` (the HSM's administrator), ``principal_id``, ``env``,
  ``client_kwargs()``, ``new_identity()``, ``assign_role(principal_id, role, scope)``.
- ``managed_hsm_env`` (function): the five environment variables set (and the ones that would make
  ``DefaultAzureCredential`` choose another credential removed), all restored after the test.
- ``blob_container`` (session): a container in Azurite with ``url``, ``sas_token`` and ``connection_string``;
  skipped, with the reason, when Node.js or Azurite is not installed. ``mhsm_azurite`` (session) is that Azurite.
- ``mhsm_emulator_options`` (session): the :class:`ManagedHsmOptions` in force; override it in a ``conftest.py``.

The emulator runs as a child process (``python -m mhsm_emulator``), not in the test process: whatever a test does
to event loops, threads, time or the environment, the emulator keeps serving, and it is stopped for certain: at
the end of the session (after failures and Ctrl+C too), and by itself when the test process dies in any other way
(its stdin is a pipe from the test process; ``--stop-on-stdin-eof``). Its request log (``--log-level INFO``) is
written to a file, and the part of it written during a failed test is added to that test's report.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import ssl
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pluggy import Result

if TYPE_CHECKING:
    from .azurite import Azurite
    from .emulator_process import EmulatorProcess
    from .managed_hsm import ManagedHsm

CREDENTIAL_VARIABLES = (
    # EnvironmentCredential (service principal, certificate, user/password) and WorkloadIdentityCredential.
    "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "AZURE_USERNAME", "AZURE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST", "AZURE_KUBERNETES_TOKEN_PROXY", "AZURE_KUBERNETES_SNI_NAME",
    "AZURE_KUBERNETES_CA_FILE", "AZURE_KUBERNETES_CA_DATA",
    # Another managed identity source (Service Fabric, Azure Arc, Azure ML, Cloud Shell, pod identity).
    "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    # Restricts DefaultAzureCredential's chain ("dev" leaves managed identity out).
    "AZURE_TOKEN_CREDENTIALS",
)
"""Removed by ``managed_hsm_env``: each would make ``DefaultAzureCredential`` use another credential than the
emulator's managed identity (``AZURE_CLIENT_ID`` would select a user-assigned identity with no role)."""

_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
_LOG_LINES = 200


@dataclass(frozen=True)
class ManagedHsmOptions:
    """How the plugin starts the emulator (command line ``--mhsm-*`` options, else ini ``mhsm_*`` values).

    :ivar port: the vault's HTTPS port (``--mhsm-port``; 0: a free one).
    :ivar identity_port: the identity endpoint's port (``--mhsm-identity-port``; 0: a free one).
    :ivar page_size: list page size (``--mhsm-page-size``; None: the emulator's 100).
    :ivar data_dir: a data folder to use and keep (``--mhsm-data-dir``; None: a fresh one, removed at the end).
    :ivar keep_data_dir: keep the fresh data folder (``--mhsm-keep-data-dir``); its path is printed at the end.
    :ivar log_level: the emulator's ``--log-level`` (``--mhsm-log-level``); INFO keeps its request log.
    :ivar extra_args: more emulator options (``--mhsm-args "--error-rate 0.2 --seed 1"``; faults, latency...).
    :ivar with_azurite: give the HSM Azurite's account as its storage identity, for ``use_managed_identity=True``
        backups (``--mhsm-with-azurite``); ``blob_container`` then uses the same Azurite.
    :ivar startup_timeout: seconds to wait for the emulator (``--mhsm-startup-timeout``).
    :ivar container: the name of the ``blob_container`` container.
    """

    port: int = 0
    identity_port: int = 0
    page_size: int | None = None
    data_dir: Path | None = None
    keep_data_dir: bool = False
    log_level: str = "INFO"
    extra_args: tuple[str, ...] = ()
    with_azurite: bool = False
    startup_timeout: float = 60.0
    container: str = "backups"

    def replace(self, **changes: Any) -> ManagedHsmOptions:
        """A copy with some fields changed (``options.replace(page_size=5)``)."""
        return dataclasses.replace(self, **changes)

    def cli_args(self) -> list[str]:
        """The emulator's command-line options for these settings (data folder and storage aside)."""
        args = ["--port", str(self.port), "--identity-port", str(self.identity_port)]
        if self.page_size is not None:
            args += ["--page-size", str(self.page_size)]
        return [*args, *self.extra_args]


@dataclass(frozen=True)
class BlobContainer:
    """A blob container in Azurite, ready for backups (it exists; the SAS is valid one day).

    :ivar url: the container's URL (``BLOB_CONTAINER_URL``); :ivar sas_token: a container SAS with read, create,
        write, delete and list permissions, no leading ``?`` (``BLOB_SAS_TOKEN``); :ivar connection_string: the
        account's connection string (``AZURE_STORAGE_CONNECTION_STRING``).
    """

    name: str
    url: str
    sas_token: str
    connection_string: str
    account_url: str

    @property
    def env(self) -> dict[str, str]:
        """``BLOB_CONTAINER_URL``, ``BLOB_SAS_TOKEN`` and ``AZURE_STORAGE_CONNECTION_STRING``."""
        return {
            "BLOB_CONTAINER_URL": self.url,
            "BLOB_SAS_TOKEN": self.sas_token,
            "AZURE_STORAGE_CONNECTION_STRING": self.connection_string,
        }


@dataclass
class _SessionState:
    options: ManagedHsmOptions
    process: EmulatorProcess | None = None
    kept: list[Path] = field(default_factory=list)


_STATE = pytest.StashKey[_SessionState]()
_LOG_OFFSET = pytest.StashKey[int]()


# ---- options ----


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--mhsm-*`` options and ``mhsm_*`` ini values."""
    group = parser.getgroup("mhsm-emulator", "local Managed HSM emulator (fixtures managed_hsm, managed_hsm_env, "
                                             "blob_container)")

    def option(name: str, ini_type: str | None, help_text: str, **kwargs: Any) -> None:
        group.addoption(f"--mhsm-{name}", dest=f"mhsm_{name.replace('-', '_')}", default=None, help=help_text,
                        **kwargs)
        ini = f"mhsm_{name.replace('-', '_')}"
        if ini_type == "bool":
            parser.addini(ini, help_text, type="bool", default=False)
        elif ini_type == "args":
            parser.addini(ini, help_text, type="args", default=[])
        else:
            parser.addini(ini, help_text, default="")

    option("port", "string", "the emulator's HTTPS port (default: a free one)", metavar="N")
    option("identity-port", "string", "the emulator's identity endpoint port (default: a free one)", metavar="N")
    option("page-size", "string", "items per list page (default: 100)", metavar="N")
    option("data-dir", "string", "data folder to use and keep (default: a fresh one, removed at the end)",
           metavar="DIR")
    option("keep-data-dir", "bool", "keep the fresh data folder (its path is printed at the end)",
           action="store_true")
    option("log-level", "string", "the emulator's --log-level (default: INFO: its request log is added to the "
                                  "report of a failed test)", metavar="LEVEL")
    option("args", "args", "more emulator options, e.g. \"--error-rate 0.2 --seed 1\" (see mhsm-emulator --help)",
           metavar="ARGS")
    option("with-azurite", "bool", "give the HSM Azurite's account as its storage identity "
                                   "(use_managed_identity=True backups)", action="store_true")
    option("startup-timeout", "string", "seconds to wait for the emulator to start (default: 60)", metavar="SECONDS")


def _value(config: pytest.Config, name: str) -> Any:
    given = config.getoption(f"mhsm_{name}")
    if given is not None:
        return given
    value = config.getini(f"mhsm_{name}")
    return value if value not in ("", [], False) else None


def _number(config: pytest.Config, name: str, convert: type[int] | type[float], low: float, high: float) -> Any:
    value = _value(config, name)
    if value is None:
        return None
    try:
        number = convert(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise pytest.UsageError(f"mhsm-emulator: --mhsm-{name.replace('_', '-')} (ini mhsm_{name}) must be a number "
                                f"from {low:g} to {high:g}, not {value!r}")
    return number


def options_from_config(config: pytest.Config) -> ManagedHsmOptions:
    """The options given on the command line (``--mhsm-*``), else in the ini file (``mhsm_*``), else defaults.

    :raises pytest.UsageError: a value that is not valid (the message names the option).
    """
    defaults = ManagedHsmOptions()
    data_dir = _value(config, "data_dir")
    args = _value(config, "args")
    extra = tuple(shlex.split(args) if isinstance(args, str) else args or ())
    level = _value(config, "log_level")
    if level is not None and str(level).upper() not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
        raise pytest.UsageError(f"mhsm-emulator: --mhsm-log-level must be DEBUG, INFO, WARNING, ERROR or CRITICAL, "
                                f"not {level!r}")
    port = _number(config, "port", int, 0, 65535)
    identity_port = _number(config, "identity_port", int, 0, 65535)
    timeout = _number(config, "startup_timeout", float, 1, 3600)
    return ManagedHsmOptions(
        port=port if port is not None else defaults.port,
        identity_port=identity_port if identity_port is not None else defaults.identity_port,
        page_size=_number(config, "page_size", int, 1, 1_000_000),
        data_dir=(config.rootpath / Path(str(data_dir)).expanduser()) if data_dir is not None else None,
        keep_data_dir=bool(_value(config, "keep_data_dir")),
        log_level=str(level).upper() if level is not None else defaults.log_level,
        extra_args=extra,
        with_azurite=bool(_value(config, "with_azurite")),
        startup_timeout=timeout if timeout is not None else defaults.startup_timeout,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Read and check the options once, at startup (a bad value is a usage error before any test runs)."""
    config.stash[_STATE] = _SessionState(options_from_config(config))


# ---- reports ----


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Remember where the emulator's log stands; fail at once if the emulator died during the session."""
    state = item.config.stash.get(_STATE, None)
    process = state.process if state is not None else None
    item.stash[_LOG_OFFSET] = process.log_size() if process is not None else 0
    if process is not None and "managed_hsm" in getattr(item, "fixturenames", ()) and not process.running:
        log = " ".join(process.read_log().split()[-200:])
        pytest.fail(f"mhsm-emulator (pid {process.pid}) is no longer running; its log: {log or '(empty)'}",
                    pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Result[pytest.TestReport], None]:
    """Add what the emulator logged during a failed test that used it to the test's report."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or "managed_hsm" not in getattr(item, "fixturenames", ()):
        return
    state = item.config.stash.get(_STATE, None)
    process = state.process if state is not None else None
    if process is None:
        return
    lines = process.read_log(item.stash.get(_LOG_OFFSET, 0)).splitlines()
    if lines:
        skipped = f"({len(lines) - _LOG_LINES} earlier lines left out)\n" if len(lines) > _LOG_LINES else ""
        report.sections.append((f"Captured mhsm-emulator log {report.when}",
                                skipped + "\n".join(lines[-_LOG_LINES:])))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Name the data folders kept by ``--mhsm-keep-data-dir``."""
    state = config.stash.get(_STATE, None)
    for folder in state.kept if state is not None else ():
        terminalreporter.write_line(f"mhsm-emulator: data folder kept: {folder}")


# ---- fixtures ----


@pytest.fixture(scope="session")
def mhsm_emulator_options(pytestconfig: pytest.Config) -> ManagedHsmOptions:
    """The options the emulator starts with; override this fixture (session scope) in a ``conftest.py`` to change
    them in code: ``return mhsm_emulator_options.replace(page_size=5)``."""
    return pytestconfig.stash[_STATE].options


def _azurite_unavailable() -> str | None:
    """Why Azurite cannot run here (None when it can)."""
    from .azurite import find_azurite

    try:
        executable = find_azurite()
    except FileNotFoundError as exc:
        return f"Azurite (the Azure Storage emulator) is not installed: {exc}"
    try:
        with open(os.path.realpath(executable), "rb") as script:
            first_line = script.readline(200)
    except OSError:
        first_line = b""
    if first_line.startswith(b"#!") and b"node" in first_line and shutil.which("node") is None:
        return ("Node.js is not installed (node is not on PATH): Azurite, the Azure Storage emulator, runs on it; "
                "install Node.js 18 or later")
    return None


@pytest.fixture(scope="session")
def mhsm_azurite() -> Iterator[Azurite]:
    """Azurite's blob service on a free 127.0.0.1 port (``mhsm_emulator.azurite.Azurite``), for the session;
    skipped with the reason when Node.js or Azurite is missing."""
    from .azurite import Azurite

    reason = _azurite_unavailable()
    if reason is not None:
        pytest.skip(reason)
    with Azurite() as azurite:
        yield azurite


@pytest.fixture(scope="session")
def managed_hsm(
    request: pytest.FixtureRequest, mhsm_emulator_options: ManagedHsmOptions, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ManagedHsm]:
    """A running Managed HSM emulator for the session (a child process, stopped at the end).

    ``vault_url``, ``ca_file``, ``credential`` and ``async_credential`` (the HSM's administrator, who holds
    "Managed HSM Administrator" at ``/``: roles, settings, backups; key operations need key roles),
    ``principal_id``, ``env``, ``client_kwargs()`` (``connection_verify=ca_file``), ``new_identity()`` and
    ``assign_role(principal_id, role, scope="/")``. State is shared by the whole session: give each test its own
    identities (``new_identity()``) and names.
    """
    from .emulator_process import EmulatorProcess, EmulatorProcessError
    from .managed_hsm import ManagedHsm

    options = mhsm_emulator_options
    args = options.cli_args()
    if options.with_azurite:
        try:
            azurite = request.getfixturevalue("mhsm_azurite")
        except pytest.skip.Exception as exc:
            pytest.fail(f"mhsm-emulator: --mhsm-with-azurite needs Azurite: {exc.msg}", pytrace=False)
        args += ["--storage-connection-string", azurite.connection_string]
    base = tmp_path_factory.mktemp("mhsm-emulator")
    data_dir = options.data_dir if options.data_dir is not None else base / "data"
    process = EmulatorProcess(args, data_dir=data_dir, log_file=base / "emulator.log", log_level=options.log_level,
                              startup_timeout=options.startup_timeout)
    state = request.config.stash[_STATE]
    try:
        try:
            record = process.start()
        except EmulatorProcessError as exc:
            pytest.fail(str(exc), pytrace=False)
        state.process = process
        yield ManagedHsm(record)
    finally:
        state.process = None
        process.stop()
        if options.data_dir is None:
            if options.keep_data_dir:
                state.kept.append(data_dir)
            else:
                shutil.rmtree(data_dir, ignore_errors=True)


def _trust_in_aiohttp(ca_file: str) -> None:
    """Add the emulator's CA to aiohttp's default SSL context.

    aiohttp builds that context once, when it is imported, from ``SSL_CERT_FILE`` as it is then; in a test process
    it is usually imported long before a test sets the variable. Importing it here first also keeps the variable
    from replacing the system's CAs in that context for the rest of the session.
    """
    try:
        import aiohttp.connector
    except ImportError:
        return
    context = getattr(aiohttp.connector, "_SSL_CONTEXT_VERIFIED", None)
    if isinstance(context, ssl.SSLContext) and ca_file not in _TRUSTED_IN_AIOHTTP:
        context.load_verify_locations(cafile=ca_file)
        _TRUSTED_IN_AIOHTTP.add(ca_file)


_TRUSTED_IN_AIOHTTP: set[str] = set()


@pytest.fixture
def managed_hsm_env(managed_hsm: ManagedHsm, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The emulator's five environment variables for one test: unchanged code using ``DefaultAzureCredential``
    (or ``ManagedIdentityCredential``) and ``AZURE_MANAGEDHSM_URL`` runs against it.

    Also removes the variables that would make ``DefaultAzureCredential`` pick another credential first
    (:data:`CREDENTIAL_VARIABLES`), adds 127.0.0.1 to ``NO_PROXY`` when a proxy is configured, and trusts the
    emulator's CA in aiohttp's default SSL context. Every variable is restored after the test. Returns the five.
    """
    _trust_in_aiohttp(managed_hsm.ca_file)  # before SSL_CERT_FILE is set: see the function
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in managed_hsm.env.items():
        monkeypatch.setenv(name, value)
    if any(os.environ.get(name) for name in _PROXY_VARIABLES):
        for name in ("NO_PROXY", "no_proxy"):
            current = [part for part in os.environ.get(name, "").split(",") if part.strip()]
            if "127.0.0.1" not in current:
                monkeypatch.setenv(name, ",".join([*current, "127.0.0.1"]))
    return dict(managed_hsm.env)


@pytest.fixture(scope="session")
def blob_container(mhsm_emulator_options: ManagedHsmOptions, mhsm_azurite: Azurite) -> BlobContainer:
    """A container in Azurite for backups (``url``, ``sas_token``, ``connection_string``, ``env``), for the
    session; skipped with the reason when Node.js or Azurite is missing."""
    from .azurite import environment

    env = environment(mhsm_azurite, mhsm_emulator_options.container)
    return BlobContainer(
        name=mhsm_emulator_options.container,
        url=env["BLOB_CONTAINER_URL"],
        sas_token=env["BLOB_SAS_TOKEN"],
        connection_string=env["AZURE_STORAGE_CONNECTION_STRING"],
        account_url=mhsm_azurite.account_url,
    )
