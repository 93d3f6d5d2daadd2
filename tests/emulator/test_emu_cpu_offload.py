"""CPU-heavy work runs off the event loop, proved structurally (no timings).

Key generation runs in a worker thread and other clients are answered while it is in progress; reading a stored
key's public JWK skips cryptography's slow RSA consistency check; material read from outside is checked once.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from emu_helpers import Api
from mhsm_emulator import RunningEmulator, key_material
from mhsm_emulator.key_material import KeyMaterial, check_material, generate

GUARD = 30.0  # a hang guard only: the test fails instead of hanging if the loop were blocked


@pytest.fixture
def keys_api(emu: RunningEmulator) -> Api:
    emu.assign_role(emu.principal_id, "Managed HSM Crypto Officer", scope="/keys")
    emu.assign_role(emu.principal_id, "Managed HSM Crypto User", scope="/keys")
    return Api(emu)


async def _thread_id() -> int:
    return threading.get_ident()


@pytest.fixture
def blocked_generation(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Replace key generation with one that records its thread and blocks until released."""
    state: dict[str, Any] = {"started": threading.Event(), "release": threading.Event(), "threads": []}
    real = key_material.generate

    def blocking(*args: Any, **kwargs: Any) -> KeyMaterial:
        state["threads"].append(threading.get_ident())
        state["started"].set()
        assert state["release"].wait(GUARD), "never released"
        return real(*args, **kwargs)

    monkeypatch.setattr(key_material, "generate", blocking)
    try:
        yield state
    finally:
        state["release"].set()


def test_a_key_is_generated_off_the_loop_while_other_clients_are_answered(
    emu: RunningEmulator, keys_api: Api, blocked_generation: dict[str, Any]
) -> None:
    loop_thread = emu.run(_thread_id())
    with ThreadPoolExecutor(max_workers=1) as pool:
        body = {"kty": "RSA", "key_size": 2048}
        creating = pool.submit(keys_api.request, "POST", "/keys/offloaded/create", json=body)
        assert blocked_generation["started"].wait(GUARD)
        # The generation is in progress (and cannot finish): another client is answered all the same.
        other = Api(emu)
        assert other.get("/settings").status_code == 200
        assert other.get("/keys/offloaded").status_code == 404  # not created yet
        assert not creating.done()
        blocked_generation["release"].set()
        created = creating.result(timeout=GUARD)
    assert created.status_code == 200, created.text
    assert blocked_generation["threads"] and loop_thread not in blocked_generation["threads"]
    assert keys_api.get("/keys/offloaded").json()["key"]["n"] == created.json()["key"]["n"]


def test_invalid_sizes_are_still_a_400(emu: RunningEmulator, keys_api: Api) -> None:
    response = keys_api.request("POST", "/keys/badsize/create", json={"kty": "RSA", "key_size": 1024})
    assert response.status_code == 400 and response.json()["error"]["code"] == "BadParameter"


def test_stored_keys_are_read_without_the_slow_rsa_check(
    emu: RunningEmulator, keys_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert keys_api.request("POST", "/keys/jwkcheck/create", json={"kty": "RSA"}).status_code == 200
    calls: list[dict[str, Any]] = []
    real = serialization.load_pem_private_key

    def recording(data: bytes, password: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(data, password, **kwargs)

    monkeypatch.setattr(key_material.serialization, "load_pem_private_key", recording)
    assert keys_api.get("/keys/jwkcheck").status_code == 200
    assert calls and all(call.get("unsafe_skip_rsa_key_validation") is True for call in calls)


def test_material_from_outside_is_checked() -> None:
    rsa = generate("RSA-HSM")
    ec = generate("EC-HSM", crv="P-384")
    for good in (rsa, ec, generate("oct-HSM", key_size=128)):
        check_material(good)
    bad = [
        KeyMaterial("RSA-HSM", "not a pem"),
        KeyMaterial("RSA-HSM", ec.secret),  # an EC key under an RSA label
        KeyMaterial("EC-HSM", ec.secret, crv="P-256"),  # the wrong curve
        KeyMaterial("EC-HSM", rsa.secret, crv="P-256"),
        KeyMaterial("oct-HSM", "!!!"),
        KeyMaterial("oct-HSM", base64.b64encode(b"x" * 7).decode()),  # 56 bits
        KeyMaterial("DSA", rsa.secret),
    ]
    for material in bad:
        with pytest.raises(ValueError):
            check_material(material)
