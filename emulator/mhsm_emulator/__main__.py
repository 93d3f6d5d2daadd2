"""Command line: ``python -m mhsm_emulator --data-dir DIR [--port N] ...``.

Prints one JSON line (``vault_url``, ``ca_file``, ``identity_endpoint``, ``identity_header``, ``env``...) once
both listeners accept connections, then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from .config import DEFAULT_TENANT_ID, EmulatorConfig, FaultConfig
from .redact import SHARED_FILTER, install_on_handlers
from .server import EmulatorServer


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
    parser = argparse.ArgumentParser(prog="python -m mhsm_emulator", description="Local Managed HSM emulator.")
    parser.add_argument("--data-dir", required=True, type=Path, help="folder for certificates, keys and state")
    parser.add_argument("--port", type=int, default=0, help="HTTPS port of the vault (default: a free port)")
    parser.add_argument("--identity-port", type=int, default=0, help="HTTP port of the token endpoint (default: free)")
    parser.add_argument("--database", default=None, help="SQLite path or ':memory:' (default: DATA_DIR/state.sqlite3)")
    parser.add_argument("--tenant-id", default=DEFAULT_TENANT_ID, help="tenant id in challenges and tokens")
    parser.add_argument("--resource", default=None, help="challenge resource override (default: derived from host)")
    parser.add_argument("--page-size", type=int, default=100, help="items per list page (default 100)")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="token lifetime in seconds")
    parser.add_argument(
        "--storage-connection-string",
        default=os.environ.get("MHSM_STORAGE_CONNECTION_STRING"),
        help="the HSM's own storage identity, for useManagedIdentity backups (env MHSM_STORAGE_CONNECTION_STRING)",
    )
    parser.add_argument("--backup-job-delay", type=float, default=0.0, help="seconds each backup/restore job waits")
    faults = parser.add_argument_group("fault injection (off by default)")
    faults.add_argument("--latency", type=float, default=0.0, help="seconds added to every vault request")
    faults.add_argument("--error-rate", type=_fraction, default=0.0, help="fraction answered 429/503 + Retry-After")
    faults.add_argument("--error-statuses", type=_statuses, default=(429, 503), help="e.g. 429,503")
    faults.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds on injected errors")
    faults.add_argument("--drop-rate", type=_fraction, default=0.0, help="fraction of connections dropped")
    faults.add_argument("--seed", type=int, default=None, help="random seed for deterministic faults")
    parser.add_argument("--log-level", default="WARNING", help="logging level (stderr)")
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """Turn parsed arguments into an :class:`EmulatorConfig`."""
    return EmulatorConfig(
        data_dir=args.data_dir,
        port=args.port,
        identity_port=args.identity_port,
        database=args.database,
        tenant_id=args.tenant_id,
        resource=args.resource,
        page_size=args.page_size,
        token_lifetime=args.token_lifetime,
        storage_connection_string=args.storage_connection_string,
        backup_job_delay=args.backup_job_delay,
        faults=FaultConfig(
            latency=args.latency,
            error_rate=args.error_rate,
            error_statuses=args.error_statuses,
            retry_after=args.retry_after,
            drop_rate=args.drop_rate,
            seed=args.seed,
        ),
    )


async def serve(config: EmulatorConfig) -> None:
    """Run until SIGINT/SIGTERM."""
    server = EmulatorServer(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Before starting: a signal that arrives while the listeners start still ends in a clean stop.
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    try:
        sys.stdout.write(json.dumps(server.info()) + "\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await server.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    # On the handler, so records of every library (azure-core, azure-storage, aiohttp...) are redacted too.
    install_on_handlers(SHARED_FILTER, logging.getLogger().handlers)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    # Until the event loop takes over, SIGTERM leaves the way Ctrl+C does: a clean exit, status 0.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        asyncio.run(serve(config))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
