"""Retry policy shared by the VTEX and WoowUp clients: which failures are transient and how long to wait."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

import httpx

log = logging.getLogger(__name__)

# Statuses worth another attempt: timeouts, rate limits and server errors.
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

# Network failures that may pass on their own: refused or reset connections, timeouts, half-written responses.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.TransportError,
    httpx.DecodingError,
)


@dataclass(slots=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter that honours ``Retry-After``.

    Args:
        max_attempts: attempts per request, the first included.
        base_seconds: the first backoff step; step n waits up to ``min(base * 2**n, cap)``.
        cap_seconds: the longest single wait.
        rng: source of jitter; tests pass a seeded one.
    """

    max_attempts: int = 6
    base_seconds: float = 0.5
    cap_seconds: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Return the seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        if retry_after is not None:
            # A little jitter on top keeps parallel workers from returning in the same instant.
            return min(retry_after, self.cap_seconds) + self.rng.uniform(0, 0.25)
        ceiling = min(self.base_seconds * (2 ** (attempt - 1)), self.cap_seconds)
        return self.rng.uniform(ceiling / 2, ceiling)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Return the ``Retry-After`` header in seconds, or None when absent or not a number of seconds."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


async def sleep(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
