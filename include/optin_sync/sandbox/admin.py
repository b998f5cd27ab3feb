"""Admin endpoints under /_sandbox/. Faults and the rate limit never apply here.

- `POST /_sandbox/reset`: replace all state (see `SandboxState.reset`); 400 `{"error": ...}` when invalid.
- `POST /_sandbox/settings`: replace only the settings (see `settings`), keeping the data.
- `GET /_sandbox/woowup/users`: every stored customer in stored form, channels as strings.
- `GET /_sandbox/requests`: the API requests since the last reset, oldest first, each
  `{"api", "method", "path", "query", "status", "time", "body", "fault"}`. `body` is the parsed
  JSON of a PUT or POST (else null), `status` is null when the connection was reset before a
  response, and `fault` names the injected fault or is null. Headers are never recorded.
- `GET /_sandbox/health`: `{"status": "ok"}`.
"""

from __future__ import annotations

import logging

from optin_sync.sandbox.messages import BadRequest, Request, Response, json_response
from optin_sync.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

PREFIX = "/_sandbox/"


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def handle(state: SandboxState, request: Request) -> Response:
    route = (request.method, request.path[len(PREFIX) :])
    if route == ("POST", "reset"):
        return _reset(state, request)
    if route == ("POST", "settings"):
        return _settings(state, request)
    if route == ("GET", "health"):
        return json_response(200, {"status": "ok"})
    if route == ("GET", "woowup/users"):
        return json_response(200, state.customers())
    if route == ("GET", "requests"):
        return json_response(200, state.requests())
    return _error(404, f"no admin endpoint {request.method} {request.path}")


def _reset(state: SandboxState, request: Request) -> Response:
    if request.body_error is not None:
        return _error(400, request.body_error)
    try:
        summary = state.reset(request.json_body)
    except BadRequest as error:
        logger.info("sandbox reset rejected error=%s", error)
        return _error(400, str(error))
    logger.info(
        "sandbox reset profiles=%d customers=%d",
        summary["vtex"]["CL"],
        summary["woowup"]["users"],
    )
    return json_response(200, summary)


def _settings(state: SandboxState, request: Request) -> Response:
    if request.body_error is not None:
        return _error(400, request.body_error)
    try:
        state.apply_settings(request.json_body)
    except BadRequest as error:
        return _error(400, str(error))
    return json_response(200, {"status": "ok"})
