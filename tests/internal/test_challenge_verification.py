"""Issue 8 item 13: a challenge that fails resource verification is never cached or used.

4.8.0b2 stored a challenge in the process-wide cache before checking its resource: the first call raised, and the
next one asked the credential for the foreign scope and sent that token to the vault. 4.8.0b3 also trusted any
cached challenge, so one stored by a client built with ``verify_challenge_resource=False`` was used by verifying
clients. Here: every body-bearing operation (sync and async) against a host that names a foreign resource, the
shared cache between a non-verifying and a verifying client, a foreign challenge arriving after a good one, and
the re-created defects, which these checks must catch.
"""

import pytest
from challenge_hsm import ChallengingHsm, Outcome, transport_for
from challenge_mutants import CachesBeforeVerifying, TrustsAndCachesFirst, TrustsTheCache, install_flow
from challenge_operations import OPERATIONS, Operation, read_setting, resolve
from kv_internal_fakes import CHALLENGE, SCOPE, TENANT, VAULT, TokenFactory, make_credential

from azure.keyvault.administration import KeyVaultSettingsClient
from azure.keyvault.administration import aio as admin_aio
from azure.keyvault.administration._internal import HttpChallenge, HttpChallengeCache

AUTHORITY = f"https://login.microsoftonline.com/{TENANT}"
BY_ID = {operation.id: operation for operation in OPERATIONS}
SETTINGS = BY_ID["update_setting"]

#: Challenges a host of ``myhsm.managedhsm.azure.net`` must not be answered for, with the domain each names.
FOREIGN = {
    "evil resource": ('resource="https://evil.example"', "evil.example"),
    "evil scope": ('scope="https://evil.example/.default"', "evil.example"),
    "suffix look-alike": ('resource="https://managedhsm.azure.net.evil.example"', "managedhsm.azure.net.evil.example"),
    "sibling host": ('resource="https://other.managedhsm.azure.net"', "other.managedhsm.azure.net"),
    "the host itself": ('resource="https://myhsm.managedhsm.azure.net"', "myhsm.managedhsm.azure.net"),
    "other port": ('resource="https://managedhsm.azure.net:8443"', "managedhsm.azure.net:8443"),
    "key vault resource": ('resource="https://vault.azure.net"', "vault.azure.net"),
    "userinfo trick": ('resource="https://managedhsm.azure.net@evil.example"', "managedhsm.azure.net@evil.example"),
}


def foreign_challenge(name: str) -> str:
    return f'Bearer authorization="{AUTHORITY}", {FOREIGN[name][0]}'


def mismatch(domain: str) -> str:
    return f"The challenge resource '{domain}' does not match the requested domain."


def scopes_asked(credential: TokenFactory) -> list[str]:
    return [scopes[0] for _, scopes, _ in credential.calls]


def build(mode: str, operation: Operation, hsm: ChallengingHsm, credential: TokenFactory, **kwargs: object) -> object:
    client_class = operation.client_class(mode)
    transport = transport_for(mode, hsm)
    return client_class(VAULT, credential, transport=transport, **operation.client_kwargs, **kwargs)


async def failed_verification_problems(mode: str, operation: Operation, foreign: str) -> list[str]:
    """Two calls to a host whose challenge names a foreign resource: what went wrong (empty when nothing did)."""
    hsm = ChallengingHsm(challenge=foreign_challenge(foreign))
    credential = make_credential(mode)
    client = build(mode, operation, hsm, credential)
    problems = []
    for i in (1, 2):
        try:
            await operation.call(client, i, hsm, Outcome())
            problems.append(f"call {i} did not raise")
        except ValueError as error:
            if not str(error).startswith(mismatch(FOREIGN[foreign][1])):
                problems.append(f"call {i} raised {error}")
        except Exception as error:
            problems.append(f"call {i} raised {type(error).__name__}: {error}")
        if HttpChallengeCache._cache:
            problems.append(f"after call {i} the cache holds {list(HttpChallengeCache._cache)}")
    await resolve(client.close())  # type: ignore[attr-defined]
    if credential.calls:
        problems.append(f"the credential was asked for {scopes_asked(credential)}")
    sent = [(arrival.method, arrival.authorised) for arrival in hsm.arrivals]
    if len(sent) != 2 or any(authorised for _, authorised in sent):
        problems.append(f"the HSM saw {sent}, not one unauthenticated probe per call")
    return problems


@pytest.mark.parametrize("foreign", ["evil resource", "evil scope"])
@pytest.mark.parametrize("operation_id", list(BY_ID))
async def test_every_operation_refuses_a_foreign_challenge_every_time(
    mode: str, operation_id: str, foreign: str
) -> None:
    assert await failed_verification_problems(mode, BY_ID[operation_id], foreign) == []


@pytest.mark.parametrize("foreign", list(FOREIGN))
async def test_every_foreign_spelling_is_refused_and_never_cached(mode: str, foreign: str) -> None:
    assert await failed_verification_problems(mode, SETTINGS, foreign) == []


