"""All data and counters of one sandbox, replaced as a whole by a reset."""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from optin_sync.sandbox.customers import format_time, validate_attribute_definition, validate_stored_customer
from optin_sync.sandbox.faults import FaultInjector
from optin_sync.sandbox.generator import GenerationRequest, generate
from optin_sync.sandbox.lookup import CustomerLookup
from optin_sync.sandbox.masterdata import validate_document
from optin_sync.sandbox.messages import BadRequest
from optin_sync.sandbox.ratelimit import SlidingWindowRateLimiter
from optin_sync.sandbox.settings import Settings, parse_settings

RESET_KEYS = frozenset(("vtex", "woowup", "settings", "generate"))


@dataclass(frozen=True)
class SandboxCredentials:
    """The keys the sandbox accepts: a VTEX app key and token, and a WoowUp API key."""

    vtex_app_key: str
    vtex_app_token: str
    woowup_api_key: str

    @classmethod
    def generate(cls) -> SandboxCredentials:
        return cls(
            vtex_app_key=f"vtexappkey-sandbox-{secrets.token_hex(4).upper()}",
            vtex_app_token=secrets.token_urlsafe(48),
            woowup_api_key=secrets.token_hex(32),
        )

    def __repr__(self) -> str:
        return "SandboxCredentials(<hidden>)"


@dataclass
class ScrollCursor:
    """An open Master Data scroll: the documents fixed by its first call and how far it has read."""

    documents: list[dict[str, Any]]
    page_size: int
    position: int
    last_used: float


@dataclass
class LateDocument:
    visible_at: float
    document: dict[str, Any]


@dataclass
class _Loaded:
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    late: list[LateDocument] = field(default_factory=list)
    customers: dict[int, dict[str, Any]] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    scenario: dict[str, Any] | None = None


