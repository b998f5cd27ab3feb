"""The WoowUp sliding-window limiter: exact estimates, rejections and Retry-After values."""

import pytest

from optin_sync.sandbox.ratelimit import SlidingWindowRateLimiter


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def admit(limiter: SlidingWindowRateLimiter, count: int) -> None:
    for number in range(count):
        assert limiter.try_acquire() is None, f"request {number + 1} of {count} was rejected"


def test_limiter_admits_half_limit_per_segment():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)

    admit(limiter, 70)

    assert limiter.try_acquire() is not None
    assert limiter.estimate() == 70


def test_limiter_rejection_is_not_counted():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    admit(limiter, 70)

    for _ in range(5):
        limiter.try_acquire()

    assert limiter.estimate() == 70


def test_limiter_retry_after_within_full_segment():
    # 70 requests at elapsed 0: 30 s remain in the segment, and at the boundary the estimate
    # is still exactly 70, so the first second that admits is 31.
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    admit(limiter, 70)

    assert limiter.try_acquire() == 31


def test_limiter_retry_after_counts_remaining_segment():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    admit(limiter, 70)
    clock.advance(12.5)

    # Boundary in 17.5 s; then 70 * (1 - e/30) < 70 for any e > 0, so floor(17.5) + 1.
    assert limiter.try_acquire() == 18


def test_limiter_weighted_estimate_formula():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    admit(limiter, 60)
    clock.advance(30 + 7.5)
    admit(limiter, 10)

    # previous 60 * (1 - 7.5/30) + current 10 = 55
    assert limiter.estimate() == pytest.approx(55.0)


def test_limiter_retry_after_from_previous_segment_decay():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    admit(limiter, 70)
    clock.advance(30)
    admit(limiter, 0)
    # At elapsed 0 of segment 2: estimate 70, rejected. 70 * (1 - e/30) + 0 < 70 needs e > 0.
    assert limiter.try_acquire() == 1

    clock.advance(6)
    # estimate = 70 * 0.8 = 56, so 14 more are admitted, reaching exactly 70.
    admit(limiter, 14)
    # 70 * (1 - e/30) + 14 < 70 needs e > 6: already at 6, so the wait is 0 and Retry-After is 1.
    assert limiter.try_acquire() == 1

    clock.advance(0.5)
    # Now estimate = 70 * (1 - 6.5/30) + 14 = 68.83, admitted.
    assert limiter.try_acquire() is None


def test_limiter_retry_after_across_boundary():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    clock.advance(29)
    admit(limiter, 70)

    # Boundary in 1 s; there 70 * (1 - e/30) < 70 for any e > 0, so floor(1.0) + 1 = 2.
    assert limiter.try_acquire() == 2


def test_limiter_retry_after_exact_decay_time():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(100, clock=clock)
    admit(limiter, 50)
    clock.advance(30)
    clock.advance(3)
    # estimate = 50 * 0.9 = 45, so 5 are admitted.
    admit(limiter, 5)
    # 50 * (1 - e/30) + 5 < 50 needs e > 3: wait 0, Retry-After 1.
    assert limiter.try_acquire() == 1
    clock.advance(1)
    # estimate = 50 * (1 - 4/30) + 5 = 48.33 < 50, admitted.
    assert limiter.try_acquire() is None


def test_limiter_retry_after_honoured_by_next_request():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    clock.advance(10)
    admit(limiter, 70)

    retry_after = limiter.try_acquire()
    clock.advance(retry_after)

    assert limiter.try_acquire() is None


def test_limiter_old_segments_forgotten():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    admit(limiter, 70)
    clock.advance(60)

    assert limiter.estimate() == 0


def test_limiter_time_scale_shortens_segment():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, time_scale=10, clock=clock)
    admit(limiter, 70)

    assert limiter.segment_length == pytest.approx(3.0)
    assert limiter.try_acquire() == 4
    clock.advance(3.01)
    assert limiter.try_acquire() is None


def test_limiter_odd_limit_threshold():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(7, clock=clock)

    # L/2 = 3.5: the fourth request meets an estimate of 3 and is admitted, the fifth meets 4.
    admit(limiter, 4)
    assert limiter.try_acquire() is not None


def test_limiter_reset_forgets_counts():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(140, clock=clock)
    admit(limiter, 70)

    limiter.reset()

    assert limiter.try_acquire() is None


@pytest.mark.parametrize(("limit", "scale"), [(0, 1.0), (140, 0.0)])
def test_limiter_rejects_invalid_configuration(limit, scale):
    with pytest.raises(ValueError):
        SlidingWindowRateLimiter(limit, time_scale=scale)
