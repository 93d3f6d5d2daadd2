"""Fixtures of the EKM client tests: the twin (sync/async) a test runs with, and a fresh fake HSM."""

import pytest

from .ekm_fakes import EkmHsm


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    """Run the test once with the sync client and once with its async twin."""
    return str(request.param)


@pytest.fixture
def hsm() -> EkmHsm:
    return EkmHsm()
