"""Transport-neutral request and response values shared by the sandbox's handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"


class BadRequest(Exception):
    """An invalid request or reset payload, with the message returned to the client."""


@dataclass(frozen=True)
class Request:
    """An HTTP request as parsed by the server.

    `query` keeps the last value of a repeated parameter. `headers` has lower-cased names.
    `json_body` is the parsed JSON body, or None when the body is empty or not valid JSON
    (`body_error` then contains the reason).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    json_body: Any = None
    body_error: str | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    """An HTTP response before it is written to the socket."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    all_headers = {"Content-Type": JSON_CONTENT_TYPE}
    all_headers.update(headers or {})
    return Response(status=status, body=body, headers=all_headers)


def html_response(status: int, title: str) -> Response:
    """Build the kind of HTML page a load balancer returns, which is not JSON on purpose."""
    page = f"<html><head><title>{status} {title}</title></head><body><h1>{status} {title}</h1></body></html>"
    return Response(status=status, body=page.encode("utf-8"), headers={"Content-Type": HTML_CONTENT_TYPE})


def parse_json_body(raw: bytes) -> tuple[Any, str | None]:
    """Return the parsed body and an error message, which is None when parsing succeeded."""
    if not raw:
        return None, None
    try:
        return json.loads(raw.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"request body is not valid JSON: {error}"
