"""WoowUp apiv3 endpoints: customers, multiusers find/exist/update and custom attribute definitions.

Every response, errors included, is the envelope
`{"payload": ..., "message": "...", "code": "...", "time": "3ms"}`.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from optin_sync.sandbox.customers import (
    IDENTIFIERS,
    BadRequestErrors,
    apply_update,
    new_customer,
    read_form,
    validate_attribute_definition,
    validate_update,
)
from optin_sync.sandbox.messages import BadRequest, Request, Response, json_response
from optin_sync.sandbox.state import SandboxState

PREFIX = "/apiv3"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MULTIUSERS_PATH = PREFIX + "/multiusers"
ATTRIBUTES_PATH = PREFIX + "/account/custom-attributes"


def envelope(status: int, payload: Any, code: str, message: str, started: float | None = None,
             headers: dict[str, str] | None = None) -> Response:
    elapsed_ms = 0 if started is None else round((time.perf_counter() - started) * 1000)
    body = {"payload": payload, "message": message, "code": code, "time": f"{elapsed_ms}ms"}
    return json_response(status, body, headers)


def bad_request(errors: list[str], started: float | None = None) -> Response:
    return envelope(400, {"errors": errors}, "bad_request", "bad request", started)


def is_customer_write(request: Request) -> bool:
    return request.method == "PUT" and request.path == MULTIUSERS_PATH


def handle(state: SandboxState, request: Request, commit: bool) -> Response:
    """Serve one WoowUp request; with `commit` False nothing is stored."""
    started = time.perf_counter()
    expected = f"Basic {state.credentials.woowup_api_key}"
    if not secrets.compare_digest(request.header("Authorization") or "", expected):
        return envelope(403, {"errors": ["invalid or missing API key"]}, "forbidden", "forbidden", started)

    routes = {
        ("GET", PREFIX + "/users"): _list_users,
        ("GET", MULTIUSERS_PATH + "/find"): _find,
        ("GET", MULTIUSERS_PATH + "/exist"): _exist,
        ("PUT", MULTIUSERS_PATH): _update,
        ("GET", ATTRIBUTES_PATH): _list_attributes,
        ("POST", ATTRIBUTES_PATH): _define_attribute,
    }
    route = routes.get((request.method, request.path))
    if route is None:
        if any(path == request.path for _, path in routes):
            return envelope(405, {"errors": [f"method {request.method} not allowed"]}, "method_not_allowed",
                            "method not allowed", started)
        return envelope(404, {"errors": [f"route {request.path} not found"]}, "not_found", "not found", started)

    try:
        return route(state, request, commit, started)
    except BadRequestErrors as error:
        return bad_request(error.errors, started)
    except BadRequest as error:
        return bad_request([str(error)], started)


def _paging(request: Request) -> tuple[int, int]:
    page_text = request.query.get("page", "0")
    limit_text = request.query.get("limit", str(DEFAULT_LIMIT))
    if not page_text.isdigit():
        raise BadRequest(f"page must be an integer >= 0, got {page_text!r}")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit_text!r}")
    return int(page_text), int(limit_text)


def _response_form(state: SandboxState, customer: dict[str, Any]) -> dict[str, Any]:
    rate = state.settings.woowup.boolean_channels_rate
    return read_form(customer, state.faults.share_hit("boolean_channels", customer["userapp_id"], rate))


def _list_users(state: SandboxState, request: Request, commit: bool, started: float) -> Response:
    page, limit = _paging(request)
    keys = state.customer_lookup.sorted_ids()[page * limit : (page + 1) * limit]
    payload = [_response_form(state, state.woowup_users[key]) for key in keys]
    return envelope(200, payload, "ok", "success", started)


def _identifier_query(request: Request) -> dict[str, str]:
    missing = [key for key in IDENTIFIERS if key not in request.query]
    if missing:
        raise BadRequest(f"missing query parameters {missing}; send all of {list(IDENTIFIERS)}, empty when unknown")
    values = {key: request.query[key] for key in IDENTIFIERS if request.query[key] != ""}
    if not values:
        raise BadRequest(f"at least one of {list(IDENTIFIERS)} must be non-empty")
    return values


def _find(state: SandboxState, request: Request, commit: bool, started: float) -> Response:
    customer, _ = state.customer_lookup.find(_identifier_query(request))
    if customer is None:
        return envelope(404, {"errors": ["user not found"]}, "user_not_found", "user not found", started)
    return envelope(200, _response_form(state, customer), "ok", "success", started)


def _exist(state: SandboxState, request: Request, commit: bool, started: float) -> Response:
    customer, _ = state.customer_lookup.find(_identifier_query(request))
    return envelope(200, {"exist": customer is not None}, "ok", "success", started)


def _update(state: SandboxState, request: Request, commit: bool, started: float) -> Response:
    if request.body_error is not None:
        return bad_request([request.body_error], started)
    body = request.json_body
    errors = validate_update(body, state.custom_attributes)
    if errors:
        return bad_request(errors, started)

    now = state.now_text()
    existing, matched_key = state.customer_lookup.find(body)
    if existing is None:
        userapp_id = max(state.woowup_users, default=0) + 1
        customer = apply_update(new_customer(userapp_id, now), body, None, now)
        status, message = 201, "user created"
    else:
        customer = apply_update(existing, body, matched_key, now)
        status, message = 200, "user updated"

    if commit:
        state.customer_lookup.store(customer)
    return envelope(status, _response_form(state, customer), "ok", message, started)


def _list_attributes(state: SandboxState, request: Request, commit: bool, started: float) -> Response:
    page, limit = _paging(request)
    text = request.query.get("text", "").lower()
    definitions = [
        definition
        for name, definition in sorted(state.custom_attributes.items())
        if text in name.lower() or text in definition["label"].lower()
    ]
    return envelope(200, definitions[page * limit : (page + 1) * limit], "ok", "success", started)


def _define_attribute(state: SandboxState, request: Request, commit: bool, started: float) -> Response:
    if request.body_error is not None:
        return bad_request([request.body_error], started)
    definition = validate_attribute_definition(request.json_body)
    if definition["name"] in state.custom_attributes:
        return bad_request([f"custom attribute {definition['name']!r} already exists"], started)
    if commit:
        state.custom_attributes[definition["name"]] = definition
    return envelope(201, dict(definition), "ok", "custom attribute created", started)
