"""The challenge authentication policies (sync and async twins) over a canned-response transport."""

import pytest
from azure.core.exceptions import ServiceRequestError
from kv_internal_fakes import (
    CLAIMS_JSON,
    OK,
    RESOURCE,
    SCOPE,
    TENANT,
    VAULT,
    PolicyHarness,
    Reply,
    claims_challenge,
    make_credential,
)

from azure.keyvault.administration._internal import HttpChallenge, HttpChallengeCache

MISMATCH = (
    "The challenge resource 'managedhsm.azure.net' does not match the requested domain. Pass "
    "`verify_challenge_resource=False` to your client's constructor to disable this verification. See "
    "https://aka.ms/azsdk/blog/vault-uri for more information."
)
AFTER_CHALLENGE = {"claims": None, "tenant_id": TENANT, "enable_cae": True}
FOR_CACHED = {"tenant_id": TENANT, "enable_cae": True}


def challenge_with(**params: str) -> str:
    return "Bearer " + ", ".join(f'{key}="{value}"' for key, value in params.items())


async def test_probe_carries_no_token_and_no_body(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK])
    response = await harness.send(
        "PATCH", VAULT + "/settings/s?api-version=7.6", json={"value": "x"}, headers={"x-a": "b"}
    )

    assert response.status_code == 200
    probe, real = harness.requests
    assert probe.authorization is None
    assert not probe.body
    assert probe.header("Content-Length") == "0"
    assert (probe.method, probe.url) == (real.method, real.url) == ("PATCH", VAULT + "/settings/s?api-version=7.6")
    assert probe.header("x-a") == "b"
    assert probe.header("Content-Type") == "application/json"
    assert real.body == b'{"value": "x"}'
    assert real.authorization == "Bearer token-1"
    assert harness.calls == [("get_token", (SCOPE,), AFTER_CHALLENGE)]


async def test_body_less_request_is_its_own_probe(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK])
    await harness.send("GET")

    probe, real = harness.requests
    assert probe.authorization is None
    assert probe.header("Content-Length") is None
    assert real.authorization == "Bearer token-1"


async def test_scope_parameter_wins_over_resource(mode: str) -> None:
    header = challenge_with(authorization=f"https://login.microsoftonline.com/{TENANT}", scope=RESOURCE + "/custom")
    harness = PolicyHarness(mode, [Reply.challenge(header), OK])
    await harness.send()
    assert harness.calls == [("get_token", (RESOURCE + "/custom",), AFTER_CHALLENGE)]


async def test_authorization_uri_is_accepted(mode: str) -> None:
    header = challenge_with(authorization_uri=f"https://login.microsoftonline.com/{TENANT}/oauth2", resource=RESOURCE)
    harness = PolicyHarness(mode, [Reply.challenge(header), OK])
    assert (await harness.send()).status_code == 200
    assert harness.calls == [("get_token", (SCOPE,), AFTER_CHALLENGE)]


async def test_adfs_tenant_is_not_sent(mode: str) -> None:
    header = challenge_with(authorization="https://adfs.contoso.com/adfs", resource=RESOURCE)
    harness = PolicyHarness(mode, [Reply.challenge(header), OK])
    await harness.send()
    assert harness.calls == [("get_token", (SCOPE,), {"claims": None, "enable_cae": True})]


async def test_get_token_info_is_preferred(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK], make_credential(mode, token_info=True))
    await harness.send()
    assert harness.calls == [("get_token_info", (SCOPE,), {"options": AFTER_CHALLENGE})]
    assert harness.requests[1].authorization == "Bearer token-1"


async def test_foreign_resource_is_refused(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge()])
    with pytest.raises(ValueError) as error:
        await harness.send(url="https://myvault.vault.azure.net/settings")
    assert str(error.value) == MISMATCH
    assert harness.calls == []
    assert HttpChallengeCache._cache == {}


async def test_resource_check_can_be_disabled(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK], verify_challenge_resource=False)
    response = await harness.send(url="https://myvault.vault.azure.net/settings")
    assert response.status_code == 200
    assert harness.calls == [("get_token", (SCOPE,), AFTER_CHALLENGE)]


async def test_resource_must_be_a_parent_domain(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge()])
    with pytest.raises(ValueError, match="does not match the requested domain"):
        await harness.send(url="https://managedhsm.azure.net/settings")


async def test_resource_with_port_matches_host_with_same_port(mode: str) -> None:
    header = challenge_with(
        authorization=f"https://login.microsoftonline.com/{TENANT}", resource="https://localhost:8443"
    )
    harness = PolicyHarness(mode, [Reply.challenge(header), OK])
    assert (await harness.send(url="https://myhsm.localhost:8443/settings")).status_code == 200

    other = PolicyHarness(mode, [Reply.challenge(header)])
    with pytest.raises(ValueError, match="'localhost:8443' does not match"):
        await other.send(url="https://myhsm.localhost/settings")