class SandboxState:
    """Stored documents, customers, open scrolls, the request log and the limiter of one sandbox.

    Handlers hold `lock` while they read or change anything here. `monotonic` drives scroll
    expiry, late indexing and the rate limiter; `utcnow` drives stored timestamps. Customers are
    stored through `customer_lookup.store`, which keeps the identifier index current.
    """

    def __init__(
        self,
        credentials: SandboxCredentials,
        monotonic: Callable[[], float] = time.monotonic,
        utcnow: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.credentials = credentials
        self.monotonic = monotonic
        self.utcnow = utcnow
        self.lock = threading.RLock()
        self._install(_Loaded(), Settings())

    def _install(self, loaded: _Loaded, settings: Settings) -> None:
        with self.lock:
            self.settings = settings
            self.vtex_documents = loaded.documents
            self.vtex_late = loaded.late
            self.woowup_users = loaded.customers
            self.customer_lookup = CustomerLookup(loaded.customers)
            self.custom_attributes = loaded.attributes
            self.scenario = loaded.scenario
            self.scrolls: dict[str, ScrollCursor] = {}
            self.unsorted_searches = 0
            self.match_cache: dict[tuple, list[dict[str, Any]]] = {}
            self.first_scroll_pages = 0
            self.request_log: list[dict[str, Any]] = []
            self.successful_writes = 0
            self.crash_armed = settings.crash_after_writes is not None
            self.faults = FaultInjector(settings, self.monotonic)
            self.rate_limiter = SlidingWindowRateLimiter(
                settings.woowup.rate_limit_per_minute, settings.woowup.time_scale, self.monotonic
            )

    def apply_settings(self, raw: Any) -> None:
        """Replace the settings but keep the data, open scrolls and request log.

        Fault draws, rate-limit counts and the crash_after_writes count start again from zero.
        """
        settings = parse_settings(raw)
        with self.lock:
            self.settings = settings
            self.successful_writes = 0
            self.crash_armed = settings.crash_after_writes is not None
            self.faults = FaultInjector(settings, self.monotonic)
            self.rate_limiter = SlidingWindowRateLimiter(
                settings.woowup.rate_limit_per_minute, settings.woowup.time_scale, self.monotonic
            )

    def now_text(self) -> str:
        return format_time(self.utcnow())

    def reset(self, payload: Any) -> dict[str, Any]:
        """Replace all state with the payload of POST /_sandbox/reset and return a summary.

        The payload is either explicit data::

            {"vtex": {"CL": [document, ...],
                      "CL_late": [{"visible_after_seconds": 5, "document": document}, ...]},
             "woowup": {"users": [customer, ...], "custom_attributes": [definition, ...]},
             "settings": {...}}

        or generated data (see `generator.GenerationRequest`)::

            {"generate": {"seed": 42, "profiles": 3000, "customers": 4000, "anchor_date": "2026-05-27",
                          "timezone": "America/Argentina/Buenos_Aires", "define_opt_in_attribute": false},
             "settings": {...}}

        Documents and customers may omit fields (they are stored as null), but unknown fields are
        rejected. The request log, open scrolls, rate-limit counts and fault draws start over.
        Nothing changes when the payload is invalid.
        """
        if not isinstance(payload, dict):
            raise BadRequest("the reset body must be a JSON object")
        unknown = sorted(set(payload) - RESET_KEYS)
        if unknown:
            raise BadRequest(f"unknown reset keys {unknown}; expected {sorted(RESET_KEYS)}")
        settings = parse_settings(payload.get("settings"))
        if "generate" in payload:
            if "vtex" in payload or "woowup" in payload:
                raise BadRequest("a reset takes either 'generate' or explicit 'vtex'/'woowup' data, not both")
            loaded = self._load_generated(payload["generate"])
        else:
            loaded = self._load_explicit(payload.get("vtex"), payload.get("woowup"))
        self._install(loaded, settings)
        return self.summary()

    def summary(self) -> dict[str, Any]:
        with self.lock:
            result: dict[str, Any] = {
                "status": "ok",
                "vtex": {"CL": len(self.vtex_documents), "CL_late": len(self.vtex_late)},
                "woowup": {"users": len(self.woowup_users), "custom_attributes": len(self.custom_attributes)},
            }
            if self.scenario is not None:
                result["scenario"] = copy.deepcopy(self.scenario)
            return result

    def _load_generated(self, raw: Any) -> _Loaded:
        data = generate(GenerationRequest.from_json(raw))
        loaded = _Loaded(scenario=data.scenario)
        loaded.documents = {document["id"]: document for document in data.documents}
        loaded.customers = {customer["userapp_id"]: customer for customer in data.customers}
        loaded.attributes = {definition["name"]: definition for definition in data.custom_attributes}
        return loaded

    def _load_explicit(self, vtex: Any, woowup: Any) -> _Loaded:
        loaded = _Loaded()
        vtex = _block(vtex, "vtex", ("CL", "CL_late"))
        for index, raw in enumerate(_list(vtex.get("CL"), "vtex.CL")):
            _add_document(loaded.documents, validate_document(raw, f"vtex.CL[{index}]"))
        now = self.monotonic()
        for index, raw in enumerate(_list(vtex.get("CL_late"), "vtex.CL_late")):
            position = f"vtex.CL_late[{index}]"
            delay = raw.get("visible_after_seconds") if isinstance(raw, dict) else None
            if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
                raise BadRequest(f"{position}: visible_after_seconds must be a number >= 0")
            document = validate_document(raw.get("document"), f"{position}.document")
            _add_document(loaded.documents, document)
            loaded.late.append(LateDocument(now + delay, document))

        woowup = _block(woowup, "woowup", ("users", "custom_attributes"))
        for raw in _list(woowup.get("custom_attributes"), "woowup.custom_attributes"):
            definition = validate_attribute_definition(raw)
            if definition["name"] in loaded.attributes:
                raise BadRequest(f"woowup.custom_attributes: duplicate name {definition['name']!r}")
            loaded.attributes[definition["name"]] = definition
        created = self.now_text()
        for index, raw in enumerate(_list(woowup.get("users"), "woowup.users")):
            next_id = max(loaded.customers, default=0) + 1
            customer = validate_stored_customer(raw, f"woowup.users[{index}]", next_id, created)
            if customer["userapp_id"] in loaded.customers:
                raise BadRequest(f"woowup.users[{index}]: duplicate userapp_id {customer['userapp_id']}")
            loaded.customers[customer["userapp_id"]] = customer
        return loaded

    def searchable_documents(self) -> list[dict[str, Any]]:
        """Return the documents that search and scroll can see now (late ones once indexed)."""
        now = self.monotonic()
        hidden = {id(late.document) for late in self.vtex_late if late.visible_at > now}
        return [document for document in self.vtex_documents.values() if id(document) not in hidden]

    def record_successful_write(self) -> bool:
        """Count a successful PUT /multiusers; return True when the sandbox must crash now."""
        with self.lock:
            self.successful_writes += 1
            limit = self.settings.crash_after_writes
            if self.crash_armed and limit is not None and self.successful_writes >= limit:
                self.crash_armed = False
                return True
            return False

    def customers(self) -> list[dict[str, Any]]:
        """Return a copy of every stored customer, ordered by userapp_id."""
        with self.lock:
            return [copy.deepcopy(self.woowup_users[key]) for key in self.customer_lookup.sorted_ids()]

    def requests(self) -> list[dict[str, Any]]:
        """Return a copy of the request log since the last reset."""
        with self.lock:
            return copy.deepcopy(self.request_log)


def _block(raw: Any, name: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadRequest(f"{name} must be a JSON object")
    unknown = sorted(set(raw) - set(keys))
    if unknown:
        raise BadRequest(f"unknown keys {unknown} in {name}; expected {list(keys)}")
    return raw


def _list(raw: Any, name: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRequest(f"{name} must be a JSON array")
    return raw


def _add_document(documents: dict[str, dict[str, Any]], document: dict[str, Any]) -> None:
    if document["id"] in documents:
        raise BadRequest(f"duplicate CL document id {document['id']!r}")
    documents[document["id"]] = document
