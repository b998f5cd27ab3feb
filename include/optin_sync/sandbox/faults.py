"""Deterministic fault decisions for API requests.

Each decision hashes (fault_seed, API, request number of that API, fault name) into [0, 1), so
a client that sends the same requests in the same order meets the same faults. Concurrent
clients still get a reproducible sequence of decisions, but which request receives which
decision depends on arrival order.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from optin_sync.sandbox.settings import ApiFaults, Settings

# Checked in this order; the first one drawn wins.
ERROR_STATUS_RATES = (
    (408, "error_408_rate"),
    (500, "error_500_rate"),
    (502, "error_502_rate"),
    (503, "error_503_rate"),
)


def unit_fraction(seed: int, *parts: object) -> float:
    """Map the seed and parts to a reproducible number in [0, 1)."""
    text = ":".join(str(part) for part in (seed, *parts))
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True)
class FaultDecision:
    """The faults chosen for one API request before its handler runs.

    At most one of `burst_retry_after`, `error_status`, `connection_reset` and `truncated_body`
    is set. `reset_after_write` applies only when the request changed state.
    """

    latency_seconds: float = 0.0
    burst_retry_after: int | None = None
    error_status: int | None = None
    connection_reset: bool = False
    truncated_body: bool = False
    reset_after_write: bool = False

    @property
    def name(self) -> str | None:
        """Short label of the pre-handler fault, as written to the request log."""
        if self.burst_retry_after is not None:
            return "burst_429"
        if self.error_status is not None:
            return f"error_{self.error_status}"
        if self.connection_reset:
            return "connection_reset"
        if self.truncated_body:
            return "truncated_body"
        return None


class FaultInjector:
    """Draws fault decisions per API and tracks running 429 bursts."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._request_numbers = {"vtex": 0, "woowup": 0}
        self._burst_ends: dict[str, float] = {}

    def decide(self, api: str) -> FaultDecision:
        """Draw the faults for the next request of `api`."""
        faults = self._settings.faults[api]
        with self._lock:
            number = self._request_numbers[api]
            self._request_numbers[api] = number + 1
            burst_retry_after = self._burst_retry_after(api, number, faults)

        def drawn(name: str) -> bool:
            rate = getattr(faults, name)
            return rate > 0 and unit_fraction(self._settings.fault_seed, api, number, name) < rate

        latency = faults.latency_ms / 1000.0
        after_write = drawn("fault_after_write_rate")
        if burst_retry_after is not None:
            return FaultDecision(latency, burst_retry_after=burst_retry_after)
        if drawn("connection_reset_rate"):
            return FaultDecision(latency, connection_reset=True)
        for status, name in ERROR_STATUS_RATES:
            if drawn(name):
                return FaultDecision(latency, error_status=status)
        if drawn("truncated_body_rate"):
            return FaultDecision(latency, truncated_body=True)
        return FaultDecision(latency, reset_after_write=after_write)

    def _burst_retry_after(self, api: str, number: int, faults: ApiFaults) -> int | None:
        """Return Retry-After seconds when a burst is running or starts with this request."""
        now = self._clock()
        end = self._burst_ends.get(api)
        if end is None or now >= end:
            rate = faults.burst_429_rate
            if rate <= 0 or unit_fraction(self._settings.fault_seed, api, number, "burst_429_rate") >= rate:
                return None
            end = now + faults.burst_429_seconds
            self._burst_ends[api] = end
        return max(1, math.ceil(end - now))

    def share_hit(self, name: str, key: object, rate: float) -> bool:
        """Decide a per-object share (such as one customer) that stays fixed until the next reset."""
        return rate > 0 and unit_fraction(self._settings.fault_seed, name, key) < rate
