"""The Master Data CL (client profile) entity: fields, stored documents, projection and sorting."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timezone
from typing import Any

from optin_sync.sandbox.messages import BadRequest

CL_FIELDS = (
    "id",
    "email",
    "isNewsletterOptIn",
    "phone",
    "homePhone",
    "cellPhone",
    "businessPhone",
    "document",
    "documentType",
    "firstName",
    "lastName",
    "isCorporate",
    "createdIn",
    "updatedIn",
    "lastInteractionIn",
    "accountId",
    "accountName",
    "dataEntityId",
    "userId",
)
FILTERABLE_FIELDS = frozenset(
    ("id", "email", "document", "isNewsletterOptIn", "createdIn", "updatedIn", "homePhone", "phone", "cellPhone", "userId")
)
DATE_FIELDS = frozenset(("createdIn", "updatedIn", "lastInteractionIn"))
BOOLEAN_FIELDS = frozenset(("isNewsletterOptIn", "isCorporate"))

# Up to 7 fractional digits and an optional Z or numeric offset.
_TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$"
)


def parse_timestamp(value: str) -> datetime:
    """Parse a Master Data timestamp as an aware UTC datetime (microsecond precision)."""
    match = _TIMESTAMP.match(value)
    if match is None:
        raise ValueError(f"invalid timestamp {value!r}: expected YYYY-MM-DDTHH:MM:SS[.fffffff]Z")
    day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0").ljust(7, "0")[:6])
    parsed = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}").replace(microsecond=micros)
    if zone in (None, "Z"):
        return parsed.replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(f"{parsed.isoformat()}{zone}").astimezone(timezone.utc)


def utc_day(value: Any) -> date | None:
    """Return the UTC calendar day of a stored timestamp, or None for null or unparsable values."""
    if not isinstance(value, str):
        return None
    return _cached_day(value)


# Filters evaluate every stored document on each request, so parsed timestamps are cached.
@functools.lru_cache(maxsize=1 << 19)
def _cached_day(value: str) -> date | None:
    try:
        return parse_timestamp(value).date()
    except ValueError:
        return None


@functools.lru_cache(maxsize=1 << 19)
def _cached_instant(value: str) -> str:
    try:
        return parse_timestamp(value).isoformat()
    except ValueError:
        return value


def validate_document(raw: Any, position: str) -> dict[str, Any]:
    """Check a CL document given in a reset and fill the missing fields with null."""
    if not isinstance(raw, dict):
        raise BadRequest(f"{position}: a CL document must be a JSON object")
    unknown = sorted(set(raw) - set(CL_FIELDS))
    if unknown:
        raise BadRequest(f"{position}: unknown CL fields {unknown}; known fields are {list(CL_FIELDS)}")
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        raise BadRequest(f"{position}: a CL document needs a non-empty string id")
    for name in DATE_FIELDS:
        value = raw.get(name)
        if value is not None and utc_day(value) is None:
            raise BadRequest(f"{position}: {name} {value!r} is not a timestamp like 2025-03-19T21:44:01.4199691Z")
    document = {name: raw.get(name) for name in CL_FIELDS}
    document["dataEntityId"] = raw.get("dataEntityId", "CL")
    return document


def parse_field_list(raw: str | None) -> list[str]:
    """Parse `_fields`. Without it Master Data returns only the id."""
    if raw is None or raw.strip() == "":
        return ["id"]
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if "_all" in names:
        return list(CL_FIELDS)
    unknown = [name for name in names if name not in CL_FIELDS]
    if unknown:
        raise BadRequest(f"_fields: unknown fields {unknown} for entity CL")
    return names


def project(document: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {name: document.get(name) for name in fields}


def parse_sort(raw: str | None) -> list[tuple[str, bool]]:
    """Parse `_sort` (`field ASC|DESC`, comma-separated) into (field, descending) pairs."""
    if raw is None or raw.strip() == "":
        return []
    keys = []
    for part in raw.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise BadRequest(f"_sort: invalid clause {part!r}; expected 'field ASC' or 'field DESC'")
        name = words[0]
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if name not in CL_FIELDS:
            raise BadRequest(f"_sort: unknown field {name!r} for entity CL")
        if direction not in ("ASC", "DESC"):
            raise BadRequest(f"_sort: invalid direction {words[1]!r}; use ASC or DESC")
        keys.append((name, direction == "DESC"))
    return keys


def _sort_value(document: dict[str, Any], name: str) -> tuple[int, Any]:
    value = document.get(name)
    if value is None:
        return (1, "")
    if name in DATE_FIELDS and isinstance(value, str):
        return (0, _cached_instant(value))
    return (0, str(value))


def sort_documents(documents: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Sort by the keys, nulls last in ascending order, and by id to break ties."""
    ordered = sorted(documents, key=lambda doc: str(doc.get("id")))
    for name, descending in reversed(keys):
        ordered.sort(key=lambda doc, name=name: _sort_value(doc, name), reverse=descending)
    return ordered
