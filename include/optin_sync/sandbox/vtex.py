"""Master Data v1 endpoints of the CL entity: search, scroll and document by id.

Strict choices a client must live with:

- Without `_fields` only `id` is returned. Unknown query parameters get 400.
- `REST-Range: resources=FROM-TO` has an exclusive end (`0-100` is the first 100 documents).
  Without the header a search returns the first 15 documents (`resources=0-15`).
  The response header `REST-Content-Range` is `resources FROM-TO/TOTAL`, with a space.
- A search without `_sort` returns its matches in a new order on every request, so pages
  overlap and miss documents. A scroll keeps one order for its whole life (by `_sort`, else by id).
- Documents given in a reset under `CL_late` are found by id at once, but search and scroll see
  them only after their `visible_after_seconds`, like Master Data's late indexing.
- `_size` of a scroll defaults to 100 when absent. A scroll ends with an empty page `[]`,
  even when the previous page was short, and `REST-Content-Total` comes only with the first page.
"""

from __future__ import annotations

import random
import re
import secrets
from typing import Any

from optin_sync.sandbox.masterdata import parse_field_list, parse_sort, project, sort_documents
from optin_sync.sandbox.messages import BadRequest, Request, Response, json_response
from optin_sync.sandbox.state import SandboxState, ScrollCursor
from optin_sync.sandbox.where import parse_where

PREFIX = "/api/dataentities/CL/"
MAX_PAGE = 100
MAX_SEARCH_DEPTH = 10_000
DEFAULT_RANGE = (0, 15)
MAX_SCROLL_SIZE = 1000
DEFAULT_SCROLL_SIZE = 100
MATCH_CACHE_SIZE = 32
SEARCH_PARAMETERS = frozenset(("_fields", "_where", "_sort"))
SCROLL_PARAMETERS = frozenset(("_size", "_fields", "_where", "_sort"))
EXPIRED_TOKEN_MESSAGE = (
    "Operation not found for this token. The scroll expired after inactivity or has already ended; start a new scroll."
)
_RANGE = re.compile(r"^\s*resources\s*=\s*(\d+)\s*-\s*(\d+)\s*$")


def vtex_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, {"Message": message}, headers)


def handle(state: SandboxState, request: Request, commit: bool) -> Response:
    """Serve one Master Data request; with `commit` False nothing is changed (scroll stays put)."""
    denied = _check_auth(state, request)
    if denied is not None:
        return denied
    if request.method != "GET":
        return vtex_error(405, f"Method {request.method} is not allowed on {request.path}")

    try:
        if request.path == PREFIX + "search":
            return _search(state, request)
        if request.path == PREFIX + "scroll":
            return _scroll(state, request, commit)
        if request.path.startswith(PREFIX + "documents/"):
            return _document(state, request)
    except BadRequest as error:
        return vtex_error(400, str(error))
    return vtex_error(404, f"Route {request.path} not found")


def _check_auth(state: SandboxState, request: Request) -> Response | None:
    credentials = state.credentials
    key = request.header("X-VTEX-API-AppKey")
    token = request.header("X-VTEX-API-AppToken")
    if key is None or token is None:
        return vtex_error(401, "Unauthorized: send the X-VTEX-API-AppKey and X-VTEX-API-AppToken headers")
    if not (secrets.compare_digest(key, credentials.vtex_app_key) and secrets.compare_digest(token, credentials.vtex_app_token)):
        return vtex_error(401, "Unauthorized: invalid app key or app token")
    if not state.settings.vtex.vtex_read_permission:
        return vtex_error(403, "Forbidden: the app key lacks the Dynamic Storage permission to read documents")
    return None


def _reject_unknown_parameters(request: Request, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.query) - allowed)
    if unknown:
        raise BadRequest(f"Unsupported query parameters {unknown}; allowed are {sorted(allowed)}")


def parse_range(header: str | None) -> tuple[int, int]:
    """Parse `REST-Range: resources=FROM-TO` (exclusive end) and enforce the page and depth limits."""
    if header is None:
        return DEFAULT_RANGE
    match = _RANGE.match(header)
    if match is None:
        raise BadRequest(f"Invalid REST-Range header {header!r}; expected resources=FROM-TO")
    start, end = int(match.group(1)), int(match.group(2))
    if end <= start:
        raise BadRequest(f"Invalid REST-Range {header!r}: TO must be greater than FROM")
    if end - start > MAX_PAGE:
        raise BadRequest(f"Invalid REST-Range {header!r}: at most {MAX_PAGE} documents per request")
    if end > MAX_SEARCH_DEPTH:
        raise BadRequest(
            f"Invalid REST-Range {header!r}: search reaches at most {MAX_SEARCH_DEPTH} documents; use the scroll endpoint"
        )
    return start, end


