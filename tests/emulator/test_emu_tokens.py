"""Bearer token verification: every failure is a 401 with a fresh challenge."""

from __future__ import annotations

import pytest
from emu_helpers import DEFS, Api, assert_error
from mhsm_emulator import RunningEmulator
from mhsm_emulator.identities import SYSTEM_IDENTITY
from mhsm_emulator.tokens import TokenIssuer
from reliability_ledger import ledger


def _assert_rejected(api: Api, token: str) -> None:
    response = api.get(DEFS, token=token)
    assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].startswith('Bearer authorization="https://login.microsoftonline.com/')
    ledger.add("token_forgeries_refused")


def test_valid_token_accepted(api: Api) -> None:
    assert api.get(DEFS).status_code == 200


def test_expired_token(api: Api, emu: RunningEmulator) -> None:
    _assert_rejected(api, emu.mint_token(lifetime=-120))


def test_wrong_audience(api: Api, emu: RunningEmulator) -> None:
    _assert_rejected(api, emu.mint_token(audience="https://managedhsm.azure.net"))


def test_bad_signature(api: Api, emu: RunningEmulator) -> None:
    foreign = TokenIssuer(None, emu.tenant_id).issue(SYSTEM_IDENTITY, emu.resource).token
    _assert_rejected(api, foreign)


def test_tampered_token(api: Api, emu: RunningEmulator) -> None:
    header, payload, signature = emu.mint_token().split(".")
    _assert_rejected(api, ".".join([header, payload[:-4] + "AAAA", signature]))


def test_wrong_tenant(api: Api, emu: RunningEmulator) -> None:
    _assert_rejected(api, emu.mint_token(extra_claims={"tid": "00000000-0000-0000-0000-000000000000"}))


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "", "   "])
def test_garbage_tokens(api: Api, token: str) -> None:
    response = api.get(DEFS, headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "Unauthorized")
    assert "WWW-Authenticate" in response.headers
    ledger.add("token_forgeries_refused")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "token"])
def test_wrong_scheme(api: Api, header: str) -> None:
    response = api.get(DEFS, headers={"Authorization": header})
    assert_error(response, 401, "Unauthorized")
    ledger.add("token_forgeries_refused")
