"""Challenge parsing, the process-wide challenge cache and the pure token decisions."""

import base64
import threading
import time

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo

from azure.keyvault.administration._internal import HttpChallenge, HttpChallengeCache
from azure.keyvault.administration._internal._challenge_common import (
    TokenRequest,
    challenge_scope,
    needs_new_token,
    token_needs_refresh,
)

URL = "https://myhsm.managedhsm.azure.net/settings?api-version=7.6"
AUTHORITY = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_parses_scheme_parameters_and_tenant() -> None:
    challenge = HttpChallenge(URL, f'Bearer authorization="{AUTHORITY}", resource="https://managedhsm.azure.net"')
    assert challenge.scheme == "Bearer"
    assert challenge.is_bearer_challenge()
    assert challenge.get_authorization_server() == AUTHORITY
    assert challenge.get_resource() == "https://managedhsm.azure.net"
    assert challenge.get_scope() == ""
    assert challenge_scope(challenge) == "https://managedhsm.azure.net/.default"
    assert challenge.tenant_id == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert challenge.source_authority == "myhsm.managedhsm.azure.net"
    assert challenge.claims is None


def test_scope_parameter_and_authorization_uri() -> None:
    header = 'Bearer authorization_uri="https://login.windows.net/tid/oauth2/authorize", scope="https://x.net/custom"'
    challenge = HttpChallenge(URL, header)
    assert challenge.get_scope() == "https://x.net/custom"
    assert challenge_scope(challenge) == "https://x.net/custom"
    assert challenge.tenant_id == "tid"
    assert challenge.get_value("SCOPE") == "https://x.net/custom"
    assert challenge.get_value("missing") is None


def test_unquoted_values_and_extra_spaces() -> None:
    challenge = HttpChallenge(URL, "Bearer  authorization=https://login/t1 ,resource = https://managedhsm.azure.net")
    assert challenge.tenant_id == "t1"
    assert challenge.get_resource() == "https://managedhsm.azure.net"


