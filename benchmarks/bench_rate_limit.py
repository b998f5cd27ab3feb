"""Sustained WoowUp write throughput under the sandbox's sliding-window limit, time-scaled.

A limit of 140 requests per minute with ``time_scale`` 20 makes a 30-second segment last 1.5 s, so one repetition of
12 s covers 8 minutes of limiter behaviour. Four workers share one client and its pacer, as the load step does.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from optin_sync.sandbox import SandboxCredentials, SandboxServer
from optin_sync.sources.retry import RetryPolicy
from optin_sync.sources.woowup import WoowUpClient, WoowUpCredentials

TITLE = "WoowUp write pacing under the sliding-window limit"
LIMIT_PER_MINUTE = 140
TIME_SCALE = 20
SECONDS = 12.0
CONCURRENCY = 4
REPETITIONS = 5
CUSTOMERS = 50


def _world() -> dict:
    users = [{"userapp_id": n, "email": f"c{n}@gmail.com", "mailing_enabled": "enabled"}
             for n in range(1, CUSTOMERS + 1)]
    return {"woowup": {"users": users, "custom_attributes": []},
            "settings": {"woowup": {"rate_limit_per_minute": LIMIT_PER_MINUTE, "time_scale": TIME_SCALE}}}


async def _repetition(server: SandboxServer) -> dict[str, float]:
    client = WoowUpClient(f"{server.url}/apiv3", WoowUpCredentials(server.credentials.woowup_api_key),
                          rate_limit_per_minute=LIMIT_PER_MINUTE * TIME_SCALE, retry=RetryPolicy(max_attempts=10))
    started = time.monotonic()

    async def worker(offset: int) -> None:
        number = offset
        while time.monotonic() - started < SECONDS:
            body = {"email": f"c{number % CUSTOMERS + 1}@gmail.com", "mailing_enabled": "enabled"}
            await client.update(body)
            number += CONCURRENCY

    async with client:
        await asyncio.gather(*(worker(offset) for offset in range(CONCURRENCY)))
    elapsed = time.monotonic() - started
    admitted = client.status_counts.get(200, 0)
    rejected = client.status_counts.get(429, 0)
    limit = LIMIT_PER_MINUTE * TIME_SCALE * elapsed / 60
    return {"share_of_limit": admitted / limit, "share_429": rejected / max(admitted + rejected, 1),
            "writes": admitted}


def run() -> dict:
    """Run the repetitions and return the medians with the targets they are held to."""
    samples = []
    with SandboxServer(credentials=SandboxCredentials.generate()) as server:
        for _ in range(REPETITIONS):
            server.reset(_world())
            samples.append(asyncio.run(_repetition(server)))
    throughput = statistics.median(sample["share_of_limit"] for sample in samples)
    rejected = statistics.median(sample["share_429"] for sample in samples)
    return {
        "title": TITLE,
        "setup": (f"limit {LIMIT_PER_MINUTE}/min, time_scale {TIME_SCALE} (segment {30 / TIME_SCALE:.1f} s), "
                  f"{CONCURRENCY} workers, {SECONDS:.0f} s per repetition, {REPETITIONS} repetitions, median"),
        "rows": [
            ("sustained writes, share of the limit", f"{throughput:.1%}", ">= 95%", throughput >= 0.95),
            ("429 answers, share of requests", f"{rejected:.2%}", "<= 0.5%", rejected <= 0.005),
            ("writes per repetition (median)", f"{statistics.median(s['writes'] for s in samples):.0f}", "", True),
        ],
    }
