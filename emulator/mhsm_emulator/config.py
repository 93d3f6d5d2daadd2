"""Configuration of one emulator instance (server options and fault injection switches)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TENANT_ID = "72f988bf-0000-4000-8000-00000000e1a0"
"""Tenant id used in challenges and tokens unless configured otherwise."""

SUPPORTED_FAULT_STATUSES = (429, 503)


@dataclass(frozen=True)
class FaultConfig:
    """Fault injection switches; all off by default.

    :param latency: seconds added before every vault request is handled.
    :param error_rate: fraction (0..1) of vault requests answered with one of ``error_statuses``
        (carrying ``Retry-After``) instead of being handled.
    :param error_statuses: statuses drawn for injected errors (429 and/or 503).
    :param retry_after: value of the ``Retry-After`` header on injected errors (seconds).
    :param drop_rate: fraction (0..1) of vault requests whose connection is closed without an answer.
    :param seed: seed of the random generator; the same seed and request order give the same faults.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = SUPPORTED_FAULT_STATUSES
    retry_after: int = 1
    drop_rate: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.latency < 0:
            raise ValueError("latency must be >= 0")
        for name in ("error_rate", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if not self.error_statuses or any(s not in SUPPORTED_FAULT_STATUSES for s in self.error_statuses):
            raise ValueError(f"error_statuses must be a non-empty subset of {SUPPORTED_FAULT_STATUSES}")
        if self.retry_after < 0:
            raise ValueError("retry_after must be >= 0")

    @property
    def active(self) -> bool:
        """True when any switch is on."""
        return bool(self.latency or self.error_rate or self.drop_rate)

    def replace(self, **changes: object) -> FaultConfig:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass
class EmulatorConfig:
    """Options of one emulator instance.

    :param data_dir: folder for certificates, signing key, identity secret and the SQLite database.
    :param host: address both listeners bind to (always loopback).
    :param port: HTTPS port of the vault; 0 picks a free port.
    :param identity_port: plain HTTP port of the managed identity token endpoint; 0 picks a free port.
    :param database: SQLite database path; ``None`` means ``<data_dir>/state.sqlite3``; ``":memory:"`` keeps
        state in memory only.
    :param tenant_id: tenant named in challenges and tokens.
    :param page_size: maximum number of items per list page (``nextLink`` beyond it).
    :param token_lifetime: lifetime in seconds of tokens issued by the identity endpoint.
    :param resource: challenge resource override; by default it is derived from the request host.
    :param faults: fault injection switches.
    :param storage_connection_string: the HSM's own storage identity (account name and key), used by backup and
        restore requests with ``useManagedIdentity: true``; without it such requests are refused.
    :param backup_job_delay: seconds each backup/restore job waits before working (makes ``InProgress`` visible).
    :param status_hold: at most this many seconds a status poll of a running job waits for it to finish before
        answering (a short long-poll: clients poll at once after the 202, and quick emulator jobs then finish
        within this window instead of costing the client a full polling interval).
    """

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    identity_port: int = 0
    database: str | None = None
    tenant_id: str = DEFAULT_TENANT_ID
    page_size: int = 100
    token_lifetime: int = 3600
    resource: str | None = None
    faults: FaultConfig = field(default_factory=FaultConfig)
    storage_connection_string: str | None = None
    backup_job_delay: float = 0.0
    status_hold: float = 0.25

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).absolute()  # printed paths (ca_file) work from any folder
        if self.page_size < 1:
            raise ValueError("page_size must be >= 1")
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be >= 1")

    @property
    def database_path(self) -> str:
        """The SQLite path actually used."""
        return self.database if self.database is not None else str(self.data_dir / "state.sqlite3")
