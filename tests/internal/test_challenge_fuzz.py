"""Issue 8 item 14: malformed or empty challenges end as a clean 401 or a clear ValueError, never anything else.

4.8.0b3 raised ``IndexError`` on a bare ``WWW-Authenticate: Bearer``. The contract tested here (sync and async):

* a challenge that cannot be parsed (no scheme parameters, no ``authorization``/``authorization_uri``, a
  ``claims`` value that is not base64url JSON text, ...) is not answered: the policy returns the 401, which the
  client methods raise as ``ClientAuthenticationError``; nothing is cached and the credential is not called;
* a challenge that parses but names a scope that is not a URL, or a resource the requested host is not a
  subdomain of, raises ``ValueError`` from the call with one of two messages, "The challenge contains invalid
  scope '...'." or "The challenge resource '...' does not match the requested domain. ..." (with
  ``verify_challenge_resource=True``, the default);
* a challenge that passes is answered once; with verification on, the credential is only ever asked for a scope
  whose host the requested host is a subdomain of, and only such a challenge is ever cached;
* whatever the header, the policy sends at most three requests (probe, answer, one CAE retry).

A table of hand-written malformed values and a seeded generator (grammar-based headers plus character-level
mutations; no dependency) run through the parser, the policy and the public clients.
"""

import random
import re
import string
from collections.abc import Callable
from typing import Any, Optional
from urllib.parse import urlsplit

import pytest
from azure.core.exceptions import ClientAuthenticationError
from challenge_mutants import SplitsOnSpace
from kv_internal_fakes import CHALLENGE, RESOURCE, TENANT, VAULT, PolicyHarness, Reply, claims_challenge
from reliability_ledger import ledger

from azure.keyvault.administration import KeyVaultSetting, KeyVaultSettingsClient
from azure.keyvault.administration import aio as admin_aio
from azure.keyvault.administration._internal import HttpChallenge, HttpChallengeCache, _challenge_common
from azure.keyvault.administration._internal._challenge_common import TokenRequest, challenge_scope

AUTHORITY = f"https://login.microsoftonline.com/{TENANT}"
VAULT_AUTHORITY = urlsplit(VAULT).netloc
CLEAR_VALUE_ERRORS = (
    re.compile(r"The challenge contains invalid scope '.*'\.", re.S),
    re.compile(r"The challenge resource '.*' does not match the requested domain\. Pass `verify_challenge_resource"),
)
LONG = 1_000_000  # characters in the "absurdly long" values

