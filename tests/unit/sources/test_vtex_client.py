"""The VTEX scroll client over a mock Master Data: request shape, limits and the failures it must tell apart."""

from __future__ import annotations

import asyncio
import random
from datetime import date

import httpx
import pytest

from optin_sync.errors import VtexError
from optin_sync.sources.retry import RetryPolicy
from optin_sync.sources.vtex import NotFound, VtexClient, VtexCredentials

FAST_RETRY = RetryPolicy(max_attempts=4, base_seconds=0.01, cap_seconds=0.05, rng=random.Random(1))
DOCUMENT = {"id": "a1", "email": "ana@gmail.com", "isNewsletterOptIn": True}


class MasterData:
    """A mock scroll endpoint: each opening gets ``first_page``, and the next page of any token is the empty end."""

    def __init__(self, first_page=None, *, openings: list[httpx.Response] | None = None,
                 with_total: bool = True) -> None:
        self.first_page = [DOCUMENT] if first_page is None else first_page
        self.openings = list(openings or [])
        self.with_total = with_total
        self.requests: list[httpx.Request] = []
        self.tokens_read: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.url.params.get("_token")
        if token is not None:
            self.tokens_read.add(token)
            return httpx.Response(200, json=[], headers={"X-VTEX-MD-TOKEN": token})
        if self.openings:
            return self.openings.pop(0)
        headers = {"X-VTEX-MD-TOKEN": f"token-{len(self.requests)}"}
        if self.with_total:
            headers["REST-Content-Total"] = str(len(self.first_page))
        return httpx.Response(200, json=self.first_page, headers=headers)

    def opening_params(self) -> list[httpx.QueryParams]:
        return [request.url.params for request in self.requests if "_token" not in request.url.params]


def extract(master_data: MasterData, *, first=date(2026, 11, 1), last=date(2026, 12, 4), **kwargs) -> list[dict]:
    async def run():
        client = VtexClient("http://vtex.test", VtexCredentials("key", "token"), retry=FAST_RETRY,
                            transport=httpx.MockTransport(master_data))
        async with client:
            return await client.extract(first, last, **kwargs)

    return asyncio.run(run())


def test_scroll_sends_size_and_explicit_fields():
    master_data = MasterData()
    extract(master_data)
    for params in master_data.opening_params():
        assert int(params["_size"]) <= 1000
        assert "_all" not in params["_fields"]
        assert {"id", "isNewsletterOptIn", "updatedIn", "createdIn", "homePhone"} <= set(params["_fields"].split(","))
        assert params["_sort"] == "id ASC"


def test_scroll_size_over_1000_rejected():
    with pytest.raises(ValueError, match="1..1000"):
        VtexClient("http://vtex.test", VtexCredentials("key", "token"), scroll_size=1001)


def test_extract_defaults_to_two_scrolls():
    master_data = MasterData()
    extract(master_data)
    assert len(master_data.opening_params()) == 2


def test_extract_never_opens_more_than_ten_scrolls():
    master_data = MasterData()
    extract(master_data, parallel=25)
    assert len(master_data.opening_params()) == 10


def test_extract_sub_windows_cover_days_once():
    master_data = MasterData()
    extract(master_data, parallel=3)
    wheres = [params["_where"] for params in master_data.opening_params()]
    assert len(set(wheres)) == 3


def test_full_refresh_is_one_unfiltered_scroll():
    master_data = MasterData()
    extract(master_data, first=None, last=None, parallel=4)
    assert [("_where" in params) for params in master_data.opening_params()] == [False]


def test_500_not_found_is_not_retried():
    master_data = MasterData(openings=[httpx.Response(500, json={"Message": "Documento a1 não encontrado"})])
    with pytest.raises(NotFound):
        extract(master_data, parallel=1)
    assert len(master_data.requests) == 1


def test_plain_500_is_retried():
    master_data = MasterData(openings=[httpx.Response(500, json={"Message": "Internal server error"})])
    assert extract(master_data, parallel=1) == [DOCUMENT]


def test_missing_total_on_empty_page_asked_again():
    empty = httpx.Response(200, json=[], headers={"X-VTEX-MD-TOKEN": "t"})
    master_data = MasterData(openings=[empty])
    assert extract(master_data, parallel=1) == [DOCUMENT]
    assert len(master_data.opening_params()) == 2


def test_missing_total_with_documents_keeps_scroll():
    master_data = MasterData(with_total=False)
    assert extract(master_data, parallel=1) == [DOCUMENT]
    assert len(master_data.opening_params()) == 1


def test_too_many_scrolls_waits_and_retries():
    busy = [httpx.Response(400, json={"Message": "Maximum simultaneous scrolls rate exceeded (10)"})] * 5
    master_data = MasterData(openings=busy)
    assert extract(master_data, parallel=1) == [DOCUMENT]
    assert len(master_data.opening_params()) == 6


def test_expired_token_restarts_scroll():
    master_data = MasterData()
    expired = httpx.Response(400, json={"Message": "Operation not found for this token."})
    original = master_data.__call__

    def first_continuation_expires(request: httpx.Request) -> httpx.Response:
        if "_token" in request.url.params and not master_data.tokens_read:
            master_data.tokens_read.add("expired")
            return expired
        return original(request)

    async def run():
        client = VtexClient("http://vtex.test", VtexCredentials("key", "token"), retry=FAST_RETRY,
                            transport=httpx.MockTransport(first_continuation_expires))
        async with client:
            return await client.extract(date(2026, 12, 1), date(2026, 12, 2), parallel=1)

    assert asyncio.run(run()) == [DOCUMENT]
    assert len(master_data.opening_params()) == 2


def test_bad_filter_fails_without_retry():
    master_data = MasterData(openings=[httpx.Response(400, json={"Message": "Field foo is not filterable"})])
    with pytest.raises(VtexError, match="not filterable"):
        extract(master_data, parallel=1)
    assert len(master_data.requests) == 1
