"""Configuration of one emulator instance (server options and fault injection switches)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TENANT_ID = "72f988bf-0000-4000-8000-00000000e1a0"
"""Tenant id used in challenges and tokens unless configured otherwise."""

SUPPORTED_FAULT_STATUSES = (429, 503)
LOST_ANSWERS = ("500", "503", "drop")
"""What ``FaultConfig.lost_answer`` may replace the answer of a handled request with."""


@dataclass(frozen=True)
class FaultConfig:
    """Fault injection switches; all off by default.

    :param latency: seconds added before every vault request is handled.
    :param error_rate: fraction (0..1) of vault requests answered with one of ``error_statuses``
        (carrying ``Retry-After``) instead of being handled.
    :param error_statuses: statuses drawn for injected errors (429 and/or 503).
    :param retry_after: value of the ``Retry-After`` header on injected errors (seconds).
    :param drop_rate: fraction (0..1) of vault requests whose connection is closed without an answer.
    :param lost_answer_rate: fraction (0..1) of vault requests that are handled normally (their changes committed)
        and whose successful (2xx) answer is then lost: replaced by ``lost_answer``. The client sees a failure
        for a request the HSM performed, as when a gateway loses the answer; azure-core then retries it.
    :param lost_answer: what replaces a lost answer: ``"500"`` or ``"503"`` (a JSON error without
        ``Retry-After``) or ``"drop"`` (the connection is closed without an answer).
    :param match: a regular expression searched in ``"<METHOD> <path>"`` (e.g. ``"^PUT /restore$"``); when set,
        faults apply only to matching requests (the others are handled normally and consume no random draws).
    :param max_faults: stop injecting after this many faults (errors, drops and lost answers; latency is not a
        fault); ``None`` for no limit.
    :param seed: seed of the random generator; the same seed and request order give the same faults.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = SUPPORTED_FAULT_STATUSES
    retry_after: int = 1
    drop_rate: float = 0.0
    lost_answer_rate: float = 0.0
    lost_answer: str = "503"
    match: str | None = None
    max_faults: int | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.latency < 0:
            raise ValueError("latency must be >= 0")
        for name in ("error_rate", "drop_rate", "lost_answer_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if not self.error_statuses or any(s not in SUPPORTED_FAULT_STATUSES for s in self.error_statuses):
            raise ValueError(f"error_statuses must be a non-empty subset of {SUPPORTED_FAULT_STATUSES}")
        if self.retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        if self.lost_answer not in LOST_ANSWERS:
            raise ValueError(f"lost_answer must be one of {', '.join(LOST_ANSWERS)}")
        if self.max_faults is not None and self.max_faults < 0:
            raise ValueError("max_faults must be >= 0")
        if self.match is not None:
            try:
                re.compile(self.match)
            except re.error as exc:
                raise ValueError(f"match is not a valid regular expression: {exc}") from None

    @property
    def active(self) -> bool:
        """True when any switch is on."""
        return bool(self.latency or self.error_rate or self.drop_rate or self.lost_answer_rate)

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
    :param idle_timeout: seconds a keep-alive connection may wait for its next request's first byte (longer than
        aiohttp's 15 s client keep-alive, so SDK clients close idle connections first and never race the server).
    :param header_timeout: seconds from the connection (or a request's first byte) to the end of its headers.
    :param body_timeout: seconds from the end of a request's headers to the end of its body (a total).
    :param tls_handshake_timeout: seconds the vault's TLS handshake (and its TLS close) may take.
    :param max_connections: connections open at once per listener (vault, identity endpoint); beyond it the oldest
        connection not inside a request is closed to make room, or the new one is closed when all are busy.
    :param ekm_check_timeout: seconds ``POST /ekm/check`` may spend reaching the EKM proxy (connect, TLS handshake,
        request and answer together) before it answers ``502 EkmProxyTimeout``.
    :param ekm_job_delay: seconds each EKM private-endpoint job waits before completing (makes the ``Running``,
        ``Updating`` and ``Deleting`` states visible).
    :param ekm_private_link_targets: where the emulator's private endpoints lead: private link service id (or
        alias) -> ``host:port`` of the EKM proxy behind it. ``POST /ekm/check`` of a ``PrivateEndpoint`` connection
        connects there; a private endpoint to a service not listed cannot reach a proxy.
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
    idle_timeout: float = 20.0
    header_timeout: float = 10.0
    body_timeout: float = 15.0
    tls_handshake_timeout: float = 10.0
    max_connections: int = 256
    ekm_check_timeout: float = 10.0
    ekm_job_delay: float = 0.0
    ekm_private_link_targets: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).absolute()  # printed paths (ca_file) work from any folder
        if self.page_size < 1:
            raise ValueError("page_size must be >= 1")
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be >= 1")
        for name in ("idle_timeout", "header_timeout", "body_timeout", "tls_handshake_timeout"):
            if not 0 < getattr(self, name) <= 3600:
                raise ValueError(f"{name} must be between 0 and 3600 seconds")
        if not 1 <= self.max_connections <= 65536:
            raise ValueError("max_connections must be between 1 and 65536")
        if not 0 < self.ekm_check_timeout <= 300:
            raise ValueError("ekm_check_timeout must be between 0 and 300 seconds")
        if self.ekm_job_delay < 0:
            raise ValueError("ekm_job_delay must be >= 0")

    @property
    def database_path(self) -> str:
        """The SQLite path actually used."""
        return self.database if self.database is not None else str(self.data_dir / "state.sqlite3")
