"""Reading VTEX's ``isNewsletterOptIn`` and the evidence time of a profile."""

from __future__ import annotations

import numpy as np
import pandas as pd

CONSENT = "consent"
REFUSAL = "refusal"
UNKNOWN = "unknown"
INVALID = "invalid"

_CONSENT_WORDS = frozenset({"true", "1", "yes", "si", "sí"})
_REFUSAL_WORDS = frozenset({"false", "0", "no"})


def raw_text(value: object) -> str | None:
    """Return the raw opt-in as text for snapshots: JSON spelling for booleans, None for null."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        # JSON numbers may arrive as 1.0; they are the same value as 1.
        return str(int(value))
    return str(value)


def read_opt_in(value: object) -> str:
    """Return CONSENT, REFUSAL, UNKNOWN or INVALID for a raw ``isNewsletterOptIn`` value.

    Strings are trimmed and case-folded; ``"True"``/``"False"`` as written by some VTEX paths read as booleans.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return UNKNOWN
    if isinstance(value, bool):
        return CONSENT if value else REFUSAL
    if isinstance(value, int | float):
        return {1: CONSENT, 0: REFUSAL}.get(value, INVALID)  # type: ignore[call-overload]
    if isinstance(value, str):
        word = value.strip().casefold()
        if word == "":
            return UNKNOWN
        if word in _CONSENT_WORDS:
            return CONSENT
        if word in _REFUSAL_WORDS:
            return REFUSAL
    return INVALID


def parse_vtex_times(values: pd.Series) -> pd.Series:
    """Parse Master Data timestamps (UTC, up to 7 fractional digits) to UTC seconds; bad values become NaT."""
    text = values.astype("string").str.strip()
    # pandas reads at most nanoseconds; seven fractional digits are cut to six before parsing.
    text = text.str.replace(r"(\.\d{6})\d+", r"\1", regex=True)
    parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    return parsed.dt.floor("s").astype("datetime64[us, UTC]")


def parse_crm_times(values: pd.Series, crm_timezone: str) -> pd.Series:
    """Parse WoowUp update times; a time without an offset is read in ``crm_timezone``. Returns UTC."""
    text = values.astype("string").str.strip().replace("", pd.NA)
    has_offset = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True, na=False)
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    if has_offset.any():
        result[has_offset] = pd.to_datetime(text[has_offset], utc=True, errors="coerce", format="ISO8601")
    naive = ~has_offset & text.notna()
    if naive.any():
        local = pd.to_datetime(text[naive], errors="coerce", format="mixed")
        result[naive] = local.dt.tz_localize(crm_timezone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    return result