def _matching(state: SandboxState, request: Request) -> tuple[list[str], list[dict[str, Any]], list[tuple[str, bool]]]:
    """Return the requested fields and the visible documents that match, ordered by `_sort` if given.

    Paging repeats one query many times, so the ordered matches are cached until the visible
    documents change (a reset, or a late document becoming visible).
    """
    fields = parse_field_list(request.query.get("_fields"))
    where = request.query.get("_where")
    sort_keys = parse_sort(request.query.get("_sort"))
    predicate = parse_where(where)

    visible = state.searchable_documents()
    key = (where, tuple(sort_keys), len(visible))
    documents = state.match_cache.get(key)
    if documents is None:
        documents = sort_documents([document for document in visible if predicate(document)], sort_keys)
        if len(state.match_cache) >= MATCH_CACHE_SIZE:
            state.match_cache.clear()
        state.match_cache[key] = documents
    return fields, list(documents), sort_keys


def _search(state: SandboxState, request: Request) -> Response:
    _reject_unknown_parameters(request, SEARCH_PARAMETERS)
    start, end = parse_range(request.header("REST-Range"))
    fields, documents, sort_keys = _matching(state, request)

    if not sort_keys:
        state.unsorted_searches += 1
        random.Random(f"{state.settings.fault_seed}:{state.unsorted_searches}").shuffle(documents)

    page = [project(document, fields) for document in documents[start:end]]
    content_range = f"resources {start}-{start + len(page)}/{len(documents)}"
    return json_response(200, page, {"REST-Content-Range": content_range})


def _scroll(state: SandboxState, request: Request, commit: bool) -> Response:
    token = request.query.get("_token")
    if token is not None:
        return _continue_scroll(state, token, commit)

    _reject_unknown_parameters(request, SCROLL_PARAMETERS)
    size = _scroll_size(request.query.get("_size"))
    _expire_scrolls(state)
    limit = state.settings.vtex.max_simultaneous_scrolls
    if len(state.scrolls) >= limit:
        return vtex_error(400, f"Maximum simultaneous scrolls rate exceeded ({limit})")

    fields, documents, sort_keys = _matching(state, request)
    ordered = [project(document, fields) for document in documents]
    token = secrets.token_urlsafe(24)
    page = ordered[:size]
    if commit and page:
        state.scrolls[token] = ScrollCursor(ordered, size, len(page), state.monotonic())

    headers = {"X-VTEX-MD-TOKEN": token}
    state.first_scroll_pages += 1
    omit_rate = state.settings.vtex.omit_content_total_rate
    if not state.faults.share_hit("omit_content_total", state.first_scroll_pages, omit_rate):
        headers["REST-Content-Total"] = str(len(ordered))
    return json_response(200, page, headers)


def _scroll_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_SCROLL_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SCROLL_SIZE:
        raise BadRequest(f"Invalid _size {raw!r}: use an integer from 1 to {MAX_SCROLL_SIZE}")
    return int(raw)


def _expire_scrolls(state: SandboxState) -> None:
    ttl = state.settings.vtex.scroll_token_ttl_seconds
    now = state.monotonic()
    for token in [token for token, cursor in state.scrolls.items() if now - cursor.last_used > ttl]:
        del state.scrolls[token]


def _continue_scroll(state: SandboxState, token: str, commit: bool) -> Response:
    # Other parameters are ignored: the filter, fields and size were fixed by the first call.
    _expire_scrolls(state)
    cursor = state.scrolls.get(token)
    if cursor is None:
        return vtex_error(400, EXPIRED_TOKEN_MESSAGE)

    page = cursor.documents[cursor.position : cursor.position + cursor.page_size]
    if commit:
        cursor.position += len(page)
        cursor.last_used = state.monotonic()
        if not page:
            del state.scrolls[token]
    return json_response(200, page, {"X-VTEX-MD-TOKEN": token})


def _document(state: SandboxState, request: Request) -> Response:
    document_id = request.path[len(PREFIX + "documents/") :]
    fields = parse_field_list(request.query.get("_fields"))
    document = state.vtex_documents.get(document_id)
    if document is None:
        if state.settings.vtex.vtex_500_not_found:
            return vtex_error(500, f"Documento {document_id} não encontrado")
        return vtex_error(404, f"Document {document_id} not found")
    return json_response(200, project(document, fields))
