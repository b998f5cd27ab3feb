"""Target identifiers: which stored identifier names exactly one WoowUp customer in a write."""

from __future__ import annotations

import re

import pandas as pd

from optin_sync.sources.woowup import IDENTIFIER_FIELDS

# WoowUp rejects a whole request whose telephone contains digit-"+"-digit, so such a value cannot be a target.
_DIGIT_PLUS_DIGIT = re.compile(r"\d\+\d")


def target_identifiers(customers: pd.DataFrame) -> pd.DataFrame:
    """Return ``target_field`` and ``target_value`` per ``userapp_id``; both NA when no identifier is unique.

    The first of ``service_uid``, ``email``, ``document``, ``telephone`` whose stored value belongs to this one
    customer in the snapshot wins, and is sent byte for byte as WoowUp returned it.
    """
    result = pd.DataFrame({
        "userapp_id": customers["userapp_id"].astype("int64"),
        "target_field": pd.Series(pd.NA, index=customers.index, dtype="string"),
        "target_value": pd.Series(pd.NA, index=customers.index, dtype="string"),
    })
    for field in IDENTIFIER_FIELDS:
        values = customers[field].astype("string")
        usable = values.notna() & (values.str.strip() != "")
        if field == "telephone":
            usable &= ~values.str.contains(_DIGIT_PLUS_DIGIT, na=False)
        counts = values[usable].value_counts()
        unique = usable & values.map(counts).eq(1).fillna(False).astype(bool)
        take = unique & result["target_field"].isna()
        result.loc[take, "target_field"] = field
        result.loc[take, "target_value"] = values[take]
    return result
