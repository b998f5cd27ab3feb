"""Client-side pacing that keeps WoowUp's sliding-window rate limit from returning 429."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class SlidingWindowPacer:
    """Space requests evenly so that WoowUp's weighted sliding window never reaches its limit.

    WoowUp checks each 30-second segment against half the per-minute limit, with the previous segment weighted by
    the share of it still inside the last 30 seconds. At a steady rate ``r`` per second that estimate settles at
    ``30 * r``, so pacing at ``headroom * limit / 60`` per second keeps it below the limit whatever the server's
    segment boundaries are. A burst of ``burst`` requests is allowed on top, which the headroom must absorb.

    When a 429 arrives anyway (another client of the same account, a clock step), ``on_rate_limited`` lowers the
    rate by ``backoff_factor`` and blocks every caller until ``Retry-After`` has passed; each success after that
    recovers a little of the lost rate.

    Args:
        limit_per_minute: the account's limit, 140 by default on WoowUp.
        headroom: the share of the limit to use; 0.96 leaves room for the burst and for jitter.
        burst: requests that may go at once after an idle spell.
        clock: monotonic clock in seconds; tests pass a fake one.
    """

    def __init__(
        self,
        limit_per_minute: float,
        *,
        headroom: float = 0.96,
        burst: int = 1,
        backoff_factor: float = 0.8,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit_per_minute <= 0:
            raise ValueError(f"limit_per_minute must be positive, got {limit_per_minute}")
        self._full_rate = headroom * limit_per_minute / 60.0
        self._rate = self._full_rate
        self._burst = max(1, burst)
        self._backoff_factor = backoff_factor
        self._clock = clock
        self._tokens = float(self._burst)
        self._updated = clock()
        self._blocked_until = 0.0
        self._lock = asyncio.Lock()
        self.rate_limited_count = 0

    @property
    def rate_per_second(self) -> float:
        return self._rate

    def _refill(self, now: float) -> None:
        self._tokens = min(float(self._burst), self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    def reserve(self) -> float:
        """Take one slot and return how long the caller must wait before sending (no sleeping here)."""
        now = self._clock()
        self._refill(now)
        self._tokens -= 1.0
        wait = 0.0 if self._tokens >= 0 else -self._tokens / self._rate
        return max(wait, self._blocked_until - now)

    async def acquire(self) -> None:
        async with self._lock:
            wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)

    def on_rate_limited(self, retry_after: float | None) -> None:
        """Slow down after a 429 and hold every caller until ``retry_after`` seconds have passed."""
        self.rate_limited_count += 1
        now = self._clock()
        self._rate = max(self._full_rate * 0.25, self._rate * self._backoff_factor)
        pause = retry_after if retry_after is not None else 60.0 / max(self._full_rate * 60.0, 1.0)
        self._blocked_until = max(self._blocked_until, now + pause)
        self._tokens = min(self._tokens, 0.0)
        log.warning("woowup rate limited count=%d retry_after=%s new_rate_per_min=%.1f",
                    self.rate_limited_count, retry_after, self._rate * 60)

    def on_success(self) -> None:
        if self._rate < self._full_rate:
            self._rate = min(self._full_rate, self._rate * 1.02)
