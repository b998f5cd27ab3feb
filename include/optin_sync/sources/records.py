"""Turn API records into typed DataFrames: VTEX profiles and WoowUp customers as the snapshots store them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from optin_sync.consent.optin import raw_text
from optin_sync.settings import CHANNELS

PROFILE_TEXT_FIELDS: tuple[str, ...] = ("email", "document", "documentType", "firstName", "lastName")
CUSTOMER_TEXT_FIELDS: tuple[str, ...] = ("service_uid", "email", "telephone", "document", "first_name", "last_name")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return str(value)


def profiles_frame(documents: Iterable[dict], phone_fields: Sequence[str]) -> pd.DataFrame:
    """Build one row per CL document: raw text values, the raw opt-in, and the raw dates."""
    rows = []
    for document in documents:
        row = {"profile_id": _text(document.get("id"))}
        for name in PROFILE_TEXT_FIELDS:
            row[name] = _text(document.get(name))
        for name in phone_fields:
            row[name] = _text(document.get(name))
        row["isNewsletterOptIn"] = raw_text(document.get("isNewsletterOptIn"))
        row["createdIn"] = _text(document.get("createdIn"))
        row["updatedIn"] = _text(document.get("updatedIn"))
        rows.append(row)
    columns = ["profile_id", *PROFILE_TEXT_FIELDS, *phone_fields, "isNewsletterOptIn", "createdIn", "updatedIn"]
    return pd.DataFrame(rows, columns=list(dict.fromkeys(columns))).astype("string")


def channel_state(value: object) -> str | None:
    """Return ``"enabled"``/``"disabled"`` for a channel field that may come as a string or a boolean."""
    if isinstance(value, bool):
        return "enabled" if value else "disabled"
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in ("enabled", "true", "1"):
            return "enabled"
        if word in ("disabled", "false", "0"):
            return "disabled"
    if isinstance(value, int) and value in (0, 1):
        return "enabled" if value else "disabled"
    return None


def customers_frame(customers: Iterable[dict]) -> pd.DataFrame:
    """Build one row per WoowUp customer: identifiers byte for byte, channel states, reasons and update times."""
    rows = []
    for customer in customers:
        row: dict[str, object] = {"userapp_id": customer.get("userapp_id")}
        for name in CUSTOMER_TEXT_FIELDS:
            row[name] = _text(customer.get(name))
        for channel in CHANNELS:
            raw = customer.get(f"{channel}_enabled")
            row[f"{channel}_enabled"] = channel_state(raw)
            row[f"{channel}_enabled_raw"] = raw_text(raw)
            row[f"{channel}_enabled_reason"] = _text(customer.get(f"{channel}_enabled_reason"))
            row[f"{channel}_enabled_updatetime"] = _text(customer.get(f"{channel}_enabled_updatetime"))
        attributes = customer.get("custom_attributes")
        row["opt_in_vtex"] = _text(attributes.get("opt_in_vtex")) if isinstance(attributes, dict) else None
        rows.append(row)

    columns = ["userapp_id", *CUSTOMER_TEXT_FIELDS]
    for channel in CHANNELS:
        columns += [f"{channel}_enabled", f"{channel}_enabled_raw", f"{channel}_enabled_reason",
                    f"{channel}_enabled_updatetime"]
    columns.append("opt_in_vtex")
    frame = pd.DataFrame(rows, columns=columns)
    text_columns = [name for name in columns if name != "userapp_id"]
    frame[text_columns] = frame[text_columns].astype("string")
    frame["userapp_id"] = pd.to_numeric(frame["userapp_id"], errors="coerce").astype("Int64")
    return frame
