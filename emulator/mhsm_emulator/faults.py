"""Fault injection: added latency, injected 429/503 answers with ``Retry-After``, dropped connections."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from .config import FaultConfig


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request: wait ``delay`` seconds, then answer ``status`` / drop / handle normally."""

    delay: float = 0.0
    status: int | None = None
    drop: bool = False


class FaultInjector:
    """Draws a :class:`FaultDecision` per request from a seeded generator (deterministic for a seed).

    Each request consumes exactly two draws while faults are active, so the outcome of request *n* depends
    only on the seed and *n*.
    """

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        """The switches in force."""
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replace the switches (and restart the random sequence from the seed)."""
        with self._lock:
            self._config = config
            self._random = random.Random(config.seed)

    def decide(self) -> FaultDecision:
        """The decision for the next request."""
        with self._lock:
            config = self._config
            if not config.active:
                return FaultDecision()
            drop_draw = self._random.random()
            error_draw = self._random.random()
            if drop_draw < config.drop_rate:
                return FaultDecision(delay=config.latency, drop=True)
            if error_draw < config.error_rate:
                index = int(error_draw / config.error_rate * len(config.error_statuses)) if config.error_rate else 0
                status = config.error_statuses[min(index, len(config.error_statuses) - 1)]
                return FaultDecision(delay=config.latency, status=status)
            return FaultDecision(delay=config.latency)
