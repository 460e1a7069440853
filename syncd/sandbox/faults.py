"""Fault injection for the sandbox: which request fails, and how.

A :class:`FaultPlan` says how often each fault happens; :class:`FaultDice` turns it
into decisions. The dice hold one seeded ``random.Random`` and draw exactly two
numbers for every request the plan applies to (one for the fault, one for the
``Backoff`` header), under a lock, whatever the rates are. So the same plan and the
same sequence of requests give the same faults, which is what makes a failing
retry test replayable.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Literal

from syncd.errors import UsageError

FaultKind = Literal["429", "500", "503", "reset_before", "reset_after_commit"]
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """How often the sandbox misbehaves. Rates are probabilities per request."""

    seed: int = 0
    rate_429: float = 0.0
    retry_after: int = 1  # whole seconds, as the real server sends; 0 keeps tests fast
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_reset_before: float = 0.0  # connection reset before a write is processed
    rate_reset_after_commit: float = 0.0  # write applied, then the connection reset
    backoff_rate: float = 0.0  # `Backoff: N` on an otherwise normal response
    backoff_seconds: int = 1
    latency_ms: int = 0
    apply_to: tuple[str, ...] = ("GET", "POST", "PATCH", "PUT", "DELETE")

    def __post_init__(self) -> None:
        rates = {
            "rate_429": self.rate_429,
            "rate_500": self.rate_500,
            "rate_503": self.rate_503,
            "rate_reset_before": self.rate_reset_before,
            "rate_reset_after_commit": self.rate_reset_after_commit,
            "backoff_rate": self.backoff_rate,
        }
        for name, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise UsageError(f"FaultPlan.{name} must be between 0 and 1, not {rate}")
        fault_total = sum(v for k, v in rates.items() if k != "backoff_rate")
        if fault_total > 1.0 + 1e-9:
            raise UsageError(
                f"FaultPlan fault rates add up to {fault_total:.3f}",
                hint="429, 500, 503 and reset rates are exclusive and must sum to at most 1",
            )
        for name in ("retry_after", "backoff_seconds", "latency_ms"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise UsageError(f"FaultPlan.{name} must be a whole number >= 0, not {value!r}")


@dataclass(frozen=True, slots=True)
class FaultDecision:
    fault: FaultKind | None = None
    backoff: int | None = None  # seconds for a `Backoff` header
    latency_ms: int = 0


NO_FAULT = FaultDecision()


class FaultDice:
    """Thread-safe, replayable fault decisions for one sandbox."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self._plan = plan or FaultPlan()
        self._rng = random.Random(self._plan.seed)

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    @plan.setter
    def plan(self, plan: FaultPlan) -> None:
        # A new plan restarts the sequence from its seed so a test can replay it.
        with self._lock:
            self._plan = plan
            self._rng = random.Random(plan.seed)

    def draw(self, method: str) -> FaultDecision:
        with self._lock:
            plan = self._plan
            if method not in plan.apply_to:
                return NO_FAULT
            fault_roll = self._rng.random()
            backoff_roll = self._rng.random()
        fault: FaultKind | None = None
        edge = 0.0
        is_write = method in WRITE_METHODS
        choices: list[tuple[FaultKind, float]] = [
            ("429", plan.rate_429),
            ("500", plan.rate_500),
            ("503", plan.rate_503),
            ("reset_before", plan.rate_reset_before if is_write else 0.0),
            ("reset_after_commit", plan.rate_reset_after_commit if is_write else 0.0),
        ]
        for kind, rate in choices:
            edge += rate
            if fault_roll < edge:
                fault = kind
                break
        backoff = plan.backoff_seconds if backoff_roll < plan.backoff_rate else None
        if fault is None and backoff is None and plan.latency_ms == 0:
            return NO_FAULT
        return FaultDecision(fault, backoff, plan.latency_ms)
