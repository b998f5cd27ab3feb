"""Weighted sliding-window rate limiter with 30-second segments, as WoowUp enforces it.

A limit of L requests per minute is checked per segment against L/2. The estimate of the
current load is::

    previous_segment_count * (1 - elapsed_in_current_segment / segment_length)
        + current_segment_count

A request is rejected when the estimate is at or above L/2. Rejected requests are not counted.
Segments are aligned to the moment the limiter was created (or last reset).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

SEGMENT_SECONDS = 30.0


class SlidingWindowRateLimiter:
    """Thread-safe limiter of `limit_per_minute` requests.

    `time_scale` divides the segment length: 10 makes a segment last 3 real seconds, so a
    benchmark covers ten minutes of limiter behaviour in one minute. `clock` returns monotonic
    seconds and is injectable for tests.
    """

    def __init__(
        self,
        limit_per_minute: int,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit_per_minute < 1:
            raise ValueError(f"limit_per_minute must be at least 1, got {limit_per_minute}")
        if time_scale <= 0:
            raise ValueError(f"time_scale must be positive, got {time_scale}")
        self.limit_per_minute = limit_per_minute
        self.segment_length = SEGMENT_SECONDS / time_scale
        self._threshold = limit_per_minute / 2
        self._clock = clock
        self._lock = threading.Lock()
        self._origin = clock()
        self._segment_index = 0
        self._current_count = 0
        self._previous_count = 0

    def _advance(self, now: float) -> float:
        """Roll the segments forward to `now` and return the seconds elapsed in the current one."""
        offset = max(0.0, now - self._origin)
        index = int(offset // self.segment_length)
        if index != self._segment_index:
            steps = index - self._segment_index
            self._previous_count = self._current_count if steps == 1 else 0
            self._current_count = 0
            self._segment_index = index
        return offset - index * self.segment_length

    def _estimate(self, elapsed: float) -> float:
        weight = 1.0 - elapsed / self.segment_length
        return self._previous_count * weight + self._current_count

    def estimate(self) -> float:
        """Return the current load estimate without counting a request."""
        with self._lock:
            return self._estimate(self._advance(self._clock()))

    def try_acquire(self) -> int | None:
        """Count one request and return None, or return the Retry-After seconds when rejected."""
        with self._lock:
            elapsed = self._advance(self._clock())
            if self._estimate(elapsed) < self._threshold:
                self._current_count += 1
                return None
            return self._retry_after(elapsed)

    def _retry_after(self, elapsed: float) -> int:
        """Return the whole real seconds (at least 1) until the estimate drops below L/2."""
        wait = self._seconds_until_below(elapsed)

        # floor + 1 rather than ceil: at exactly `wait` the estimate equals L/2, which still rejects.
        return max(1, math.floor(wait) + 1)

    def _seconds_until_below(self, elapsed: float) -> float:
        length = self.segment_length
        threshold = self._threshold
        previous, current = self._previous_count, self._current_count

        # Within the current segment only the previous segment's weight decays.
        if current < threshold and previous > 0:
            needed_elapsed = length * (1.0 - (threshold - current) / previous)
            return max(0.0, needed_elapsed - elapsed)

        # Otherwise the current count becomes the previous one after the boundary and decays there.
        until_boundary = length - elapsed
        needed_in_next = length * (1.0 - threshold / current) if current > 0 else 0.0
        return until_boundary + max(0.0, needed_in_next)

    def reset(self) -> None:
        """Forget all counted requests and start a new first segment now."""
        with self._lock:
            self._origin = self._clock()
            self._segment_index = 0
            self._current_count = 0
            self._previous_count = 0
