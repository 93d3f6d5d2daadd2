"""Fault injection: added latency, injected 429/503 answers with ``Retry-After``, dropped connections, and lost
answers (a request handled normally, then answered 500/503 or dropped, as when a gateway loses the answer).

Faults may be limited to some requests (``match``) and to a number of faults (``max_faults``); the injector counts
what it injected (:attr:`FaultInjector.injected`) so tests can report the faults their clients survived.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

from .config import FaultConfig

ERROR = "error"
DROP = "drop"
LOST_ANSWER = "lost_answer"
"""Keys of :attr:`FaultInjector.injected`: injected error answers, dropped connections, lost answers."""


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request: wait ``delay`` seconds, then answer ``status`` / drop / handle normally.

    ``lost_answer`` (``"500"``, ``"503"`` or ``"drop"``) asks for the request to be handled and its successful answer
    then replaced; the middleware confirms it with :meth:`FaultInjector.claim_lost_answer` once the answer is known.
    """

    delay: float = 0.0
    status: int | None = None
    drop: bool = False
    lost_answer: str | None = None


class FaultInjector:
    """Draws a :class:`FaultDecision` per request from a seeded generator (deterministic for a seed).

    Each matching request consumes exactly two draws while faults are active (three when ``lost_answer_rate`` is on),
    so the outcome of request *n* depends only on the seed and *n*.
    """

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        """The switches in force."""
        return self._config

    @property
    def injected(self) -> dict[str, int]:
        """How many faults of each kind (``error``, ``drop``, ``lost_answer``) were injected since :meth:`configure`."""
        with self._lock:
            return dict(self._injected)

    def configure(self, config: FaultConfig) -> None:
        """Replace the switches (restarting the random sequence from the seed, and the fault counts)."""
        with self._lock:
            self._config = config
            self._random = random.Random(config.seed)
            self._pattern = re.compile(config.match) if config.match is not None else None
            self._injected = {ERROR: 0, DROP: 0, LOST_ANSWER: 0}

    def _budget_left(self) -> bool:
        limit = self._config.max_faults
        return limit is None or sum(self._injected.values()) < limit

    def decide(self, method: str = "", path: str = "") -> FaultDecision:
        """The decision for the next request (``method`` and ``path`` are matched against ``match``)."""
        with self._lock:
            config = self._config
            if not config.active:
                return FaultDecision()
            if self._pattern is not None and not self._pattern.search(f"{method.upper()} {path}"):
                return FaultDecision()
            drop_draw = self._random.random()
            error_draw = self._random.random()
            lost_answer_draw = self._random.random() if config.lost_answer_rate else 1.0
            if not self._budget_left():
                return FaultDecision(delay=config.latency)
            if drop_draw < config.drop_rate:
                self._injected[DROP] += 1
                return FaultDecision(delay=config.latency, drop=True)
            if error_draw < config.error_rate:
                index = int(error_draw / config.error_rate * len(config.error_statuses)) if config.error_rate else 0
                status = config.error_statuses[min(index, len(config.error_statuses) - 1)]
                self._injected[ERROR] += 1
                return FaultDecision(delay=config.latency, status=status)
            if lost_answer_draw < config.lost_answer_rate:
                return FaultDecision(delay=config.latency, lost_answer=config.lost_answer)
            return FaultDecision(delay=config.latency)

    def claim_lost_answer(self) -> bool:
        """Count a lost answer about to be injected; False when ``max_faults`` is used up (answer normally)."""
        with self._lock:
            if not self._budget_left():
                return False
            self._injected[LOST_ANSWER] += 1
            return True
