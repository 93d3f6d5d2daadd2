"""The readiness check ``GET /ready`` on the identity endpoint's port: unauthenticated, 503 until the vault listener
accepts connections, 200 with the vault URL then, 503 while stopping; not on the vault, whose URL space stays the
service's. And the startup record that names it (``ready_url``, ``ekm_client_ca_file``)."""

from __future__ import annotations

import json
import signal
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cli_process import cli, emulator_args
from emu_helpers import Api
from mhsm_emulator import EmulatorConfig, EmulatorServer, RunningEmulator
from mhsm_emulator.identity_endpoint import READINESS_KEY, build_identity_app
from mhsm_emulator.state import STATE_KEY


def _ready_url(emu: RunningEmulator) -> str:
    return emu.identity_endpoint.replace("/msi/token", "/ready")


async def test_the_check_follows_the_readiness_it_is_given() -> None:
    vault_app = web.Application()
    vault_app[STATE_KEY] = None  # type: ignore[assignment]  # the readiness check reads no state
    app = build_identity_app(vault_app)
    readiness = app[READINESS_KEY]
    async with TestClient(TestServer(app)) as client:
        answer = await client.get("/ready")
        assert (answer.status, await answer.json()) == (503, {"status": "starting"})
        readiness.set_ready("https://127.0.0.1:1234")
        answer = await client.get("/ready")
        assert (answer.status, await answer.json()) == (200, {"status": "ready", "vault_url": "https://127.0.0.1:1234"})
        assert answer.headers["Cache-Control"] == "no-store"
        readiness.set_stopping()
        answer = await client.get("/ready")
        assert (answer.status, await answer.json()) == (503, {"status": "stopping"})


async def test_ready_only_once_both_listeners_accept_connections(tmp_path: Path) -> None:
    server = EmulatorServer(EmulatorConfig(data_dir=tmp_path, database=":memory:"))
    await server.start()
    try:
        async with aiohttp.ClientSession() as session, session.get(server.ready_url) as answer:
            body: dict[str, Any] = await answer.json()
        assert (answer.status, body) == (200, {"status": "ready", "vault_url": server.vault_url})
        with socket.create_connection(("127.0.0.1", server.port), timeout=10):
            pass  # ready means the vault accepts connections
    finally:
        await server.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as session, session.get(server.ready_url):
            pass


def test_no_authentication_and_no_secret(emu: RunningEmulator) -> None:
    answer = requests.get(_ready_url(emu), timeout=30)  # no X-IDENTITY-HEADER, no token
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "vault_url": emu.vault_url}
    assert emu.identity_header not in answer.text
    assert requests.head(_ready_url(emu), timeout=30).status_code == 200


def test_the_vault_has_no_readiness_route(emu: RunningEmulator, api: Api) -> None:
    assert api.get("/ready", auth=False, api_version=None).status_code == 401  # the service's challenge first
    answer = api.get("/ready", api_version=None)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "NotFound"


def test_the_startup_record_names_the_check_and_the_ekm_client_ca(tmp_path: Path) -> None:
    with cli(emulator_args("--data-dir", str(tmp_path / "data"))) as emulator:
        info = json.loads(emulator.stdout.next())
        assert info["ready_url"] == info["identity_endpoint"].replace("/msi/token", "/ready")
        assert requests.get(info["ready_url"], timeout=30).json()["vault_url"] == info["vault_url"]
        ekm_ca = Path(info["ekm_client_ca_file"])
        assert ekm_ca.parent == tmp_path / "data" and ekm_ca.read_text().startswith("-----BEGIN CERTIFICATE-----")
        emulator.signal(signal.SIGTERM)
        assert emulator.wait() == 0
