"""One recorded test: its cassette, vault URL, credentials and client keywords, in playback or live mode."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, TypeVar

import vcr
from vcr.cassette import Cassette

from .credentials import AsyncFakeCredential, FakeCredential
from .mode import FAKE_VAULT_URL
from .sanitizers import Sanitizer, json_bodies_equal
from .target import LiveTarget

ClientT = TypeVar("ClientT")

_UUID_NAMESPACE = uuid.UUID("a1d5c0a7-7e57-4d0e-8c1e-5ec0bded0000")
_FILTERED_REQUEST_HEADERS = ["authorization", "cookie", "x-ms-authorization-auxiliary"]
_MATCH_ON = ["method", "scheme", "host", "port", "path", "query", "json_body"]


def _json_body_matcher(first: Any, second: Any) -> None:
    assert json_bodies_equal(first.body, second.body), f"{first.body!r} != {second.body!r}"


class Recording:
    """Everything a recorded test needs; use it through the ``recorded`` fixture.

    :param name: the cassette's name (``<folder>/<module>.<test>``), also the seed of :meth:`uuid`.
    :param cassette_dir: the folder cassettes are read from (playback) or written to (live).
    :param target: the live server, or ``None`` for playback.
    """

    def __init__(self, name: str, cassette_dir: Path, target: Optional[LiveTarget]) -> None:
        self.name = name
        self.target = target
        self.cassette_path = cassette_dir / f"{name}.yaml"
        self.sanitizer = Sanitizer(
            replacements=target.replacements() if target else (),
            excluded_prefixes=target.excluded_prefixes if target else (),
        )
        self._paused = False
        self.cassette: Optional[Cassette] = None

    # --- facts about the run --------------------------------------------------------------------------------

    @property
    def is_live(self) -> bool:
        """True when requests reach a server (and the cassette is being re-recorded)."""
        return self.target is not None

    @property
    def is_emulator(self) -> bool:
        """True when live against the in-process emulator."""
        return self.target is not None and self.target.is_emulator

    @property
    def vault_url(self) -> str:
        """The vault to pass to clients: the live one, or the fake vault of the cassettes."""
        return self.target.vault_url if self.target else FAKE_VAULT_URL

    @property
    def client_kwargs(self) -> dict[str, Any]:
        """Keywords every client needs here (the emulator's CA in live runs; nothing in playback)."""
        return dict(self.target.client_kwargs) if self.target else {}

    @property
    def polling_interval(self) -> float:
        """Seconds between LRO polls: 0 in playback (never sleep), short in live runs."""
        return 0.1 if self.target else 0.0

    # --- values -----------------------------------------------------------------------------------------------

    def uuid(self, label: str = "") -> str:
        """A UUID that is the same in every run of this test (names of definitions, assignments...)."""
        return str(uuid.uuid5(_UUID_NAMESPACE, f"{self.name}:{label}"))

    def replace(self, live: str, fake: str) -> str:
        """Register a run-specific string (e.g. an Azurite URL) to be written to cassettes as ``fake``.

        :returns: ``live`` in live runs (use it), ``fake`` in playback (the cassette holds it).
        """
        if self.target is None:
            return fake
        self.sanitizer.add_replacement(live, fake)
        return live

    # --- credentials and clients ------------------------------------------------------------------------------

    def credential(self, *, is_async: bool = False, client_id: Optional[str] = None) -> Any:
        """A credential for the vault: fake in playback; in live runs the emulator's managed identity (or
        ``DefaultAzureCredential`` for a real HSM). ``client_id`` selects another principal (emulator:
        a user-assigned identity with no role unless one is assigned)."""
        if self.target is None:
            return AsyncFakeCredential() if is_async else FakeCredential()
        return self.target.make_credential(is_async, client_id)

    def client(self, client_class: type[ClientT], *, client_id: Optional[str] = None, **kwargs: Any) -> ClientT:
        """Build ``client_class(vault_url, credential, **client_kwargs, **kwargs)``; async classes (from an
        ``aio`` module) get an async credential."""
        is_async = ".aio" in client_class.__module__
        credential = self.credential(is_async=is_async, client_id=client_id)
        return client_class(self.vault_url, credential, **{**self.client_kwargs, **kwargs})  # type: ignore[call-arg]

    # --- cassette ---------------------------------------------------------------------------------------------

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Send requests without recording them (live-only set-up such as seeding hundreds of items).

        Code in this block must only run live (``if recorded.is_live:``): there is nothing to play back.
        The challenge cache is cleared afterwards so the recorded part starts with a fresh challenge.
        """
        self._paused = True
        try:
            yield
        finally:
            self._paused = False
            from azure.keyvault.administration._internal import HttpChallengeCache

            HttpChallengeCache.clear()

    @contextmanager
    def use_cassette(self) -> Iterator[Cassette]:
        """Record (live) or play back (playback) this test's cassette around the block."""
        recorder = vcr.VCR(
            cassette_library_dir=str(self.cassette_path.parent),
            serializer="yaml",
            record_mode="all" if self.is_live else "none",
            filter_headers=_FILTERED_REQUEST_HEADERS,
            before_record_request=self._before_record_request,
            before_record_response=self.sanitizer.before_record_response,
            decode_compressed_response=True,
            match_on=_MATCH_ON,
        )
        recorder.register_matcher("json_body", _json_body_matcher)
        if self.is_live:
            # vcrpy's "all" mode appends to an existing cassette; a re-recording must replace it.
            self.cassette_path.unlink(missing_ok=True)
        with recorder.use_cassette(self.cassette_path.name) as cassette:
            self.cassette = cassette
            yield cassette

    def _before_record_request(self, request: Any) -> Any:
        if self._paused:
            return None
        return self.sanitizer.before_record_request(request)
