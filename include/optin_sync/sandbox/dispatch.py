"""Route a parsed request to its API, applying rate limits and faults, and log it.

The socket-level part of a fault (a reset or a cut body) is returned as `Outcome.transport`
for the server to carry out. Everything else happens here, so it can be tested without sockets.

Order for an API request: added latency, the WoowUp rate limit (a 429 is not counted), a
running or starting 429 burst, then one pre-handler fault (reset, 408/500/502/503, truncated
body). A pre-handler fault means the request had no effect, except a truncated body of a read.
Only a request that ran normally can meet `fault_after_write_rate`, and only if it was a
successful PUT or POST.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timezone
from typing import Any

from optin_sync.sandbox import admin, vtex, woowup
from optin_sync.sandbox.faults import FaultDecision
from optin_sync.sandbox.messages import Request, Response, html_response, json_response
from optin_sync.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

NORMAL, RESET, TRUNCATE = "normal", "reset", "truncate"
HANDLERS = {"vtex": vtex.handle, "woowup": woowup.handle}
GATEWAY_ERRORS = {408: "Request Timeout", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass(frozen=True)
class Outcome:
    """The server's instructions for one request: the response, how to send it, and whether to crash.

    With `transport` RESET the response is never sent. It is kept only for the request log.
    """

    response: Response | None
    transport: str = NORMAL
    crash: bool = False


def api_of(path: str) -> str | None:
    if path.startswith("/api/dataentities/"):
        return "vtex"
    if path == woowup.PREFIX or path.startswith(woowup.PREFIX + "/"):
        return "woowup"
    return None


def process(state: SandboxState, request: Request, sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Serve one request of any kind."""
    if request.path.startswith(admin.PREFIX):
        return Outcome(admin.handle(state, request))
    api = api_of(request.path)
    if api is None:
        return Outcome(json_response(404, {"error": f"no API is served at {request.path}"}))

    decision = state.faults.decide(api)
    if decision.latency_seconds > 0:
        sleep(decision.latency_seconds)
    if api == "woowup":
        retry_after = state.rate_limiter.try_acquire()
        if retry_after is not None:
            return _logged(state, api, request, Outcome(too_many_requests(api, retry_after)), "rate_limit")

    outcome = _run(state, api, request, decision)
    return _logged(state, api, request, outcome, decision.name)


def _run(state: SandboxState, api: str, request: Request, decision: FaultDecision) -> Outcome:
    handler = HANDLERS[api]
    if decision.burst_retry_after is not None:
        return Outcome(too_many_requests(api, decision.burst_retry_after))
    if decision.connection_reset:
        return Outcome(None, RESET)
    if decision.error_status is not None:
        return Outcome(error_response(api, decision.error_status))
    if decision.truncated_body:
        with state.lock:
            return Outcome(handler(state, request, False), TRUNCATE)

    with state.lock:
        response = handler(state, request, True)
    succeeded = 200 <= response.status < 300
    crash = succeeded and woowup.is_customer_write(request) and state.record_successful_write()
    if succeeded and decision.reset_after_write and request.method in ("PUT", "POST"):
        return Outcome(response, RESET, crash)
    return Outcome(response, NORMAL, crash)


def too_many_requests(api: str, retry_after: int) -> Response:
    headers = {"Retry-After": str(retry_after)}
    if api == "vtex":
        return vtex.vtex_error(429, "Too many requests; retry after the Retry-After delay", headers)
    errors = {"errors": ["rate limit exceeded"]}
    return woowup.envelope(429, errors, "too_many_requests", "too many requests", headers=headers)


def error_response(api: str, status: int) -> Response:
    """Build a fault's error response: 500 from the API itself, 408/502/503 as a gateway's HTML page."""
    if status in GATEWAY_ERRORS:
        return html_response(status, GATEWAY_ERRORS[status])
    if api == "vtex":
        return vtex.vtex_error(500, "Internal server error")
    return woowup.envelope(500, {"errors": ["internal error"]}, "internal_error", "internal error")


def _logged(state: SandboxState, api: str, request: Request, outcome: Outcome, fault: str | None) -> Outcome:
    if outcome.transport == RESET and fault is None:
        fault = "reset_after_write"
    # A reset after a write logs the status of the applied write, though the client never sees it.
    status = None if outcome.response is None else outcome.response.status
    entry: dict[str, Any] = {
        "api": api,
        "method": request.method,
        "path": request.path,
        "query": dict(request.query),
        "status": status,
        "time": state.utcnow().astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "body": request.json_body if request.method in ("PUT", "POST") else None,
        "fault": fault,
    }
    with state.lock:
        state.request_log.append(entry)
    # Errors are the interesting lines, but 429s come in floods, so they stay at debug level.
    level = logging.INFO if status is None or (status >= 400 and status != 429) else logging.DEBUG
    logger.log(level, "sandbox request api=%s method=%s path=%s status=%s fault=%s", api, request.method, request.path, status, fault)
    return outcome
