"""Fixtures for the internal-layer tests."""

from collections.abc import Iterator

import pytest

from azure.keyvault.administration._internal import HttpChallengeCache


@pytest.fixture(autouse=True)
def clear_challenge_cache() -> Iterator[None]:
    """The challenge cache is process-wide: every test starts and ends with it empty."""
    HttpChallengeCache.clear()
    yield
    HttpChallengeCache.clear()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run a test against the sync policy/client and again against its async twin."""
    return str(request.param)