@pytest.mark.parametrize("claims", ['{"a":1}', '{"ab":1}', '{"abc":1}', '{"access_token":{"nbf":{"essential":true}}}'])
def test_claims_are_base64url_decoded_with_padding_restored(claims: str) -> None:
    encoded = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
    challenge = HttpChallenge(
        URL, f'Bearer authorization="{AUTHORITY}", error="insufficient_claims", claims="{encoded}"'
    )
    assert challenge.claims == claims


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "Challenge cannot be empty"),
        ("   ", "Challenge cannot be empty"),
        ("Bearer", "Invalid challenge parameters"),
        ('Bearer resource="https://managedhsm.azure.net"', "Invalid challenge parameters"),
        ('Basic realm="x"', "Invalid challenge parameters"),
    ],
)
def test_unusable_challenges_raise_value_error(header: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HttpChallenge(URL, header)


def test_relative_request_uri_is_refused() -> None:
    with pytest.raises(ValueError):
        HttpChallenge("/settings", f'Bearer authorization="{AUTHORITY}"')


def test_response_headers_are_kept() -> None:
    headers = {"WWW-Authenticate": f'Bearer authorization="{AUTHORITY}"', "x-ms-request-id": "1"}
    assert HttpChallenge(URL, headers["WWW-Authenticate"], headers).response_headers == headers


def _challenge(url: str = URL) -> HttpChallenge:
    return HttpChallenge(url, f'Bearer authorization="{AUTHORITY}", resource="https://managedhsm.azure.net"')


def test_cache_is_keyed_by_host_case_insensitively_and_ignores_port_443() -> None:
    challenge = _challenge()
    HttpChallengeCache.set_challenge_for_url(URL, challenge)
    assert HttpChallengeCache.get_challenge_for_url("https://MYHSM.managedhsm.azure.net:443/other") is challenge
    assert HttpChallengeCache.get_challenge_for_url("https://myhsm.managedhsm.azure.net:8443/") is None
    assert HttpChallengeCache.get_challenge_for_url("https://other.managedhsm.azure.net/") is None
    assert list(HttpChallengeCache._cache) == ["myhsm.managedhsm.azure.net"]


def test_cache_remove_and_clear() -> None:
    HttpChallengeCache.set_challenge_for_url(URL, _challenge())
    other = "https://other.managedhsm.azure.net"
    HttpChallengeCache.set_challenge_for_url(other, _challenge(other))
    HttpChallengeCache.remove_challenge_for_url(URL)
    HttpChallengeCache.remove_challenge_for_url(URL)  # absent: no error
    assert HttpChallengeCache.get_challenge_for_url(URL) is None
    assert HttpChallengeCache.get_challenge_for_url(other) is not None
    HttpChallengeCache.clear()
    assert HttpChallengeCache._cache == {}


def test_cache_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        HttpChallengeCache.get_challenge_for_url("")
    with pytest.raises(ValueError):
        HttpChallengeCache.set_challenge_for_url(URL, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        HttpChallengeCache.set_challenge_for_url("https://elsewhere.net", _challenge())
    with pytest.raises(ValueError):
        HttpChallengeCache.remove_challenge_for_url("")


def test_cache_is_safe_to_use_from_many_threads() -> None:
    hosts = [f"https://h{i}.managedhsm.azure.net" for i in range(50)]

    def work(host: str) -> None:
        for _ in range(20):
            HttpChallengeCache.set_challenge_for_url(host, _challenge(host))
            assert HttpChallengeCache.get_challenge_for_url(host) is not None

    threads = [threading.Thread(target=work, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(HttpChallengeCache._cache) == 50


def test_token_refresh_window() -> None:
    now = time.time()
    assert token_needs_refresh(None)
    assert not token_needs_refresh(AccessToken("t", int(now) + 301), now=int(now))
    assert token_needs_refresh(AccessToken("t", int(now) + 299), now=int(now))
    assert token_needs_refresh(AccessTokenInfo("t", int(now) + 3600, refresh_on=int(now) - 1), now=int(now))
    assert not token_needs_refresh(AccessTokenInfo("t", int(now) + 3600, refresh_on=int(now) + 60), now=int(now))


def test_token_reuse_requires_same_scope_and_tenant() -> None:
    token = AccessToken("t", int(time.time()) + 3600)
    held = TokenRequest("https://a/.default", "t1", answers_challenge=False)
    assert not needs_new_token(token, held, TokenRequest("https://a/.default", "t1"), reuse=True)
    assert needs_new_token(token, held, TokenRequest("https://a/.default", "t1"), reuse=False)
    assert needs_new_token(token, held, TokenRequest("https://b/.default", "t1"), reuse=True)
    assert needs_new_token(token, held, TokenRequest("https://a/.default", "t2"), reuse=True)
    assert needs_new_token(token, None, TokenRequest("https://a/.default", "t1"), reuse=True)


@pytest.mark.parametrize("tenant", ["adfs", "ADFS", "contoso-adfs"])
def test_adfs_tenants_are_not_sent(tenant: str) -> None:
    challenge = HttpChallenge(URL, f'Bearer authorization="https://sts.contoso.com/{tenant}", resource="https://r"')
    assert TokenRequest.for_challenge(challenge).get_token_kwargs() == {"claims": None, "enable_cae": True}


def test_cache_remove_of_an_expected_challenge_spares_a_newer_one() -> None:
    first, second = _challenge(), _challenge()
    HttpChallengeCache.set_challenge_for_url(URL, second)
    HttpChallengeCache.remove_challenge_for_url(URL, expected=first)  # replaced meanwhile: kept
    assert HttpChallengeCache.get_challenge_for_url(URL) is second
    HttpChallengeCache.remove_challenge_for_url(URL, expected=second)
    assert HttpChallengeCache.get_challenge_for_url(URL) is None


@pytest.mark.parametrize(
    "header",
    ["Bearer " + "a" * 1_000_000, "Bearer " + "a " * 500_000, "Bearer a" + " " * 1_000_000 + "b"],
    ids=["word", "words", "spaces"],
)
def test_a_megabyte_header_is_parsed_in_one_pass(header: str) -> None:
    """Keys are matched only where a word starts: the parser used to retry a long word from every offset (quadratic:
    16 KB took 3 s, so this megabyte would take hours). The header comes from whichever host answered."""
    with pytest.raises(ValueError, match="Invalid challenge parameters"):
        HttpChallenge(URL, header)
