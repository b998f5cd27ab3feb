"""Extraction against the sandbox when the account's 10 Master Data scroll slots are taken or headers are missing."""

from __future__ import annotations

import asyncio
import random
from datetime import date

import httpx
import pytest

from optin_sync.sources.retry import RetryPolicy
from optin_sync.sources.vtex import VtexClient, VtexCredentials

pytestmark = pytest.mark.integration

GENERATE = {"seed": 11, "profiles": 400, "customers": 100, "anchor_date": "2026-12-04",
            "timezone": "America/Argentina/Buenos_Aires"}
RETRY = RetryPolicy(max_attempts=8, base_seconds=0.05, cap_seconds=0.2, rng=random.Random(2))


def vtex_headers(server) -> dict[str, str]:
    return {"X-VTEX-API-AppKey": server.credentials.vtex_app_key,
            "X-VTEX-API-AppToken": server.credentials.vtex_app_token}


async def extract(server, **kwargs) -> list[dict]:
    credentials = VtexCredentials(server.credentials.vtex_app_key, server.credentials.vtex_app_token)
    async with VtexClient(server.url, credentials, retry=RETRY, scroll_size=100) as client:
        return await client.extract(date(2026, 11, 1), date(2026, 12, 5), **kwargs)


async def extract_while_slots_held(server, hold_seconds: float) -> list[dict]:
    """Open every scroll slot, start an extraction, and release the slots after ``hold_seconds``."""
    url = f"{server.url}/api/dataentities/CL/scroll"
    async with httpx.AsyncClient(headers=vtex_headers(server), timeout=10) as other:
        tokens = []
        for _ in range(10):
            opened = await other.get(url, params={"_size": "1", "_fields": "id"})
            assert opened.status_code == 200, opened.text
            tokens.append(opened.headers["X-VTEX-MD-TOKEN"])

        async def release() -> None:
            await asyncio.sleep(hold_seconds)
            for token in tokens:
                while (await other.get(url, params={"_token": token})).json():
                    pass

        documents, _ = await asyncio.gather(extract(server, parallel=2), release())
    return documents


def ids(documents: list[dict]) -> set[str]:
    return {document["id"] for document in documents}


def test_extract_waits_for_free_scroll_slot(server):
    server.reset({"generate": GENERATE})
    expected = ids(asyncio.run(extract(server)))

    server.reset({"generate": GENERATE})
    documents = asyncio.run(extract_while_slots_held(server, hold_seconds=0.5))

    assert ids(documents) == expected
    refused = [entry for entry in server.state.requests() if entry["status"] == 400]
    assert refused, "the extraction never met the scroll limit"


def test_extract_never_opens_more_than_ten_scrolls(server):
    server.reset({"generate": GENERATE})
    asyncio.run(extract(server, parallel=10))
    openings = [entry for entry in server.state.requests() if "_token" not in entry["query"]]
    assert len(openings) == 10
    assert all(entry["status"] == 200 for entry in server.state.requests())


def test_first_page_without_total_not_reopened(server):
    server.reset({"generate": GENERATE, "settings": {"vtex": {"omit_content_total_rate": 1.0}}})
    documents = asyncio.run(extract(server, parallel=2))
    openings = [entry for entry in server.state.requests() if "_token" not in entry["query"]]
    assert len(documents) > 0
    assert len(openings) == 2
