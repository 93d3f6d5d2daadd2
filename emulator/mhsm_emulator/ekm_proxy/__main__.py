"""Command line: ``python -m mhsm_emulator.ekm_proxy --data-dir DIR [--port N] [--client-ca-file FILE]``.

Prints one JSON line once it accepts connections (``host``, ``path_prefix``, ``server_ca_certificates``,
``server_subject_common_name``, ``proxy_info``, plus ``ca_file``, ``client_ca_required``, ``keys``, ``data_dir``,
``pid``), then serves until SIGINT or SIGTERM (exit status 0). A startup failure prints one line on stderr and
exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from .._signals import install_stop_handlers, stop_signals
from ..startup import StartupError
from .server import DEFAULT_PATH_PREFIX, EkmProxyServer

PROG = "python -m mhsm_emulator.ekm_proxy"


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Reference EKM proxy (EKM Proxy API 0.1-preview) over HTTPS on 127.0.0.1, for the Managed HSM "
        "emulator's EKM connections.",
    )
    parser.add_argument("--data-dir", required=True, type=Path, help="folder for its CA, server certificate and keys")
    parser.add_argument("--port", type=int, default=0, help="HTTPS port (default: a free port)")
    parser.add_argument(
        "--client-ca-file",
        type=Path,
        default=None,
        help="require client certificates issued by the CA certificate(s) in this PEM or DER file (mutual TLS), "
        "e.g. the emulator's DATA_DIR/ekm-client-ca.pem",
    )
    parser.add_argument(
        "--path-prefix",
        default=DEFAULT_PATH_PREFIX,
        help=f"path the API is served under (default {DEFAULT_PATH_PREFIX})",
    )
    parser.add_argument("--log-level", default="WARNING", help="logging level (stderr)")
    return parser


async def serve(server: EkmProxyServer) -> int:
    """Start, print the startup record, serve until SIGINT/SIGTERM."""
    async with stop_signals() as stop:
        if stop.is_set():
            return 0
        await server.start()
        try:
            if stop.is_set():
                return 0
            sys.stdout.write(json.dumps({**server.info(), "pid": os.getpid()}) + "\n")
            sys.stdout.flush()
            await stop.wait()
            return 0
        finally:
            await server.stop()


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns the exit status (0 after SIGINT/SIGTERM, 2 for usage or startup errors)."""
    install_stop_handlers()  # first: however SIGINT/SIGTERM dispositions were inherited, both stop the proxy
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
        try:
            server = EkmProxyServer(
                args.data_dir, port=args.port, client_ca=args.client_ca_file, path_prefix=args.path_prefix
            )
        except ValueError as exc:
            parser.error(f"--path-prefix: {exc}")
        return asyncio.run(serve(server))
    except StartupError as exc:
        _error(str(exc))
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
