"""The WoowUp client over a mock transport: retries, Retry-After, and what a write records."""

from __future__ import annotations

import asyncio
import json
import random
import time

import httpx
import pytest

from optin_sync.errors import WoowUpError
from optin_sync.sources.retry import RetryPolicy
from optin_sync.sources.woowup import WoowUpClient, WoowUpCredentials

FAST_RETRY = RetryPolicy(max_attempts=4, base_seconds=0.01, cap_seconds=0.05, rng=random.Random(1))
BODY = {"email": "ana@gmail.com", "mailing_enabled": "disabled", "mailing_enabled_reason": "other"}


def envelope(status: int, payload, code: str = "ok", headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, json={"payload": payload, "message": code, "code": code, "time": "1ms"},
                          headers=headers)


class Script:
    """A mock WoowUp that returns a list of responses in order and records when each request arrived."""

    def __init__(self, *responses) -> None:
        self.responses = list(responses)
        self.arrivals: list[float] = []
        self.bodies: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.arrivals.append(time.monotonic())
        self.bodies.append(json.loads(request.content) if request.content else {})
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def update(script: Script, body: dict = BODY):
    async def run():
        client = WoowUpClient("http://woowup.test/apiv3", WoowUpCredentials("key"), rate_limit_per_minute=60_000,
                              retry=FAST_RETRY, transport=httpx.MockTransport(script))
        async with client:
            return await client.update(body)

    return asyncio.run(run())


def test_write_429_waits_retry_after():
    script = Script(envelope(429, {"errors": ["rate limit exceeded"]}, "too_many_requests", {"Retry-After": "1"}),
                    envelope(200, {"userapp_id": 1}))
    outcome = update(script)
    assert outcome.succeeded
    assert script.arrivals[1] - script.arrivals[0] >= 1.0


def test_write_429_without_retry_after_backs_off():
    script = Script(envelope(429, {"errors": ["rate limit exceeded"]}, "too_many_requests"),
                    envelope(200, {"userapp_id": 1}))
    outcome = update(script)
    assert outcome.succeeded
    assert outcome.attempts == 2


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_write_transient_status_retried(status):
    script = Script(httpx.Response(status, text="<html>gateway</html>"), envelope(200, {"userapp_id": 1}))
    outcome = update(script)
    assert outcome.succeeded
    assert outcome.attempts == 2


def test_write_400_records_payload_errors():
    script = Script(envelope(400, {"errors": ["telephone is invalid", "custom attribute opt_in_vtex undefined"]},
                             "bad_request"))
    outcome = update(script)
    assert outcome.status == 400
    assert outcome.errors == ("telephone is invalid", "custom attribute opt_in_vtex undefined")
    assert len(script.arrivals) == 1


def test_write_201_is_created_not_succeeded():
    outcome = update(Script(envelope(201, {"userapp_id": 99})))
    assert outcome.created
    assert not outcome.succeeded


def test_write_persistent_500_keeps_status():
    outcome = update(Script(envelope(500, {"errors": ["internal error"]}, "internal_error")))
    assert outcome.status == 500
    assert outcome.attempts == FAST_RETRY.max_attempts


def test_write_without_answer_has_status_zero():
    outcome = update(Script(httpx.ConnectError("refused")))
    assert outcome.status == 0
    assert outcome.attempts == FAST_RETRY.max_attempts


def test_write_disabled_reason_rejected_before_sending():
    script = Script(envelope(200, {}))
    with pytest.raises(ValueError, match="mailing_disabled_reason"):
        update(script, {"email": "ana@gmail.com", "mailing_enabled": "disabled", "mailing_disabled_reason": "other"})
    assert script.arrivals == []


def test_write_sends_enabled_reason_only():
    script = Script(envelope(200, {"userapp_id": 1}))
    update(script)
    assert script.bodies == [BODY]


def test_write_wrong_key_raises():
    with pytest.raises(WoowUpError, match="403"):
        update(Script(envelope(403, {"errors": ["invalid or missing API key"]}, "forbidden")))
