"""Recorded-test machinery (the Azure SDK model): playback from vcrpy cassettes by default, live re-recording on demand.

Modes (environment variables):

* default: **playback**. Requests are answered from ``tests/recordings/<folder>/<module>.<test>.yaml``; no server
  runs, clients get a fake credential and the fake vault ``https://fakehsm.managedhsm.azure.net``. A request that
  is not in the cassette fails the test, and so does a recorded request the test never sent.
* ``AZURE_TEST_RUN_LIVE=true``: **live**. Requests go to the Managed HSM emulator (started in-process once per
  session) or, when ``AZURE_MANAGEDHSM_URL`` is set, to that real HSM with ``DefaultAzureCredential``. Cassettes
  are re-recorded into ``$AZURE_TEST_RECORDINGS_DIR`` when set (``make test`` uses a temporary folder so the tree
  stays clean), else into ``tests/recordings`` (to refresh the committed ones).

Cassettes are sanitised: no ``Authorization`` header, no token endpoint traffic, no JWTs, SAS ``sig=`` redacted,
the live vault URL rewritten to the fake vault, the challenge resource to ``https://managedhsm.azure.net`` (so the
client's challenge verification passes in playback), ``Retry-After`` set to 0 (playback never sleeps).

Usage in a test module (fixtures come from ``tests/conftest.py``)::

    from azure.keyvault.administration import KeyVaultAccessControlClient
    from azure.keyvault.administration.aio import KeyVaultAccessControlClient as AsyncClient

    def test_something(recorded):
        client = recorded.client(KeyVaultAccessControlClient, api_version="7.4")
        name = recorded.uuid("definition")          # the same UUID in every run
        ...

    async def test_something_async(recorded):
        async with recorded.client(AsyncClient) as client:   # async credential picked automatically
            ...

Other helpers on the ``recorded`` object (:class:`Recording`): ``vault_url``, ``credential(is_async=...,
client_id=...)`` (``client_id`` = another, unprivileged emulator identity), ``client_kwargs``, ``polling_interval``
(0 in playback: pass ``_polling_interval=recorded.polling_interval`` to ``begin_*``), ``replace(live, fake)`` (keep
a run-specific string such as an Azurite URL out of cassettes; returns the value to use), ``paused()`` (live-only
set-up that is not recorded), ``is_live``/``is_emulator``. The session fixture ``emulator`` gives a running
emulator in any mode (for tests that are never recorded, e.g. samples). The challenge cache is cleared around
every test.
"""

from .credentials import AsyncFakeCredential, FakeCredential
from .mode import FAKE_RESOURCE, FAKE_VAULT_URL, is_live
from .recording import Recording
from .sanitizers import Sanitizer

__all__ = [
    "FAKE_RESOURCE",
    "FAKE_VAULT_URL",
    "AsyncFakeCredential",
    "FakeCredential",
    "Recording",
    "Sanitizer",
    "is_live",
]
