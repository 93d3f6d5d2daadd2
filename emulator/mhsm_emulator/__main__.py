"""Command line: ``mhsm-emulator [--data-dir DIR] [--port N] ...`` (the same as ``python -m mhsm_emulator``).

Once both listeners accept connections it prints its startup record, then serves until SIGINT/SIGTERM (exit
status 0). ``--format json`` (default): one JSON line (``vault_url``, ``ca_file``, ``identity_endpoint``,
``identity_header``, ``env``...). ``--format shell``: ``export`` lines, then stdout is closed, so
``eval "$(mhsm-emulator --format shell &)"`` sets the variables while the emulator keeps serving in the
background. ``--env-file PATH`` writes the same ``export`` lines to a file. ``--with-azurite`` also runs Azurite
(blob storage for backups) and stops it with the emulator. A startup failure prints one line on stderr (what
failed and how to fix it) and exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from ._signals import install_stop_handlers, stop_signals
from .azurite import Azurite, environment
from .config import DEFAULT_TENANT_ID, EmulatorConfig, FaultConfig
from .redact import SHARED_FILTER, install_on_handlers
from .server import EmulatorServer
from .shell_env import detach_stdout, export_lines, write_env_file
from .startup import StartupError

PROG = "mhsm-emulator"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit status 2 (argparse prints the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message>`` and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where it is None/False or the help already tells it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if default is None or default is False or default is argparse.SUPPRESS or "default" in text:
            return text
        return super()._get_help_string(action)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (0-65535; 0 picks a free one)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return value


def _delay(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds {text!r}") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


def _check_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds {text!r}") from None
    if not 0 < value <= 300:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 300 seconds")
    return value


def _private_link_target(text: str) -> tuple[str, str]:
    service_id, sep, target = text.rpartition("=")
    host, colon, port = target.rpartition(":")
    if not sep or not service_id.strip() or not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not ID=HOST:PORT (a private link service id or alias, then "
                                         "the EKM proxy's host and port)")
    return service_id.strip(), target


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _statuses(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated statuses, e.g. 429,503") from None
    if not values or any(v not in (429, 503) for v in values):
        raise argparse.ArgumentTypeError("only 429 and 503 are supported")
    return values


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = _Parser(
        prog=PROG,
        description="Local Azure Key Vault Managed HSM emulator (also run as `python -m mhsm_emulator`). Serves "
        "until SIGINT/SIGTERM; prints its startup record (--format) once both listeners accept connections.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--data-dir", type=Path, default=None, metavar="DIR",
        help="folder for certificates, keys and state, kept across restarts; one emulator per folder "
        "(default: a temporary folder removed at exit)",
    )
    parser.add_argument("--port", type=_port, default=0, metavar="N",
                        help="HTTPS port of the vault; 0 picks a free port")
    parser.add_argument("--identity-port", type=_port, default=0, metavar="N",
                        help="HTTP port of the managed identity token endpoint; 0 picks a free port")
    parser.add_argument("--database", default=None, metavar="PATH",
                        help="SQLite path or ':memory:' (default: DATA_DIR/state.sqlite3)")
    parser.add_argument("--tenant-id", default=DEFAULT_TENANT_ID, metavar="GUID",
                        help="tenant id in challenges and tokens")
    parser.add_argument("--resource", default=None, metavar="URL",
                        help="challenge resource and token audience (default: derived from host and port)")
    parser.add_argument("--page-size", type=_positive_int, default=100, metavar="N", help="items per list page")
    parser.add_argument("--token-lifetime", type=_positive_int, default=3600, metavar="SECONDS",
                        help="token lifetime in seconds")
    parser.add_argument(
        "--storage-connection-string",
        default=None,
        metavar="TEXT",
        help="the HSM's own storage identity, for useManagedIdentity backups (default: $MHSM_STORAGE_CONNECTION_STRING;"
        " --with-azurite sets it)",
    )
    parser.add_argument("--backup-job-delay", type=float, default=0.0, metavar="SECONDS",
                        help="seconds each backup/restore job waits")
    output = parser.add_argument_group("startup record")
    output.add_argument(
        "--format", choices=("json", "shell"), default="json",
        help="json: one JSON line on stdout; shell: `export NAME=value` lines (values quoted, plus "
        "MHSM_EMULATOR_PID), then stdout is closed so that `eval \"$(mhsm-emulator --format shell &)\"` returns "
        "while the emulator keeps serving",
    )
    output.add_argument("--env-file", type=Path, default=None, metavar="PATH",
                        help="also write the `export` lines to PATH (atomically, mode 0600; removed at exit)")
    output.add_argument(
        "--stop-on-stdin-eof", action="store_true",
        help="also stop (exit status 0) when stdin reaches end of file: a supervisor that holds the write end of a "
        "pipe on stdin (the pytest plugin does) stops the emulator by exiting, however it exits",
    )
    storage = parser.add_argument_group("Azurite (blob storage for backups)")
    storage.add_argument(
        "--with-azurite", action="store_true",
        help="also run Azurite, create a container with a one-day SAS, add AZURE_STORAGE_CONNECTION_STRING, "
        "BLOB_CONTAINER_URL and BLOB_SAS_TOKEN to the record, give the HSM that storage identity, and stop both "
        "together",
    )
    storage.add_argument("--azurite-port", type=_port, default=None, metavar="N",
                         help="Azurite's blob port (default: a free port)")
    storage.add_argument("--azurite-location", type=Path, default=None, metavar="DIR",
                         help="Azurite's data folder (default: DATA_DIR/azurite)")
    storage.add_argument("--azurite-container", default="backups", metavar="NAME", help="the container to create")
    ekm = parser.add_argument_group("EKM (external key manager)")
    ekm.add_argument("--ekm-check-timeout", type=_check_timeout, default=10.0, metavar="SECONDS",
                     help="seconds POST /ekm/check may spend reaching the EKM proxy before it answers 502 "
                     "EkmProxyTimeout")
    ekm.add_argument("--ekm-job-delay", type=_delay, default=0.0, metavar="SECONDS",
                     help="seconds each EKM private-endpoint job waits before completing")
    ekm.add_argument("--ekm-private-link-target", type=_private_link_target, action="append", default=[],
                     metavar="ID=HOST:PORT",
                     help="the EKM proxy behind a private link service (resource id or alias): POST /ekm/check of a "
                     "PrivateEndpoint connection to it connects to HOST:PORT (repeatable; by default a private "
                     "endpoint leads to no proxy)")
    limits = parser.add_argument_group("connection limits (both listeners)")
    limits.add_argument("--idle-timeout", type=_seconds, default=20.0, metavar="SECONDS",
                        help="seconds a keep-alive connection may wait for its next request")
    limits.add_argument("--header-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                        help="seconds from the connection (or a request's first byte) to the end of its headers")
    limits.add_argument("--body-timeout", type=_seconds, default=15.0, metavar="SECONDS",
                        help="seconds from the end of the headers to the end of the body")
    limits.add_argument("--tls-handshake-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                        help="seconds the vault's TLS handshake may take")
    limits.add_argument("--max-connections", type=_positive_int, default=256, metavar="N",
                        help="open connections per listener; beyond it the oldest idle one is closed")
    faults = parser.add_argument_group("fault injection (off by default)")
    faults.add_argument("--latency", type=float, default=0.0, help="seconds added to every vault request")
    faults.add_argument("--error-rate", type=_fraction, default=0.0, help="fraction answered 429/503 + Retry-After")
    faults.add_argument("--error-statuses", type=_statuses, default=(429, 503), help="e.g. 429,503")
    faults.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds on injected errors")
    faults.add_argument("--drop-rate", type=_fraction, default=0.0, help="fraction of connections dropped")
    faults.add_argument("--lost-answer-rate", type=_fraction, default=0.0,
                        help="fraction of requests handled (changes committed) whose 2xx answer is then lost")
    faults.add_argument("--lost-answer", choices=("500", "503", "drop"), default="503",
                        help="what replaces a lost answer (default 503)")
    faults.add_argument("--fault-match", default=None, metavar="REGEX",
                        help="faults only for requests whose 'METHOD /path' matches, e.g. '^PUT /restore$'")
    faults.add_argument("--max-faults", type=int, default=None, help="stop after this many injected faults")
    faults.add_argument("--seed", type=int, default=None, help="random seed for deterministic faults")
    parser.add_argument("--log-level", type=str.upper, choices=LOG_LEVELS, default="WARNING",
                        help="logging level (stderr); INFO adds the request log, one line per request "
                        "(logger mhsm_emulator.access)")
    return parser


def config_from_args(args: argparse.Namespace, data_dir: Path | None = None) -> EmulatorConfig:
    """Turn parsed arguments into an :class:`EmulatorConfig`.

    :param data_dir: the data folder when ``--data-dir`` was not given (the CLI's temporary folder).
    :raises ValueError: an option value the configuration refuses.
    """
    folder = args.data_dir if args.data_dir is not None else data_dir
    if folder is None:
        raise ValueError("no data folder: give --data-dir")
    return EmulatorConfig(
        data_dir=folder,
        port=args.port,
        identity_port=args.identity_port,
        database=args.database,
        tenant_id=args.tenant_id,
        resource=args.resource,
        page_size=args.page_size,
        token_lifetime=args.token_lifetime,
        storage_connection_string=(
            args.storage_connection_string or os.environ.get("MHSM_STORAGE_CONNECTION_STRING") or None
        ),
        backup_job_delay=args.backup_job_delay,
        idle_timeout=args.idle_timeout,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        tls_handshake_timeout=args.tls_handshake_timeout,
        max_connections=args.max_connections,
        ekm_check_timeout=args.ekm_check_timeout,
        ekm_job_delay=args.ekm_job_delay,
        ekm_private_link_targets=dict(args.ekm_private_link_target),
        faults=FaultConfig(
            latency=args.latency,
            error_rate=args.error_rate,
            error_statuses=args.error_statuses,
            retry_after=args.retry_after,
            drop_rate=args.drop_rate,
            lost_answer_rate=args.lost_answer_rate,
            lost_answer=args.lost_answer,
            match=args.fault_match,
            max_faults=args.max_faults,
            seed=args.seed,
        ),
    )


async def serve(
    server: EmulatorServer,
    *,
    output: str = "json",
    env_file: Path | None = None,
    extra_env: dict[str, str] | None = None,
    extra_info: dict[str, Any] | None = None,
    azurite: Azurite | None = None,
    stop_on_stdin_eof: bool = False,
) -> int:
    """Start ``server``, print its startup record, serve until SIGINT/SIGTERM; returns the exit status.

    :param output: ``"json"`` (one line) or ``"shell"`` (``export`` lines, then stdout is closed).
    :param env_file: where to write the ``export`` lines too (removed at exit).
    :param extra_env: more variables for the record's ``env`` (Azurite's).
    :param extra_info: more keys for the JSON record.
    :param azurite: an Azurite to watch: if it exits by itself the emulator stops too (status 1).
    :param stop_on_stdin_eof: also stop (status 0) when stdin reaches end of file.
    :raises StartupError: the emulator could not start.
    """
    # Before starting: a signal that arrives while the listeners start still ends in a clean stop.
    async with stop_signals() as stop:
        if stop_on_stdin_eof:
            _stop_on_stdin_eof(stop)
        if stop.is_set():
            return 0
        await server.start()
        try:
            if stop.is_set():
                return 0
            info = server.info()
            info["pid"] = os.getpid()
            info["env"].update(extra_env or {})
            info.update(extra_info or {})
            shell_env = {**info["env"], "MHSM_EMULATOR_PID": str(os.getpid())}
            if env_file is not None:
                try:
                    write_env_file(env_file, shell_env)
                except OSError as exc:
                    raise StartupError(f"cannot write --env-file {env_file}: {exc.strerror or exc}") from None
            if output == "shell":
                sys.stdout.write(export_lines(shell_env))
                detach_stdout()
            else:
                sys.stdout.write(json.dumps(info) + "\n")
                sys.stdout.flush()
            return await _serve_until_stopped(stop, azurite)
        finally:
            await server.stop()
            if env_file is not None:
                Path(env_file).unlink(missing_ok=True)


def _stop_on_stdin_eof(stop: asyncio.Event) -> None:
    """Set ``stop`` once stdin reaches end of file.

    Read on a daemon thread, which works whatever stdin is (pipe, file, terminal). When the supervisor holding the
    pipe's write end exits (SIGKILL included), the kernel closes it, and the emulator stops cleanly.
    """
    loop = asyncio.get_running_loop()

    def watch() -> None:
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        try:
            loop.call_soon_threadsafe(stop.set)
        except RuntimeError:  # the loop is already closed: the emulator stopped anyway
            pass

    threading.Thread(target=watch, name="mhsm-emulator-stdin", daemon=True).start()


async def _serve_until_stopped(stop: asyncio.Event, azurite: Azurite | None) -> int:
    if azurite is None:
        await stop.wait()
        return 0
    while not stop.is_set():
        if not azurite.running:
            _error(f"Azurite (pid {azurite.pid}) exited by itself with status {azurite.returncode}; stopping the "
                   f"emulator. Azurite's output: {azurite.output().strip() or '(none)'}")
            return 1
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.5)
        except asyncio.TimeoutError:
            pass
    return 0


def _error(message: str) -> None:
    """One line on stderr, whatever the message holds (a child's log may span lines)."""
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    sys.stderr.flush()


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser, cleanup: ExitStack) -> int:
    if args.with_azurite and args.storage_connection_string:
        parser.error("--with-azurite gives the HSM Azurite's storage identity: leave out --storage-connection-string")
    data_dir = args.data_dir
    if data_dir is None:
        data_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="mhsm-emulator-")))
    try:
        config = config_from_args(args, data_dir)
    except ValueError as exc:
        parser.error(str(exc))
    server = EmulatorServer(config)
    # First: nothing (Azurite's data included) may touch a data folder another emulator is using.
    cleanup.callback(server.lock_data_dir().release)
    extra_env: dict[str, str] = {}
    extra_info: dict[str, Any] = {}
    azurite: Azurite | None = None
    if args.with_azurite:
        location = args.azurite_location if args.azurite_location is not None else config.data_dir / "azurite"
        azurite = Azurite(port=args.azurite_port, location=str(location))
        cleanup.callback(azurite.stop)
        try:
            azurite.start()
            extra_env = environment(azurite, args.azurite_container)
        except (FileNotFoundError, RuntimeError) as exc:
            raise StartupError(f"cannot start Azurite (--with-azurite): {exc}") from None
        config.storage_connection_string = azurite.connection_string
        extra_info["azurite"] = {
            "account_url": azurite.account_url,
            "container_url": extra_env["BLOB_CONTAINER_URL"],
            "sas_token": extra_env["BLOB_SAS_TOKEN"],
            "connection_string": azurite.connection_string,
            "location": str(location),
            "pid": azurite.pid,
        }
    return asyncio.run(
        serve(server, output=args.format, env_file=args.env_file, extra_env=extra_env, extra_info=extra_info,
              azurite=azurite, stop_on_stdin_eof=args.stop_on_stdin_eof)
    )


def main(argv: list[str] | None = None) -> int:
    """CLI entry point (``mhsm-emulator``, ``python -m mhsm_emulator``); returns the exit status.

    0 after SIGINT/SIGTERM (also during startup); 1 when Azurite (``--with-azurite``) exits by itself; 2 for a
    usage error or when the emulator cannot start (one line on stderr: what failed and how to fix it).
    """
    install_stop_handlers()  # first: SIGINT/SIGTERM stop the CLI however its signal dispositions were inherited
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        logging.basicConfig(level=args.log_level, stream=sys.stderr)
        # On the handler, so records of every library (azure-core, azure-storage, aiohttp...) are redacted too.
        install_on_handlers(SHARED_FILTER, logging.getLogger().handlers)
        with ExitStack() as cleanup:
            return _run(args, parser, cleanup)
    except StartupError as exc:
        _error(str(exc))
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
