"""The server a live run talks to: the in-process emulator or a real Managed HSM.

A :class:`LiveTarget` knows the vault URL, how to make credentials for it, which client keywords it needs (the
emulator's CA) and how its addresses are rewritten in cassettes.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .mode import FAKE_VAULT_URL


class EmulatorHandle(Protocol):
    """What the recording machinery needs from a running emulator (``mhsm_emulator``'s in-process API)."""

    @property
    def vault_url(self) -> str: ...

    @property
    def ca_file(self) -> str: ...

    @property
    def identity_endpoint(self) -> str: ...

    @property
    def identity_header(self) -> str: ...


@dataclass
class LiveTarget:
    """A live server and everything a recorded test needs to use it.

    :param vault_url: the live vault URL (rewritten to the fake vault in cassettes).
    :param make_credential: ``(is_async, client_id) -> credential``; ``client_id`` selects another principal.
    :param client_kwargs: keywords every client needs (``connection_verify`` for the emulator).
    :param excluded_prefixes: URI prefixes never recorded (token endpoints).
    :param is_emulator: True for the in-process emulator.
    """

    vault_url: str
    make_credential: Callable[[bool, "str | None"], Any]
    client_kwargs: dict[str, Any] = field(default_factory=dict)
    excluded_prefixes: list[str] = field(default_factory=list)
    is_emulator: bool = True

    def replacements(self) -> list[tuple[str, str]]:
        """``(live, fake)`` pairs for the sanitizer: the vault URL, with and without the default port."""
        live = self.vault_url.rstrip("/")
        return [(live, FAKE_VAULT_URL)]


def emulator_target(emulator: EmulatorHandle) -> LiveTarget:
    """Target the in-process emulator; credentials come from its managed identity endpoint."""
    from mhsm_emulator.credentials import AsyncEmulatorCredential, EmulatorCredential

    def make_credential(is_async: bool, client_id: "str | None") -> Any:
        cls = AsyncEmulatorCredential if is_async else EmulatorCredential
        return cls(emulator.identity_endpoint, emulator.identity_header, client_id=client_id)

    return LiveTarget(
        vault_url=emulator.vault_url,
        make_credential=make_credential,
        client_kwargs={"connection_verify": emulator.ca_file},
        excluded_prefixes=[emulator.identity_endpoint.split("?")[0]],
        is_emulator=True,
    )


def real_hsm_target(vault_url: str) -> LiveTarget:
    """Target a real Managed HSM with ``DefaultAzureCredential``.

    Tests that need a second, unprivileged principal use ``ClientSecretCredential`` built from
    ``AZURE_TEST_UNPRIVILEGED_TENANT_ID`` / ``_CLIENT_ID`` / ``_CLIENT_SECRET``.
    """

    def make_credential(is_async: bool, client_id: "str | None") -> Any:
        if client_id is None:
            if is_async:
                from azure.identity.aio import DefaultAzureCredential as AsyncDefault

                return AsyncDefault()
            from azure.identity import DefaultAzureCredential

            return DefaultAzureCredential()
        tenant = os.environ["AZURE_TEST_UNPRIVILEGED_TENANT_ID"]
        secret = os.environ["AZURE_TEST_UNPRIVILEGED_CLIENT_SECRET"]
        real_client_id = os.environ["AZURE_TEST_UNPRIVILEGED_CLIENT_ID"]
        if is_async:
            from azure.identity.aio import ClientSecretCredential as AsyncSecret

            return AsyncSecret(tenant, real_client_id, secret)
        from azure.identity import ClientSecretCredential

        return ClientSecretCredential(tenant, real_client_id, secret)

    return LiveTarget(
        vault_url=vault_url.rstrip("/"),
        make_credential=make_credential,
        excluded_prefixes=["https://login.microsoftonline.com/"],
        is_emulator=False,
    )
