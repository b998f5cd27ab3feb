"""VTEX Master Data client: scrolls the CL entity over a window of days, with retries and restarts."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

from optin_sync.errors import VtexError
from optin_sync.sources.retry import (
    TRANSIENT_ERRORS,
    TRANSIENT_STATUSES,
    RetryPolicy,
    retry_after_seconds,
    sleep,
)

log = logging.getLogger(__name__)

BASE_FIELDS: tuple[str, ...] = (
    "id",
    "email",
    "isNewsletterOptIn",
    "document",
    "documentType",
    "firstName",
    "lastName",
    "createdIn",
    "updatedIn",
)
EXPIRED_TOKEN_MARK = "operation not found for this token"
TOO_MANY_SCROLLS_MARK = "maximum simultaneous scrolls"
NOT_FOUND_MARK = "não encontrado"
MAX_SCROLL_RESTARTS = 10


@dataclass(frozen=True, slots=True)
class VtexCredentials:
    """App key and token of a VTEX account; ``repr`` never shows them."""

    app_key: str = field(repr=False)
    app_token: str = field(repr=False)

    def headers(self) -> dict[str, str]:
        return {"X-VTEX-API-AppKey": self.app_key, "X-VTEX-API-AppToken": self.app_token}


class _ScrollExpired(Exception):
    """The scroll cannot go on (expired token, or a page lost in transit); it starts again from its first page."""


class NotFound(VtexError):
    """Master Data returned that the document does not exist (a 500 saying ``não encontrado``)."""


def day_where(first: date, last: date) -> str:
    """Return the ``_where`` clause for documents changed, or created and never changed, in ``[first, last]``."""
    span = f"between {first.isoformat()} AND {last.isoformat()}"
    return f"(updatedIn {span}) OR (updatedIn is null AND createdIn {span})"


def split_days(first: date, last: date, parts: int) -> list[tuple[date, date]]:
    """Split the inclusive day range into at most ``parts`` contiguous, non-overlapping ranges."""
    total = (last - first).days + 1
    parts = max(1, min(parts, total))
    size, extra = divmod(total, parts)
    ranges = []
    start = first
    for index in range(parts):
        length = size + (1 if index < extra else 0)
        end = start + timedelta(days=length - 1)
        ranges.append((start, end))
        start = end + timedelta(days=1)
    return ranges


class VtexClient:
    """Reads CL documents with Master Data's scroll API.

    Args:
        base_url: the account's base URL, e.g. ``https://{account}.vtexcommercestable.com.br``.
        credentials: app key and token.
        fields: CL fields to read; ``id``, the opt-in, dates and the phone fields are always included.
        scroll_size: documents per scroll page, at most 1000.
        timeout_seconds: connect and read timeout per request.
        retry: backoff policy for transient failures.
        transport: an httpx transport seam for tests.
    """

    def __init__(
        self,
        base_url: str,
        credentials: VtexCredentials,
        *,
        phone_fields: Sequence[str] = ("phone", "homePhone", "cellPhone"),
        scroll_size: int = 1000,
        timeout_seconds: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not 1 <= scroll_size <= 1000:
            raise ValueError(f"scroll_size must be 1..1000 (Master Data's limit), got {scroll_size}")
        self.fields = tuple(dict.fromkeys([*BASE_FIELDS, *phone_fields]))
        self.scroll_size = scroll_size
        self.retry = retry or RetryPolicy()
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/api/dataentities/CL",
            headers={**credentials.headers(), "Accept": "application/json"},
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
        )
        self.request_count = 0

    async def __aenter__(self) -> VtexClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def extract(self, first: date | None, last: date | None, *, parallel: int = 2) -> list[dict]:
        """Return every document changed in the inclusive day range, de-duplicated by ``id``.

        ``first``/``last`` None reads the whole entity (a full refresh). The range is split into ``parallel``
        sub-ranges scrolled at once; Master Data allows 10 open scrolls per account.
        """
        if first is None or last is None:
            wheres: list[str | None] = [None]
        else:
            wheres = [day_where(a, b) for a, b in split_days(first, last, min(parallel, 10))]

        started = time.monotonic()
        pages = await asyncio.gather(*(self.scroll(where) for where in wheres))
        documents: dict[str, dict] = {}
        for page in pages:
            for document in page:
                documents[str(document.get("id"))] = document
        log.info("vtex extract done scrolls=%d documents=%d requests=%d seconds=%.1f",
                 len(wheres), len(documents), self.request_count, time.monotonic() - started)
        return list(documents.values())

    async def scroll(self, where: str | None) -> list[dict]:
        """Scroll one filter to its end, starting again when the token expires."""
        for restart in range(MAX_SCROLL_RESTARTS + 1):
            try:
                return await self._scroll_once(where)
            except _ScrollExpired as exc:
                # NOTE: after a lost page the abandoned scroll stays open on Master Data until its token expires
                # (10 to 20 minutes), so frequent lost pages can use up the account's 10 scroll slots.
                log.warning("vtex scroll restarted restart=%d cause=%s", restart + 1, exc)
        raise VtexError(
            f"scroll token expired {MAX_SCROLL_RESTARTS + 1} times in a row; Master Data is too slow for the "
            "scroll size: lower OPTIN_SYNC_VTEX_SCROLL_SIZE or retry later"
        )

    async def _scroll_once(self, where: str | None) -> list[dict]:
        params = {"_size": str(self.scroll_size), "_fields": ",".join(self.fields), "_sort": "id ASC"}
        if where:
            params["_where"] = where
        response = await self._first_scroll_page(params)
        token = response.headers.get("X-VTEX-MD-TOKEN")
        total = response.headers.get("REST-Content-Total")
        documents = _json_list(response)
        if not documents:
            # An empty first page is already the end, and Master Data drops the token at once.
            return documents
        if not token:
            raise VtexError("scroll response has no X-VTEX-MD-TOKEN header, so the scroll cannot continue")

        while True:
            response = await self._get("/scroll", {"_token": token}, scroll=True)
            page = _json_list(response)
            if not page:
                break
            documents.extend(page)
            if len(documents) % (self.scroll_size * 20) < len(page):
                log.info("vtex scroll progress documents=%d total=%s", len(documents), total)

        if total is not None and total.isdigit() and len(documents) < int(total):
            # Master Data's total can over-count while indexing catches up; the overlap of later windows heals it.
            log.warning("vtex scroll ended short documents=%d total=%s", len(documents), total)
        return documents

    async def _first_scroll_page(self, params: dict[str, str]) -> httpx.Response:
        """Open a scroll; an empty first page without ``REST-Content-Total`` is asked again before it counts as empty.

        A missing total is never read as a total of 0. A first page with documents goes on without the total,
        because asking again would open a second scroll and leave the first one holding one of the account's 10
        scroll slots until it expires. An empty first page ends the scroll on the server, so asking again is free.
        """
        for attempt in range(1, self.retry.max_attempts + 1):
            response = await self._get("/scroll", params, scroll=True, opening=True)
            if "REST-Content-Total" in response.headers or _json_list(response):
                return response
            log.warning("vtex scroll opened empty without REST-Content-Total attempt=%d", attempt)
            await sleep(self.retry.backoff(attempt))
        log.warning("vtex scroll still empty without REST-Content-Total after %d attempts; reading it as empty",
                    self.retry.max_attempts)
        return response

    async def _get(self, path: str, params: dict[str, str], *, scroll: bool, opening: bool = False) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            self.request_count += 1
            try:
                response = await self._client.get(path, params=params)
                if response.status_code < 300:
                    json.loads(response.content or b"null")
                    return response
            except TRANSIENT_ERRORS + (json.JSONDecodeError,) as exc:
                if "_token" in params:
                    # The server may have moved the cursor before the page was lost, so asking again with the
                    # same token could skip documents. Starting over and de-duplicating by id loses nothing.
                    raise _ScrollExpired(f"page lost: {type(exc).__name__}") from exc
                if attempt >= self.retry.max_attempts:
                    raise VtexError(f"GET {path} failed after {attempt} attempts: {type(exc).__name__}") from exc
                log.warning("vtex request failed path=%s attempt=%d error=%s", path, attempt, type(exc).__name__)
                await sleep(self.retry.backoff(attempt))
                continue

            wait = self._classify_failure(path, response, attempt, scroll=scroll, opening=opening)
            log.warning("vtex request failed path=%s status=%d attempt=%d wait=%.1f",
                        path, response.status_code, attempt, wait)
            await sleep(wait)

    def _classify_failure(
        self, path: str, response: httpx.Response, attempt: int, *, scroll: bool, opening: bool
    ) -> float:
        """Return the wait before another attempt, or raise when another attempt cannot help."""
        status = response.status_code
        message = _error_message(response)
        lowered = message.lower()

        if status == 400 and scroll and EXPIRED_TOKEN_MARK in lowered:
            raise _ScrollExpired("token expired")
        if status == 400 and opening and TOO_MANY_SCROLLS_MARK in lowered and attempt < self.retry.max_attempts * 3:
            # Other scrolls of the account hold the 10 slots; they free up when they end or expire.
            return self.retry.backoff(min(attempt, 6))
        if status == 500 and NOT_FOUND_MARK in lowered:
            raise NotFound(f"GET {path}: Master Data returned not found ({message})")
        if status == 401:
            raise VtexError(
                f"GET {path} returned 401: the app key or token is invalid, so check the vtex_default connection's "
                "login (app key) and password (app token)"
            )
        if status == 403:
            raise VtexError(
                f"GET {path} returned 403: the app key lacks the Dynamic Storage read permission "
                "(\"Read only documents\"); grant it to the key's role in the VTEX License Manager"
            )
        if status in TRANSIENT_STATUSES and attempt < self.retry.max_attempts:
            return self.retry.backoff(attempt, retry_after_seconds(response))
        if status in TRANSIENT_STATUSES:
            raise VtexError(f"GET {path} still returned {status} after {attempt} attempts: {message}")
        raise VtexError(f"GET {path} returned {status}: {message}. The request is invalid: fix the filter or the fields")


def _json_list(response: httpx.Response) -> list[dict]:
    body = response.json()
    if not isinstance(body, list):
        raise VtexError(f"expected a JSON array of documents, got {type(body).__name__}")
    return body


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("Message") or body.get("message") or body)[:300]
    return str(body)[:300]
