"""Find one person's records across runs through the keyed hashes of their email or phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optin_sync.analyst.datasets import read_all
from optin_sync.errors import OptInSyncError
from optin_sync.identity.emails import email_key
from optin_sync.identity.phones import phone_key
from optin_sync.privacy.hashing import PiiHasher, canonical_email, canonical_phone
from optin_sync.settings import VTEX_PHONE_FIELDS, Settings


class PersonNotGiven(OptInSyncError):
    """Neither an email nor a phone was given, or the value is empty."""


@dataclass(frozen=True, slots=True)
class Person:
    """The hashes that stand for one email or phone, and the records found with them.

    Attributes:
        kind: ``email`` or ``phone``.
        key: the normalised match key, or None when the matcher would reject the value.
        hashes: keyed hashes of the key and of the value as typed.
        profile_ids: VTEX profile ids found in any run.
        userapp_ids: WoowUp customer ids found in any run.
    """

    kind: str
    key: str | None
    hashes: frozenset[str]
    profile_ids: frozenset[str] = field(default_factory=frozenset)
    userapp_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def found(self) -> bool:
        return bool(self.profile_ids or self.userapp_ids)


def person_hashes(settings: Settings, hasher: PiiHasher, *, email: str | None = None,
                  phone: str | None = None) -> Person:
    """Normalise the value as the matcher does and hash both its key and its canonical form."""
    if email and email.strip():
        result = email_key(email, placeholder_domains=frozenset(settings.placeholder_email_domains),
                           gmail_canonical=settings.gmail_canonical)
        forms = {canonical_email(email)}
        kind = "email"
    elif phone and phone.strip():
        result = phone_key(phone, default_region=settings.default_region,
                           default_area_code=settings.default_area_code)
        forms = {canonical_phone(phone)}
        kind = "phone"
    else:
        raise PersonNotGiven("give --email or --phone with a value")
    if result.key:
        forms.add(result.key)
    return Person(kind, result.key, frozenset(hasher.digest(form) for form in forms if form))


def _hash_columns(kind: str) -> dict[str, list[str]]:
    if kind == "email":
        return {"vtex_profiles": ["email_hash"], "woowup_customers": ["email_hash", "service_uid_hash"]}
    return {"vtex_profiles": [f"{name}_hash" for name in VTEX_PHONE_FIELDS], "woowup_customers": ["telephone_hash"]}


def find_person(data_dir: Path, person: Person) -> Person:
    """Collect the record ids whose match keys, personal columns or quarantined values carry one of the hashes."""
    profiles: set[str] = set()
    customers: set[int] = set()
    hashes = set(person.hashes)

    keys = read_all(data_dir, "match_keys", ["side", "record_id", "key_hash"])
    hits = keys[keys["key_hash"].isin(hashes)]
    profiles |= set(hits.loc[hits["side"] == "vtex", "record_id"])
    customers |= {int(value) for value in hits.loc[hits["side"] == "woowup", "record_id"]}

    for dataset, columns in _hash_columns(person.kind).items():
        id_column = "profile_id" if dataset == "vtex_profiles" else "userapp_id"
        frame = read_all(data_dir, dataset, [id_column, *columns])
        present = [name for name in columns if name in frame.columns]
        mask = pd.Series(False, index=frame.index)
        for name in present:
            mask |= frame[name].isin(hashes).fillna(False).astype(bool)
        ids = frame.loc[mask, id_column].dropna()
        if dataset == "vtex_profiles":
            profiles |= set(ids.astype(str))
        else:
            customers |= {int(value) for value in ids}

    for dataset in ("quarantine", "vtex_quarantine"):
        frame = read_all(data_dir, dataset, ["side", "record_id", "raw_value_hash"])
        hits = frame[frame["raw_value_hash"].isin(hashes).fillna(False).astype(bool) & frame["record_id"].notna()]
        profiles |= set(hits.loc[hits["side"] == "vtex", "record_id"])
        customers |= {int(value) for value in hits.loc[hits["side"] == "woowup", "record_id"] if str(value).isdigit()}

    return Person(person.kind, person.key, person.hashes, frozenset(profiles), frozenset(customers))
