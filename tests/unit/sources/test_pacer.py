"""The client pacer against the sandbox's copy of WoowUp's sliding window, on a fake clock."""

from __future__ import annotations

import pytest

from optin_sync.sandbox.ratelimit import SlidingWindowRateLimiter
from optin_sync.sources.limiter import SlidingWindowPacer


class FakeClock:
    def __init__(self, now: float = 500.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def run_paced(limit: int, seconds: float, *, start_offset: float, latency: float = 0.0) -> tuple[int, int]:
    """Send back-to-back paced requests for ``seconds``; return (admitted, rejected)."""
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(limit, clock=clock)
    clock.now += start_offset
    pacer = SlidingWindowPacer(limit, clock=clock)
    admitted = rejected = 0
    end = clock.now + seconds
    while clock.now < end:
        clock.now += pacer.reserve()
        retry_after = limiter.try_acquire()
        if retry_after is None:
            admitted += 1
            pacer.on_success()
        else:
            rejected += 1
            pacer.on_rate_limited(retry_after)
        clock.now += latency
    return admitted, rejected


@pytest.mark.parametrize("limit", [140, 600, 2000])
@pytest.mark.parametrize("start_offset", [0.0, 7.3, 29.9])
def test_pacer_sustained_load_meets_limit(limit, start_offset):
    minutes = 20
    admitted, rejected = run_paced(limit, minutes * 60, start_offset=start_offset)
    assert rejected <= 0.005 * (admitted + rejected), f"{rejected} rejected of {admitted + rejected}"
    assert admitted >= 0.95 * limit * minutes, f"{admitted} admitted of a limit of {limit * minutes}"


def test_pacer_with_latency_stays_under_limit():
    admitted, rejected = run_paced(140, 600, start_offset=3.0, latency=0.05)
    assert rejected == 0
    assert admitted >= 0.95 * 140 * 10


def test_pacer_holds_callers_for_retry_after():
    clock = FakeClock()
    pacer = SlidingWindowPacer(140, clock=clock)
    pacer.reserve()
    pacer.on_rate_limited(7.0)
    assert pacer.reserve() >= 7.0


def test_pacer_slows_down_after_rate_limit():
    clock = FakeClock()
    pacer = SlidingWindowPacer(140, clock=clock)
    full = pacer.rate_per_second
    pacer.on_rate_limited(1.0)
    assert pacer.rate_per_second < full


def test_pacer_recovers_rate_after_successes():
    clock = FakeClock()
    pacer = SlidingWindowPacer(140, clock=clock)
    full = pacer.rate_per_second
    pacer.on_rate_limited(1.0)
    for _ in range(50):
        pacer.on_success()
    assert pacer.rate_per_second == pytest.approx(full)


def test_pacer_rejects_non_positive_limit():
    with pytest.raises(ValueError, match="limit_per_minute"):
        SlidingWindowPacer(0)
