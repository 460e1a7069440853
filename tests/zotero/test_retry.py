"""Retry policy with a fake clock: budget, attempts, Retry-After floor, gate."""

from __future__ import annotations

import random
from collections.abc import Iterator

import httpx2
import pytest
from fake_clock import FakeClock

from syncd.errors import ApiError, ApiUnavailableError
from syncd.zotero.retry import (
    PAUSE_MARGIN,
    BackoffGate,
    Retrier,
    RetryableStatus,
    RetryPolicy,
    parse_seconds,
)


def make(policy: RetryPolicy, clock: FakeClock) -> Retrier:
    return Retrier(policy, clock=clock, sleep=clock.sleep, rng=random.Random(1))


def test_budget_exhaustion_raises_api_unavailable() -> None:
    clock = FakeClock()
    retrier = make(RetryPolicy(max_elapsed=30, max_attempts=100, base_delay=1, max_delay=8), clock)
    calls = 0

    def always_503() -> None:
        nonlocal calls
        calls += 1
        raise RetryableStatus("GET", "/users/1/items", 503, None)

    with pytest.raises(ApiUnavailableError) as err:
        retrier.call("GET users/1/items", always_503)
    assert err.value.exit_code == 75
    assert "503" in str(err.value)
    assert clock.now <= 30
    assert calls == len(clock.sleeps) + 1
    assert calls > 3


def test_attempt_limit() -> None:
    clock = FakeClock()
    retrier = make(RetryPolicy(max_elapsed=1e9, max_attempts=4, base_delay=0.1), clock)
    calls = 0

    def reset() -> None:
        nonlocal calls
        calls += 1
        raise httpx2.ConnectError("connection reset")

    with pytest.raises(ApiUnavailableError, match="ConnectError"):
        retrier.call("POST users/1/items", reset)
    assert calls == 4


def test_retry_after_is_a_floor_and_success_returns_value() -> None:
    clock = FakeClock()
    retrier = make(RetryPolicy(base_delay=0.01, max_delay=0.02), clock)
    answers: Iterator[RetryableStatus | str] = iter(
        [RetryableStatus("GET", "/x", 429, 7.0), RetryableStatus("GET", "/x", 500, None), "ok"]
    )

    def flaky() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert retrier.call("GET x", flaky) == "ok"
    assert clock.sleeps[0] >= 7.0
    assert clock.sleeps[1] <= 0.02 + 1e-9


def test_waits_grow_exponentially_but_stay_under_max_delay() -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_elapsed=1e9, max_attempts=12, base_delay=1, max_delay=5)
    retrier = make(policy, clock)

    def fail() -> None:
        raise RetryableStatus("GET", "/x", 502, None)

    with pytest.raises(ApiUnavailableError):
        retrier.call("GET x", fail)
    assert len(clock.sleeps) == 11
    assert all(0 <= s <= 5 for s in clock.sleeps)
    assert clock.sleeps[0] <= 1


def test_non_retryable_errors_propagate_at_once() -> None:
    clock = FakeClock()
    retrier = make(RetryPolicy(), clock)
    calls = 0

    def forbidden() -> None:
        nonlocal calls
        calls += 1
        raise ApiError("nope", status=400)

    with pytest.raises(ApiError, match="nope") as err:
        retrier.call("GET x", forbidden)
    assert not isinstance(err.value, ApiUnavailableError)
    assert calls == 1
    assert clock.sleeps == []


def test_wait_never_starts_past_the_budget() -> None:
    clock = FakeClock()
    retrier = make(RetryPolicy(max_elapsed=10, base_delay=0.01), clock)

    def throttled() -> None:
        raise RetryableStatus("GET", "/x", 429, 60.0)

    with pytest.raises(ApiUnavailableError):
        retrier.call("GET x", throttled)
    assert clock.sleeps == []


def test_gate_holds_requests_until_the_pause_ends() -> None:
    clock = FakeClock()
    gate = BackoffGate(clock, clock.sleep)
    gate.pause(3)
    gate.pause(1)  # a shorter pause never shortens a longer one
    gate.wait()
    assert clock.now == pytest.approx(3 + PAUSE_MARGIN)
    gate.wait()
    assert clock.sleeps == [pytest.approx(3 + PAUSE_MARGIN)]


def test_retry_after_pauses_the_shared_gate() -> None:
    clock = FakeClock()
    retrier = make(RetryPolicy(base_delay=0.01), clock)
    answers = iter([RetryableStatus("GET", "/x", 429, 2.0), None])

    def once() -> None:
        answer = next(answers)
        if answer is not None:
            raise answer

    retrier.call("GET x", once)
    # The retry slept at least Retry-After; the gate then had nothing left to wait.
    assert clock.now >= 2.0
    assert retrier.gate.remaining() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1.0),
        (" 2.5 ", 2.5),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("-1", None),
    ],
)
def test_parse_seconds(raw: str | None, expected: float | None) -> None:
    assert parse_seconds(raw) == expected