MALFORMED = [
    "", " ", "\t", ",", "=", '"', "Bearer", "bearer", "BEARER", "Bearer ", "Bearer  ", "Bearer ,", "Bearer ,,,",
    "Bearer a", "Bearer =", "Bearer ==", "Bearer a=", "Bearer =a", 'Bearer "', 'Bearer ""', "Bearer a b c",
    'Bearer authorization', 'Bearer authorization=', 'Bearer authorization=""', 'Bearer authorization=" "',
    'Bearer authorization="', f'Bearer authorization="{AUTHORITY}',
    f'Bearer authorization="{AUTHORITY}, resource="{RESOURCE}"',  # unbalanced quotes
    f'Bearer authorization={AUTHORITY}", resource="{RESOURCE}',
    f'Bearer authorization="{AUTHORITY}"resource="{RESOURCE}"',  # no separator
    f'Bearer authorization="{AUTHORITY}"',  # only authorization
    f'Bearer authorization="{AUTHORITY}", resource=""',
    f'Bearer authorization="{AUTHORITY}", scope=""',
    f'Bearer resource="{RESOURCE}"',  # only resource
    f'Bearer scope="{RESOURCE}/.default"',
    f'Bearer authorization="{AUTHORITY}", resource="managedhsm.azure.net"',  # not a URL
    f'Bearer authorization="{AUTHORITY}", resource="https://[managedhsm.azure.net"',  # unbalanced IPv6 bracket
    f'Bearer authorization="{AUTHORITY}", scope="https://[::1/.default"',
    f'Bearer authorization="{AUTHORITY}", resource="https://"',
    f'Bearer authorization="{AUTHORITY}", resource="//managedhsm.azure.net"',
    f'Bearer authorization="{AUTHORITY}", resource="https://evil.example", resource="{RESOURCE}"',  # duplicates
    f'Bearer authorization="{AUTHORITY}", resource="{RESOURCE}", resource="https://evil.example"',
    f'Bearer authorization="https://login/a", authorization="{AUTHORITY}", resource="{RESOURCE}"',
    f'Basic realm="x", Bearer authorization="{AUTHORITY}", resource="{RESOURCE}"',  # several challenges
    f'Bearer authorization="{AUTHORITY}", resource="{RESOURCE}", Basic realm="x"',
    f'{CHALLENGE}, {CHALLENGE}',  # two WWW-Authenticate headers as requests joins them
    f'{CHALLENGE}, Bearer authorization="{AUTHORITY}", resource="https://evil.example"',
    'Basic realm="vault"', "Negotiate", "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAO5CAAAADw==",
    'Digest realm="x", nonce="y"', f'Basic authorization="{AUTHORITY}"',
    'PoP nonce="AAAA", algs="RS256"', f'PoP authorization="{AUTHORITY}", nonce="n"',
    f'Bearer authorization="{AUTHORITY}", claims="%%%"', f'Bearer authorization="{AUTHORITY}", claims="="',
    f'Bearer authorization="{AUTHORITY}", claims="_-_-"', f'Bearer authorization="{AUTHORITY}", claims="/w"',
    f'Bearer authorization="{AUTHORITY}", resource="{RESOURCE}", claims="%%%"',
    f'Bearer authorization="{AUTHORITY}", claims="{"é" * 10}"',
    'Bearer realm="", authorization_uri="", error="insufficient_claims", claims="e30"',
    claims_challenge(), claims_challenge("not json"), claims_challenge(""),
    'Bearer authorization="https://logín.example/tenañt", resource="https://managedhsm.azure.net"',
    f'Bearer authorization="{AUTHORITY}", resource="https://mänagedhsm.azure.net"',
    "Bearer \x00\x01\x02", f'Bearer authorization="{AUTHORITY}\r\n", resource="{RESOURCE}"',
    f'Bearer authorization="{AUTHORITY}", resource="{RESOURCE}\x00"',
    "Bearer " + "a" * LONG, "Bearer " + "a=" * (LONG // 2), 'Bearer a="' + "x" * LONG,
    "Bearer " + "a " * (LONG // 2), "Bearer " + "," * LONG, f'Bearer authorization="{AUTHORITY}{"/t" * (LONG // 2)}"',
    f'Bearer authorization="{AUTHORITY}", resource="https://{"a." * (LONG // 2)}managedhsm.azure.net"',
    f'Bearer authorization="{AUTHORITY}", scope="{RESOURCE}/{"s" * LONG}"', "Bearer " + 'k="' * (LONG // 3),
]


# ---------------------------------------------------------------- the generator

_KEYS = ["authorization", "authorization_uri", "resource", "scope", "claims", "error", "realm", "tenant_id",
         "Authorization", "RESOURCE", "x", ""]
_SCHEMES = ["Bearer", "bearer", "BEARER", "Basic", "PoP", "Negotiate", "Digest", "", "Bearer,", "B\u00e9arer"]
_ALPHABET = string.ascii_letters + string.digits + ' \t,;="\'\\/:.@[]{}%-_+' + "\u00e9\u4e2d\u200b\x00\x7f"


def _value(rng: random.Random) -> str:
    choices: list[Callable[[], str]] = [
        lambda: AUTHORITY,
        lambda: "https://login.microsoftonline.com/" + rng.choice(["", "adfs", "common", "t/x", "%2e%2e"]),
        lambda: RESOURCE,
        lambda: RESOURCE + "/.default",
        lambda: rng.choice(["https://evil.example", "https://azure.net", "https://managedhsm.azure.net:1",
                            "https://[x", "https://", "managedhsm.azure.net", "//x", "http://managedhsm.azure.net"]),
        lambda: claims_challenge().rsplit('claims="', 1)[1].rstrip('"'),
        lambda: "",
        lambda: "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(1, 40))),
        lambda: rng.choice("a=\"',") * rng.randrange(1, 5000),
    ]
    return rng.choice(choices)()


def _parameter(rng: random.Random) -> str:
    key = rng.choice(_KEYS)
    value = _value(rng)
    quote = rng.choice(['"', '"', "", '"', "'"])
    closing = quote if rng.random() > 0.1 else ""  # sometimes unbalanced
    around = rng.choice(["=", " = ", "=", "==", " ", ""])
    return f"{key}{around}{quote}{value}{closing}"


def _challenge(rng: random.Random) -> str:
    separator = rng.choice([", ", ",", " ", ",, ", " , ", ";"])
    parameters = separator.join(_parameter(rng) for _ in range(rng.randrange(0, 6)))
    return (rng.choice(_SCHEMES) + rng.choice([" ", "  ", "", "\t"]) + parameters).strip(rng.choice(["", " "]))


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randrange(1, 6)):
        position = rng.randrange(len(chars) + 1)
        action = rng.randrange(3)
        if action == 0:
            chars.insert(position, rng.choice(_ALPHABET))
        elif chars and action == 1:
            del chars[min(position, len(chars) - 1)]
        elif chars:
            chars[min(position, len(chars) - 1)] = rng.choice(_ALPHABET)
    return "".join(chars)


def random_header(rng: random.Random) -> str:
    """One ``WWW-Authenticate`` value: one to three generated challenges, some of valid ones, some mutated."""
    pick = rng.random()
    if pick < 0.15:
        base = CHALLENGE
    elif pick < 0.25:
        base = claims_challenge()
    else:
        base = ", ".join(_challenge(rng) for _ in range(rng.randrange(1, 4)))
    return _mutate(rng, base) if rng.random() < 0.6 else base


def random_headers(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [random_header(rng) for _ in range(count)]


# ---------------------------------------------------------------- the oracle


def scope_is_for_the_vault(scope: str) -> bool:
    """An independent statement of resource verification: the vault host is a subdomain of the scope's host."""
    try:
        authority = urlsplit(scope).netloc.lower()
    except ValueError:
        return False
    authority = authority[: -len(":443")] if authority.endswith(":443") else authority
    return bool(authority) and VAULT_AUTHORITY.endswith("." + authority)


#: How often each outcome occurred in this run ("answered", "401", "ValueError"), so the tests can show that the
#: generated inputs reach every branch.
OUTCOMES: dict[str, int] = {}


async def policy_outcome(mode: str, header: str, *, stage: str, verify: bool) -> list[str]:
    """Send one request through the policy whose host answers with ``header``; return the contract's breaches.

    ``stage`` "probe": the header answers the unauthenticated probe. "fresh": the host's valid challenge is cached
    and the header answers the authorised request (a revoked token, or a CAE claims challenge).
    """
    if stage == "fresh":
        HttpChallengeCache.set_challenge_for_url(VAULT, HttpChallenge(VAULT, CHALLENGE))
    answered = {"count": 0}

    def host(request: Any) -> Reply:
        unauthenticated = "Authorization" not in request.headers
        if (stage == "probe" and unauthenticated) or (stage == "fresh" and answered["count"] == 0):
            answered["count"] += 1
            return Reply(401, {"WWW-Authenticate": header, "Content-Type": "application/json"})
        return Reply.json(200, {"ok": True})

    harness = PolicyHarness(mode, host, verify_challenge_resource=verify)
    breaches: list[str] = []
    try:
        response = await harness.send("PATCH", json={"value": "x"})
        kind = {200: "answered", 401: "401"}.get(response.status_code, str(response.status_code))
        OUTCOMES[kind] = OUTCOMES.get(kind, 0) + 1
        if response.status_code not in (200, 401):
            breaches.append(f"status {response.status_code}")
        if response.status_code == 200 and not harness.requests[-1].authorization:
            breaches.append("200 for a request without a token")
    except ValueError as error:
        OUTCOMES["ValueError"] = OUTCOMES.get("ValueError", 0) + 1
        if not any(pattern.match(str(error)) for pattern in CLEAR_VALUE_ERRORS):
            breaches.append(f"unclear ValueError: {str(error)[:200]!r}")
    except Exception as error:
        breaches.append(f"{type(error).__name__}: {str(error)[:200]}")
    if len(harness.requests) > 3:
        breaches.append(f"{len(harness.requests)} requests")
    if verify:
        foreign = [scopes[0] for _, scopes, _ in harness.calls if not scope_is_for_the_vault(scopes[0])]
        if foreign:
            breaches.append(f"the credential was asked for {foreign}")
        cached = HttpChallengeCache._cache.get(VAULT_AUTHORITY)
        if cached is not None and not scope_is_for_the_vault(challenge_scope(cached)):
            breaches.append(f"a challenge for {challenge_scope(cached)!r} was cached")
    HttpChallengeCache.clear()
    return [f"{header[:120]!r} ({stage}, verify={verify}): {breach}" for breach in breaches]


async def async_client_outcome(header: str, operation: str) -> Optional[str]:
    """An async client call against a host answering every unauthenticated request with ``header``."""

    def host(request: Any) -> Reply:
        if "Authorization" not in request.headers:
            return Reply(401, {"WWW-Authenticate": header, "Content-Type": "application/json"})
        return Reply.json(200, {"name": "s", "value": "true", "type": "boolean"})

    harness = PolicyHarness("async", host)  # for its transport and credential
    client = admin_aio.KeyVaultSettingsClient(VAULT, harness.credential, transport=harness.transport)  # type: ignore[arg-type]
    try:
        if operation == "get":
            await client.get_setting("s")
        else:
            await client.update_setting(KeyVaultSetting("s", True))
        outcome = None
    except ClientAuthenticationError as error:
        outcome = None if error.status_code == 401 else f"ClientAuthenticationError {error.status_code}"
    except ValueError as error:
        clear = any(pattern.match(str(error)) for pattern in CLEAR_VALUE_ERRORS)
        outcome = None if clear else f"unclear ValueError {str(error)[:200]!r}"
    except Exception as error:
        outcome = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        HttpChallengeCache.clear()
        await client.close()
    return None if outcome is None else f"{header[:120]!r} ({operation}): {outcome}"


async def sync_client_outcome(header: str, operation: str) -> Optional[str]:
    """The sync twin of :func:`async_client_outcome`."""

    def host(request: Any) -> Reply:
        if "Authorization" not in request.headers:
            return Reply(401, {"WWW-Authenticate": header, "Content-Type": "application/json"})
        return Reply.json(200, {"name": "s", "value": "true", "type": "boolean"})

    harness = PolicyHarness("sync", host)
    client = KeyVaultSettingsClient(VAULT, harness.credential, transport=harness.transport)  # type: ignore[arg-type]
    try:
        if operation == "get":
            client.get_setting("s")
        else:
            client.update_setting(KeyVaultSetting("s", True))
    except ClientAuthenticationError as error:
        return None if error.status_code == 401 else f"{header[:120]!r}: ClientAuthenticationError {error.status_code}"
    except ValueError as error:
        if any(pattern.match(str(error)) for pattern in CLEAR_VALUE_ERRORS):
            return None
        return f"{header[:120]!r} ({operation}): unclear ValueError {str(error)[:200]!r}"
    except Exception as error:
        return f"{header[:120]!r} ({operation}): {type(error).__name__}: {str(error)[:200]}"
    finally:
        HttpChallengeCache.clear()
        client.close()
    return None


# ---------------------------------------------------------------- the tests

#: Generated headers per test run (parser: PARSER_SAMPLES; policy and clients: per mode).
PARSER_SAMPLES = 20_000
POLICY_SAMPLES = 3_000
CLIENT_SAMPLES = 600


def test_the_parser_raises_only_value_error() -> None:
    """Parser level: an HttpChallenge is built, or ValueError; what the policy derives from it never raises else."""
    findings = []
    for header in MALFORMED + random_headers(1, PARSER_SAMPLES):
        try:
            challenge = HttpChallenge(VAULT + "/settings", header)
        except ValueError:
            continue
        except Exception as error:
            findings.append(f"{header[:120]!r}: {type(error).__name__}: {error}")
            continue
        try:
            assert isinstance(challenge.get_authorization_server(), str) and challenge.get_authorization_server()
            assert all(isinstance(v, str) for v in (challenge.get_resource(), challenge.get_scope(), challenge.scheme))
            assert challenge.claims is None or isinstance(challenge.claims, str)
            request = TokenRequest.for_challenge(challenge)
            request.get_token_kwargs()
            try:
                _challenge_common.verify_challenge_resource(VAULT, request.scope)
            except ValueError as error:
                assert any(pattern.match(str(error)) for pattern in CLEAR_VALUE_ERRORS), str(error)
        except Exception as error:
            findings.append(f"{header[:120]!r}: {type(error).__name__}: {error}")
    ledger.add("challenges_fuzzed", len(MALFORMED) + PARSER_SAMPLES)
    ledger.add("challenge_unexpected", len(findings))
    assert findings == []


@pytest.mark.parametrize("verify", [True, False], ids=["verify", "no-verify"])
@pytest.mark.parametrize("stage", ["probe", "fresh"])
async def test_malformed_table_through_the_policy(mode: str, stage: str, verify: bool) -> None:
    findings = []
    for header in MALFORMED:
        findings += await policy_outcome(mode, header, stage=stage, verify=verify)
    ledger.add("challenges_fuzzed", len(MALFORMED))
    ledger.add("challenge_unexpected", len(findings))
    assert findings == []


@pytest.mark.parametrize("seed", [11, 12])
async def test_generated_headers_through_the_policy(mode: str, seed: int) -> None:
    rng = random.Random(seed)
    findings = []
    OUTCOMES.clear()
    for header in random_headers(seed, POLICY_SAMPLES // 2):
        findings += await policy_outcome(mode, header, stage=rng.choice(["probe", "fresh"]), verify=rng.random() < 0.8)
    ledger.add("challenges_fuzzed", POLICY_SAMPLES // 2)
    ledger.add("challenge_unexpected", len(findings))
    assert findings == []
    # The generator reaches every outcome, each for a fair share of its inputs (not only garbage, not only valid).
    assert set(OUTCOMES) == {"answered", "401", "ValueError"}, OUTCOMES
    assert min(OUTCOMES.values()) >= POLICY_SAMPLES // 40, OUTCOMES


@pytest.mark.parametrize("operation", ["get", "update"])
async def test_malformed_and_generated_headers_through_the_clients(mode: str, operation: str) -> None:
    """The public methods: ClientAuthenticationError (401) or a clear ValueError, nothing else."""
    headers = MALFORMED + random_headers(21 if operation == "get" else 22, CLIENT_SAMPLES)
    outcome = sync_client_outcome if mode == "sync" else async_client_outcome
    findings = [finding for header in headers if (finding := await outcome(header, operation))]
    ledger.add("challenges_fuzzed", len(headers))
    ledger.add("challenge_unexpected", len(findings))
    assert findings == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer", ClientAuthenticationError),
        ("", ClientAuthenticationError),
        ("Bearer ,", ClientAuthenticationError),
        (f'Bearer authorization="{AUTHORITY}", resource="{RESOURCE}", claims="/w"', ClientAuthenticationError),
        ('Basic realm="x"', ClientAuthenticationError),
        (f'Bearer authorization="{AUTHORITY}"', ValueError),
        (f'Bearer authorization="{AUTHORITY}", resource="https://[managedhsm.azure.net"', ValueError),
        (f'Bearer authorization="{AUTHORITY}", resource="https://evil.example"', ValueError),
    ],
)
async def test_documented_outcomes(mode: str, header: str, expected: type) -> None:
    """Which of the two outcomes a few typical malformed values give (the clear messages are pinned elsewhere)."""
    harness = PolicyHarness(mode, lambda request: Reply(401, {"WWW-Authenticate": header}))
    client_class: Any = KeyVaultSettingsClient if mode == "sync" else admin_aio.KeyVaultSettingsClient
    client = client_class(VAULT, harness.credential, transport=harness.transport)
    with pytest.raises(expected) as error:
        result = client.get_setting("s")
        if mode == "async":
            await result
    if expected is ValueError:
        assert any(pattern.match(str(error.value)) for pattern in CLEAR_VALUE_ERRORS)
    assert harness.calls == [] and HttpChallengeCache._cache == {}
    assert [request.authorization for request in harness.requests] == [None]


async def test_an_unbalanced_bracket_names_the_challenge_scope(mode: str) -> None:
    header = f'Bearer authorization="{AUTHORITY}", resource="https://[managedhsm.azure.net"'
    harness = PolicyHarness(mode, [Reply(401, {"WWW-Authenticate": header})])
    with pytest.raises(ValueError) as error:
        await harness.send()
    # urllib's own "Invalid IPv6 URL" (what the official package raises) does not say what was wrong.
    assert str(error.value) == "The challenge contains invalid scope 'https://[managedhsm.azure.net/.default'."


async def test_the_oracle_catches_the_official_index_error(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_challenge_common, "HttpChallenge", SplitsOnSpace)
    findings = []
    for header in ["Bearer", "Bearer ", "bearer"]:
        findings += await policy_outcome(mode, header, stage="probe", verify=True)
    assert len(findings) == 3 and all("IndexError" in finding for finding in findings), findings
