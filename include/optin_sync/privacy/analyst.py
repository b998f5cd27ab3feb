"""The analyst form of each dataset: personal columns masked (or kept, in clear mode) with a keyed hash beside them.

Each personal column keeps its name. In ``masked`` mode it holds a masked display instead of the raw value; in
``clear`` mode it holds the raw value. Emails, phones, documents and identifiers also get ``<column>_hash``, a keyed
hash of the value's canonical form, in both modes, so one person can be found across runs without reading values.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import pyarrow as pa

from optin_sync.privacy import masks
from optin_sync.privacy.hashing import PiiHasher, canonical_email, canonical_phone, canonical_text
from optin_sync.settings import VTEX_PHONE_FIELDS, PiiMode

HASH_SUFFIX = "_hash"

EMAIL, PHONE, DOCUMENT, IDENTIFIER, NAME = "email", "phone", "document", "identifier", "name"
KEY, RAW_VALUE, BODY, FREE_TEXT = "key", "raw_value", "body", "free_text"

# How each kind is masked, hashed (None: not hashed) and reduced to its canonical form.
_MASKS: dict[str, Callable[[str], str]] = {
    EMAIL: masks.mask_email, PHONE: masks.mask_phone, DOCUMENT: masks.mask_document,
    IDENTIFIER: masks.mask_identifier, NAME: masks.mask_name, FREE_TEXT: masks.scrub_text,
}
_CANONICAL: dict[str, Callable[[str], str]] = {
    EMAIL: canonical_email, PHONE: canonical_phone, DOCUMENT: canonical_text, IDENTIFIER: canonical_text,
}

_PROFILE_COLUMNS = {"email": EMAIL, "document": DOCUMENT, "firstName": NAME, "lastName": NAME,
                    **{name: PHONE for name in VTEX_PHONE_FIELDS}}
_QUARANTINE_COLUMNS = {"raw_value": RAW_VALUE}

PERSONAL_COLUMNS: dict[str, dict[str, str]] = {
    "vtex_profiles": _PROFILE_COLUMNS,
    "woowup_customers": {"email": EMAIL, "telephone": PHONE, "document": DOCUMENT, "service_uid": IDENTIFIER,
                         "first_name": NAME, "last_name": NAME},
    "match_keys": {"key": KEY},
    "quarantine": _QUARANTINE_COLUMNS,
    "vtex_quarantine": _QUARANTINE_COLUMNS,
    "planned_writes": {"target_value": IDENTIFIER, "body": BODY},
    "write_results": {"errors": FREE_TEXT},
}

# The kind of a quarantined raw value follows the field it came from; dates and ids are not personal.
_FIELD_KINDS = {"email": EMAIL, "telephone": PHONE, "document": DOCUMENT, "service_uid": IDENTIFIER,
                **{name: PHONE for name in VTEX_PHONE_FIELDS}}
_TARGET_KINDS = {"email": EMAIL, "telephone": PHONE, "document": DOCUMENT, "service_uid": IDENTIFIER}


def hashed(kind: str) -> bool:
    return kind in _CANONICAL or kind in (KEY, RAW_VALUE)


def analyst_schema(dataset: str, schema: pa.Schema, mode: PiiMode) -> pa.Schema:
    """The raw schema with a ``<column>_hash`` string field after each hashed personal column."""
    personal = PERSONAL_COLUMNS.get(dataset, {})
    fields: list[pa.Field] = []
    for field in schema:
        kind = personal.get(field.name)
        fields.append(field.with_nullable(True) if kind else field)
        if kind and hashed(kind):
            fields.append(pa.field(field.name + HASH_SUFFIX, pa.string()))
    metadata = {**(schema.metadata or {}), b"pii_mode": mode.value.encode()}
    return pa.schema(fields, metadata=metadata)


class AnalystForm:
    """Turns raw frames into their analyst form.

    Args:
        mode: ``masked`` replaces personal values by masked displays; ``clear`` keeps them.
        hasher: the keyed hasher; without one (clear mode only) the hash columns stay empty.
    """

    def __init__(self, mode: PiiMode, hasher: PiiHasher | None) -> None:
        self.mode = mode
        self.hasher = hasher

    def frame(self, dataset: str, raw: pd.DataFrame) -> pd.DataFrame:
        personal = PERSONAL_COLUMNS.get(dataset, {})
        out = raw.copy()
        for column, kind in personal.items():
            if column not in out.columns:
                continue
            values = out[column]
            if kind == KEY:
                kinds = out["key_type"].map({"email": EMAIL, "phone": PHONE})
            elif kind == RAW_VALUE:
                kinds = out["field"].map(_FIELD_KINDS)
            elif kind == BODY:
                out[column] = self._bodies(out)
                continue
            elif column == "target_value":
                kinds = out["target_field"].map(_TARGET_KINDS).fillna(IDENTIFIER)
            else:
                kinds = pd.Series(kind, index=out.index)
            if hashed(kind):
                out[column + HASH_SUFFIX] = self._hashes(values, kinds)
            if self.mode is PiiMode.MASKED:
                out[column] = self._masked(values, kinds)
        return out

    def _hashes(self, values: pd.Series, kinds: pd.Series) -> pd.Series:
        result = pd.Series(pd.NA, index=values.index, dtype="string")
        if self.hasher is None:
            return result
        for kind, canonical in _CANONICAL.items():
            rows = kinds == kind
            if rows.any():
                result[rows] = self.hasher.series(values[rows], canonical)
        return result

    @staticmethod
    def _masked(values: pd.Series, kinds: pd.Series) -> pd.Series:
        result = values.astype("string").copy()
        for kind, mask in _MASKS.items():
            rows = (kinds == kind) & values.notna()
            if rows.any():
                texts = values[rows].astype("string")
                unique = {text: mask(str(text)) for text in pd.unique(texts)}
                result[rows] = texts.map(unique)
        return result

    def _bodies(self, frame: pd.DataFrame) -> pd.Series:
        if self.mode is PiiMode.CLEAR or "body" not in frame.columns:
            return frame.get("body")

        def mask_body(text: object) -> object:
            if not isinstance(text, str) or not text:
                return text
            try:
                body = json.loads(text)
            except json.JSONDecodeError:
                return masks.scrub_text(text)
            for name, kind in _TARGET_KINDS.items():
                if isinstance(body.get(name), str):
                    body[name] = _MASKS[kind](body[name])
            return json.dumps(body, ensure_ascii=False, sort_keys=True)

        return frame["body"].map(mask_body, na_action="ignore").astype("string")
