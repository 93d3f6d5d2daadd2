"""Tests of the recording machinery itself (sanitising, matching, naming) and a secret scan of every cassette."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from _recording import FAKE_RESOURCE, FAKE_VAULT_URL, Recording, Sanitizer
from _recording.mode import COMMITTED_RECORDINGS
from _recording.sanitizers import challenge, json_bodies_equal
from _recording.target import LiveTarget

LIVE = "https://127.0.0.1:54321"


def sanitizer() -> Sanitizer:
    return Sanitizer([(LIVE, FAKE_VAULT_URL)], excluded_prefixes=["http://127.0.0.1:9999/msi/token"])


def test_request_uri_and_body_are_rewritten() -> None:
    request = SimpleNamespace(
        uri=f"{LIVE}/backup?api-version=7.4",
        body=b'{"storageResourceUri": "https://a.blob/c", "token": "sv=2024&sig=abc%2Bdef&se=x"}',
    )
    result = sanitizer().before_record_request(request)
    assert result.uri == f"{FAKE_VAULT_URL}/backup?api-version=7.4"
    assert b"sig=REDACTED&se=x" in result.body
    assert b"abc" not in result.body


def test_identity_requests_are_not_recorded() -> None:
    request = SimpleNamespace(uri="http://127.0.0.1:9999/msi/token?resource=x", body=None)
    assert sanitizer().before_record_request(request) is None


def test_response_headers_and_body() -> None:
    response = {
        "headers": {
            "WWW-Authenticate": ['Bearer authorization="https://127.0.0.1:1/tenant-id", resource="https://0.0.1:54321"'],
            "Azure-AsyncOperation": [f"{LIVE}/backup/job/pending"],
            "Retry-After": ["10"],
            "Set-Cookie": ["a=b"],
        },
        "body": {"string": f'{{"nextLink": "{LIVE}/x?$skiptoken=1", "access_token": "eyJa.eyJb.c"}}'.encode()},
    }
    result = sanitizer().before_record_response(response)
    headers = result["headers"]
    assert headers["WWW-Authenticate"] == [
        f'Bearer authorization="https://login.microsoftonline.com/tenant-id", resource="{FAKE_RESOURCE}"'
    ]
    assert headers["Azure-AsyncOperation"] == [f"{FAKE_VAULT_URL}/backup/job/pending"]
    assert headers["Retry-After"] == ["0"]
    assert "Set-Cookie" not in headers
    expected = f'{{"nextLink": "{FAKE_VAULT_URL}/x?$skiptoken=1", "access_token": "REDACTED"}}'
    assert result["body"]["string"] == expected.encode()


def test_rewrites_are_idempotent() -> None:
    s = sanitizer()
    once = s.text(f"{LIVE}/a?sig=xyz")
    assert s.text(once) == once == f"{FAKE_VAULT_URL}/a?sig=REDACTED"
    assert challenge(challenge('scope="https://0.0.1:5/.default"')) == f'scope="{FAKE_RESOURCE}/.default"'


def test_json_body_matching() -> None:
    assert json_bodies_equal(b'{"a": 1, "b": 2}', b'{"b":2,"a":1}')
    assert json_bodies_equal(None, b"")
    assert not json_bodies_equal(b'{"a": 1}', b'{"a": 2}')
    assert not json_bodies_equal(b"x", b"y")


def test_playback_values(tmp_path: Path) -> None:
    recording = Recording("clients/module.test[x]", tmp_path, None)
    assert recording.vault_url == FAKE_VAULT_URL and not recording.is_live
    assert recording.polling_interval == 0
    assert recording.client_kwargs == {}
    assert recording.uuid("a") == Recording("clients/module.test[x]", tmp_path, None).uuid("a")
    assert recording.uuid("a") != recording.uuid("b")
    assert recording.replace("http://127.0.0.1:10000/acct", "https://fake.blob") == "https://fake.blob"
    assert recording.cassette_path == tmp_path / "clients/module.test[x].yaml"


def test_live_recording_replaces_an_existing_cassette(tmp_path: Path) -> None:
    target = LiveTarget(vault_url="https://127.0.0.1:1", make_credential=lambda is_async, client_id: None)
    recording = Recording("clients/module.test[x]", tmp_path, target)
    recording.cassette_path.parent.mkdir(parents=True)
    recording.cassette_path.write_text("interactions: [{stale: true}]\nversion: 1\n")
    with recording.use_cassette() as cassette:
        assert len(cassette) == 0  # nothing of the stale cassette is kept (vcrpy's "all" mode would append)
    assert not recording.cassette_path.exists()  # no request was made, so nothing was written


_SECRETS = [
    re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+"),  # a JWT
    re.compile(r"sig=(?!REDACTED)[^&\s\"']+"),
    re.compile(r"(?i)authorization:\s*\n\s*-\s*bearer"),
    re.compile(r"https://127\.0\.0\.1"),
    re.compile(r"https://0\.0\.1:"),
    re.compile(r"fake-token"),
]


@pytest.mark.parametrize("cassette", sorted(COMMITTED_RECORDINGS.rglob("*.yaml")), ids=lambda p: p.name)
def test_committed_cassettes_hold_no_secrets_or_live_addresses(cassette: Path) -> None:
    text = cassette.read_text()
    for pattern in _SECRETS:
        assert not pattern.search(text), f"{pattern.pattern} found in {cassette.name}"
