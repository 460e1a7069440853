"""Retry policy and back-off bookkeeping for every request syncd sends to Zotero.

One place decides what is worth retrying (429, 409 "library locked", 500/502/503/504,
connection errors and timeouts), how long to wait (exponential back-off with full
jitter, never shorter than a server's ``Retry-After``) and when to give up (a total
time budget per operation, then ``ApiUnavailableError``, exit 75).

``Backoff`` headers are different from ``Retry-After``: the server may send them on a
successful response, asking the client to hold its *next* request. ``BackoffGate``
records them and is shared by all worker threads of one client, because the server
rate-limits the key, not the thread.

The clock and the sleep function are injectable so the policy can be tested without
waiting; tenacity accepts our sleep, and the budget is measured on our clock rather
than tenacity's own, for the same reason.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx2
import tenacity

from syncd.errors import ApiUnavailableError

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({409, 429, 500, 502, 503, 504})

# Added to every server-requested pause: the header counts whole seconds from the
# server's own moment of decision, which precedes our receipt of the response.
PAUSE_MARGIN = 0.05

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before declaring the API unavailable.

    ``max_elapsed`` is the budget for one operation (first attempt included) in
    seconds; a wait that would end past it is not started.
    """

    max_elapsed: float = 300.0
    max_attempts: int = 12
    base_delay: float = 1.0
    max_delay: float = 60.0


class RetryableStatus(Exception):
    """A response whose status says "try again later".

    Raised from the transport, before pyzotero sees the response, so that
    pyzotero's own 429 handling (sleeping in place, or parsing the error body as
    JSON in ``create_items``) never runs and our policy is the only one.
    """

    def __init__(self, method: str, path: str, status: int, retry_after: float | None) -> None:
        super().__init__(f"{method} {path} answered {status}")
        self.method = method
        self.path = path
        self.status = status
        self.retry_after = retry_after


def parse_seconds(value: str | None) -> float | None:
    """Read a ``Retry-After``/``Backoff`` value given in seconds; ignore anything else."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        # An HTTP-date is allowed by RFC 9110 but Zotero sends seconds; a date
        # falls back to our own exponential wait.
        return None
    return seconds if seconds >= 0 else None


class BackoffGate:
    """Holds every request of one client until a server-requested pause is over."""

    def __init__(self, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._until = 0.0

    def pause(self, seconds: float) -> None:
        """Ask that no request start within ``seconds`` (plus a margin) from now."""
        with self._lock:
            self._until = max(self._until, self._clock() + seconds + PAUSE_MARGIN)

    def remaining(self) -> float:
        with self._lock:
            return max(0.0, self._until - self._clock())

    def wait(self) -> None:
        # Loop because another thread may extend the pause while we sleep.
        while (left := self.remaining()) > 0:
            self._sleep(left)


def is_retryable(exc: BaseException) -> bool:
    """Whether an exception from one attempt is worth another attempt."""
    return isinstance(exc, RetryableStatus | httpx2.TransportError)


def describe(exc: BaseException) -> str:
    """A short, key-free description of a failed attempt for logs and messages."""
    if isinstance(exc, RetryableStatus):
        return str(exc)
    if isinstance(exc, httpx2.TransportError):
        return f"{type(exc).__name__} ({exc})" if str(exc) else type(exc).__name__
    return type(exc).__name__


class _Wait:
    """Exponential back-off with full jitter, floored by the server's Retry-After."""

    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        self._policy = policy
        self._rng = rng

    def __call__(self, state: tenacity.RetryCallState) -> float:
        ceiling = min(
            self._policy.max_delay, self._policy.base_delay * 2 ** (state.attempt_number - 1)
        )
        delay = self._rng.uniform(0, ceiling)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
            delay = max(delay, exc.retry_after + PAUSE_MARGIN)
        return delay


class _Stop:
    """Stop when attempts run out or the next wait would overrun the time budget."""

    def __init__(self, policy: RetryPolicy, clock: Clock, started: float) -> None:
        self._policy = policy
        self._clock = clock
        self._started = started

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= self._policy.max_attempts:
            return True
        elapsed = self._clock() - self._started
        return elapsed + state.upcoming_sleep > self._policy.max_elapsed


class Retrier:
    """Runs one operation under a ``RetryPolicy``; shared by the threads of a client."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self.gate = BackoffGate(clock, sleep)
        self._rng = rng or random.Random()
        self._local = threading.local()

    @property
    def attempt(self) -> int:
        """The attempt number of the operation running on this thread (for logs)."""
        return int(getattr(self._local, "attempt", 1))

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run ``fn`` until it succeeds, fails for good, or the budget is spent.

        ``what`` names the operation in messages ("GET users/1/items"). Errors
        that are not retryable propagate unchanged on the first occurrence.
        """

        attempts = 0

        def attempt() -> T:
            nonlocal attempts
            attempts += 1
            self._local.attempt = attempts
            self.gate.wait()
            return fn()

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
                # Everyone on this key is throttled, not only this thread.
                self.gate.pause(exc.retry_after)
            log.info(
                "%s: attempt %d failed (%s); retrying in %.2fs",
                what,
                state.attempt_number,
                describe(exc) if exc else "?",
                state.upcoming_sleep,
            )

        retrying = tenacity.Retrying(
            sleep=self.sleep,
            stop=_Stop(self.policy, self.clock, self.clock()),
            wait=_Wait(self.policy, self._rng),
            retry=tenacity.retry_if_exception(is_retryable),
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except (RetryableStatus, httpx2.TransportError) as exc:
            raise ApiUnavailableError(
                f"the Zotero API stayed unavailable for {what}: gave up after "
                f"{attempts} attempt(s), last error {describe(exc)}",
                hint="try again later (the daemon retries by itself); "
                "check the network or https://status.zotero.org if this persists",
            ) from exc
        finally:
            self._local.attempt = 1
