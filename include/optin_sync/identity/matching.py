"""Match keys of both sides, shared keys, and the pairs of WoowUp customer and VTEX profile that match."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from optin_sync.identity.vectorised import email_keys, phone_keys_by_shape
from optin_sync.settings import Settings

log = logging.getLogger(__name__)

SHARED_KEY = "shared_key"
KEY_COLUMNS = ["record_id", "key_type", "key", "field"]
REJECTION_COLUMNS = ["side", "record_id", "field", "cause"]


@dataclass(frozen=True, slots=True)
class KeySet:
    """Keys of one side (``record_id``, ``key_type``, ``key``, ``field``) and the values that gave no key."""

    keys: pd.DataFrame
    rejections: pd.DataFrame


def _keys_of_field(
    ids: pd.Series, values: pd.Series, *, field: str, key_type: str, side: str, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if key_type == "email":
        result = email_keys(
            values,
            placeholder_domains=frozenset(settings.placeholder_email_domains),
            gmail_canonical=settings.gmail_canonical,
        )
    else:
        result = phone_keys_by_shape(values, default_region=settings.default_region,
                                     default_area_code=settings.default_area_code)

    keyed = result["key"].notna()
    keys = pd.DataFrame({"record_id": ids[keyed].astype("string"), "key_type": key_type,
                         "key": result.loc[keyed, "key"].astype("string"), "field": field})
    # An empty field is not worth a row: only values that were there and gave no key are rejections.
    rejected = ~keyed & result["cause"].notna() & (result["cause"] != "empty")
    rejections = pd.DataFrame({"side": side, "record_id": ids[rejected].astype("string"), "field": field,
                               "cause": result.loc[rejected, "cause"].astype("string")})
    return keys, rejections


def build_keys(
    frame: pd.DataFrame, *, id_column: str, email_fields: Sequence[str], phone_fields: Sequence[str], side: str,
    settings: Settings,
) -> KeySet:
    """Return the email and phone keys of every record of one side, one row per distinct key of a record."""
    key_parts, rejection_parts = [], []
    for field in email_fields:
        keys, rejections = _keys_of_field(frame[id_column], frame[field], field=field, key_type="email",
                                          side=side, settings=settings)
        key_parts.append(keys)
        rejection_parts.append(rejections)
    for field in phone_fields:
        keys, rejections = _keys_of_field(frame[id_column], frame[field], field=field, key_type="phone",
                                          side=side, settings=settings)
        key_parts.append(keys)
        rejection_parts.append(rejections)

    keys = pd.concat(key_parts, ignore_index=True) if key_parts else pd.DataFrame(columns=KEY_COLUMNS)
    keys = keys.drop_duplicates(["record_id", "key_type", "key"]).reset_index(drop=True)
    rejections = pd.concat(rejection_parts, ignore_index=True) if rejection_parts else pd.DataFrame(
        columns=REJECTION_COLUMNS)
    return KeySet(keys.astype("string"), rejections.astype("string"))


def drop_shared_keys(profiles: KeySet, customers: KeySet, max_per_key: int) -> tuple[KeySet, KeySet]:
    """Remove keys held by more than ``max_per_key`` customers or profiles: a shop phone or a role mailbox."""
    shared = set()
    for keyset in (profiles, customers):
        counts = keyset.keys.groupby(["key_type", "key"])["record_id"].nunique()
        shared |= set(counts[counts > max_per_key].index)
    if not shared:
        return profiles, customers

    log.info("shared keys dropped count=%d", len(shared))
    return _without(profiles, shared, "vtex"), _without(customers, shared, "woowup")


def _without(keyset: KeySet, shared: set[tuple[str, str]], side: str) -> KeySet:
    index = pd.MultiIndex.from_frame(keyset.keys[["key_type", "key"]])
    is_shared = index.isin(list(shared))
    dropped = keyset.keys[is_shared]
    rejections = pd.DataFrame({"side": side, "record_id": dropped["record_id"], "field": dropped["field"],
                               "cause": SHARED_KEY})
    return KeySet(
        keyset.keys[~is_shared].reset_index(drop=True),
        pd.concat([keyset.rejections, rejections.astype("string")], ignore_index=True),
    )


def match(profiles: KeySet, customers: KeySet) -> pd.DataFrame:
    """Return one row per (customer, profile, key type) pair that shares a key: ``userapp_id``, ``profile_id``."""
    pairs = customers.keys.merge(profiles.keys, on=["key_type", "key"], suffixes=("_customer", "_profile"))
    pairs = pairs.rename(columns={"record_id_customer": "userapp_id", "record_id_profile": "profile_id"})
    pairs = pairs[["userapp_id", "profile_id", "key_type"]].drop_duplicates().reset_index(drop=True)
    pairs["userapp_id"] = pairs["userapp_id"].astype("int64")
    return pairs