async def test_claims_only_first_challenge_has_no_valid_scope(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(claims_challenge())])
    with pytest.raises(ValueError, match=r"The challenge contains invalid scope '/\.default'\."):
        await harness.send()


async def test_http_url_is_refused_before_sending(mode: str) -> None:
    harness = PolicyHarness(mode, [OK])
    with pytest.raises(ServiceRequestError) as error:
        await harness.send(url="http://myhsm.managedhsm.azure.net/settings")
    assert str(error.value) == "Bearer token authentication is not permitted for non-TLS protected (non-https) URLs."
    assert harness.requests == []


async def test_backslash_in_authority_is_refused(mode: str) -> None:
    harness = PolicyHarness(mode, [OK])
    with pytest.raises(ValueError, match="backslash"):
        await harness.send(url="https://myhsm.managedhsm.azure.net\\evil.com/settings")
    assert harness.requests == []


async def test_cached_challenge_is_shared_by_clients_of_the_host(mode: str) -> None:
    first = PolicyHarness(mode, [Reply.challenge(), OK])
    await first.send()

    second = PolicyHarness(mode, [OK])
    assert (await second.send("PATCH", json={"value": "x"})).status_code == 200
    (only,) = second.requests
    assert only.authorization == "Bearer token-1"
    assert only.body == b'{"value": "x"}'
    assert second.calls == [("get_token", (SCOPE,), FOR_CACHED)]


async def test_cached_challenge_with_get_token_info(mode: str) -> None:
    await PolicyHarness(mode, [Reply.challenge(), OK]).send()
    second = PolicyHarness(mode, [OK], make_credential(mode, token_info=True))
    await second.send()
    assert second.calls == [("get_token_info", (SCOPE,), {"options": FOR_CACHED})]
    assert len(second.requests) == 1


async def test_default_port_and_no_port_share_the_cache_entry(mode: str) -> None:
    first = PolicyHarness(mode, [Reply.challenge(), OK])
    await first.send(url="https://MyHsm.managedhsm.azure.net:443/settings")

    second = PolicyHarness(mode, [OK])
    await second.send(url=VAULT + "/settings")
    assert len(second.requests) == 1
    assert second.requests[0].authorization == "Bearer token-1"

    third = PolicyHarness(mode, [Reply.challenge(), OK], verify_challenge_resource=False)
    await third.send(url=VAULT + ":8443/settings")
    assert third.requests[0].authorization is None  # another port is another host


async def test_claims_challenge_is_answered_once(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), Reply.challenge(claims_challenge()), OK])
    response = await harness.send("PUT", json={"a": 1})

    assert response.status_code == 200
    assert [r.authorization for r in harness.requests] == [None, "Bearer token-1", "Bearer token-2"]
    assert harness.requests[2].body == b'{"a": 1}'
    assert harness.calls == [
        ("get_token", (SCOPE,), AFTER_CHALLENGE),
        ("get_token", (SCOPE,), {"claims": CLAIMS_JSON, "tenant_id": TENANT, "enable_cae": True}),
    ]


async def test_claims_challenge_with_get_token_info(mode: str) -> None:
    harness = PolicyHarness(
        mode, [Reply.challenge(), Reply.challenge(claims_challenge()), OK], make_credential(mode, token_info=True)
    )
    await harness.send()
    assert harness.calls[1] == (
        "get_token_info",
        (SCOPE,),
        {"options": {"claims": CLAIMS_JSON, "tenant_id": TENANT, "enable_cae": True}},
    )


async def test_claims_challenge_for_a_cached_token(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK])
    await harness.send()
    harness.queue(Reply.challenge(claims_challenge()), OK)

    assert (await harness.send()).status_code == 200
    assert [r.authorization for r in harness.requests[2:]] == ["Bearer token-1", "Bearer token-2"]
    assert harness.calls[1][2]["claims"] == CLAIMS_JSON


async def test_second_claims_challenge_is_returned(mode: str) -> None:
    harness = PolicyHarness(
        mode, [Reply.challenge(), Reply.challenge(claims_challenge())] + [Reply.challenge(claims_challenge())] * 3
    )
    response = await harness.send()

    assert response.status_code == 401
    assert len(harness.requests) == 3
    assert HttpChallengeCache.get_challenge_for_url(VAULT) is not None


async def test_second_plain_challenge_is_returned_and_forgotten(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge()] * 5)
    response = await harness.send()

    assert response.status_code == 401
    assert len(harness.requests) == 2
    assert len(harness.calls) == 1
    assert HttpChallengeCache.get_challenge_for_url(VAULT) is None