@pytest.mark.parametrize(
    "mutant", [CachesBeforeVerifying, TrustsAndCachesFirst], ids=["caches first", "4.8.0b2 (caches first, trusts)"]
)
async def test_the_checks_catch_a_policy_that_caches_before_verifying(
    mode: str, mutant: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_flow(monkeypatch, mutant)
    problems = await failed_verification_problems(mode, SETTINGS, "evil resource")
    assert any("the cache holds" in problem for problem in problems), problems
    if mutant is TrustsAndCachesFirst:  # the released defect: the next call asks for, and sends, a foreign token
        assert any("https://evil.example/.default" in problem for problem in problems), problems


def settings_client(mode: str, hsm: ChallengingHsm, credential: TokenFactory, **kwargs: object) -> object:
    client_class = KeyVaultSettingsClient if mode == "sync" else admin_aio.KeyVaultSettingsClient
    return client_class(VAULT, credential, transport=transport_for(mode, hsm), **kwargs)  # type: ignore[arg-type]


async def shared_cache_problems(mode: str) -> list[str]:
    """A client that does not verify caches a foreign challenge; a verifying client of the process must not use it."""
    hsm = ChallengingHsm(challenge=foreign_challenge("evil resource"))
    lax_credential, strict_credential = make_credential(mode), make_credential(mode)
    lax: object = settings_client(mode, hsm, lax_credential, verify_challenge_resource=False)
    strict: object = settings_client(mode, hsm, strict_credential)
    problems: list[str] = []
    out = Outcome()

    await read_setting(lax, 1, hsm, out)  # the lax client's choice: a token for the foreign resource
    problems += out.problems
    if scopes_asked(lax_credential) != ["https://evil.example/.default"] or not HttpChallengeCache._cache:
        problems.append("the lax client did not cache the foreign challenge (the scenario did not happen)")

    for attempt in (1, 2):
        before = len(hsm.arrivals)
        try:
            await read_setting(strict, attempt, hsm, Outcome())
            problems.append(f"attempt {attempt} of the verifying client did not raise")
        except ValueError as error:
            if not str(error).startswith(mismatch("evil.example")):
                problems.append(f"attempt {attempt} raised {error}")
        sent = [arrival.authorised for arrival in hsm.arrivals[before:]]
        # First attempt: refused from the cache before sending (as 4.7.2); second: a probe, refused again.
        if sent != ([] if attempt == 1 else [False]):
            problems.append(f"attempt {attempt} of the verifying client sent {sent}")
        if HttpChallengeCache._cache:
            problems.append(f"after attempt {attempt} the foreign challenge is still cached")
    if strict_credential.calls:
        problems.append(f"the verifying client's credential was asked for {scopes_asked(strict_credential)}")

    await read_setting(lax, 2, hsm, out)  # the lax client still works: it probes and caches again
    problems += out.problems
    await resolve(lax.close())  # type: ignore[attr-defined]
    await resolve(strict.close())  # type: ignore[attr-defined]
    return problems


async def test_a_foreign_challenge_cached_by_a_non_verifying_client_is_not_used(mode: str) -> None:
    assert await shared_cache_problems(mode) == []


async def test_the_shared_cache_check_catches_a_policy_that_trusts_the_cache(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_flow(monkeypatch, TrustsTheCache)
    problems = await shared_cache_problems(mode)
    assert any("https://evil.example/.default" in problem for problem in problems), problems


async def test_a_verifying_client_refuses_a_poisoned_cache_before_sending(mode: str) -> None:
    HttpChallengeCache.set_challenge_for_url(VAULT, HttpChallenge(VAULT, foreign_challenge("evil scope")))
    hsm = ChallengingHsm()
    credential = make_credential(mode)
    client: object = settings_client(mode, hsm, credential)
    with pytest.raises(ValueError, match=r"'evil\.example' does not match"):
        await read_setting(client, 1, hsm, Outcome())
    assert hsm.arrivals == [] and credential.calls == [] and HttpChallengeCache._cache == {}

    out = Outcome()  # the next call starts over with a probe of the real host
    await read_setting(client, 2, hsm, out)
    assert out.problems == [] and scopes_asked(credential) == [SCOPE]
    await resolve(client.close())  # type: ignore[attr-defined]


async def test_a_foreign_fresh_challenge_does_not_replace_the_verified_one(mode: str) -> None:
    good = HttpChallenge(VAULT, CHALLENGE)
    HttpChallengeCache.set_challenge_for_url(VAULT, good)
    hsm = ChallengingHsm(lambda ordinal, arrival: ordinal == 1, challenge=foreign_challenge("evil resource"))
    credential = make_credential(mode)
    client: object = settings_client(mode, hsm, credential)

    with pytest.raises(ValueError, match=r"'evil\.example' does not match"):
        await read_setting(client, 1, hsm, Outcome())
    assert HttpChallengeCache.get_challenge_for_url(VAULT) is good
    out = Outcome()
    await read_setting(client, 2, hsm, out)
    assert out.problems == []
    assert scopes_asked(credential) == [SCOPE]  # only ever the vault's own scope
    await resolve(client.close())  # type: ignore[attr-defined]
