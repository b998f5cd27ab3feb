"""A large generated world as the planning step reads it: VTEX profiles and WoowUp customers as snapshot frames.

The sandbox generator (`optin_sync.sandbox.generator`) builds one dict per document, which takes minutes and
gigabytes for millions of rows. This module builds the same kind of world column by column with NumPy, reusing
the sandbox's names, email domains and variants, phone formats and area codes, opt-in mix (55% consent, 35%
refusal, 10% null), duplicate profiles (3%), matched share (60%), channel states and protecting reasons.

The story is a full refresh in a steady state: matched customers' channels agree with the VTEX opt-in, except
2.5% whose consent changed since (channels to enable or disable), 0.5% changed in WoowUp after the VTEX evidence,
and 7% with `mailing` protected by a delivery reason. Shop phones are shared by several profiles and customers.
Customers without a VTEX profile fill the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from optin_sync.sandbox.crm import SHOP_PHONE_CUSTOMERS, SHOP_PHONE_PROFILES
from optin_sync.sandbox.people import (
    AREA_CODES,
    CRM_PHONE_FORMATS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PROTECTING_REASONS,
    VTEX_PHONE_FORMATS,
)
from optin_sync.settings import CHANNELS

PHONE_FIELDS = ("phone", "homePhone", "cellPhone")
DUPLICATE_SHARE = 0.03
MATCHED_SHARE = 0.60
CHANGED_SHARE = 0.025
NEWER_IN_CRM_SHARE = 0.005
PROTECTED_SHARE = 0.07
# One pair of shop phones per this many customers, each on SHOP_PHONE_PROFILES profiles and SHOP_PHONE_CUSTOMERS
# customers, so that the shared-key rule has work at every size.
CUSTOMERS_PER_SHOP_PHONE = 100_000
ANCHOR = datetime(2026, 12, 4, 3, tzinfo=timezone.utc)
HISTORY_SECONDS = 3 * 365 * 86_400
_ASCII = str.maketrans("áéíóúÁÉÍÓÚñÑü", "aeiouAEIOUnNu")


@dataclass(frozen=True)
class World:
    """Profiles as `prepare_profiles` returns them and customers as `prepare_customers` returns them."""

    profiles: pd.DataFrame
    customers: pd.DataFrame


@dataclass(frozen=True)
class _People:
    first: np.ndarray
    last: np.ndarray
    email: np.ndarray
    area: np.ndarray
    number: np.ndarray
    country: np.ndarray
    document: np.ndarray


def _weighted(rng: np.random.Generator, options, size: int) -> np.ndarray:
    """Draw from a sandbox `Weighted` choice, as an array."""
    weights = np.diff(np.r_[0.0, np.asarray(options.cumulative, dtype=float)])
    return rng.choice(np.asarray(options.values, dtype=object), size=size, p=weights / weights.sum())


def _people(rng: np.random.Generator, size: int) -> _People:
    first = rng.choice(np.asarray(FIRST_NAMES, dtype=object), size)
    last = rng.choice(np.asarray(LAST_NAMES, dtype=object), size)
    domain = _weighted(rng, EMAIL_DOMAINS, size)
    email = np.array([f"{f}.{l}{i}".lower().translate(_ASCII) + f"@{d}"
                      for i, (f, l, d) in enumerate(zip(first, last, domain))], dtype=object)

    area = _weighted(rng, AREA_CODES, size)
    lead = rng.integers(2, 7, size)
    index = np.arange(size, dtype=np.int64)
    number = np.array([f"{head}{(i * 7919 + 1_234_567) % 10 ** (9 - len(a)):0{9 - len(a)}d}"
                       for i, a, head in zip(index, area, lead)], dtype=object)
    roll = rng.random(size)
    country = np.where(roll >= 0.99, "MX", np.where(roll >= 0.98, "BR", "AR")).astype(object)
    document = np.array([str(20_000_000 + (i * 7919) % 25_000_000) for i in index], dtype=object)
    return _People(first, last, email, area, number, country, document)


def _format_phones(rng: np.random.Generator, people: _People, persons: np.ndarray, formats) -> np.ndarray:
    """Write each person's phone in a format drawn from `formats`, or as a Brazilian or Mexican mobile."""
    templates = _weighted(rng, formats, len(persons))
    foreign = rng.random(len(persons)) < 0.5
    phones = np.empty(len(persons), dtype=object)
    for position, (person, template) in enumerate(zip(persons, templates)):
        area, number, country = people.area[person], people.number[person], people.country[person]
        if country == "BR":
            digits = number.rjust(8, "7")[-8:]
            phones[position] = f"+55 11 9{digits[:4]}-{digits[4:]}" if foreign[position] else f"+55119{digits}"
        elif country == "MX":
            digits = number.rjust(8, "7")[-8:]
            phones[position] = f"+52 1 55 {digits[:4]} {digits[4:]}" if foreign[position] else f"+5255{digits}"
        else:
            phones[position] = template.format(area=area, number=number, head=number[:-4], tail=number[-4:]) or None
    return phones