async def test_refused_cached_token_gets_one_fresh_challenge(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK])
    await harness.send()
    harness.queue(Reply.challenge(), OK)

    assert (await harness.send()).status_code == 200
    assert [r.authorization for r in harness.requests[2:]] == ["Bearer token-1", "Bearer token-2"]
    assert harness.calls[1] == ("get_token", (SCOPE,), AFTER_CHALLENGE)


async def test_unauthorized_without_challenge_drops_token_and_cache(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK])
    await harness.send()
    harness.queue(Reply(401, {"Content-Type": "application/json"}, b""))

    response = await harness.send()
    assert response.status_code == 401
    assert HttpChallengeCache.get_challenge_for_url(VAULT) is None
    assert harness.policy._token is None

    harness.queue(Reply.challenge(), OK)  # the next request starts over with a probe
    await harness.send()
    assert harness.requests[-2].authorization is None


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", 'Bearer resource="https://managedhsm.azure.net"', 'Basic realm="x"', 'Bearer claims="%%%"'],
)
async def test_malformed_challenge_returns_the_401(mode: str, header: str) -> None:
    harness = PolicyHarness(mode, [Reply(401, {"WWW-Authenticate": header}), OK])
    response = await harness.send()

    assert response.status_code == 401
    assert len(harness.requests) == 1
    assert harness.calls == []
    assert HttpChallengeCache._cache == {}


async def test_probe_answer_other_than_401_is_returned(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply(404), OK])
    response = await harness.send("PATCH", json={"value": "x"})
    assert response.status_code == 404
    assert len(harness.requests) == 1
    assert harness.calls == []


async def test_never_loops_on_endless_challenges(mode: str) -> None:
    replies = [Reply.challenge(), Reply.challenge(claims_challenge())]
    harness = PolicyHarness(mode, lambda request: replies[(len(harness.requests) - 1) % 2])
    response = await harness.send()
    assert response.status_code == 401
    assert len(harness.requests) <= 3


async def test_token_is_reused_while_fresh(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK, OK, OK])
    for _ in range(3):
        await harness.send()
    assert len(harness.calls) == 1
    assert [r.authorization for r in harness.requests[1:]] == ["Bearer token-1"] * 3


async def test_token_close_to_expiry_is_replaced(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK, OK], make_credential(mode, lifetime=299))
    await harness.send()
    await harness.send()
    assert [r.authorization for r in harness.requests[1:]] == ["Bearer token-1", "Bearer token-2"]
    assert harness.calls[1] == ("get_token", (SCOPE,), FOR_CACHED)


async def test_token_past_refresh_on_is_replaced(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK, OK], make_credential(mode, token_info=True, refresh_in=-1))
    await harness.send()
    await harness.send()
    assert len(harness.calls) == 2


async def test_token_before_refresh_on_is_reused(mode: str) -> None:
    harness = PolicyHarness(mode, [Reply.challenge(), OK, OK], make_credential(mode, token_info=True, refresh_in=600))
    await harness.send()
    await harness.send()
    assert len(harness.calls) == 1


async def test_new_host_on_same_policy_gets_its_own_probe(mode: str) -> None:
    other_host = "https://other.managedhsm.azure.net/backup/1/pending"
    harness = PolicyHarness(mode, [Reply.challenge(), OK, Reply.challenge(), OK])
    await harness.send()
    await harness.send(url=other_host)
    assert harness.requests[2].url == other_host
    assert harness.requests[2].authorization is None
    assert harness.requests[3].authorization == "Bearer token-2"


async def test_claims_challenge_keeps_the_scope_of_the_requests_own_token(mode: str) -> None:
    """A CAE retry asks for the scope and tenant its request's token had, even if another request (here: the
    host itself, mid-flight) changed the shared cache meanwhile."""
    other = challenge_with(authorization="https://login.microsoftonline.com/other-tenant", scope=RESOURCE + "/other")

    def host(request: object) -> Reply:
        if len(harness.requests) == 2:  # the authorised request: the cache changes, then a claims challenge
            HttpChallengeCache.set_challenge_for_url(VAULT, HttpChallenge(VAULT, other))
            return Reply.challenge(claims_challenge())
        return Reply.challenge() if len(harness.requests) == 1 else OK

    harness = PolicyHarness(mode, host)
    assert (await harness.send()).status_code == 200
    assert harness.calls[1] == ("get_token", (SCOPE,), {"claims": CLAIMS_JSON, "tenant_id": TENANT, "enable_cae": True})


async def test_claims_challenge_to_the_probe_is_not_a_cae_retry(mode: str) -> None:
    """A claims challenge answering a request that carried no token has nothing to refresh: it is a plain (and,
    without a resource, invalid) challenge, whatever the cache holds."""
    harness = PolicyHarness(mode, [Reply.challenge(claims_challenge())])
    with pytest.raises(ValueError, match=r"invalid scope '/\.default'"):
        await harness.send()
    assert harness.calls == []
