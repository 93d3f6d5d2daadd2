"""The committed cassettes hold no credentials: no Authorization header, bearer token, JWT, SAS signature,
token-endpoint exchange or private key, in any request or response of any file under tests/recordings."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from reliability_ledger import ledger

RECORDINGS = Path(__file__).parent / "recordings"
CASSETTES = sorted(RECORDINGS.rglob("*.yaml"))

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")
_SAS_SIGNATURE = re.compile(r"sig(=|%3D)(?!REDACTED)[A-Za-z0-9%+/=]{8,}", re.IGNORECASE)
_BEARER = re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{20,}")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_TOKEN_FIELDS = re.compile(r'"(access_token|refresh_token|id_token|client_secret)"\s*:')


def secrets_in(text: str) -> list[str]:
    """The kinds of credential found in ``text``."""
    patterns = {"JWT": _JWT, "SAS signature": _SAS_SIGNATURE, "bearer token": _BEARER,
                "private key": _PRIVATE_KEY, "token field": _TOKEN_FIELDS}
    return [name for name, pattern in patterns.items() if pattern.search(text)]


def _header_names(headers: dict[str, Any]) -> set[str]:
    return {name.lower() for name in headers or {}}


def test_detector_finds_what_it_looks_for() -> None:
    # Without this, an empty pattern list would pass every cassette.
    assert secrets_in("Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123") == ["bearer token"]
    assert secrets_in("https://a.blob.core.windows.net/c?sv=2021&sig=abcdefghijkl%3D") == ["SAS signature"]
    assert secrets_in("https://a/c?sig=REDACTED&se=1") == []
    assert "JWT" in secrets_in("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2ln")
    assert secrets_in('{"access_token": "x"}') == ["token field"]
    assert secrets_in("-----BEGIN RSA PRIVATE KEY-----") == ["private key"]


def test_there_are_cassettes_to_scan() -> None:
    assert len(CASSETTES) >= 100, f"expected the committed cassettes under {RECORDINGS}"


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda path: str(path.relative_to(RECORDINGS)))
def test_cassette_holds_no_credentials(cassette: Path) -> None:
    text = cassette.read_text()
    interactions = yaml.safe_load(text)["interactions"]
    ledger.add("cassette_files_scanned", 1)
    ledger.add("cassette_interactions_scanned", len(interactions))
    found = secrets_in(text)
    for interaction in interactions:
        request = interaction["request"]
        if "authorization" in _header_names(request.get("headers", {})):
            found.append("Authorization header")
        if "/metadata/identity/" in request["uri"] or "/oauth2/" in request["uri"]:
            found.append("token-endpoint exchange")
    ledger.add("secrets_in_cassettes", len(found))
    assert not found, f"{cassette.name}: {found}"
