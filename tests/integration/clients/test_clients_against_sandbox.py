"""The VTEX and WoowUp clients over real loopback HTTP against the sandbox, with and without faults."""

from __future__ import annotations

import asyncio
import random
from datetime import date

import pytest

from optin_sync.errors import VtexError, WoowUpError
from optin_sync.sources.retry import RetryPolicy
from optin_sync.sources.vtex import VtexClient, VtexCredentials
from optin_sync.sources.woowup import WoowUpClient, WoowUpCredentials

pytestmark = pytest.mark.integration
GENERATE = {"seed": 7, "profiles": 600, "customers": 500, "anchor_date": "2026-12-04",
            "timezone": "America/Argentina/Buenos_Aires"}
FAST_RETRY = RetryPolicy(max_attempts=8, base_seconds=0.01, cap_seconds=0.2, rng=random.Random(1))


def vtex_client(server, **kwargs) -> VtexClient:
    credentials = VtexCredentials(server.credentials.vtex_app_key, server.credentials.vtex_app_token)
    return VtexClient(server.url, credentials, retry=FAST_RETRY, **kwargs)


def woowup_client(server) -> WoowUpClient:
    credentials = WoowUpCredentials(server.credentials.woowup_api_key)
    return WoowUpClient(f"{server.url}/apiv3", credentials, rate_limit_per_minute=100_000, retry=FAST_RETRY)


async def extract(server, **kwargs) -> list[dict]:
    async with vtex_client(server, **kwargs) as client:
        return await client.extract(date(2026, 11, 1), date(2026, 12, 5), parallel=3)


async def all_users(server) -> list[dict]:
    async with woowup_client(server) as client:
        return [user async for page in client.iter_user_pages() for user in page]


def ids(documents: list[dict]) -> set[str]:
    return {document["id"] for document in documents}


def test_scroll_matches_sandbox_window(server):
    server.reset({"generate": GENERATE})
    documents = asyncio.run(extract(server, scroll_size=50))
    assert len(documents) == len(ids(documents))
    assert len(documents) > 100


@pytest.mark.parametrize("fault", ["error_500_rate", "error_503_rate", "error_408_rate", "connection_reset_rate",
                                   "truncated_body_rate", "omit_content_total_rate"])
def test_scroll_survives_fault(server, fault):
    server.reset({"generate": GENERATE})
    expected = ids(asyncio.run(extract(server, scroll_size=50)))
    server.reset({"generate": GENERATE, "settings": {"fault_seed": 3, fault: 0.15}})
    assert ids(asyncio.run(extract(server, scroll_size=50))) == expected


def test_scroll_restarts_after_token_expiry(server):
    server.reset({"generate": GENERATE})
    expected = ids(asyncio.run(extract(server, scroll_size=50)))
    server.reset({"generate": GENERATE, "settings": {"vtex": {"scroll_token_ttl_seconds": 0.05},
                                                      "latency_ms": 30}})
    assert ids(asyncio.run(extract(server, scroll_size=200))) == expected


def test_wrong_vtex_key_fails_fast(server):
    server.reset({"generate": GENERATE})

    async def run():
        async with VtexClient(server.url, VtexCredentials("wrong", "wrong"), retry=FAST_RETRY) as client:
            await client.extract(date(2026, 12, 1), date(2026, 12, 4))

    with pytest.raises(VtexError, match="401"):
        asyncio.run(run())


def test_missing_permission_names_the_fix(server):
    server.reset({"generate": GENERATE, "settings": {"vtex": {"vtex_read_permission": False}}})
    with pytest.raises(VtexError, match="Dynamic Storage read permission"):
        asyncio.run(extract(server))


def test_users_paging_reads_everyone(server):
    server.reset({"generate": GENERATE})
    users = asyncio.run(all_users(server))
    assert len(users) == len(server.state.customers())


@pytest.mark.parametrize("fault", ["error_500_rate", "error_502_rate", "connection_reset_rate",
                                   "truncated_body_rate", "burst_429_rate"])
def test_users_paging_survives_fault(server, fault):
    server.reset({"generate": GENERATE, "settings": {"fault_seed": 5, fault: 0.1, "burst_429_seconds": 1}})
    users = asyncio.run(all_users(server))
    assert sorted(user["userapp_id"] for user in users) == sorted(c["userapp_id"] for c in server.state.customers())


def test_wrong_woowup_key_fails_fast(server):
    server.reset({"generate": GENERATE})

    async def run():
        async with WoowUpClient(f"{server.url}/apiv3", WoowUpCredentials("wrong"), retry=FAST_RETRY) as client:
            await client.find({"email": "x@example.com"})

    with pytest.raises(WoowUpError, match="403"):
        asyncio.run(run())


def test_rejected_write_returns_errors(server):
    server.reset({"woowup": {"users": [{"userapp_id": 1, "email": "ana@gmail.com"}], "custom_attributes": []}})

    async def run():
        async with woowup_client(server) as client:
            return await client.update({"email": "ana@gmail.com", "custom_attributes": {"opt_in_vtex": "True"}})

    outcome = asyncio.run(run())
    assert outcome.status == 400
    assert any("opt_in_vtex" in error for error in outcome.errors)
