"""Match keys of both sides, shared keys, and the pairs of WoowUp customer and VTEX profile that match."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optin_sync.identity.vectorised import email_keys_by_shape, phone_keys_by_shape
from optin_sync.settings import Settings

log = logging.getLogger(__name__)

SHARED_KEY = "shared_key"
KEY_COLUMNS = ["record_id", "key_type", "key", "field"]
REJECTION_COLUMNS = ["side", "record_id", "field", "cause"]


@dataclass(frozen=True, slots=True)
class KeyNumbering:
    """One integer per row of ``keys`` for its (key type, key), in a numbering that ``token`` names."""

    token: object
    keys: pd.DataFrame
    codes: np.ndarray


@dataclass(frozen=True, slots=True)
class KeySet:
    """Keys of one side (``record_id``, ``key_type``, ``key``, ``field``) and the values that gave no key.

    ``drop_shared_keys`` also sets ``numbering``, shared with the other side's KeySet, so that ``match`` joins on
    integers without numbering the keys again. It applies only while ``keys`` is the frame it numbered.
    """

    keys: pd.DataFrame
    rejections: pd.DataFrame
    numbering: KeyNumbering | None = field(default=None, repr=False, compare=False)

    def codes_in(self, token: object) -> np.ndarray | None:
        """Return the key codes of this frame in the numbering `token`, or None when it has none."""
        numbering = self.numbering
        if numbering is None or numbering.token is not token or numbering.keys is not self.keys:
            return None
        return numbering.codes


def _keys_of_field(
    ids: pd.Series, values: pd.Series, *, field: str, key_type: str, side: str, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if key_type == "email":
        result = email_keys_by_shape(
            values,
            placeholder_domains=frozenset(settings.placeholder_email_domains),
            gmail_canonical=settings.gmail_canonical,
        )
    else:
        result = phone_keys_by_shape(values, default_region=settings.default_region,
                                     default_area_code=settings.default_area_code)

    keyed = result["key"].notna()
    keys = pd.DataFrame({"record_id": ids[keyed].astype("string"), "key_type": key_type,
                         "key": result.loc[keyed, "key"].astype("string"), "field": field,
                         "source_row": np.flatnonzero(keyed.to_numpy(dtype=bool))})
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
    keys = keys[~_repeated_keys(keys, frame[id_column])].drop(columns="source_row", errors="ignore")
    keys = keys.reset_index(drop=True)
    rejections = pd.concat(rejection_parts, ignore_index=True) if rejection_parts else pd.DataFrame(
        columns=REJECTION_COLUMNS)
    return KeySet(keys.astype("string"), rejections.astype("string"))


def _repeated_keys(keys: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    """Mark repeats of a (record_id, key_type, key) row, such as one number in a profile's phone and homePhone.

    With unique ids a repeat needs one source row to give two keys of a type, so only those rows are compared.
    """
    if "source_row" not in keys or not ids.is_unique:
        return keys.duplicated(["record_id", "key_type", "key"]).to_numpy()
    group = keys["source_row"].to_numpy(dtype=np.int64) * 2 + (keys["key_type"] == "phone").to_numpy(dtype=bool)
    suspects = np.bincount(group)[group] > 1 if len(group) else np.zeros(0, dtype=bool)
    repeated = np.zeros(len(keys), dtype=bool)
    if suspects.any():
        repeated[suspects] = keys[suspects].duplicated(["record_id", "key_type", "key"]).to_numpy()
    return repeated


def drop_shared_keys(profiles: KeySet, customers: KeySet, max_per_key: int) -> tuple[KeySet, KeySet]:
    """Remove keys held by more than ``max_per_key`` customers or profiles: a shop phone or a role mailbox."""
    codes, size = _key_codes(profiles.keys, customers.keys)
    profile_codes, customer_codes = codes[:len(profiles.keys)], codes[len(profiles.keys):]
    shared = np.zeros(size, dtype=bool)
    for keyset, side_codes in ((profiles, profile_codes), (customers, customer_codes)):
        shared |= _records_per_key(keyset.keys, side_codes, size, max_per_key) > max_per_key

    token = object()
    if not shared.any():
        return (KeySet(profiles.keys, profiles.rejections, KeyNumbering(token, profiles.keys, profile_codes)),
                KeySet(customers.keys, customers.rejections, KeyNumbering(token, customers.keys, customer_codes)))
    log.info("shared keys dropped count=%d", int(shared.sum()))
    return (_without(profiles, profile_codes, shared[profile_codes], "vtex", token),
            _without(customers, customer_codes, shared[customer_codes], "woowup", token))


def _key_codes(*frames: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Number each distinct (key type, key) across the frames, in the frames' row order; return codes and count."""
    keys = pd.concat([frame["key"] for frame in frames], ignore_index=True)
    key_codes, _ = pd.factorize(keys)
    type_codes = _type_codes(pd.concat([frame["key_type"] for frame in frames], ignore_index=True))
    codes, combined = pd.factorize(key_codes.astype(np.int64) * (int(type_codes.max(initial=0)) + 1) + type_codes)
    return codes, len(combined)