def _guids(rng: np.random.Generator, size: int) -> np.ndarray:
    raw = rng.bytes(16 * size).hex()
    return np.array([f"{raw[i:i + 8]}-{raw[i + 8:i + 12]}-{raw[i + 12:i + 16]}-{raw[i + 16:i + 20]}-{raw[i + 20:i + 32]}"
                     for i in range(0, 32 * size, 32)], dtype=object)


def _vtex_emails(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    """Write emails as VTEX stores them: mostly as typed, some upper-cased, padded, masked, relayed or missing."""
    roll = rng.random(len(emails))
    result = emails.copy()
    upper = (roll >= 0.78) & (roll < 0.84)
    result[upper] = [email.upper() for email in emails[upper]]
    padded = (roll >= 0.84) & (roll < 0.86)
    result[padded] = [f" {email} " for email in emails[padded]]
    masked = (roll >= 0.86) & (roll < 0.88)
    result[masked] = [f"{value:012x}@ct.vtex.com.br" for value in rng.integers(0, 2 ** 48, int(masked.sum()))]
    suffixed = (roll >= 0.88) & (roll < 0.90)
    result[suffixed] = [f"{email}-{value}b.ct.vtex.com.br"
                        for email, value in zip(emails[suffixed], rng.integers(100, 1000, int(suffixed.sum())))]
    relay = (roll >= 0.90) & (roll < 0.93)
    result[relay] = [f"{value:010x}@mail.mercadolibre.com.ar" for value in rng.integers(0, 2 ** 40, int(relay.sum()))]
    result[(roll >= 0.93) & (roll < 0.94)] = "noemail@noemail.com"
    result[(roll >= 0.94) & (roll < 0.95)] = None
    return result


def _crm_emails(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    """Write emails as WoowUp stores them: mostly as typed, some capitalised, missing or another mailbox."""
    roll = rng.random(len(emails))
    result = emails.copy()
    capital = (roll >= 0.80) & (roll < 0.85)
    result[capital] = [email.capitalize() for email in emails[capital]]
    result[(roll >= 0.85) & (roll < 0.92)] = None
    other = roll >= 0.92
    result[other] = [f"otro.{email}" for email in emails[other]]
    return result


def _times(rng: np.random.Generator, size: int, latest: float) -> np.ndarray:
    """Draw UTC times in the three years before `latest` seconds before the anchor."""
    seconds = rng.integers(int(latest), HISTORY_SECONDS, size)
    return (np.datetime64(ANCHOR.replace(tzinfo=None), "s") - seconds.astype("timedelta64[s]")).astype("datetime64[us]")


def generate_world(profiles: int, customers: int, seed: int = 42) -> World:
    """Build `profiles` VTEX profiles and `customers` WoowUp customers; the same arguments give the same world."""
    rng = np.random.default_rng(seed)
    vtex_people = max(1, round(profiles / (1 + DUPLICATE_SHARE)))
    duplicates = profiles - vtex_people
    matched = min(round(MATCHED_SHARE * vtex_people), customers)
    people = _people(rng, vtex_people + customers - matched)

    opt_in = rng.choice(np.array([1, 0, -1]), vtex_people, p=[0.55, 0.35, 0.10])
    profile_frame, evidence = _profile_frame(rng, people, vtex_people, duplicates, opt_in)
    customer_frame = _customer_frame(rng, people, vtex_people, matched, customers, opt_in, evidence)
    _share_shop_phones(rng, profile_frame, customer_frame, matched)
    return World(profile_frame, customer_frame)


def _profile_frame(rng: np.random.Generator, people: _People, vtex_people: int, duplicates: int,
                   opt_in: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Build one profile per VTEX person, and an older second profile with the other opt-in for duplicates."""
    persons = np.arange(vtex_people)
    second = rng.choice(vtex_people, duplicates, replace=False)
    owners = np.concatenate([persons, second])
    size = len(owners)

    emails = _vtex_emails(rng, people.email[owners])
    emails[vtex_people:] = [email.upper() if isinstance(email, str) else email for email in emails[vtex_people:]]
    values = np.concatenate([opt_in, np.where(opt_in[second] == 1, 0, 1)])
    evidence = _times(rng, vtex_people, 3_600)
    older = _times(rng, duplicates, HISTORY_SECONDS // 2)
    times = np.concatenate([evidence, np.minimum(older, evidence[second])])

    raw = np.where(values == 1, "true", np.where(values == 0, "false", None)).astype(object)
    as_text = rng.random(size) < 0.03
    raw[as_text & (values == 1)] = "True"
    raw[as_text & (values == 0)] = "False"
    status = np.where(values == 1, "consent", np.where(values == 0, "refusal", "unknown")).astype(object)

    frame = pd.DataFrame({
        "profile_id": _guids(rng, size),
        "email": emails,
        "document": np.where(rng.random(size) < 0.85, people.document[owners], None),
        "documentType": "dni",
        "firstName": people.first[owners],
        "lastName": people.last[owners],
    })
    frame.loc[frame["document"].isna(), "documentType"] = None
    phones = _format_phones(rng, people, owners, VTEX_PHONE_FORMATS)
    has_phone = rng.random(size) < 0.92
    field = rng.choice(np.array(PHONE_FIELDS), size, p=[0.60, 0.25, 0.15])
    for name in PHONE_FIELDS:
        frame[name] = np.where(has_phone & (field == name), phones, None)
    second_phone = has_phone & (rng.random(size) < 0.10)
    other_field = np.where(field == "cellPhone", "homePhone", "cellPhone")
    again = _format_phones(rng, people, owners, VTEX_PHONE_FORMATS)
    for name in ("homePhone", "cellPhone"):
        chosen = second_phone & (other_field == name)
        frame.loc[chosen, name] = again[chosen]

    stamps = pd.to_datetime(times).tz_localize("UTC")
    text_times = stamps.strftime("%Y-%m-%dT%H:%M:%S.%f").str.slice(0, 26) + "1Z"
    frame["isNewsletterOptIn"] = raw
    frame["createdIn"] = text_times
    frame["updatedIn"] = text_times
    frame["opt_in_status"] = status
    frame["evidence_time"] = stamps.floor("s").astype("datetime64[us, UTC]")
    frame["new_evidence"] = values >= 0
    frame = frame.astype({name: "string" for name in frame.columns if name not in ("evidence_time", "new_evidence")})
    return frame, times


def _customer_frame(rng: np.random.Generator, people: _People, vtex_people: int, matched: int, customers: int,
                    opt_in: np.ndarray, evidence: np.ndarray) -> pd.DataFrame:
    """Build the matched people's customers in a steady state, then customers without a VTEX profile."""
    matched_people = rng.choice(vtex_people, matched, replace=False)
    persons = np.concatenate([matched_people, np.arange(vtex_people, vtex_people + customers - matched)])
    is_matched = np.arange(customers) < matched

    # The state the channels were last set to: the current opt-in, except where the story changes it.
    previous = np.where(is_matched, opt_in[persons.clip(max=vtex_people - 1)], 1)
    previous = np.where(previous < 0, (rng.random(customers) < 0.8).astype(int), previous)
    roll = rng.random(customers)
    changed = is_matched & (opt_in[persons.clip(max=vtex_people - 1)] >= 0) & (roll < CHANGED_SHARE)
    newer = is_matched & ~changed & (roll < CHANGED_SHARE + NEWER_IN_CRM_SHARE)
    previous = np.where(changed | newer, 1 - previous.clip(0, 1), previous)
    protected = ~changed & ~newer & (rng.random(customers) < PROTECTED_SHARE)
    crm_disabled = ~is_matched & ~protected & (rng.random(customers) < 0.15)
    previous = np.where(crm_disabled, 0, previous)

    profile_time = evidence[persons.clip(max=vtex_people - 1)]
    update = _times(rng, customers, 86_400 * 2)
    update = np.where(changed, np.minimum(update, profile_time - np.timedelta64(3_600, "s")), update)
    update = np.where(newer, profile_time + np.timedelta64(5_400, "s"), update)
    never = ~changed & ~newer & (rng.random(customers) < 0.25)

    frame = pd.DataFrame({
        "userapp_id": rng.permutation(np.arange(1, customers + 1, dtype=np.int64)),
        "service_uid": np.where(rng.random(customers) < 0.35, [f"CLI-{person:07d}" for person in persons], None),
        "email": np.where(changed | newer, people.email[persons], _crm_emails(rng, people.email[persons])),
        "telephone": _format_phones(rng, people, persons, CRM_PHONE_FORMATS),
        "document": np.where(rng.random(customers) < 0.6, people.document[persons], None),
        "first_name": people.first[persons],
        "last_name": people.last[persons],
    })
    stamps = pd.Series(pd.to_datetime(update).tz_localize("UTC")).where(~never)
    texts = stamps.dt.strftime("%Y-%m-%d %H:%M:%S")
    reasons = rng.choice(np.asarray(PROTECTING_REASONS, dtype=object), customers)
    for channel in CHANNELS:
        state = np.where(previous == 1, "enabled", "disabled").astype(object)
        reason = np.where(previous == 1, None, "other").astype(object)
        if channel == "mailing":
            state[protected] = "disabled"
            reason[protected] = reasons[protected]
        frame[f"{channel}_enabled"] = state
        frame[f"{channel}_enabled_raw"] = state
        frame[f"{channel}_enabled_reason"] = reason
        frame[f"{channel}_enabled_updatetime"] = texts.to_numpy(dtype=object)
        frame[f"{channel}_updated_at"] = stamps.dt.floor("s").astype("datetime64[us, UTC]").to_numpy()
    frame["opt_in_vtex"] = np.where(is_matched, np.where(previous == 1, "True", "False"), None)
    text_columns = [name for name in frame.columns if name != "userapp_id" and not name.endswith("_updated_at")]
    return frame.astype({name: "string" for name in text_columns})


def _share_shop_phones(rng: np.random.Generator, profiles: pd.DataFrame, customers: pd.DataFrame,
                       matched: int) -> None:
    """Write shop phones on several profiles and customers without a profile, as stores do at the till."""
    pairs = max(1, len(customers) // CUSTOMERS_PER_SHOP_PHONE)
    bystanders = rng.choice(len(profiles), min(len(profiles), 2 * pairs * SHOP_PHONE_PROFILES), replace=False)
    crm_only = np.arange(matched, len(customers))
    chosen = rng.choice(crm_only, min(len(crm_only), 2 * pairs * SHOP_PHONE_CUSTOMERS), replace=False)
    for pair in range(pairs):
        for offset, (vtex_format, crm_format) in enumerate((("011 4311-{:04d}", "+54114311{:04d}"),
                                                            ("(0351) 422-{:04d}", "+54351422{:04d}"))):
            shop = 2 * pair + offset
            rows = bystanders[shop * SHOP_PHONE_PROFILES:(shop + 1) * SHOP_PHONE_PROFILES]
            profiles.loc[profiles.index[rows], "phone"] = vtex_format.format(1000 + pair)
            rows = chosen[shop * SHOP_PHONE_CUSTOMERS:(shop + 1) * SHOP_PHONE_CUSTOMERS]
            customers.loc[customers.index[rows], "telephone"] = crm_format.format(1000 + pair)
