"""What the challenge bookkeeping remembers between requests changes none of its decisions."""

import pytest

from azure.keyvault.administration._internal import _challenge_common as common
from azure.keyvault.administration._internal.http_challenge import HttpChallenge

VAULT = "https://myhsm.managedhsm.azure.net/keys?api-version=7.6"
CHALLENGE = 'Bearer authorization="https://login.microsoftonline.com/tenant", resource="https://managedhsm.azure.net"'


def test_a_failed_resource_check_fails_every_time() -> None:
    for _ in range(3):
        with pytest.raises(ValueError, match="does not match the requested domain"):
            common.verify_challenge_resource_once(VAULT, "https://vault.azure.net/.default")
    assert ("myhsm.managedhsm.azure.net", "https://vault.azure.net/.default") not in common._VERIFIED_RESOURCES


def test_a_passed_check_is_remembered_per_authority_and_scope() -> None:
    common.verify_challenge_resource_once(VAULT, "https://managedhsm.azure.net/.default")
    assert ("myhsm.managedhsm.azure.net", "https://managedhsm.azure.net/.default") in common._VERIFIED_RESOURCES
    common.verify_challenge_resource_once("https://MYHSM.managedhsm.azure.net:443/x", "https://managedhsm.azure.net/.default")
    with pytest.raises(ValueError):  # same scope, another host: checked on its own
        common.verify_challenge_resource_once("https://evil.example/x", "https://managedhsm.azure.net/.default")


def test_the_token_request_of_a_cached_challenge_is_built_once_and_equal() -> None:
    challenge = HttpChallenge(VAULT, CHALLENGE)
    first = common._cached_challenge_request(challenge)
    assert first == common.TokenRequest.for_challenge(challenge, answers_challenge=False)
    assert common._cached_challenge_request(challenge) is first
    assert common._cached_challenge_request(HttpChallenge(VAULT, CHALLENGE)) is not first  # per challenge object