def _type_codes(types: pd.Series) -> np.ndarray:
    """Number key types: 0 for email, 1 for phone, 2 and up for others (comparing is cheaper than hashing)."""
    types = types.astype("string")
    codes = np.select([(types == "email").fillna(False).to_numpy(dtype=bool),
                       (types == "phone").fillna(False).to_numpy(dtype=bool)], [0, 1], default=-1)
    others = codes < 0
    if others.any():
        codes[others] = 2 + pd.factorize(types[others], use_na_sentinel=False)[0]
    return codes


def _records_per_key(keys: pd.DataFrame, codes: np.ndarray, size: int, max_per_key: int) -> np.ndarray:
    """Count the distinct records that hold each key code, exactly for the keys on more than max_per_key rows."""
    rows = np.bincount(codes, minlength=size) if size else np.zeros(0, dtype=np.int64)
    frequent = np.flatnonzero(rows > max_per_key)
    if not len(frequent):
        return rows
    # A record may hold one key twice; only the frequent keys' rows need their records compared.
    chosen = np.flatnonzero(np.isin(codes, frequent))
    holders = pd.DataFrame({"code": codes[chosen], "record": keys["record_id"].iloc[chosen].to_numpy()})
    rows[frequent] = holders.drop_duplicates().groupby("code").size().reindex(frequent).to_numpy()
    return rows


def _without(keyset: KeySet, codes: np.ndarray, is_shared: np.ndarray, side: str, token: object) -> KeySet:
    dropped = keyset.keys[is_shared]
    rejections = pd.DataFrame({"side": side, "record_id": dropped["record_id"], "field": dropped["field"],
                               "cause": SHARED_KEY})
    kept = keyset.keys[~is_shared].reset_index(drop=True)
    return KeySet(kept, pd.concat([keyset.rejections, rejections.astype("string")], ignore_index=True),
                  KeyNumbering(token, kept, codes[~is_shared]))


def match(profiles: KeySet, customers: KeySet) -> pd.DataFrame:
    """Return one row per (customer, profile, key type) pair that shares a key: ``userapp_id``, ``profile_id``."""
    token = None if customers.numbering is None else customers.numbering.token
    customer_codes, profile_codes = customers.codes_in(token), profiles.codes_in(token)
    if customer_codes is not None and profile_codes is not None:
        codes = np.concatenate([customer_codes, profile_codes])
    else:
        codes, _ = _key_codes(customers.keys, profiles.keys)
    customer_side = pd.DataFrame({"userapp_id": customers.keys["record_id"].to_numpy(),
                                  "key_type": customers.keys["key_type"].array,
                                  "code": codes[:len(customers.keys)]})
    profile_side = pd.DataFrame({"profile_id": profiles.keys["record_id"].array,
                                 "code": codes[len(customers.keys):]})
    pairs = customer_side.merge(profile_side, on="code")
    pairs = pairs[["userapp_id", "profile_id", "key_type"]]
    pairs = pairs[~_duplicated_pairs(pairs)].reset_index(drop=True)
    pairs["userapp_id"] = pairs["userapp_id"].astype("int64")
    return pairs


def _duplicated_pairs(pairs: pd.DataFrame) -> np.ndarray:
    """Mark repeats of a (userapp_id, profile_id, key_type) row.

    A repeat needs a customer that matched two keys of one type, so only those customers' rows are compared.
    """
    user = pd.factorize(pairs["userapp_id"])[0].astype(np.int64)
    types = _type_codes(pairs["key_type"])
    group = user * (int(types.max(initial=0)) + 1) + types
    suspects = np.bincount(group)[group] > 1 if len(group) else np.zeros(0, dtype=bool)
    repeated = np.zeros(len(pairs), dtype=bool)
    if suspects.any():
        repeated[suspects] = pairs[suspects].duplicated().to_numpy()
    return repeated
