"""WoowUp apiv3 client: paced, retried reads and writes of customers and custom attributes."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from optin_sync.errors import RateLimited, WoowUpError
from optin_sync.sources.limiter import SlidingWindowPacer
from optin_sync.sources.retry import TRANSIENT_ERRORS, RetryPolicy, retry_after_seconds, sleep

log = logging.getLogger(__name__)

PAGE_LIMIT = 100
IDENTIFIER_FIELDS: tuple[str, ...] = ("service_uid", "email", "document", "telephone")
# Statuses retried on WoowUp. WoowUp's official clients retry 429, 502 and 503; 408, 500 and 504 are retried too
# because a gateway in front of the API returns them when a request timed out before it reached the API.
WOOWUP_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# WoowUp silently drops ``<channel>_disabled_reason``; a disable carries its reason in ``<channel>_enabled_reason``.
IGNORED_REASON_SUFFIX = "_disabled_reason"


class RequestFailed(WoowUpError):
    """A request failed for good: its retries ran out, or WoowUp returned a status that no retry can fix.

    ``status`` is the last HTTP status, or 0 when no attempt got a response (refused, reset or timed out).
    """

    def __init__(self, message: str, *, status: int, attempts: int) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts


@dataclass(frozen=True, slots=True)
class WoowUpCredentials:
    """The account's API key; ``repr`` never shows it."""

    api_key: str = field(repr=False)

    def headers(self) -> dict[str, str]:
        # WoowUp takes the raw key after "Basic", not base64 of user:password.
        return {"Authorization": f"Basic {self.api_key}"}


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What WoowUp did with one ``PUT /multiusers``.

    ``status`` is the HTTP status, or 0 when no response came back after every attempt.
    """

    status: int
    attempts: int
    errors: tuple[str, ...] = ()
    customer: dict[str, Any] | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == 200

    @property
    def created(self) -> bool:
        return self.status == 201


class WoowUpClient:
    """Talks to WoowUp apiv3 within the account's rate limit.

    Args:
        base_url: e.g. ``https://api.woowup.com/apiv3``.
        credentials: the API key.
        pacer: shared pacing of every call of the account; one is made from ``rate_limit_per_minute`` if absent.
        timeout_seconds: connect and read timeout per request.
        retry: backoff policy for 429, 5xx and network errors.
        transport: an httpx transport seam for tests.
    """

    def __init__(
        self,
        base_url: str,
        credentials: WoowUpCredentials,
        *,
        rate_limit_per_minute: int = 140,
        pacer: SlidingWindowPacer | None = None,
        timeout_seconds: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.pacer = pacer or SlidingWindowPacer(rate_limit_per_minute)
        self.retry = retry or RetryPolicy()
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={**credentials.headers(), "Accept": "application/json"},
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
        )
        self.request_count = 0
        self.status_counts: dict[int, int] = {}

    async def __aenter__(self) -> WoowUpClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def iter_user_pages(self, limit: int = PAGE_LIMIT) -> AsyncIterator[list[dict]]:
        """Yield pages of ``GET /users`` until a short or empty page (WoowUp sends no total)."""
        page = 0
        started = time.monotonic()
        seen = 0
        while True:
            response = await self._request("GET", "/users", params={"page": page, "limit": limit})
            users = _payload(response)
            if not isinstance(users, list):
                raise WoowUpError(f"GET /users page={page}: expected an array payload, got {type(users).__name__}")
            seen += len(users)
            if users:
                yield users
            if len(users) < limit:
                break
            page += 1
            if page % 50 == 0:
                elapsed = time.monotonic() - started
                log.info("woowup users progress pages=%d customers=%d rate_per_min=%.0f",
                         page, seen, 60 * page / max(elapsed, 1e-9))
        log.info("woowup users done pages=%d customers=%d seconds=%.1f", page + 1, seen, time.monotonic() - started)

    async def find(self, identifiers: dict[str, str]) -> dict | None:
        """Return the customer found by ``GET /multiusers/find``, or None on 404."""
        params = {name: identifiers.get(name) or "" for name in IDENTIFIER_FIELDS}
        response = await self._request("GET", "/multiusers/find", params=params, allow={404})
        if response.status_code == 404:
            return None
        customer = _payload(response)
        return customer if isinstance(customer, dict) else None

    async def update(self, body: dict[str, Any]) -> WriteOutcome:
        """Send one ``PUT /multiusers``; a 400 is returned as an outcome with WoowUp's errors, not raised.

        Raises ``ValueError`` for a body with a ``*_disabled_reason`` field, which WoowUp would drop without a word.
        """
        dropped = sorted(name for name in body if name.endswith(IGNORED_REASON_SUFFIX))
        if dropped:
            raise ValueError(f"WoowUp ignores {dropped}; send the reason in <channel>_enabled_reason instead")
        try:
            response = await self._request("PUT", "/multiusers", json_body=body, allow={400, 404})
        except RateLimited as exc:
            return WriteOutcome(status=429, attempts=self.retry.max_attempts, errors=(str(exc),))
        except RequestFailed as exc:
            return WriteOutcome(status=exc.status, attempts=exc.attempts, errors=(str(exc),))
        payload = _payload_or_none(response)
        attempts = int(response.extensions.get("attempts", 1))
        if response.status_code in (400, 404):
            return WriteOutcome(status=response.status_code, attempts=attempts, errors=_errors(payload, response))
        return WriteOutcome(
            status=response.status_code, attempts=attempts, customer=payload if isinstance(payload, dict) else None
        )

    async def list_custom_attributes(self) -> list[dict]:
        """Return every custom attribute definition of the account."""
        definitions: list[dict] = []
        page = 0
        while True:
            response = await self._request(
                "GET", "/account/custom-attributes", params={"text": "", "page": page, "limit": PAGE_LIMIT}
            )
            batch = _payload(response)
            if isinstance(batch, dict):
                batch = batch.get("custom_attributes") or batch.get("items") or []
            definitions.extend(batch)
            if len(batch) < PAGE_LIMIT:
                return definitions
            page += 1

    async def create_custom_attribute(self, definition: dict[str, str]) -> None:
        await self._request("POST", "/account/custom-attributes", json_body=definition)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json_body: dict | None = None,
        allow: frozenset[int] | set[int] = frozenset(),
    ) -> httpx.Response:
        for attempt in range(1, self.retry.max_attempts + 1):
            await self.pacer.acquire()
            self.request_count += 1
            try:
                response = await self._client.request(method, path, params=params, json=json_body)
                if response.status_code < 300:
                    response.json()
            except TRANSIENT_ERRORS + (json.JSONDecodeError,) as exc:
                self._count(0)
                if attempt == self.retry.max_attempts:
                    raise RequestFailed(f"{method} {path} failed after {attempt} attempts: {type(exc).__name__}",
                                        status=0, attempts=attempt) from exc
                log.warning("woowup request failed method=%s path=%s attempt=%d error=%s",
                            method, path, attempt, type(exc).__name__)
                await sleep(self.retry.backoff(attempt))
                continue

            self._count(response.status_code)
            if response.status_code < 300 or response.status_code in allow:
                self.pacer.on_success()
                response.extensions["attempts"] = attempt
                return response
            self._raise_if_final(method, path, response, attempt)
            retry_after = retry_after_seconds(response)
            if response.status_code == 429:
                # The pacer blocks every caller until Retry-After has passed; without the header it falls back to
                # the exponential backoff of WoowUp's official clients.
                self.pacer.on_rate_limited(retry_after if retry_after is not None else self.retry.backoff(attempt))
            else:
                log.warning("woowup request failed method=%s path=%s status=%d attempt=%d",
                            method, path, response.status_code, attempt)
                await sleep(self.retry.backoff(attempt, retry_after))
        raise AssertionError("unreachable: the last attempt either returns or raises")

    def _raise_if_final(self, method: str, path: str, response: httpx.Response, attempt: int) -> None:
        status = response.status_code
        if status == 403:
            raise WoowUpError(
                f"{method} {path} returned 403: the API key is invalid or missing; check the woowup_default "
                "connection's password"
            )
        if status not in WOOWUP_RETRY_STATUSES:
            detail = "; ".join(_errors(_payload_or_none(response), response))
            raise RequestFailed(f"{method} {path} returned {status}: {detail}", status=status, attempts=attempt)
        if attempt == self.retry.max_attempts:
            if status == 429:
                raise RateLimited(f"{method} {path} still rate limited after {attempt} attempts",
                                  retry_after_seconds(response))
            raise RequestFailed(f"{method} {path} still returned {status} after {attempt} attempts",
                                status=status, attempts=attempt)

    def _count(self, status: int) -> None:
        self.status_counts[status] = self.status_counts.get(status, 0) + 1


def _payload(response: httpx.Response) -> Any:
    body = response.json()
    if not isinstance(body, dict) or "payload" not in body:
        raise WoowUpError(f"response to {response.request.url.path} is not WoowUp's envelope")
    return body["payload"]


def _payload_or_none(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body.get("payload") if isinstance(body, dict) else None


def _errors(payload: Any, response: httpx.Response) -> tuple[str, ...]:
    if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
        return tuple(str(error) for error in payload["errors"])
    try:
        body = response.json()
        return (str(body.get("message") or body.get("code") or response.status_code),)
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return (f"HTTP {response.status_code}",)
